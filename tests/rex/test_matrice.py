"""Every status × every action × every role: a table written by hand from the guide (§6–§8), checked
against the action registry (rex.actions) and against the pages (a POST to the action's URL).

Each status is reached through the services (submit, take charge, ask for information, reject, grant,
modify, validate, revoke…), as the users would reach it. For each (kind of request, status), the
request is built once; every (role, action) case then runs inside a savepoint rolled back afterwards.

An allowed action, posted on its page, does what the guide says (the status of §8 it leads to, or its
own effect) with a success message; a refused one changes nothing, whatever the page answers (a 404
when the request is not the user's, a redirect with the French refusal, the login page…), and the
service called directly refuses it too.

The generated part (read from rex.actions.ACTIONS) is only a cross-check that the hand table names
every action and every status.
"""

import datetime
from collections import defaultdict
from itertools import product

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse

import pytest

from rex import actions, services
from rex.models import Demande, Evenement, Message, Statut
from tests.factories import (
    BureauDouaneFactory,
    CadrePreferentielFactory,
    DemandeFactory,
    MandatFactory,
    UserFactory,
    demande_representee,
    depot_papier,
)

pytestmark = pytest.mark.django_db

# The kinds of request: filed online by its holder, filed online by a customs representative for a
# client under mandate, keyed in by a customs service from the paper form (guide §5, « À noter »), and
# the modification request of a registration (guide §7.2).
EN_LIGNE, REPRESENTEE, PAPIER, MODIFICATION = "en_ligne", "representee", "papier", "modification"

# The roles. titulaire: a user of the holder's company (not the one who filed). representant: a user of
# the customs representative that filed; for the other kinds, of a representative with no part in the
# request. agent_du_service: an officer of the service in charge (for a draft, of the office named in
# rubrique 1). agent_en_charge: the officer who took the request in charge (for a paper draft, the one
# who keyed it in). agent_autre_service: an officer of another service.
ROLES = (
    "titulaire",
    "representant",
    "autre_operateur",
    "agent_du_service",
    "agent_en_charge",
    "agent_autre_service",
    "anonyme",
)
# The actions as the users name them; the registry names the side's own for some (see PAR_COTE).
NOMS = (
    "ecrire",
    "completer",
    "abandonner",
    "dupliquer",
    "demander_modification",
    "prendre_en_charge",
    "reaffecter",
    "demander_complement",
    "rejeter",
    "octroyer",
    "valider_modification",
    "revoquer",
    "annuler_revocation",
)

# ---------------------------------------------------------------------------------------------------
# The table, from the guide. A role not listed may do nothing on the request in that status.
#   §6.1  the thread: both sides, at every stage of a filed request, a revoked one included (§7.3);
#   §6.2  « Compléter la demande »: the holder's side, on an « Incomplète » request; for a request
#         filed on paper, the service in charge also keys in the complement received on paper (§5);
#   §6.3  « Dupliquer »: a representative, any filed request it follows; anyone else only after a
#         rejection or a revocation, never while holding a REX registration;
#   §6.4  « Abandonner la demande »: until granted (draft, En étude, Incomplète); a draft belongs to
#         the side that writes it (the representative who files, the service that keys in a paper form);
#   §7.2  « Demander des modifications »: from the registration « Octroyée »; the service validates
#         the modification, may ask for information or reject it as for any request;
#   §7.3  revocation of an « Octroyée » registration, and its cancellation;
#   back-office (SPEC §4): take in charge (not twice), reassign, ask for information, reject, grant,
#         while the request is being instructed.
INSTRUIT_EN_ETUDE = "ecrire prendre_en_charge reaffecter demander_complement rejeter octroyer"
INSTRUIT_INCOMPLETE = "ecrire prendre_en_charge reaffecter rejeter"
MATRICE = f"""
en_ligne      brouillon              titulaire            abandonner
en_ligne      en_etude               titulaire            ecrire abandonner
en_ligne      en_etude               agent_du_service     {INSTRUIT_EN_ETUDE}
en_ligne      en_etude               agent_en_charge      {INSTRUIT_EN_ETUDE.replace("prendre_en_charge ", "")}
en_ligne      incomplete             titulaire            ecrire completer abandonner
en_ligne      incomplete             agent_du_service     {INSTRUIT_INCOMPLETE}
en_ligne      incomplete             agent_en_charge      {INSTRUIT_INCOMPLETE.replace("prendre_en_charge ", "")}
en_ligne      rejetee                titulaire            ecrire dupliquer
en_ligne      rejetee                agent_du_service     ecrire
en_ligne      rejetee                agent_en_charge      ecrire
en_ligne      octroyee               titulaire            ecrire demander_modification
en_ligne      octroyee               agent_du_service     ecrire revoquer
en_ligne      octroyee               agent_en_charge      ecrire revoquer
en_ligne      modification_demandee  titulaire            ecrire
en_ligne      modification_demandee  agent_du_service     ecrire
en_ligne      modification_demandee  agent_en_charge      ecrire
en_ligne      version_anterieure     titulaire            ecrire
en_ligne      version_anterieure     agent_du_service     ecrire
en_ligne      version_anterieure     agent_en_charge      ecrire
en_ligne      revoquee               titulaire            ecrire dupliquer
en_ligne      revoquee               agent_du_service     ecrire annuler_revocation
en_ligne      revoquee               agent_en_charge      ecrire annuler_revocation

representee   brouillon              representant         abandonner
representee   en_etude               titulaire            ecrire abandonner
representee   en_etude               representant         ecrire abandonner dupliquer
representee   en_etude               agent_du_service     {INSTRUIT_EN_ETUDE}
representee   en_etude               agent_en_charge      {INSTRUIT_EN_ETUDE.replace("prendre_en_charge ", "")}
representee   incomplete             titulaire            ecrire completer abandonner
representee   incomplete             representant         ecrire completer abandonner dupliquer
representee   incomplete             agent_du_service     {INSTRUIT_INCOMPLETE}
representee   incomplete             agent_en_charge      {INSTRUIT_INCOMPLETE.replace("prendre_en_charge ", "")}
representee   rejetee                titulaire            ecrire dupliquer
representee   rejetee                representant         ecrire dupliquer
representee   rejetee                agent_du_service     ecrire
representee   rejetee                agent_en_charge      ecrire
representee   octroyee               titulaire            ecrire demander_modification
representee   octroyee               representant         ecrire dupliquer demander_modification
representee   octroyee               agent_du_service     ecrire revoquer
representee   octroyee               agent_en_charge      ecrire revoquer
representee   modification_demandee  titulaire            ecrire
representee   modification_demandee  representant         ecrire dupliquer
representee   modification_demandee  agent_du_service     ecrire
representee   modification_demandee  agent_en_charge      ecrire
representee   version_anterieure     titulaire            ecrire
representee   version_anterieure     representant         ecrire dupliquer
representee   version_anterieure     agent_du_service     ecrire
representee   version_anterieure     agent_en_charge      ecrire
representee   revoquee               titulaire            ecrire dupliquer
representee   revoquee               representant         ecrire dupliquer
representee   revoquee               agent_du_service     ecrire annuler_revocation
representee   revoquee               agent_en_charge      ecrire annuler_revocation

papier        brouillon              agent_du_service     abandonner
papier        brouillon              agent_en_charge      abandonner
papier        en_etude               titulaire            ecrire abandonner
papier        en_etude               agent_du_service     {INSTRUIT_EN_ETUDE}
papier        en_etude               agent_en_charge      {INSTRUIT_EN_ETUDE.replace("prendre_en_charge ", "")}
papier        incomplete             titulaire            ecrire completer abandonner
papier        incomplete             agent_du_service     completer {INSTRUIT_INCOMPLETE}
papier        incomplete             agent_en_charge      completer {INSTRUIT_INCOMPLETE.replace("prendre_en_charge ", "")}
papier        rejetee                titulaire            ecrire dupliquer
papier        rejetee                agent_du_service     ecrire
papier        rejetee                agent_en_charge      ecrire
papier        octroyee               titulaire            ecrire demander_modification
papier        octroyee               agent_du_service     ecrire revoquer
papier        octroyee               agent_en_charge      ecrire revoquer
papier        modification_demandee  titulaire            ecrire
papier        modification_demandee  agent_du_service     ecrire
papier        modification_demandee  agent_en_charge      ecrire
papier        version_anterieure     titulaire            ecrire
papier        version_anterieure     agent_du_service     ecrire
papier        version_anterieure     agent_en_charge      ecrire
papier        revoquee               titulaire            ecrire dupliquer
papier        revoquee               agent_du_service     ecrire annuler_revocation
papier        revoquee               agent_en_charge      ecrire annuler_revocation

modification  brouillon              titulaire            abandonner
modification  en_etude               titulaire            ecrire abandonner
modification  en_etude               agent_du_service     ecrire prendre_en_charge reaffecter demander_complement rejeter valider_modification
modification  en_etude               agent_en_charge      ecrire reaffecter demander_complement rejeter valider_modification
modification  incomplete             titulaire            ecrire completer abandonner
modification  incomplete             agent_du_service     {INSTRUIT_INCOMPLETE}
modification  incomplete             agent_en_charge      {INSTRUIT_INCOMPLETE.replace("prendre_en_charge ", "")}
modification  rejetee                titulaire            ecrire
modification  rejetee                agent_du_service     ecrire
modification  rejetee                agent_en_charge      ecrire
modification  octroyee               titulaire            ecrire demander_modification
modification  octroyee               agent_du_service     ecrire revoquer
modification  octroyee               agent_en_charge      ecrire revoquer
"""  # noqa: E501

# What each allowed action leads to (guide §8), when it changes the status.
CIBLES = {
    "completer": Statut.EN_ETUDE,
    "demander_complement": Statut.INCOMPLETE,
    "rejeter": Statut.REJETEE,
    "octroyer": Statut.OCTROYEE,
    "valider_modification": Statut.OCTROYEE,
    "revoquer": Statut.REVOQUEE,
    "annuler_revocation": Statut.OCTROYEE,
}
# The kinds of request and the statuses they are tested in (a modification request is tested until it
# is validated: it is then a registration like any other).
STATUTS = {
    EN_LIGNE: tuple(Statut.values),
    REPRESENTEE: tuple(Statut.values),
    PAPIER: tuple(Statut.values),
    MODIFICATION: (Statut.BROUILLON, Statut.EN_ETUDE, Statut.INCOMPLETE, Statut.REJETEE, Statut.OCTROYEE),
}


def lire_matrice(texte: str) -> dict[tuple[str, str], dict[str, set[str]]]:
    table: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(dict)
    for ligne in texte.strip().splitlines():
        if not ligne.strip():
            continue
        genre, statut, role, *noms = ligne.split()
        assert (genre, statut) in {(g, s) for g, statuts in STATUTS.items() for s in statuts}, ligne
        assert role in ROLES and set(noms) <= set(NOMS), ligne
        assert role not in table[(genre, statut)], f"one line per role: {ligne}"
        table[(genre, statut)][role] = set(noms)
    return table


ATTENDU = lire_matrice(MATRICE)


def attendu(genre: str, statut: str, role: str, nom: str) -> bool:
    return nom in ATTENDU.get((genre, statut), {}).get(role, set())


# Where the application departs from the table today: each case must still disagree (so that the entry
# goes once the application follows the guide), and nothing else may.
# (kind, status, role, action) where the app departs from the guide, each with its reason: none today.
ECARTS_CONNUS: set[tuple] = set()


# ---------------------------------------------------------------------------------------------------
# Reaching each status through the services
def _modifier(enregistrement: Demande, by) -> Demande:
    """« Demander des modifications », a change of rubriques 2 and 6, then « Soumettre »: R → Modification
    demandée, M → En étude."""
    brouillon = services.preparer_modification(enregistrement=enregistrement, by=by)
    Demande.objects.filter(pk=brouillon.pk).update(courriel="nouveau@exemple.fr")
    brouillon.cadres.add(CadrePreferentielFactory())
    return services.soumettre_modification(
        modification=Demande.objects.get(pk=brouillon.pk), by=by, commentaire="Nouvelle adresse."
    )


def construire(genre: str, statut: str) -> tuple[Demande, dict]:
    """The request of this kind in this status, and the user of each role."""
    service, autre_service = BureauDouaneFactory(), BureauDouaneFactory()
    en_charge = UserFactory(service=service)
    users = {
        "autre_operateur": UserFactory(habilite=True),
        "representant": UserFactory(representant=True),
        "agent_du_service": UserFactory(service=service),
        "agent_en_charge": en_charge,
        "agent_autre_service": UserFactory(service=autre_service),
        "anonyme": AnonymousUser(),
    }
    if genre == PAPIER:
        demande = depot_papier(en_charge)
        auteur = en_charge
    elif genre == REPRESENTEE:
        auteur = UserFactory(representant=True)
        client = MandatFactory(representant=auteur.entreprise).represente
        demande = demande_representee(auteur, client, bureau=service)
        users["representant"] = UserFactory(habilite=True, entreprise=auteur.entreprise)
    else:
        auteur = UserFactory(habilite=True)
        demande = DemandeFactory(complete=True, created_by=auteur, bureau=service)
    users["titulaire"] = UserFactory(habilite=True, entreprise=demande.titulaire)
    if statut == Statut.BROUILLON and genre != MODIFICATION:
        return demande, users
    demande = services.soumettre(demande=demande, by=auteur)
    services.prendre_en_charge(demande=demande, by=en_charge)
    if genre == MODIFICATION:
        enregistrement = services.octroyer(demande=demande, by=en_charge)
        if statut == Statut.BROUILLON:
            return services.preparer_modification(enregistrement=enregistrement, by=users["titulaire"]), users
        demande = _modifier(enregistrement, users["titulaire"])
        services.prendre_en_charge(demande=demande, by=en_charge)
    if statut == Statut.INCOMPLETE:
        services.demander_complement(demande=demande, by=en_charge, texte="Précisez la rubrique 5.")
    elif statut == Statut.REJETEE:
        services.rejeter(demande=demande, by=en_charge, motif="Relation préférentielle inexistante.")
    elif statut != Statut.EN_ETUDE:
        if genre == MODIFICATION:
            demande = services.valider_modification(modification=demande, by=en_charge)
        else:
            demande = services.octroyer(demande=demande, by=en_charge)
        if statut in (Statut.MODIFICATION_DEMANDEE, Statut.VERSION_ANTERIEURE):
            modification = _modifier(demande, users["titulaire"])
            if statut == Statut.VERSION_ANTERIEURE:
                services.valider_modification(modification=modification, by=en_charge)
        elif statut == Statut.REVOQUEE:
            services.revoquer(
                demande=demande,
                by=en_charge,
                motif="89-3-c",
                a_compter_du=datetime.date.today(),
                droit_entendu_le=datetime.date.today() - datetime.timedelta(days=15),
            )
    demande = Demande.objects.get(pk=demande.pk)
    assert demande.statut == statut, "the services lead to the status under test"
    return demande, users


# ---------------------------------------------------------------------------------------------------
# The registry, the pages and the services
PAR_COTE = {
    "ecrire": ("ecrire_operateur", "ecrire_service"),
    "completer": ("completer", "completer_depot_papier"),
    "abandonner": ("abandonner", "abandonner_depot_papier"),
}


def registre(user, demande: Demande, nom: str) -> bool:
    return any(actions.peut(user, demande, n) for n in PAR_COTE.get(nom, (nom,)))


def est_agent(user) -> bool:
    return getattr(user, "service_id", None) is not None


def page(nom: str, user, demande: Demande, autre_service) -> tuple[str, dict]:
    """The URL an action is posted to from the user's portal, and the form's data."""
    aujourd_hui = datetime.date.today()
    cote = "agent" if est_agent(user) else "rex"
    return {
        "ecrire": (f"{cote}:ecrire", {"texte": "Bonjour."}),
        "completer": ("rex:complement", {"complements": "Voici la rubrique 5 précisée."}),
        "abandonner": ("rex:abandonner", {"commentaire": ""}),
        "dupliquer": ("rex:dupliquer", {}),
        "demander_modification": ("rex:demander_modification", {}),
        "prendre_en_charge": ("agent:prendre_en_charge", {}),
        "reaffecter": ("agent:reaffecter", {"service": autre_service.pk, "commentaire": "Mauvais bureau."}),
        "demander_complement": ("agent:demander_complement", {"texte": "Précisez la rubrique 5."}),
        "rejeter": ("agent:rejeter", {"motif": "Irrecevable."}),
        "octroyer": ("agent:octroyer", {"confirmation": "on"}),
        "valider_modification": ("agent:valider_modification", {"confirmation": "on"}),
        "revoquer": (
            "agent:revoquer",
            {
                "motif": "89-3-a",
                "droit_entendu_le": (aujourd_hui - datetime.timedelta(days=15)).isoformat(),
                "a_compter_du": aujourd_hui.isoformat(),
                "confirmation": "on",
            },
        ),
        "annuler_revocation": ("agent:annuler_revocation", {"commentaire": ""}),
    }[nom]


def appeler(nom: str, demande: Demande, user, autre_service):
    """The service of the action, called directly (it checks the registry again, under the row lock)."""
    aujourd_hui = datetime.date.today()
    return {
        "ecrire": lambda: services.ecrire(demande=demande, by=user, texte="Bonjour."),
        "completer": lambda: services.transmettre_complement(demande=demande, by=user, complements="Voici."),
        "abandonner": lambda: services.abandonner(demande=demande, by=user),
        "dupliquer": lambda: services.dupliquer(demande=demande, by=user),
        "demander_modification": lambda: services.preparer_modification(enregistrement=demande, by=user),
        "prendre_en_charge": lambda: services.prendre_en_charge(demande=demande, by=user),
        "reaffecter": lambda: services.reaffecter(
            demande=demande, by=user, service=autre_service, commentaire="Mauvais bureau."
        ),
        "demander_complement": lambda: services.demander_complement(demande=demande, by=user, texte="?"),
        "rejeter": lambda: services.rejeter(demande=demande, by=user, motif="Irrecevable."),
        "octroyer": lambda: services.octroyer(demande=demande, by=user),
        "valider_modification": lambda: services.valider_modification(modification=demande, by=user),
        "revoquer": lambda: services.revoquer(
            demande=demande,
            by=user,
            motif="89-3-a",
            a_compter_du=aujourd_hui,
            droit_entendu_le=aujourd_hui - datetime.timedelta(days=15),
        ),
        "annuler_revocation": lambda: services.annuler_revocation(demande=demande, by=user),
    }[nom]


def etat(pk: int) -> dict:
    """Everything an action may change: every request's status, service and officer; the thread; the
    history."""
    return {
        "demandes": {
            row[0]: row[1:]
            for row in Demande.objects.order_by("pk").values_list(
                "pk", "statut", "service_id", "agent_id", "version_precedente_id"
            )
        },
        "messages": Message.objects.count(),
        "evenements": Evenement.objects.count(),
    }


def effet(nom: str, pk: int, avant: dict, apres: dict, user, autre_service) -> str | None:
    """What is wrong with the outcome of an allowed action; None when it did what the guide says."""
    ligne = apres["demandes"].get(pk)
    nouvelles = set(apres["demandes"]) - set(avant["demandes"])
    if nom == "abandonner":
        return None if ligne is None else "the request is still there"
    if ligne is None:
        return "the request disappeared"
    statut, service_id, agent_id, _ = ligne
    if nom in CIBLES:
        if statut != CIBLES[nom]:
            return f"status {statut}, expected {CIBLES[nom]}"
        if nom == "valider_modification":
            precedente = avant["demandes"][pk][3]
            if apres["demandes"][precedente][0] != Statut.VERSION_ANTERIEURE:
                return "the former version is not « Version antérieure »"
        return None
    if statut != avant["demandes"][pk][0]:
        return f"the status changed to {statut}"
    if nom == "ecrire":
        return None if apres["messages"] == avant["messages"] + 1 else "no message in the thread"
    if nom == "dupliquer":
        return None if len(nouvelles) == 1 else "no new draft"
    if nom == "demander_modification":
        ok = any(
            apres["demandes"][n][0] == Statut.BROUILLON and apres["demandes"][n][3] == pk for n in nouvelles
        )
        return None if ok else "no modification draft of this registration"
    if nom == "prendre_en_charge":
        return None if agent_id == user.pk else "the officer is not in charge"
    if nom == "reaffecter":
        return None if service_id == autre_service.pk else "the service did not change"
    raise AssertionError(nom)


class Rollback(Exception):
    pass


def cas(
    pk: int, genre: str, statut: str, role: str, nom: str, client: Client, user, autre_service
) -> list[str]:
    """One (role, action) case on the request built; the database is left as it was found."""
    erreurs = []
    try:
        with transaction.atomic():
            demande = Demande.objects.get(pk=pk)
            permis = attendu(genre, statut, role, nom)
            if registre(user, demande, nom) is not permis:
                erreurs.append(f"registry says {'no' if permis else 'yes'}")
            avant = etat(demande.pk)
            if not permis and user.is_authenticated:
                try:
                    appeler(nom, demande, user, autre_service)()
                except services.ActionRefusee:
                    pass
                else:
                    erreurs.append("the service did it")
                    raise Rollback
                if etat(demande.pk) != avant:
                    erreurs.append("the service's refusal changed something")
                    raise Rollback
            url, data = page(nom, user, demande, autre_service)
            client.cookies.pop("messages", None)
            response = client.post(reverse(url, args=[demande.pk]), data)
            messages = list(get_messages(response.wsgi_request))
            succes = any(m.level == constants.SUCCESS for m in messages)
            erreur = [m.message for m in messages if m.level == constants.ERROR]
            apres = etat(demande.pk)
            if permis:
                probleme = effet(nom, demande.pk, avant, apres, user, autre_service)
                if response.status_code != 302 or erreur or probleme:
                    erreurs.append(f"page {response.status_code} {erreur or ''} {probleme or ''}".strip())
                elif nom != "demander_modification" and not succes:
                    erreurs.append("page: no success message")
            else:
                if response.status_code not in (302, 404) or succes or apres != avant:
                    erreurs.append(f"page {response.status_code} did it or changed something")
            raise Rollback
    except Rollback:
        pass
    return erreurs


@pytest.mark.parametrize(
    ("genre", "statut"), [(genre, statut) for genre, statuts in STATUTS.items() for statut in statuts]
)
def test_matrice(genre, statut):
    demande, users = construire(genre, statut)
    autre_service = BureauDouaneFactory()
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        if user.is_authenticated:
            clients[role].force_login(user)
    desaccords = {}
    for role, nom in product(ROLES, NOMS):
        erreurs = cas(demande.pk, genre, statut, role, nom, clients[role], users[role], autre_service)
        table = "yes" if attendu(genre, statut, role, nom) else "no"
        if (genre, statut, role, nom) in ECARTS_CONNUS:
            assert erreurs, f"{role} {nom} now follows the guide: remove it from ECARTS_CONNUS"
        elif erreurs:
            desaccords[f"{role} {nom} (table: {table})"] = erreurs
    assert not desaccords, desaccords


# ---------------------------------------------------------------------------------------------------
# Cross-checks with the registry (generated): the table covers every action and every status.
def test_the_table_names_every_action_of_the_registry():
    nommees = {n for nom in NOMS for n in PAR_COTE.get(nom, (nom,))}
    humaines = {nom for nom, action in actions.ACTIONS.items() if action.cote != actions.SYSTEME}
    assert nommees == humaines


def test_the_table_covers_every_status():
    for genre in (EN_LIGNE, REPRESENTEE, PAPIER):
        assert set(STATUTS[genre]) == set(Statut.values)
    assert {statut for (_, statut) in ATTENDU} == set(Statut.values)


def test_each_action_of_the_table_is_allowed_in_the_statuses_of_the_registry():
    """Where the table allows an action to anyone, the registry lists that status for it (and the
    registry lists no status where the table allows it to no one)."""
    statuts_table: dict[str, set[str]] = defaultdict(set)
    for (_, statut), roles in ATTENDU.items():
        for noms in roles.values():
            for nom in noms:
                statuts_table[nom].add(statut)
    for nom in NOMS:
        registre_statuts = set().union(*(actions.ACTIONS[n].statuts for n in PAR_COTE.get(nom, (nom,))))
        assert statuts_table[nom] == registre_statuts, nom


def test_automatic_rejection_only_from_incomplete():
    """Guide §6.2: without an answer within 30 days, the « Incomplète » request is rejected by SOPRANO;
    a request in any other status is left alone."""
    demandes = {statut: construire(EN_LIGNE, statut)[0] for statut in Statut.values}
    dans_31_jours = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=31)
    assert services.rejeter_delais_depasses(now=dans_31_jours) == 1
    for statut, demande in demandes.items():
        attendu_apres = Statut.REJETEE if statut == Statut.INCOMPLETE else statut
        assert Demande.objects.get(pk=demande.pk).statut == attendu_apres, statut


def test_no_duplication_while_holding_a_registration():
    """Guide §6.3: « il n'est pas possible de dupliquer une demande d'enregistrement si vous détenez déjà
    un enregistrement REX »: a holder whose first request was rejected, then granted on a second one,
    may no longer duplicate the rejected one."""
    rejetee, users = construire(EN_LIGNE, Statut.REJETEE)
    titulaire = users["titulaire"]
    seconde = DemandeFactory(complete=True, created_by=titulaire, bureau=rejetee.bureau)
    seconde = services.soumettre(demande=seconde, by=titulaire)
    services.octroyer(demande=seconde, by=users["agent_en_charge"])

    assert not actions.peut(titulaire, rejetee, "dupliquer")
    with pytest.raises(services.ActionRefusee):
        services.dupliquer(demande=rejetee, by=titulaire)
