"""« Mes clients » (issue 13, part 3): a customs representative's clients, one row each, with the request
that matters most, most urgent first; filtered, paginated and exported in CSV at a constant cost.

The expected rows are written by hand from the fixture below, never read back from the selector.
"""

import csv
import io
import re
from datetime import datetime, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Entreprise, Mandat
from rex.models import Demande, Statut
from tests.factories import BureauDouaneFactory, EntrepriseFactory, MandatFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("rex:clients")
URL_CSV = reverse("rex:clients_csv")


def a_midi(jours: int) -> datetime:
    """Noon, Paris time, `jours` calendar days from today: « J-n » whatever the hour the test runs."""
    jour = timezone.localdate() + timedelta(days=jours)
    return timezone.make_aware(datetime.combine(jour, time(12)))


def demande(transitaire, client: Entreprise, statut: str, *, il_y_a: int, **champs) -> Demande:
    """A request of `client` in `statut`, filed by the representative `transitaire` unless `representant`
    is given; last updated `il_y_a` minutes ago."""
    bureau = champs.pop("bureau", None) or BureauDouaneFactory()
    champs.setdefault("representant", transitaire.entreprise)
    d = Demande.objects.create(
        created_by=transitaire,
        titulaire=client,
        bureau=bureau,
        service=None if statut == Statut.BROUILLON else bureau,
        statut=statut,
        titulaire_eori=client.eori,
        titulaire_raison_sociale=client.raison_sociale,
        **champs,
    )
    Demande.objects.filter(pk=d.pk).update(updated_at=timezone.now() - timedelta(minutes=il_y_a))
    return d


@pytest.fixture
def transitaire():
    return UserFactory(representant=True)


@pytest.fixture
def portefeuille(transitaire):
    """Nine clients in every situation of the issue; returns them by letter and their requests."""
    aujourd_hui = timezone.localdate()

    def client(nom: str, eori: str, **mandat) -> Entreprise:
        entreprise = EntrepriseFactory(raison_sociale=nom, eori=eori)
        MandatFactory(representant=transitaire.entreprise, represente=entreprise, **mandat)
        return entreprise

    c = {
        "A": client("Alpha Vins", "FR10000000001"),  # no request of his own the representative may see
        "B": client("Bravo Cognac", "FR10000000002"),  # a draft only
        "C": client("Charlie Fromages", "FR10000000003"),  # Incomplète, due in 2 days
        "D": client("Delta Huiles", "FR10000000004"),  # Incomplète, overdue
        "E": client("Echo Parfums", "FR10000000005"),  # granted, with its REX number
        "F": client("Foxtrot Textiles", "FR10000000006"),  # rejected, then filed again
        "G": client(  # an ended mandate, its request rejected
            "Golf Verres",
            "FR10000000007",
            date_debut=aujourd_hui - timedelta(days=400),
            date_fin=aujourd_hui - timedelta(days=30),
        ),
        "H": client(
            "Hotel Soieries", "FR10000000008", date_debut=aujourd_hui + timedelta(days=10)
        ),  # à venir
        "I": client("India Épices", "FR10000000009"),  # Incomplète, due in 20 days
    }
    t = transitaire
    d = {
        # Filed by Alpha itself, without a representative: not the representative's to see.
        "A": demande(t, c["A"], Statut.EN_ETUDE, il_y_a=1, representant=None, numero="FR-REX-2026-00001"),
        "B": demande(t, c["B"], Statut.BROUILLON, il_y_a=2),
        "C": demande(
            t, c["C"], Statut.INCOMPLETE, il_y_a=3, numero="FR-REX-2026-00003", date_limite=a_midi(2)
        ),
        "D": demande(
            t, c["D"], Statut.INCOMPLETE, il_y_a=4, numero="FR-REX-2026-00004", date_limite=a_midi(-1)
        ),
        "E": demande(
            t, c["E"], Statut.OCTROYEE, il_y_a=5, numero="FR-REX-2026-00005", numero_rex="FRREXFR10000000005"
        ),
        "F1": demande(t, c["F"], Statut.REJETEE, il_y_a=60, numero="FR-REX-2025-00006"),
        "F2": demande(t, c["F"], Statut.EN_ETUDE, il_y_a=6, numero="FR-REX-2026-00006"),
        "G": demande(t, c["G"], Statut.REJETEE, il_y_a=7, numero="FR-REX-2025-00007"),
        "I": demande(
            t, c["I"], Statut.INCOMPLETE, il_y_a=8, numero="FR-REX-2026-00009", date_limite=a_midi(20)
        ),
    }
    return c, d


def lignes(response) -> list[tuple]:
    return [
        (ligne.raison_sociale, ligne.mandat, ligne.statut_libelle, ligne.numero_rex, ligne.jours)
        for ligne in response.context["lignes"]
    ]


def noms(response) -> list[str]:
    return [ligne.raison_sociale for ligne in response.context["lignes"]]


# ------------------------------------------------------------------ rows and order
def test_every_client_once_most_urgent_first_with_its_columns(client, transitaire, portefeuille):
    client.force_login(transitaire)
    response = client.get(URL)
    assert response.status_code == 200
    assert lignes(response) == [
        ("Delta Huiles", "en cours", "Incomplète", "", "dépassée"),
        ("Charlie Fromages", "en cours", "Incomplète", "", "J-2"),
        ("India Épices", "en cours", "Incomplète", "", "J-20"),
        ("Foxtrot Textiles", "en cours", "En étude", "", ""),
        ("Bravo Cognac", "en cours", "Brouillon", "", ""),
        ("Echo Parfums", "en cours", "Octroyée", "FRREXFR10000000005", ""),
        ("Golf Verres", "terminé", "Rejetée", "", ""),
        ("Alpha Vins", "en cours", "Aucune demande", "", ""),
        ("Hotel Soieries", "à venir", "Aucune demande", "", ""),
    ]


def test_each_row_links_to_its_request(client, transitaire, portefeuille):
    _, d = portefeuille
    client.force_login(transitaire)
    page = client.get(URL).content.decode()
    assert f'href="{reverse("rex:detail", args=[d["D"].pk])}">FR-REX-2026-00004' in page
    assert f'href="{reverse("rex:detail", args=[d["F2"].pk])}">FR-REX-2026-00006' in page
    assert f'href="{reverse("rex:formulaire", args=[d["B"].pk])}">Brouillon n° {d["B"].pk}' in page
    # The rejected request filed again is not the one shown; Alpha's own request is never reachable.
    assert reverse("rex:detail", args=[d["F1"].pk]) + '"' not in page
    assert reverse("rex:detail", args=[d["A"].pk]) + '"' not in page
    assert "FR-REX-2026-00001" not in page
    texte = " ".join(page.split())
    echeance = f"{timezone.localdate() + timedelta(days=2):%d/%m/%Y}"
    assert f'{echeance} <br> <span class="fr-text--xs fr-text--bold"> J-2' in texte


def test_the_mandates_dates(client, transitaire, portefeuille):
    client.force_login(transitaire)
    texte = " ".join(client.get(URL, {"q": "Golf"}).content.decode().split())
    debut = timezone.localdate() - timedelta(days=400)
    fin = timezone.localdate() - timedelta(days=30)
    assert f'Terminé <br> <span class="fr-text--xs"> du {debut:%d/%m/%Y} au {fin:%d/%m/%Y} </span>' in texte


def test_a_registration_being_modified_shows_the_modification_and_the_rex_number(client, transitaire):
    entreprise = EntrepriseFactory(raison_sociale="Kilo Bijoux", eori="FR10000000011")
    MandatFactory(representant=transitaire.entreprise, represente=entreprise)
    enregistrement = demande(
        transitaire,
        entreprise,
        Statut.MODIFICATION_DEMANDEE,
        il_y_a=30,
        numero="FR-REX-2025-00011",
        numero_rex="FRREXFR10000000011",
    )
    modification = demande(
        transitaire,
        entreprise,
        Statut.EN_ETUDE,
        il_y_a=1,
        numero="FR-REX-2026-00011",
        version_precedente=enregistrement,
    )
    client.force_login(transitaire)
    response = client.get(URL)
    assert lignes(response) == [("Kilo Bijoux", "en cours", "En étude", "FRREXFR10000000011", "")]
    assert response.context["lignes"][0].demande_pk == modification.pk


def test_a_day_left_is_a_paris_calendar_day():
    from rex.selectors_clients import jours_restants

    paris = timezone.get_default_timezone()
    # 23:30 in Paris on 30 March 2026 (summer time): the deadline at 00:30 the next day is J-1, and a
    # deadline later the same evening J-0; one past is « dépassée ».
    maintenant = datetime(2026, 3, 30, 23, 30, tzinfo=paris)
    assert jours_restants(datetime(2026, 3, 31, 0, 30, tzinfo=paris), maintenant) == "J-1"
    assert jours_restants(datetime(2026, 3, 30, 23, 45, tzinfo=paris), maintenant) == "J-0"
    assert jours_restants(datetime(2026, 3, 30, 23, 29, tzinfo=paris), maintenant) == "dépassée"
    # Across the change to summer time (29 March 2026, 2:00 → 3:00): still calendar days.
    avant = datetime(2026, 3, 28, 12, 0, tzinfo=paris)
    assert jours_restants(datetime(2026, 4, 1, 0, 10, tzinfo=paris), avant) == "J-4"
    assert jours_restants(None, maintenant) == ""


# ------------------------------------------------------------------ filters
@pytest.mark.parametrize(
    ("filtres", "attendus"),
    [
        ({"q": "delta"}, ["Delta Huiles"]),
        ({"q": "  fromages "}, ["Charlie Fromages"]),
        (
            {"q": "fr1000000000"},
            [
                "Delta Huiles",
                "Charlie Fromages",
                "India Épices",
                "Foxtrot Textiles",
                "Bravo Cognac",
                "Echo Parfums",
                "Golf Verres",
                "Alpha Vins",
                "Hotel Soieries",
            ],
        ),
        ({"q": "FR 10000000005"}, ["Echo Parfums"]),
        ({"statut": "incomplete"}, ["Delta Huiles", "Charlie Fromages", "India Épices"]),
        ({"statut": "en_etude"}, ["Foxtrot Textiles"]),
        ({"statut": "rejetee"}, ["Golf Verres"]),
        ({"statut": "aucune"}, ["Alpha Vins", "Hotel Soieries"]),
        ({"echeance": "on"}, ["Delta Huiles", "Charlie Fromages"]),
        ({"echeance": "on", "q": "charlie"}, ["Charlie Fromages"]),
        ({"statut": "octroyee", "echeance": "on"}, []),
        # An invalid value is ignored (shown as an error on its field).
        (
            {"statut": "inconnu"},
            [
                "Delta Huiles",
                "Charlie Fromages",
                "India Épices",
                "Foxtrot Textiles",
                "Bravo Cognac",
                "Echo Parfums",
                "Golf Verres",
                "Alpha Vins",
                "Hotel Soieries",
            ],
        ),
    ],
)
def test_filters(client, transitaire, portefeuille, filtres, attendus):
    client.force_login(transitaire)
    response = client.get(URL, filtres)
    assert response.status_code == 200
    assert noms(response) == attendus


def test_no_result_says_so(client, transitaire, portefeuille):
    client.force_login(transitaire)
    texte = " ".join(client.get(URL, {"q": "zzz"}).content.decode().split())
    assert "Aucun client ne correspond à votre recherche." in texte
    assert "Effacer les filtres" in texte


# ------------------------------------------------------------------ who sees what
def test_a_company_never_sees_another_representatives_clients(client, transitaire, portefeuille):
    autre = UserFactory(representant=True)
    propre = MandatFactory(representant=autre.entreprise).represente
    client.force_login(autre)
    response = client.get(URL)
    assert noms(response) == [propre.raison_sociale]
    for nom in ("Delta", "Echo Parfums", "FR10000000004"):
        assert nom not in response.content.decode()
    export = b"".join(client.get(URL_CSV).streaming_content).decode("utf-8-sig")
    assert "Delta" not in export and propre.raison_sociale in export
    # A colleague of the same company sees the same clients.
    collegue = UserFactory(representant=True, entreprise=transitaire.entreprise)
    client.force_login(collegue)
    assert len(client.get(URL).context["lignes"]) == 9


@pytest.mark.parametrize("url", [URL, URL_CSV])
def test_an_operator_who_is_not_a_representative_gets_a_404(client, url):
    client.force_login(UserFactory(habilite=True))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [URL, URL_CSV])
def test_an_officer_is_sent_to_his_back_office(client, url):
    client.force_login(UserFactory(agent=True))
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("agent:file")


def test_the_links_to_the_page_are_for_representatives_only(client, transitaire):
    client.force_login(transitaire)
    for page in (reverse("rex:accueil"), reverse("accounts:dashboard")):
        assert f'href="{URL}"' in client.get(page).content.decode()
    client.force_login(UserFactory(habilite=True))
    for page in (reverse("rex:accueil"), reverse("accounts:dashboard")):
        assert f'href="{URL}"' not in client.get(page).content.decode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(["q", "statut", "echeance", "page", "autre"]),
        st.one_of(
            st.text(max_size=300),
            st.sampled_from(["\x00", "\u202e", "-1", "0", "99999999999999999999", "'; DROP TABLE x", "%"]),
        ),
        max_size=4,
    )
)
def test_hostile_query_strings_answer_a_page_of_ones_own_clients(
    client, transitaire, portefeuille, parametres
):
    """Whatever the query string, a page (200) or a CSV of one's own clients, never a 5xx."""
    client.force_login(transitaire)
    response = client.get(URL, parametres)
    assert response.status_code == 200
    assert set(noms(response)) <= {e.raison_sociale for e in portefeuille[0].values()}
    export = client.get(URL_CSV, parametres)
    assert export.status_code == 200
    b"".join(export.streaming_content).decode("utf-8-sig")


# ------------------------------------------------------------------ pagination
def clients_en_masse(transitaire, n: int, *, depuis: int = 0) -> None:
    """`n` clients under mandate, in bulk: every fifth without a request, the others with one request,
    their statuses in turn (Incomplète ones due in 1 to 30 days)."""
    bureau = BureauDouaneFactory()
    cycle = (Statut.EN_ETUDE, Statut.BROUILLON, Statut.OCTROYEE, Statut.INCOMPLETE, None)
    entreprises = Entreprise.objects.bulk_create(
        Entreprise(
            eori=f"FR{900000000000 + k}",
            raison_sociale=f"Client {k:04d} Négoce",
            adresse="1 rue du Port",
            code_postal="13002",
            ville="Marseille",
        )
        for k in range(depuis, depuis + n)
    )
    Mandat.objects.bulk_create(Mandat(representant=transitaire.entreprise, represente=e) for e in entreprises)
    demandes = []
    for k, e in enumerate(entreprises, start=depuis):
        statut = cycle[k % len(cycle)]
        if statut is None:
            continue
        demandes.append(
            Demande(
                created_by=transitaire,
                titulaire=e,
                representant=transitaire.entreprise,
                bureau=bureau,
                service=None if statut == Statut.BROUILLON else bureau,
                statut=statut,
                numero=None if statut == Statut.BROUILLON else f"FR-REX-2026-{k:05d}",
                numero_rex=f"FRREX{e.eori}" if statut == Statut.OCTROYEE else "",
                titulaire_eori=e.eori,
                titulaire_raison_sociale=e.raison_sociale,
                date_limite=a_midi(1 + k % 30) if statut == Statut.INCOMPLETE else None,
            )
        )
    Demande.objects.bulk_create(demandes)


def test_25_clients_a_page_and_the_pages_keep_the_filters(client, transitaire):
    clients_en_masse(transitaire, 60)
    client.force_login(transitaire)
    premiere = client.get(URL)
    assert len(premiere.context["lignes"]) == 25
    # 60 clients, every fifth without a request (12): 12 Incomplète first, by deadline, then 12 En étude…
    attendus_incompletes = sorted((k for k in range(60) if k % 5 == 3), key=lambda k: (1 + k % 30, k))
    assert noms(premiere)[:12] == [f"Client {k:04d} Négoce" for k in attendus_incompletes]
    assert noms(premiere)[12:24] == [f"Client {k:04d} Négoce" for k in range(60) if k % 5 == 0]
    troisieme = client.get(URL, {"page": 3})
    assert noms(troisieme) == [f"Client {k:04d} Négoce" for k in range(60) if k % 5 == 4][2:]
    assert client.get(URL, {"page": 999}).context["lignes"] == troisieme.context["lignes"]
    assert len(client.get(URL, {"q": "Négoce", "statut": "en_etude"}).context["lignes"]) == 12
    filtree = client.get(URL, {"q": "Client", "echeance": "on"})
    # Due within 7 days: 1 + k % 30 <= 7 for k = 3, 33 (4 and 4 days).
    assert noms(filtree) == ["Client 0003 Négoce", "Client 0033 Négoce"]
    page = client.get(URL).content.decode()
    assert 'href="?page=2"' in page and "Mes clients (60), page 1 sur 3" in page
    page = client.get(
        URL, {"q": "Client", "echeance": "on", "statut": "incomplete", "page": 1}
    ).content.decode()
    assert "Mes clients (2)" in page


def test_the_page_links_keep_the_filters(client, transitaire):
    clients_en_masse(transitaire, 60)
    client.force_login(transitaire)
    page = client.get(URL, {"q": "Négoce", "statut": ""}).content.decode()
    assert 'href="?q=N%C3%A9goce&amp;page=2"' in page
    assert f'href="{URL_CSV}?q=N%C3%A9goce"' in page


def requetes(client, url: str, params: dict | None = None) -> int:
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as capture:
        response = client.get(url, params or {})
        if url == URL_CSV:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(capture.captured_queries)


@pytest.mark.parametrize(
    ("params", "premier"),
    [
        ({}, 0),
        ({"page": 2}, 0),
        ({"q": "Négoce", "statut": "incomplete"}, 3),
        ({"echeance": "on"}, 3),
        ({"statut": "aucune"}, 4),
    ],
)
def test_the_page_costs_the_same_queries_for_1_and_500_clients(client, transitaire, params, premier):
    """One client that the filters keep (client k = `premier` of clients_en_masse), then 500."""
    client.force_login(transitaire)
    clients_en_masse(transitaire, 1, depuis=premier)
    petit = requetes(client, URL, params)
    clients_en_masse(transitaire, 499, depuis=premier + 1)
    assert requetes(client, URL, params) == petit
    assert petit == 6  # the session, the user, his company; the count, the page's ids, its rows


def test_the_export_costs_the_same_queries_for_1_and_400_clients(client, transitaire):
    client.force_login(transitaire)
    clients_en_masse(transitaire, 1)
    petit = requetes(client, URL_CSV)
    clients_en_masse(transitaire, 399, depuis=1)
    assert requetes(client, URL_CSV) == petit


# ------------------------------------------------------------------ the CSV export
def test_the_export_is_the_whole_filtered_list_in_csv(client, transitaire, portefeuille):
    client.force_login(transitaire)
    response = client.get(URL_CSV, {"statut": "incomplete"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="mes-clients-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    contenu = b"".join(response.streaming_content)
    assert contenu.startswith(b"\xef\xbb\xbf")
    rangees = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    aujourd_hui = timezone.localdate()
    assert rangees == [
        [
            "Raison sociale",
            "EORI",
            "Mandat",
            "Début du mandat",
            "Fin du mandat",
            "Statut REX",
            "Numéro de demande",
            "Numéro REX",
            "Date limite de réponse",
            "Jours restants",
        ],
        [
            "Delta Huiles",
            "FR10000000004",
            "en cours",
            f"{aujourd_hui:%d/%m/%Y}",
            "",
            "Incomplète",
            "FR-REX-2026-00004",
            "",
            f"{aujourd_hui - timedelta(days=1):%d/%m/%Y}",
            "dépassée",
        ],
        [
            "Charlie Fromages",
            "FR10000000003",
            "en cours",
            f"{aujourd_hui:%d/%m/%Y}",
            "",
            "Incomplète",
            "FR-REX-2026-00003",
            "",
            f"{aujourd_hui + timedelta(days=2):%d/%m/%Y}",
            "J-2",
        ],
        [
            "India Épices",
            "FR10000000009",
            "en cours",
            f"{aujourd_hui:%d/%m/%Y}",
            "",
            "Incomplète",
            "FR-REX-2026-00009",
            "",
            f"{aujourd_hui + timedelta(days=20):%d/%m/%Y}",
            "J-20",
        ],
    ]


def test_the_export_holds_every_row_beyond_a_page(client, transitaire):
    clients_en_masse(transitaire, 60)
    client.force_login(transitaire)
    contenu = b"".join(client.get(URL_CSV).streaming_content).decode("utf-8-sig")
    rangees = list(csv.reader(io.StringIO(contenu), delimiter=";"))
    assert len(rangees) == 61
    assert rangees[13][0] == "Client 0000 Négoce"  # the first En étude, after the 12 Incomplète
    assert rangees[-1][0] == "Client 0059 Négoce"  # the last without a request


@pytest.mark.parametrize("debut", ["=", "+", "-", "@"])
def test_a_cell_a_spreadsheet_would_compute_is_quoted(client, transitaire, debut):
    nom = f'{debut}HYPERLINK("http://exemple.invalid";"clic")'
    MandatFactory(representant=transitaire.entreprise, represente=EntrepriseFactory(raison_sociale=nom))
    client.force_login(transitaire)
    contenu = b"".join(client.get(URL_CSV).streaming_content).decode("utf-8-sig")
    rangees = list(csv.reader(io.StringIO(contenu), delimiter=";"))
    assert rangees[1][0] == "'" + nom
    # On the page, the name is text, escaped.
    page = client.get(URL).content.decode()
    assert "HYPERLINK(&quot;http://exemple.invalid&quot;;&quot;clic&quot;)" in page


def test_a_name_is_never_html(client, transitaire):
    MandatFactory(
        representant=transitaire.entreprise,
        represente=EntrepriseFactory(raison_sociale="<script>alert(1)</script> SARL"),
    )
    client.force_login(transitaire)
    page = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; SARL" in page


# ------------------------------------------------------------------ plans (PostgreSQL)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize("params", [{}, {"q": "Négoce"}, {"statut": "incomplete", "echeance": "on"}])
def test_every_query_of_the_page_has_an_index_path(client, transitaire, params):
    """With sequential scans priced out, no query reads the requests or the mandates whole: the mandates
    by their (representant, represente) index, each client's requests by (titulaire, statut, …)."""
    autre = UserFactory(representant=True)
    clients_en_masse(transitaire, 200)
    clients_en_masse(autre, 200, depuis=1000)
    client.force_login(transitaire)
    client.get(URL, params)
    with CaptureQueriesContext(connection) as capturees:
        client.get(URL, params)
    vues = 0
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for requete in capturees:
            if "accounts_mandat" not in requete["sql"] or not requete["sql"].startswith("SELECT"):
                continue
            vues += 1
            cursor.execute("EXPLAIN " + requete["sql"])
            plan = "\n".join(ligne for (ligne,) in cursor.fetchall())
            assert not re.search(r"Seq Scan on (rex_demande|accounts_mandat|accounts_entreprise)\b", plan), (
                f"{requete['sql']}\n{plan}"
            )
    assert vues == 3  # the count, the page's ids, its rows
