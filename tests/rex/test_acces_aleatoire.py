"""Who can open which request: the pages, the selectors and the object permissions tell the same (hypothesis).

Over small random worlds — companies, a customs representative with mandates that start and end, requests
filed online, by the representative or on paper, submitted, reassigned between services, taken in charge,
granted, rejected, modified, duplicated, abandoned, and users joining another company or another service
(as the PAE does in the admin) — for every user and every request:

* the pages: the request opens (its page, or for a draft its form) or is a 404;
* the selectors (rex.selectors) list it for that user: `demandes_operateur` for an operator; for an
  officer `demandes_agent` and `demandes_formulaire` (his service's paper drafts);
* the object permissions (django-guardian rows written by rex.permissions) put the user on a side of it
  (`rex.actions.cote_de`, which decides the actions offered).

The three must agree: a request listed but without permission would show a page with no action, one
permitted but not listed would let its actions through while its page is a 404.
"""

import datetime

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.groupes import synchroniser_groupes
from accounts.models import Mandat, User
from rex import actions, selectors, services
from rex.models import Demande
from tests.factories import (
    BureauDouaneFactory,
    CadrePreferentielFactory,
    DemandeFactory,
    EntrepriseFactory,
    MandatFactory,
    UserFactory,
    demande_representee,
    depot_papier,
)

AUJOURD_HUI = datetime.date.today()
JOURS = st.integers(-30, 30)  # mandate dates around today
INDEX = st.integers(0, 30)

ETAPES = st.sampled_from(
    [
        "brouillon",
        "en_etude",
        "incomplete",
        "rejetee",
        "octroyee",
        "modification_demandee",
        "modifiee",
        "revoquee",
    ]
)
OPERATIONS = st.one_of(
    # A request filed online by a client (0, 1), by the representative for a client, or on paper by a
    # service, to the office 0 or 1, then led through the services up to a stage of its life.
    st.tuples(
        st.just("deposer"),
        st.sampled_from(["en_ligne", "representee", "papier"]),
        st.integers(0, 1),
        st.integers(0, 1),
        ETAPES,
    ),
    st.tuples(st.just("reaffecter"), INDEX, st.integers(0, 2)),
    st.tuples(st.just("prendre_en_charge"), INDEX),
    st.tuples(st.just("modifier"), INDEX, st.booleans()),
    st.tuples(st.just("dupliquer"), INDEX, st.booleans()),
    st.tuples(st.just("abandonner"), INDEX),
    # A user joins a company (0, 1: the clients; 2: the representative) or a service (3, 4, 5).
    st.tuples(st.just("rejoindre"), st.integers(0, 1), st.integers(0, 5)),
    st.tuples(st.just("mandat"), st.integers(0, 1), JOURS, st.none() | JOURS),
)


class Monde:
    """Two client companies, a customs representative, three customs services and their users."""

    def __init__(self, mandats):
        self.clients = [EntrepriseFactory(), EntrepriseFactory()]
        self.transitaire = EntrepriseFactory(representant=True)
        self.services = [BureauDouaneFactory(), BureauDouaneFactory(), BureauDouaneFactory()]
        self.operateurs = [UserFactory(habilite=True, entreprise=e) for e in self.clients]
        self.transit = UserFactory(habilite=True, entreprise=self.transitaire)
        self.agents = [UserFactory(service=s) for s in self.services]
        # Users who change company or service along the way.
        self.nomades = [
            UserFactory(habilite=True, entreprise=self.clients[0]),
            UserFactory(service=self.services[0]),
        ]
        for client, (debut, fin) in zip(self.clients, mandats, strict=True):
            if debut is not None:
                MandatFactory(
                    representant=self.transitaire,
                    represente=client,
                    date_debut=AUJOURD_HUI + datetime.timedelta(days=debut),
                    date_fin=None if fin is None else AUJOURD_HUI + datetime.timedelta(days=debut + abs(fin)),
                )
        self.demandes: list[int] = []

    @property
    def users(self) -> list[User]:
        return [*self.operateurs, self.transit, *self.agents, *self.nomades]

    def demande(self, index: int) -> Demande | None:
        pks = [pk for pk in self.demandes if Demande.objects.filter(pk=pk).exists()]
        return Demande.objects.get(pk=pks[index % len(pks)]) if pks else None

    def agent_de(self, demande: Demande) -> User | None:
        """An officer of the service holding the request (for a paper draft, the one who keyed it in)."""
        if demande.est_brouillon:
            return demande.created_by if demande.depot_papier else None
        return User.objects.filter(service=demande.service_id).order_by("pk").first()

    def operateur_de(self, demande: Demande) -> User:
        if demande.representant_id and (demande.est_brouillon or demande.titulaire_id is None):
            return self.transit
        return (
            User.objects.filter(entreprise=demande.titulaire_id).order_by("pk").first() or demande.created_by
        )

    def appliquer(self, operation: tuple) -> None:
        """One operation, through the services; a refusal (ActionRefusee) is part of the world."""
        nom, *args = operation
        try:
            with transaction.atomic():
                getattr(self, f"op_{nom}")(*args)
        except services.ActionRefusee:
            event(f"refusé : {nom}")

    # ------------------------------------------------------------------ the operations
    def op_deposer(self, genre, client, bureau, etape):
        if genre == "papier":
            demande = depot_papier(self.agents[bureau], self.clients[client])
            auteur = self.agents[bureau]
        elif genre == "representee":
            if self.clients[client] not in selectors.clients_representes(self.transitaire):
                event("pas de mandat en cours")
                return  # the representative can only pick a client under a running mandate
            demande = demande_representee(self.transit, self.clients[client], bureau=self.services[bureau])
            auteur = self.transit
        else:
            demande = DemandeFactory(
                complete=True, created_by=self.operateurs[client], bureau=self.services[bureau]
            )
            auteur = self.operateurs[client]
        self.demandes.append(demande.pk)
        if etape == "brouillon":
            return
        demande = services.soumettre(demande=demande, by=auteur)
        agent = self.agent_de(demande)
        if etape == "incomplete":
            services.demander_complement(demande=demande, by=agent, texte="Précisez.")
        elif etape == "rejetee":
            services.rejeter(demande=demande, by=agent, motif="Irrecevable.")
        elif etape != "en_etude":
            demande = services.octroyer(demande=demande, by=agent)
            if etape in ("modification_demandee", "modifiee"):
                modification = self.modifier(demande, soumettre=True)
                if etape == "modifiee":
                    services.valider_modification(modification=modification, by=agent)
            elif etape == "revoquee":
                services.revoquer(
                    demande=demande,
                    by=agent,
                    motif="89-3-c",
                    a_compter_du=AUJOURD_HUI,
                    droit_entendu_le=AUJOURD_HUI - datetime.timedelta(days=15),
                )

    def op_reaffecter(self, index, service):
        demande = self.demande(index)
        if demande is not None and (agent := self.agent_de(demande)):
            services.reaffecter(
                demande=demande, by=agent, service=self.services[service], commentaire="Bureau compétent."
            )

    def op_prendre_en_charge(self, index):
        demande = self.demande(index)
        if demande is not None and (agent := self.agent_de(demande)):
            services.prendre_en_charge(demande=demande, by=agent)

    def op_modifier(self, index, soumettre):
        demande = self.demande(index)
        if demande is not None:
            self.modifier(demande, soumettre=soumettre)

    def modifier(self, demande: Demande, *, soumettre: bool) -> Demande:
        """« Demander des modifications », and maybe « Soumettre » with a new address."""
        auteur = self.operateur_de(demande)
        brouillon = services.preparer_modification(enregistrement=demande, by=auteur)
        self.demandes.append(brouillon.pk)
        if not soumettre:
            return brouillon
        Demande.objects.filter(pk=brouillon.pk).update(courriel=f"v{brouillon.version}@exemple.fr")
        brouillon.cadres.add(CadrePreferentielFactory())
        return services.soumettre_modification(
            modification=Demande.objects.get(pk=brouillon.pk), by=auteur, commentaire="Nouvelle adresse."
        )

    def op_dupliquer(self, index, par_le_transitaire):
        demande = self.demande(index)
        if demande is not None:
            auteur = self.transit if par_le_transitaire else self.operateur_de(demande)
            self.demandes.append(services.dupliquer(demande=demande, by=auteur).pk)

    def op_abandonner(self, index):
        demande = self.demande(index)
        if demande is None:
            return
        auteur = self.agent_de(demande) if demande.depot_papier and demande.est_brouillon else None
        services.abandonner(demande=demande, by=auteur or self.operateur_de(demande))

    def op_rejoindre(self, nomade, cible):
        """The PAE attaches the account to another company or service (as the admin does)."""
        user = self.nomades[nomade]
        entreprises = [*self.clients, self.transitaire]
        if cible < len(entreprises):
            user.entreprise, user.service = entreprises[cible], None
            user.certifie_le = user.certifie_le or timezone.now()
            user.habilite_le = user.habilite_le or timezone.now()
        else:
            user.entreprise, user.service = None, self.services[cible - len(entreprises)]
        user.save()
        synchroniser_groupes(user)
        event("un utilisateur change d'entreprise ou de service")

    def op_mandat(self, client, debut, fin):
        Mandat.objects.update_or_create(
            representant=self.transitaire,
            represente=self.clients[client],
            defaults={
                "date_debut": AUJOURD_HUI + datetime.timedelta(days=debut),
                "date_fin": None if fin is None else AUJOURD_HUI + datetime.timedelta(days=debut + abs(fin)),
            },
        )


# ---------------------------------------------------------------------------------------------------
# The three truths
def par_les_pages(client: Client, user: User, demande: Demande) -> bool:
    """Whether the request opens for the user: its page (an officer's: the back-office's), or for a
    draft its form; a 404 otherwise."""
    chemin = f"/demandes/{demande.pk}/"
    urls = (
        [reverse("agent:detail", args=[demande.pk]), reverse("rex:formulaire", args=[demande.pk])]
        if user.service_id
        else [reverse("rex:detail", args=[demande.pk])]
    )
    for url in urls:
        response = client.get(url, follow=True)
        if response.status_code == 200 and chemin in response.request["PATH_INFO"]:
            return True
        assert response.status_code in (200, 404), (url, response.status_code)
    return False


def par_les_selecteurs(user: User, pks: list[int]) -> set[int]:
    if user.service_id:
        listes = (selectors.demandes_agent(user), selectors.demandes_formulaire(user))
    else:
        listes = (selectors.demandes_operateur(user),)
    return {pk for liste in listes for pk in liste.filter(pk__in=pks).values_list("pk", flat=True)}


def par_les_permissions(user: User, demandes: list[Demande]) -> set[int]:
    return {d.pk for d in demandes if actions.cote_de(user, d) is not None}


def decrire(demande: Demande) -> str:
    return (
        f"n° {demande.pk} {demande.statut} titulaire={demande.titulaire_id} "
        f"representant={demande.representant_id} service={demande.service_id} bureau={demande.bureau_id} "
        f"papier={demande.depot_papier} version_precedente={demande.version_precedente_id}"
    )


def verifier(monde: Monde) -> None:
    demandes = list(Demande.objects.filter(pk__in=monde.demandes).order_by("pk"))
    pks = [d.pk for d in demandes]
    for demande in demandes:  # hypothesis --hypothesis-show-statistics: what the worlds hold
        origine = (
            "papier" if demande.depot_papier else "représentant" if demande.representant_id else "titulaire"
        )
        event(f"demande {demande.statut} ({origine})")
    desaccords = []
    for user in monde.users:
        user = User.objects.get(pk=user.pk)
        client = Client()
        client.force_login(user)
        pages = {d.pk for d in demandes if par_les_pages(client, user, d)}
        listees = par_les_selecteurs(user, pks)
        permises = par_les_permissions(user, demandes)
        qui = f"{user.username} (entreprise={user.entreprise_id}, service={user.service_id})"
        for pk in sorted(pages ^ listees):
            desaccords.append(
                f"{qui}: pages {'open' if pk in pages else '404'}, selectors "
                f"{'list' if pk in listees else 'omit'} {decrire(Demande.objects.get(pk=pk))}"
            )
        for pk in sorted(listees ^ permises):
            desaccords.append(
                f"{qui}: selectors {'list' if pk in listees else 'omit'}, permissions "
                f"{'grant' if pk in permises else 'deny'} {decrire(Demande.objects.get(pk=pk))}"
            )
    assert not desaccords, "\n".join(desaccords)


MANDATS = st.tuples(
    st.tuples(st.none() | JOURS, st.none() | JOURS),
    st.tuples(st.none() | JOURS, st.none() | JOURS),
)


# Every world moves at least one user to another company or service, somewhere among its operations.
MOUVEMENTS = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 5), st.integers(0, 20)), min_size=1, max_size=3
)


def explorer(mandats, operations, mouvements):
    operations = list(operations)
    for nomade, cible, position in mouvements:
        operations.insert(position % (len(operations) + 1), ("rejoindre", nomade, cible))
    monde = Monde(mandats)
    for operation in operations:
        monde.appliquer(operation)
    verifier(monde)


REGLAGES = {
    "deadline": None,
    "derandomize": True,  # the same worlds in CI every time
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}


@pytest.mark.django_db
@settings(max_examples=30, **REGLAGES)
@given(mandats=MANDATS, operations=st.lists(OPERATIONS, min_size=4, max_size=10), mouvements=MOUVEMENTS)
def test_pages_selectors_and_permissions_agree(mandats, operations, mouvements):
    explorer(mandats, operations, mouvements)


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=80, **REGLAGES)
@given(mandats=MANDATS, operations=st.lists(OPERATIONS, min_size=6, max_size=20), mouvements=MOUVEMENTS)
def test_pages_selectors_and_permissions_agree_in_larger_worlds(mandats, operations, mouvements):
    explorer(mandats, operations, mouvements)
