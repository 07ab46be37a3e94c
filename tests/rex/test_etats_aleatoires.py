"""Random sequences of actions by random roles (hypothesis), with the invariants of the state machine.

The walk files, instructs, grants, modifies (guide §7.2: request, validate, reject or abandon a
modification) and revokes (§7.3: revoke from a date, cancel the revocation). Besides the rules of §5–§6
(one active request per EORI, the 30-day deadline, the history of every transition), it checks the
registration's own: its REX number never changes across versions, exactly one version of it is current,
and a refused modification or a cancelled revocation gives the registration back as it was.
"""

import datetime
from collections import Counter

from django.utils import timezone

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from rex import services
from rex.models import STATUTS_ACTIFS, Demande, Evenement, Statut
from tests.factories import (
    BureauDouaneFactory,
    CadrePreferentielFactory,
    DemandeFactory,
    EntrepriseFactory,
    UserFactory,
)

SUCCES: Counter = Counter()
# A rejected request stays rejected; a former version stays former (guide §8).
TERMINAUX = {Statut.REJETEE, Statut.VERSION_ANTERIEURE}
# The current version of a registration: granted, under modification, or revoked (guide §7, §8).
EN_VIGUEUR = {Statut.OCTROYEE, Statut.MODIFICATION_DEMANDEE, Statut.REVOQUEE}
ROLES = ["titulaire", "autre_operateur", "agent_du_service", "autre_agent"]
# What a registration is, besides its status: restored as it was after a refused modification or a
# cancelled revocation.
CHAMPS_ENREGISTREMENT = (
    "numero_rex",
    "date_enregistrement",
    "date_validite",
    "version",
    "courriel",
    "service_id",
    "motif_revocation",
    "revoquee_le",
    "droit_entendu_le",
)
TRANSITIONS = {"soumission", "demande_complement", "complement", "rejet", "rejet_automatique", "octroi"}
ACTIONS = (
    "soumettre",
    "demander_complement",
    "transmettre_complement",
    "rejeter",
    "octroyer",
    "abandonner",
    "reaffecter",
    "prendre_en_charge",
    "ecrire",
    "dupliquer",
    "rejet_automatique",
)
# The instruction's actions, tried on the requests being instructed, most often by the role whose action
# it is (SON_ROLE), else by any.
INSTRUCTION = ("prendre_en_charge", "demander_complement", "transmettre_complement", "rejeter", "octroyer")
SON_ROLE = "son_role"
SON_ROLE_OPERATEUR = {SON_ROLE: "titulaire"}
ROLE_OU_SON_ROLE = st.sampled_from([*ROLES, SON_ROLE, SON_ROLE, SON_ROLE, SON_ROLE])


class Instruction(RuleBasedStateMachine):
    """Two companies filing, re-filing and modifying; officers of two services; the clock moving on."""

    @initialize()
    def setup(self):
        self.services = [BureauDouaneFactory(), BureauDouaneFactory()]
        self.entreprises = [EntrepriseFactory(), EntrepriseFactory()]
        self.users = {
            "operateur_0": UserFactory(habilite=True, entreprise=self.entreprises[0]),
            "operateur_1": UserFactory(habilite=True, entreprise=self.entreprises[1]),
            "agent_0": UserFactory(service=self.services[0]),
            "agent_1": UserFactory(service=self.services[1]),
        }
        # The first company starts with a registration granted (through the services), the second with a
        # complete draft it may file (one request per EORI: a draft of a company whose request is active
        # is refused: a walk that starts with both companies' requests active files nothing until one
        # ends): filing, then instruction, modification and revocation are within reach at once.
        demande = DemandeFactory(complete=True, created_by=self.users["operateur_0"], bureau=self.services[0])
        demande = services.soumettre(demande=demande, by=self.users["operateur_0"])
        services.octroyer(demande=demande, by=self.users["agent_0"])
        DemandeFactory(complete=True, created_by=self.users["operateur_1"], bureau=self.services[1])
        self.now = timezone.now()
        # Examples share the test's transaction: counts are taken from here on.
        self.base = Evenement.objects.filter(kind__in=TRANSITIONS).count()
        self.succes = 0
        self.terminales: dict[int, str] = {}  # rejected or former: stays so
        # The registration as it was when its modification was submitted (restored if it is refused).
        self.avant_modification: dict[int, dict] = {}
        # The registration as it was when revoked (restored when the revocation is cancelled).
        self.avant_revocation: dict[int, dict] = {}

    # ------------------------------------------------------------------ helpers
    def demandes(self, **filtres) -> list[Demande]:
        return list(Demande.objects.filter(titulaire__in=self.entreprises, **filtres).order_by("pk"))

    def user(self, role: str, demande: Demande, son_role: str = "agent_du_service"):
        role = son_role if role == SON_ROLE else role
        proprietaire = self.entreprises.index(demande.titulaire)
        service = self.services.index(demande.service or demande.bureau)
        return self.users[
            {
                "titulaire": f"operateur_{proprietaire}",
                "autre_operateur": f"operateur_{1 - proprietaire}",
                "agent_du_service": f"agent_{service}",
                "autre_agent": f"agent_{1 - service}",
            }[role]
        ]

    def tenter(self, action: str, executer) -> bool:
        """Runs one service; a refusal changes nothing (no request, status or history moves)."""
        avant = etat()
        try:
            executer()
        except services.ActionRefusee:
            assert etat() == avant, f"a refused {action} changed something"
            return False
        SUCCES[action] += 1
        return True

    # ------------------------------------------------------------------ rules
    @rule(entreprise=st.integers(0, 1))
    def nouveau_brouillon(self, entreprise):
        if Demande.objects.filter(titulaire=self.entreprises[entreprise], statut=Statut.BROUILLON).exists():
            return  # one draft at a time keeps the walk on the filed requests
        DemandeFactory(
            complete=True,
            created_by=self.users[f"operateur_{entreprise}"],
            bureau=self.services[entreprise % 2],
        )

    @rule(action=st.sampled_from(ACTIONS), role=st.sampled_from(ROLES), index=st.integers(0, 20))
    def agir(self, action, role, index):
        """Any action by anyone on any request: mostly refusals, which must change nothing."""
        self.executer(action, role, index, self.demandes())

    @rule(role=st.sampled_from(ROLES), index=st.integers(0, 20))
    def soumettre_un_brouillon(self, role, index):
        self.executer(
            "soumettre", role, index, self.demandes(statut=Statut.BROUILLON, version_precedente=None)
        )

    @rule(action=st.sampled_from(INSTRUCTION), role=ROLE_OU_SON_ROLE, index=st.integers(0, 20))
    def instruire(self, action, role, index):
        """An action of the instruction on a request being instructed (a modification included), most
        often by the role whose action it is."""
        if role == SON_ROLE:
            role = "titulaire" if action == "transmettre_complement" else "agent_du_service"
        self.executer(action, role, index, self.demandes(statut__in=[Statut.EN_ETUDE, Statut.INCOMPLETE]))

    def executer(self, action, role, index, demandes):
        if action == "rejet_automatique":
            self.now += datetime.timedelta(days=16)
            self.succes += services.rejeter_delais_depasses(now=self.now)
            return
        if not demandes:
            return
        demande = demandes[index % len(demandes)]
        user = self.user(role, demande)
        before = Evenement.objects.filter(kind__in=TRANSITIONS).count()
        try:
            {
                "soumettre": lambda: services.soumettre(demande=demande, by=user),
                "demander_complement": lambda: services.demander_complement(
                    demande=demande, by=user, texte="?"
                ),
                "transmettre_complement": lambda: services.transmettre_complement(
                    demande=demande, by=user, complements="!"
                ),
                "rejeter": lambda: services.rejeter(demande=demande, by=user, motif="Non."),
                "octroyer": lambda: services.octroyer(demande=demande, by=user),
                "abandonner": lambda: services.abandonner(demande=demande, by=user),
                "reaffecter": lambda: services.reaffecter(
                    demande=demande, by=user, service=self.services[1], commentaire="→"
                ),
                "prendre_en_charge": lambda: services.prendre_en_charge(demande=demande, by=user),
                "ecrire": lambda: services.ecrire(demande=demande, by=user, texte="Bonjour"),
                "dupliquer": lambda: services.dupliquer(demande=demande, by=user),
            }[action]()
        except services.ActionRefusee:
            assert Evenement.objects.filter(kind__in=TRANSITIONS).count() == before
            return
        SUCCES[action] += 1
        if action in ("soumettre", "demander_complement", "transmettre_complement", "rejeter", "octroyer"):
            self.succes += 1
        if action in ("rejeter", "abandonner") and demande.est_modification and not demande.est_brouillon:
            SUCCES[f"modification_{action}"] += 1

    @rule(role=ROLE_OU_SON_ROLE, index=st.integers(0, 20))
    def demander_modification(self, role, index):
        """« Demander des modifications de cet enregistrement », a new address, « Soumettre »."""
        enregistrements = self.demandes(statut=Statut.OCTROYEE)
        if not enregistrements:
            return
        enregistrement = enregistrements[index % len(enregistrements)]
        user = self.user(role, enregistrement, son_role="titulaire")
        avant = champs(enregistrement.pk)

        def modifier():
            brouillon = services.preparer_modification(enregistrement=enregistrement, by=user)
            Demande.objects.filter(pk=brouillon.pk).update(courriel=f"v{brouillon.version}@exemple.fr")
            brouillon.cadres.add(CadrePreferentielFactory())
            services.soumettre_modification(
                modification=Demande.objects.get(pk=brouillon.pk), by=user, commentaire="Nouvelle adresse."
            )

        if self.tenter("demander_modification", modifier):
            self.succes += 1  # the modification's « soumission »
            self.avant_modification[enregistrement.pk] = avant

    @rule(role=ROLE_OU_SON_ROLE, index=st.integers(0, 20))
    def valider_modification(self, role, index):
        modifications = self.demandes(statut=Statut.EN_ETUDE, version_precedente__isnull=False)
        if not modifications:
            return
        modification = modifications[index % len(modifications)]
        user = self.user(role, modification)
        precedente = Demande.objects.get(pk=modification.version_precedente_id)
        if self.tenter(
            "valider_modification",
            lambda: services.valider_modification(modification=modification, by=user),
        ):
            self.avant_modification.pop(precedente.pk, None)
            validee = Demande.objects.get(pk=modification.pk)
            assert (validee.statut, validee.version) == (Statut.OCTROYEE, precedente.version + 1)
            assert Demande.objects.get(pk=precedente.pk).statut == Statut.VERSION_ANTERIEURE

    @rule(role=ROLE_OU_SON_ROLE, index=st.integers(0, 20), effet=st.integers(-3, 45))
    def revoquer(self, role, index, effet):
        """Guide §7.3: from a date (maybe later than today, never before the letter of the right to be
        heard nor before the validity); then cancelled, the registration is as it was."""
        enregistrements = self.demandes(statut=Statut.OCTROYEE)
        if not enregistrements:
            return
        enregistrement = enregistrements[index % len(enregistrements)]
        user = self.user(role, enregistrement)
        aujourd_hui = timezone.localdate()
        a_compter_du = aujourd_hui + datetime.timedelta(days=effet)
        avant = champs(enregistrement.pk)
        if self.tenter(
            "revoquer",
            lambda: services.revoquer(
                demande=enregistrement,
                by=user,
                motif="89-3-b",
                a_compter_du=a_compter_du,
                droit_entendu_le=aujourd_hui - datetime.timedelta(days=10),
            ),
        ):
            assert a_compter_du >= enregistrement.date_validite, "revoked before its validity"
            revoquee = Demande.objects.get(pk=enregistrement.pk)
            assert (revoquee.statut, revoquee.revoquee_le) == (Statut.REVOQUEE, a_compter_du)
            assert revoquee.revoquee_au(aujourd_hui) is (effet <= 0)
            self.avant_revocation[enregistrement.pk] = avant

    @rule(role=ROLE_OU_SON_ROLE, index=st.integers(0, 20))
    def annuler_revocation(self, role, index):
        revoquees = self.demandes(statut=Statut.REVOQUEE)
        if not revoquees:
            return
        enregistrement = revoquees[index % len(revoquees)]
        user = self.user(role, enregistrement)
        if self.tenter(
            "annuler_revocation",
            lambda: services.annuler_revocation(demande=enregistrement, by=user),
        ):
            assert Demande.objects.get(pk=enregistrement.pk).statut == Statut.OCTROYEE
            assert champs(enregistrement.pk) == self.avant_revocation.pop(enregistrement.pk), (
                "the cancelled revocation gives the registration back as it was"
            )

    # ------------------------------------------------------------------ invariants
    @invariant()
    def invariants(self):
        """Checked after every step, on this example's requests loaded once."""
        if not hasattr(self, "entreprises"):
            return
        demandes = list(
            Demande.objects.filter(titulaire__in=self.entreprises).select_related("titulaire").order_by("pk")
        )
        precedentes = {d.pk: d.version_precedente_id for d in demandes}
        racines = {}
        for pk in precedentes:
            racine = pk
            while precedentes[racine] is not None:
                racine = precedentes[racine]
            racines[pk] = racine
        self.au_plus_une_demande_active_par_eori(demandes, racines)
        self.historique_egal_aux_transitions_reussies()
        self.historique_dit_le_statut(demandes)
        self.terminaux_restent_terminaux(demandes)
        self.date_limite_exactement_si_incomplete(demandes)
        self.un_numero_rex_et_une_version_en_vigueur_par_enregistrement(demandes, racines)
        self.une_modification_en_cours_si_modification_demandee(demandes)
        self.modification_refusee_rend_l_enregistrement(demandes)

    def au_plus_une_demande_active_par_eori(self, demandes, racines):
        """Guide §5.1; a modification being instructed stands beside its registration (same chain)."""
        for entreprise in self.entreprises:
            actives = {
                racines[d.pk]
                for d in demandes
                if d.titulaire_id == entreprise.pk and d.statut in STATUTS_ACTIFS
            }
            assert len(actives) <= 1, actives

    def historique_egal_aux_transitions_reussies(self):
        total = Evenement.objects.filter(kind__in=TRANSITIONS).count()
        assert total - self.base == self.succes

    def historique_dit_le_statut(self, demandes):
        """« Historique »: each event starts from the status the previous one left, and the last one
        says the current status."""
        statuts = {d.pk: d.statut for d in demandes}
        derniers: dict[int, str] = {}
        for pk, avant, apres in (
            Evenement.objects.filter(demande_id__in=statuts)
            .order_by("demande_id", "pk")
            .values_list("demande_id", "statut_avant", "statut_apres")
        ):
            if avant and pk in derniers:
                assert avant == derniers[pk], (pk, avant, derniers[pk])
            derniers[pk] = apres
        for pk, dernier in derniers.items():
            assert dernier == statuts[pk], (pk, dernier, statuts[pk])

    def terminaux_restent_terminaux(self, demandes):
        for demande in demandes:
            if demande.pk in self.terminales:
                assert demande.statut == self.terminales[demande.pk], (demande.pk, demande.statut)
            elif demande.statut in TERMINAUX:
                self.terminales[demande.pk] = demande.statut

    def date_limite_exactement_si_incomplete(self, demandes):
        for demande in demandes:
            assert (demande.date_limite is not None) == (demande.statut == Statut.INCOMPLETE)

    def un_numero_rex_et_une_version_en_vigueur_par_enregistrement(self, demandes, racines):
        """Guide §7.2: the holder keeps the REX number first given (FRREX + EORI) across versions; the
        former ones are kept as « Version antérieure »; exactly one version is current."""
        chaines: dict[int, list[Demande]] = {}
        for demande in demandes:
            if demande.statut in EN_VIGUEUR or demande.statut == Statut.VERSION_ANTERIEURE:
                chaines.setdefault(racines[demande.pk], []).append(demande)
        for versions in chaines.values():
            numeros = {v.numero_rex for v in versions}
            assert numeros == {f"FRREX{versions[0].titulaire.eori}"}, numeros
            assert len({v.date_enregistrement for v in versions}) == 1
            en_vigueur = [v for v in versions if v.statut in EN_VIGUEUR]
            assert len(en_vigueur) == 1, [(v.pk, v.version, v.statut) for v in versions]
            assert en_vigueur[0].version == max(v.version for v in versions)

    def une_modification_en_cours_si_modification_demandee(self, demandes):
        """The registration is « Modification demandée » exactly while its modification is instructed."""
        en_instruction = {
            d.version_precedente_id
            for d in demandes
            if d.version_precedente_id and d.statut in (Statut.EN_ETUDE, Statut.INCOMPLETE)
        }
        assert en_instruction == {d.pk for d in demandes if d.statut == Statut.MODIFICATION_DEMANDEE}

    def modification_refusee_rend_l_enregistrement(self, demandes):
        """A modification rejected (by the service or after 30 days) or abandoned gives the registration
        back « Octroyée », unchanged."""
        statuts = {d.pk: d.statut for d in demandes}
        for pk, avant in list(self.avant_modification.items()):
            if statuts[pk] == Statut.OCTROYEE:
                assert champs(pk) == avant
                del self.avant_modification[pk]
            else:
                assert statuts[pk] == Statut.MODIFICATION_DEMANDEE, statuts[pk]


def etat() -> tuple:
    return (
        tuple(Demande.objects.order_by("pk").values_list("pk", "statut", "service_id", "agent_id")),
        Evenement.objects.count(),
    )


def champs(pk: int) -> dict:
    return Demande.objects.values(*CHAMPS_ENREGISTREMENT).get(pk=pk)


def parcourir(*, exemples: int, pas: int) -> None:
    SUCCES.clear()
    run_state_machine_as_test(
        Instruction,
        settings=settings(
            max_examples=exemples,
            stateful_step_count=pas,
            deadline=None,
            derandomize=True,  # the same walk in CI every time
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The random walk really went through the instruction, the modification and the revocation (not
    # only refusals).
    for action in (
        "soumettre",
        "demander_complement",
        "octroyer",
        "demander_modification",
        "valider_modification",
        "revoquer",
        "annuler_revocation",
    ):
        assert SUCCES[action], (action, SUCCES)


@pytest.mark.django_db
def test_random_sequences_keep_the_invariants():
    # Long enough for the derandomized walk to reach every action above (a shorter one may not: the walk
    # changes with the code it calls).
    parcourir(exemples=40, pas=30)


@pytest.mark.slow
@pytest.mark.django_db
def test_longer_random_sequences_keep_the_invariants():
    parcourir(exemples=60, pas=50)
