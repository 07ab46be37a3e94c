"""Every status × every action × every role, generated from the state machine and the action registry.

Each case is either allowed (the state machine's target status, a history row, its e-mails) or refused
with a French message and nothing changed. The expectation is computed from the django-fsm transitions
of `Demande.statut` and the guide's rules on who acts, not from the code under test.

Requests come from both origins: filed online by the operator, or keyed in by a customs service from
the operator's paper form (guide §5, « À noter »; then « operateur » is a user of the holder's company).
"""

import datetime

from django.utils import timezone

import pytest

from rex import actions, services
from rex.models import Courriel, Demande, Evenement, Message, Statut
from tests.factories import BureauDouaneFactory, DemandeFactory, UserFactory, depot_papier

pytestmark = pytest.mark.django_db

ROLES = ("operateur", "autre_operateur", "agent_du_service", "agent_autre_service")
EN_LIGNE, PAPIER = "en_ligne", "papier"
ROLE_COTE = {"operateur": actions.OPERATEUR, "agent_du_service": actions.SERVICE}
TRANSITIONS = {t.name: t for t in Demande._meta.get_field("statut").get_all_transitions(Demande)}


def targets_from_fsm(transition: str) -> dict[str, str]:
    return {
        t.source: t.target
        for t in Demande._meta.get_field("statut").get_all_transitions(Demande)
        if t.name == transition
    }


def build(statut: str, origine: str = EN_LIGNE) -> Demande:
    demande = depot_papier(UserFactory(agent=True)) if origine == PAPIER else DemandeFactory(complete=True)
    if statut == Statut.BROUILLON:
        return demande
    demande = services.soumettre(demande=demande, by=demande.created_by)
    agent = UserFactory(service=demande.service)
    if statut == Statut.INCOMPLETE:
        services.demander_complement(demande=demande, by=agent, texte="Précisez.")
    elif statut == Statut.REJETEE:
        services.rejeter(demande=demande, by=agent, motif="Irrecevable.")
    elif statut != Statut.EN_ETUDE:
        services.octroyer(demande=demande, by=agent)
        if statut != Statut.OCTROYEE:
            # Modification and revocation come with the registration issue: set the status directly.
            Demande.objects.filter(pk=demande.pk).update(statut=statut)
    return Demande.objects.get(pk=demande.pk)


def user_for(role: str, demande: Demande):
    if role == "operateur":
        if demande.depot_papier:
            return UserFactory(habilite=True, entreprise=demande.titulaire)
        return demande.created_by
    if role == "autre_operateur":
        return UserFactory(habilite=True)
    if role == "agent_du_service":
        return UserFactory(service=demande.service or demande.bureau)
    return UserFactory(agent=True)


def call(nom: str, demande: Demande, user):
    autre_service = BureauDouaneFactory()
    return {
        "completer": lambda: services.transmettre_complement(demande=demande, by=user, complements="Voici."),
        "dupliquer": lambda: services.dupliquer(demande=demande, by=user),
        "demander_modification": lambda: services.preparer_modification(enregistrement=demande, by=user),
        "valider_modification": lambda: services.valider_modification(modification=demande, by=user),
        "abandonner": lambda: services.abandonner(demande=demande, by=user),  # either side's
        "ecrire": lambda: services.ecrire(demande=demande, by=user, texte="Bonjour."),
        "prendre_en_charge": lambda: services.prendre_en_charge(demande=demande, by=user),
        "reaffecter": lambda: services.reaffecter(
            demande=demande, by=user, service=autre_service, commentaire="Mauvais bureau."
        ),
        "demander_complement": lambda: services.demander_complement(
            demande=demande, by=user, texte="Précisez."
        ),
        "rejeter": lambda: services.rejeter(demande=demande, by=user, motif="Irrecevable."),
        "octroyer": lambda: services.octroyer(demande=demande, by=user),
        "revoquer": lambda: services.revoquer(
            demande=demande,
            by=user,
            motif="89-3-a",
            a_compter_du=datetime.date.today(),
            droit_entendu_le=datetime.date.today() - datetime.timedelta(days=15),
        ),
        "annuler_revocation": lambda: services.annuler_revocation(demande=demande, by=user),
    }[nom]


def expected_allowed(nom: str, statut: str, role: str, origine: str = EN_LIGNE) -> bool:
    if origine == PAPIER and statut == Statut.BROUILLON:
        # The filing service's draft: it may drop it; the holder sees it only once submitted.
        return nom == "abandonner" and role == "agent_du_service"
    if nom == "ecrire":  # guide §6.1: both sides, at every stage of a filed request
        return role in ROLE_COTE and statut != Statut.BROUILLON
    if nom == "completer":  # guide §6.2 online by the holder; a paper filing, also on paper (guide §5)
        return statut == Statut.INCOMPLETE and (
            role == "operateur" or (role == "agent_du_service" and origine == PAPIER)
        )
    action = actions.ACTIONS[nom]
    if ROLE_COTE.get(role) != action.cote:
        return False
    if action.transition:
        if statut not in targets_from_fsm(action.transition):
            return False
    elif statut not in action.statuts_hors_transition:
        return False
    if nom == "valider_modification":  # only a modification request (none in this matrix)
        return False
    if nom == "dupliquer":  # guide §6.3: not a representative → only after a rejection or revocation
        return statut in (Statut.REJETEE, Statut.REVOQUEE)
    if nom in ("prendre_en_charge", "reaffecter"):
        return statut != Statut.BROUILLON
    return True


def snapshot(pk):
    demande = Demande.objects.filter(pk=pk).values("statut", "service_id", "agent_id").first()
    return (
        demande,
        Evenement.objects.count(),
        Message.objects.count(),
        Demande.objects.count(),
        Courriel.objects.count(),
    )


# The thread, the complement and the abandon are one action each, on both sides (the registry names
# each side's).
PAR_COTE = {
    "ecrire": ("ecrire_operateur", "ecrire_service"),
    "completer": ("completer", "completer_depot_papier"),
    "abandonner": ("abandonner", "abandonner_depot_papier"),
}
NOMS = sorted(
    {
        next((commun for commun, noms in PAR_COTE.items() if nom in noms), nom)
        for nom, a in actions.ACTIONS.items()
        if a.cote != actions.SYSTEME
    }
)
CASES = [
    (origine, statut, nom, role)
    for origine in (EN_LIGNE, PAPIER)
    for statut in Statut.values
    for nom in NOMS
    for role in ROLES
]


def registry_allows(user, demande, nom) -> bool:
    return any(actions.peut(user, demande, n) for n in PAR_COTE.get(nom, (nom,)))


@pytest.mark.parametrize(("origine", "statut", "nom", "role"), CASES)
def test_matrice(origine, statut, nom, role):
    demande = build(statut, origine)
    user = user_for(role, demande)
    before = snapshot(demande.pk)
    allowed = expected_allowed(nom, statut, role, origine)
    assert registry_allows(user, demande, nom) is allowed
    if not allowed:
        with pytest.raises(services.ActionRefusee) as refusal:
            call(nom, demande, user)()
        assert any(word in str(refusal.value) for word in ("impossible", "accès", "pas possible"))
        assert snapshot(demande.pk) == before, "a refused action changes nothing"
        return

    call(nom, demande, user)()
    after = snapshot(demande.pk)
    action = actions.ACTIONS.get(nom)
    if nom == "demander_modification":  # a draft of the new version; R changes at its submission
        assert after[3] == before[3] + 1 and after[0]["statut"] == statut
    elif action and action.transition:
        assert after[0]["statut"] == targets_from_fsm(action.transition)[statut]
        event = Evenement.objects.order_by("-pk").first()
        assert (event.statut_avant, event.statut_apres) == (statut, after[0]["statut"])
        assert after[4] > before[4], "the status change is e-mailed"
    elif nom == "abandonner":
        assert after[0] is None
    elif nom == "dupliquer":
        assert after[3] == before[3] + 1
    elif nom == "ecrire":
        assert after[2] == before[2] + 1 and after[0]["statut"] == statut
    else:
        assert after[0]["statut"] == statut and after[1] == before[1] + 1


@pytest.mark.parametrize("statut", Statut.values)
def test_automatic_rejection_only_from_incomplete(statut):
    demande = build(statut)
    if statut == Statut.INCOMPLETE:
        Demande.objects.filter(pk=demande.pk).update(
            date_limite=timezone.now() - datetime.timedelta(minutes=1)
        )
    before = Demande.objects.get(pk=demande.pk).statut
    total = services.rejeter_delais_depasses()
    after = Demande.objects.get(pk=demande.pk).statut
    fsm = targets_from_fsm("rejeter_automatiquement")
    if before in fsm:
        assert (total, after) == (1, fsm[before])
    else:
        assert (total, after) == (0, before)
