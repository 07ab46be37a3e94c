"""« Tableau de bord du service » (issue 13, part 1): figures against a history built by hand, with dates
set explicitly; the expected values are computed here, in the comments, from the definitions of
rex.statistiques. Another service's requests never count; the page costs as many queries for 1 request
as for 500."""

import datetime

from django.db import connection
from django.urls import reverse
from django.utils import timezone

import pytest

from rex import statistiques
from rex.models import Demande, Evenement, Statut
from tests.agent.volume import file_de, requetes
from tests.factories import BureauDouaneFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("agent:tableau_de_bord")
# Session, user, statuses, months, backlog and deadlines, the deadlines' list, times, officers in charge,
# officers…: 10 for an officer; a staff officer's service selector adds the service chosen. Without
# PostgreSQL (the embedded default), the processing times take two queries instead of one.
REQUETES_MAX = 11 + (connection.vendor != "postgresql")
# 15 June 2026, noon in Paris: the period of 3 months starts on 1 April 2026. In UTC, so that « n days
# before » is n × 24 hours across the change to summer time (29 March).
MAINTENANT = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
K = Evenement.Kind
EN_ETUDE, INCOMPLETE, OCTROYEE, REJETEE = Statut.EN_ETUDE, Statut.INCOMPLETE, Statut.OCTROYEE, Statut.REJETEE


def jours(n: float) -> datetime.datetime:
    """`n` days before MAINTENANT."""
    return MAINTENANT - datetime.timedelta(days=n)


class Histoire:
    """Requests of a service written straight to the database, each with its history events dated
    explicitly (auto_now_add is overwritten after the insert)."""

    def __init__(self, createur):
        self.createur = createur
        self.rang = 0

    def demande(self, service, statut, *, soumise, date_limite=None, agent=None, evenements=()):
        self.rang += 1
        demande = Demande.objects.create(
            statut=statut,
            numero=f"FR-REX-2026-{self.rang:05d}",
            service=service,
            titulaire_raison_sociale=f"Société {self.rang}",
            soumise_le=jours(soumise) if soumise is not None else None,
            date_limite=jours(date_limite) if date_limite is not None else None,
            agent=agent,
            created_by=self.createur,
        )
        lignes = [
            Evenement(
                demande=demande,
                service=service,
                acteur=acteur,
                kind=kind,
                statut_avant=avant,
                statut_apres=apres,
            )
            for kind, avant, apres, _, acteur in evenements
        ]
        Evenement.objects.bulk_create(lignes)
        for ligne, (*_, quand, _acteur) in zip(lignes, evenements, strict=True):
            ligne.created_at = jours(quand)
        Evenement.objects.bulk_update(lignes, ["created_at"])
        return demande


@pytest.fixture
def agents(service):
    return (
        UserFactory(service=service, first_name="Anne", last_name="Aubry"),
        UserFactory(service=service, first_name="Bruno", last_name="Blanc"),
    )


@pytest.fixture
def histoire(service, agents):
    """The service's history (days before MAINTENANT), and what another service did meanwhile.

    Decided in the period (from 1 April = 75 days before):
      A: filed 40, granted 28 by Anne                     total 12, waiting 0,  service 12
      B: filed 60, incomplete 55 → complement 50, a message
         while incomplete (52), granted 40 by Anne        total 20, waiting 5,  service 15
      C: filed 90, incomplete 85 → 75, incomplete 70 → 66,
         rejected 60 by Bruno (« Incomplète » twice)      total 30, waiting 14, service 16
      D: filed 50, incomplete 45, rejected automatically
         15 (no officer)                                  total 35, waiting 30, service 5
    G: filed 200, granted 150: before the period.
    In instruction: E en étude filed 20 (Anne's), H filed 3, L filed 2, I incomplete filed 100 due in 5
    days (Bruno's), J incomplete filed 40 due in 10 days. A draft, never filed.
    Another service: F filed 30 granted 29, K incomplete filed 10 due in 2 days.
    """
    anne, bruno = agents
    h = Histoire(UserFactory())
    soumission = (K.SOUMISSION, Statut.BROUILLON, EN_ETUDE)
    h.demande(
        service,
        OCTROYEE,
        soumise=40,
        evenements=[(*soumission, 40, None), (K.OCTROI, EN_ETUDE, OCTROYEE, 28, anne)],
    )
    h.demande(
        service,
        OCTROYEE,
        soumise=60,
        evenements=[
            (*soumission, 60, None),
            (K.PRISE_EN_CHARGE, EN_ETUDE, EN_ETUDE, 58, anne),
            (K.DEMANDE_COMPLEMENT, EN_ETUDE, INCOMPLETE, 55, anne),
            (K.MESSAGE, INCOMPLETE, INCOMPLETE, 52, anne),
            (K.COMPLEMENT, INCOMPLETE, EN_ETUDE, 50, None),
            (K.OCTROI, EN_ETUDE, OCTROYEE, 40, anne),
        ],
    )
    h.demande(
        service,
        REJETEE,
        soumise=90,
        evenements=[
            (*soumission, 90, None),
            (K.DEMANDE_COMPLEMENT, EN_ETUDE, INCOMPLETE, 85, bruno),
            (K.COMPLEMENT, INCOMPLETE, EN_ETUDE, 75, None),
            (K.DEMANDE_COMPLEMENT, EN_ETUDE, INCOMPLETE, 70, bruno),
            (K.COMPLEMENT, INCOMPLETE, EN_ETUDE, 66, None),
            (K.REJET, EN_ETUDE, REJETEE, 60, bruno),
        ],
    )
    h.demande(
        service,
        REJETEE,
        soumise=50,
        evenements=[
            (*soumission, 50, None),
            (K.DEMANDE_COMPLEMENT, EN_ETUDE, INCOMPLETE, 45, bruno),
            (K.REJET_AUTOMATIQUE, INCOMPLETE, REJETEE, 15, None),
        ],
    )
    h.demande(
        service,
        OCTROYEE,
        soumise=200,
        evenements=[(*soumission, 200, None), (K.OCTROI, EN_ETUDE, OCTROYEE, 150, anne)],
    )
    h.demande(service, EN_ETUDE, soumise=20, agent=anne)
    h.demande(service, EN_ETUDE, soumise=3)
    h.demande(service, EN_ETUDE, soumise=2)
    h.demande(service, INCOMPLETE, soumise=100, date_limite=-5, agent=bruno)
    h.demande(service, INCOMPLETE, soumise=40, date_limite=-10)
    h.demande(service, Statut.BROUILLON, soumise=None)
    autre = BureauDouaneFactory(nom="Bureau de Nantes")
    h.demande(
        autre,
        OCTROYEE,
        soumise=30,
        evenements=[(*soumission, 30, None), (K.OCTROI, EN_ETUDE, OCTROYEE, 29, anne)],
    )
    h.demande(autre, INCOMPLETE, soumise=10, date_limite=-2)
    return autre


def test_processing_times_median_p90_and_waiting(service, histoire):
    durees = statistiques.durees(
        service, debut=statistiques.debut_periode(3, MAINTENANT), maintenant=MAINTENANT
    )
    assert durees.nombre == 4  # A, B, C, D; not G (before the period) nor F (another service)
    # Totals [12, 20, 30, 35]: median (20 + 30) / 2; p90 at rank 0.9 × 3 = 2.7: 30 + 0.7 × (35 − 30).
    assert durees.total.mediane == pytest.approx(25)
    assert durees.total.p90 == pytest.approx(33.5)
    # Waiting [0, 5, 14, 30] (C: 10 + 4 days; B's message while incomplete changes nothing).
    assert durees.attente.mediane == pytest.approx(9.5)
    assert durees.attente.p90 == pytest.approx(14 + 0.7 * 16)
    # Service [5, 12, 15, 16]: median 13.5; p90 15 + 0.7 × 1.
    assert durees.service.mediane == pytest.approx(13.5)
    assert durees.service.p90 == pytest.approx(15.7)


def test_processing_times_per_officer(service, agents, histoire):
    anne, bruno = agents
    durees = statistiques.durees(
        service, debut=statistiques.debut_periode(3, MAINTENANT), maintenant=MAINTENANT
    )
    # Anne: A (28 days ago: within 30) and B (40); median of [12, 20]. Bruno: C, 60 days ago.
    assert durees.par_agent[anne.pk] == (1, pytest.approx(16))
    assert durees.par_agent[bruno.pk] == (0, pytest.approx(30))
    assert set(durees.par_agent) == {anne.pk, bruno.pk}  # the automatic rejection has no officer


def test_a_longer_period_takes_the_older_decisions(service, histoire):
    durees = statistiques.durees(
        service, debut=statistiques.debut_periode(12, MAINTENANT), maintenant=MAINTENANT
    )
    # G (total 50) joins: [12, 20, 30, 35, 50], median 30.
    assert durees.nombre == 5
    assert durees.total.mediane == pytest.approx(30)


def test_the_python_fallback_gives_the_same_figures(service, agents, histoire):
    """The embedded SQLite default computes in Python: same definitions, same results."""
    anne, bruno = agents
    durees = statistiques.durees_python(
        service, debut=statistiques.debut_periode(3, MAINTENANT), maintenant=MAINTENANT
    )
    assert durees.nombre == 4
    assert (durees.total.mediane, durees.total.p90) == (pytest.approx(25), pytest.approx(33.5))
    assert (durees.attente.mediane, durees.attente.p90) == (pytest.approx(9.5), pytest.approx(25.2))
    assert (durees.service.mediane, durees.service.p90) == (pytest.approx(13.5), pytest.approx(15.7))
    assert durees.par_agent == {anne.pk: (1, pytest.approx(16)), bruno.pk: (0, pytest.approx(30))}


def test_volumes_per_month_statuses_backlog_and_deadlines(service, histoire):
    figures = statistiques.tableau_de_bord(service, mois=3, maintenant=MAINTENANT)
    # April: B (16 Apr), D (26 Apr); May: A (6 May), J (6 May), E (26 May); June: H, L. C and I filed in
    # March, G in 2025; the draft never; F is another service's.
    assert figures["mois"] == [
        (datetime.date(2026, 4, 1), 2),
        (datetime.date(2026, 5, 1), 3),
        (datetime.date(2026, 6, 1), 2),
    ]
    assert dict(figures["statuts"]) == {
        Statut.EN_ETUDE: 3,
        Statut.INCOMPLETE: 2,
        Statut.REJETEE: 2,
        Statut.OCTROYEE: 3,
        Statut.MODIFICATION_DEMANDEE: 0,
        Statut.VERSION_ANTERIEURE: 0,
        Statut.REVOQUEE: 0,
    }
    # H (3 days), L (2) | E (20) | J (40) | I (100).
    assert [nombre for _, nombre in figures["tranches"]] == [2, 1, 1, 1]
    assert figures["echeances_proches"] == 1  # I; not J (10 days), not K (another service)
    assert [d.titulaire_raison_sociale for d in figures["echeances"]] == ["Société 9"]


def test_per_officer_rows(service, agents, histoire):
    anne, bruno = agents
    figures = statistiques.tableau_de_bord(service, mois=3, maintenant=MAINTENANT)
    assert [(ligne["agent"], ligne["en_charge"], ligne["decisions"]) for ligne in figures["agents"]] == [
        (anne, 1, 1),
        (bruno, 1, 0),
    ]
    assert [ligne["mediane"] for ligne in figures["agents"]] == [pytest.approx(16), pytest.approx(30)]


def test_the_other_service_sees_only_its_own(histoire):
    figures = statistiques.tableau_de_bord(histoire, mois=3, maintenant=MAINTENANT)
    assert figures["durees"].nombre == 1
    assert figures["durees"].total.mediane == pytest.approx(1)
    assert figures["echeances_proches"] == 1
    assert sum(nombre for _, nombre in figures["statuts"]) == 2


def test_the_national_view_counts_every_service(service, histoire):
    figures = statistiques.tableau_de_bord(None, mois=3, maintenant=MAINTENANT)
    assert figures["durees"].nombre == 5  # A, B, C, D and F
    assert figures["echeances_proches"] == 2
    assert figures["agents"] == []


def test_the_national_view_has_a_row_per_service(service, histoire):
    """Lyon: in instruction E, H, L, I, J (I due in 5 days); decided A, B, C, D, totals [12, 20, 30, 35]:
    median 25. Nantes: K in instruction, due in 2 days; F decided after 1 day."""
    autre = histoire
    figures = statistiques.tableau_de_bord(None, mois=3, maintenant=MAINTENANT)
    lignes = [
        (ligne["service"], ligne["en_instruction"], ligne["echeances_proches"], ligne["decisions"])
        for ligne in figures["services"]
    ]
    assert lignes == [(service, 5, 1, 4), (autre, 1, 1, 1)]
    assert [ligne["mediane"] for ligne in figures["services"]] == [pytest.approx(25), pytest.approx(1)]
    un_service = statistiques.tableau_de_bord(service, mois=3, maintenant=MAINTENANT)
    assert un_service["services"] == []  # a service's page has its officers instead


def test_the_python_fallback_gives_the_same_figures_per_service(service, histoire):
    autre = histoire
    durees = statistiques.durees_python(
        None, debut=statistiques.debut_periode(3, MAINTENANT), maintenant=MAINTENANT
    )
    assert durees.par_service == {service.pk: (4, pytest.approx(25)), autre.pk: (1, pytest.approx(1))}


# ------------------------------------------------------------------ the page
def test_page_shows_the_service_figures_and_tables(client, service, agent):
    autre = BureauDouaneFactory(nom="Bureau de Nantes")
    file_de(autre, 6, agent=UserFactory(service=autre), debut=100)
    file_de(service, 2, agent=agent)  # an overdue incomplete request, one due in 3 days
    client.force_login(agent)
    reponse = client.get(URL)
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "Tableau de bord du service" in html and "Bureau de Lyon" in html
    assert reponse.context["echeances_proches"] == 1
    assert dict(reponse.context["statuts"])[Statut.INCOMPLETE] == 2  # not the other service's
    for table in ("donnees-mois", "donnees-statuts", "donnees-stock", "donnees-agents"):
        assert f'id="{table}"' in html
    assert "<bar-chart" in html
    assert f"{reverse('agent:file')}?echeance=proche&amp;tri=echeance" in html
    assert 'name="service"' not in html  # no service selector for an officer who is not staff


def test_an_officer_not_staff_cannot_choose_another_service(client, service, agent):
    autre = BureauDouaneFactory(nom="Bureau de Nantes")
    file_de(autre, 3, agent=UserFactory(service=autre), debut=100)
    client.force_login(agent)
    reponse = client.get(URL, {"service": autre.pk})
    assert reponse.context["service"] == service
    assert sum(n for _, n in reponse.context["statuts"]) == 0


def test_staff_officer_gets_the_national_view_and_a_service_selector(client, service):
    autre = BureauDouaneFactory(nom="Bureau de Nantes")
    file_de(autre, 3, agent=UserFactory(service=autre), debut=100)
    file_de(service, 2, agent=UserFactory(service=service))
    client.force_login(UserFactory(service=service, is_staff=True))
    reponse = client.get(URL)
    assert reponse.context["service"] is None
    assert sum(n for _, n in reponse.context["statuts"]) == 5
    html = reponse.content.decode()
    assert 'name="service"' in html
    assert 'id="donnees-services"' in html and 'id="donnees-agents"' not in html
    assert [ligne["service"] for ligne in reponse.context["services"]] == [service, autre]
    reponse = client.get(URL, {"service": autre.pk, "periode": "6"})
    assert reponse.context["service"] == autre
    assert sum(n for _, n in reponse.context["statuts"]) == 3
    assert len(reponse.context["mois"]) == 6


def test_an_invalid_period_is_refused_in_french_and_the_default_applies(client, agent):
    client.force_login(agent)
    reponse = client.get(URL, {"periode": "1000"})
    assert reponse.status_code == 200
    assert reponse.context["form"].errors["periode"]
    assert len(reponse.context["mois"]) == statistiques.PERIODE_DEFAUT


def test_the_queue_and_the_account_menu_link_to_the_dashboard(client, agent):
    client.force_login(agent)
    html = client.get(reverse("agent:file")).content.decode()
    assert html.count(f'href="{URL}"') == 2


def _decidees(service, nombre, agent, *, debut=0):
    """`nombre` requests of `service` decided today, each after a complement period."""
    demandes = file_de(service, nombre, agent=agent, debut=debut)
    maintenant = timezone.now()
    lignes = []
    for demande in demandes:
        for kind, avant, apres in (
            (K.DEMANDE_COMPLEMENT, EN_ETUDE, INCOMPLETE),
            (K.COMPLEMENT, INCOMPLETE, EN_ETUDE),
            (K.OCTROI, EN_ETUDE, OCTROYEE),
        ):
            lignes.append(
                Evenement(
                    demande=demande,
                    service=service,
                    acteur=agent,
                    kind=kind,
                    statut_avant=avant,
                    statut_apres=apres,
                )
            )
    Evenement.objects.bulk_create(lignes)
    Demande.objects.filter(pk__in=[d.pk for d in demandes]).update(
        soumise_le=maintenant - datetime.timedelta(days=9)
    )


@pytest.mark.parametrize(
    "staff, choisi", [(False, False), (True, True), (True, False)], ids=["service", "national", "tous"]
)
def test_queries_are_the_same_for_1_and_500_requests(client, service, agent, staff, choisi):
    agent.is_staff = staff
    agent.save()
    client.force_login(agent)
    parametres = {"service": service.pk} if choisi else {}
    _decidees(service, 1, agent)
    une = requetes(client, URL, parametres)
    _decidees(service, 499, agent, debut=1)
    for n in range(3):
        UserFactory(service=service, first_name=f"Agent {n}")
        autre = BureauDouaneFactory(nom=f"Bureau {n}")  # more rows in the national view's table
        _decidees(autre, 5, UserFactory(service=autre), debut=1000 + 10 * n)
    assert requetes(client, URL, parametres) == une <= REQUETES_MAX
    reponse = client.get(URL, parametres)
    assert reponse.context["durees"].nombre == (500 if staff == choisi else 515)
    assert len(reponse.context["services"]) == (0 if staff == choisi else 4)
