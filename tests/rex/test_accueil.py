"""The REX home (guide §3.5): its four tables tell screen readers what they hold; each list is paged,
searched and, for a representative, filtered by client, at a cost that does not grow with them."""

import re
from datetime import timedelta
from urllib.parse import urlencode

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import Entreprise, Mandat
from rex import selectors, services
from rex.models import Demande, Statut
from tests.factories import BureauDouaneFactory, DemandeFactory, EntrepriseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_table_caption_names_the_list_and_its_count_never_the_empty_text(client):
    operateur = UserFactory(habilite=True)
    DemandeFactory(complete=True, created_by=operateur)
    soumise = DemandeFactory(
        complete=True, created_by=UserFactory(habilite=True, entreprise=operateur.entreprise)
    )
    services.soumettre(demande=soumise, by=soumise.created_by)
    client.force_login(operateur)
    url = reverse("rex:accueil")
    pages = {
        onglet: client.get(url, {"onglet": onglet}, headers={"HX-Request": "true"}).content.decode()
        for onglet in selectors.LISTES_ACCUEIL
    }
    assert [legendes(page) for page in pages.values()] == [
        ["Mes demandes en cours (1)"],
        ["Mes brouillons (1)"],
        [],
        [],
    ]
    assert "Aucune demande en cours." not in pages["en_cours"]
    assert "Aucun brouillon." not in pages["brouillons"]
    # The lists that are empty say so in a paragraph, not in a table.
    assert "<p>Aucune autorisation.</p>" in pages["autorisations"]
    assert "<p>Aucune demande rejetée.</p>" in pages["rejetees"]
    # The page itself holds the open tab's list; the others come when their tab is opened.
    page = client.get(url).content.decode()
    assert legendes(page) == ["Mes demandes en cours (1)"]
    assert 'hx-get="?onglet=brouillons&amp;page=1"' in page
    assert 'hx-trigger="click from:#onglet-brouillons once"' in page
    lien = '<a href="?onglet=autorisations&amp;page=1">Afficher la liste « Mes autorisations » (0)</a>'
    assert lien in page


# ------------------------------------------------------------------ lists that grow with the customer
STATUTS_CYCLE = (Statut.EN_ETUDE, Statut.BROUILLON, Statut.OCTROYEE, Statut.REJETEE, Statut.INCOMPLETE)


def clients_et_demandes(transitaire, n: int, *, bureau=None, depuis: int = 0) -> list[Demande]:
    """`n` clients under mandate, one request each (statuses in turn), written in bulk; the request of
    client k was last updated k minutes ago."""
    bureau = bureau or BureauDouaneFactory()
    clients = Entreprise.objects.bulk_create(
        EntrepriseFactory.build(
            eori=f"FR{900000000000 + depuis + k}", raison_sociale=f"Client {depuis + k:04d} Négoce"
        )
        for k in range(n)
    )
    Mandat.objects.bulk_create(Mandat(representant=transitaire.entreprise, represente=c) for c in clients)
    maintenant = timezone.now()
    demandes = []
    for k, client in enumerate(clients, start=depuis):
        statut = STATUTS_CYCLE[k % len(STATUTS_CYCLE)]
        demandes.append(
            Demande(
                created_by=transitaire,
                titulaire=client,
                representant=transitaire.entreprise,
                bureau=bureau,
                service=None if statut == Statut.BROUILLON else bureau,
                statut=statut,
                numero=None if statut == Statut.BROUILLON else f"FR-REX-2026-{k:05d}",
                numero_rex=f"FRREX{client.eori}" if statut == Statut.OCTROYEE else "",
                titulaire_eori=client.eori,
                titulaire_raison_sociale=client.raison_sociale,
                date_limite=maintenant + timedelta(days=20) if statut == Statut.INCOMPLETE else None,
            )
        )
    demandes = Demande.objects.bulk_create(demandes)
    for k, demande in enumerate(demandes, start=depuis):
        Demande.objects.filter(pk=demande.pk).update(updated_at=maintenant - timedelta(minutes=k))
    return demandes


def requetes(client, url: str) -> int:
    client.get(url)  # per-process caches (content types, sessions) warmed first
    with CaptureQueriesContext(connection) as capture:
        response = client.get(url)
    assert response.status_code == 200
    return len(capture.captured_queries)


def legendes(page: str) -> list[str]:
    return [" ".join(c.split()) for c in re.findall(r"<caption>(.*?)</caption>", page, flags=re.S)]


def numeros(response, liste: str) -> list[str]:
    return [d.numero for d in response.context[liste]]


@pytest.fixture
def transitaire():
    return UserFactory(representant=True)


def test_representative_home_costs_the_same_queries_for_1_and_500_clients(client, transitaire):
    client.force_login(transitaire)
    bureau = BureauDouaneFactory()
    # One client with a request in each list: a draft, a rejected request, its registration (granted)
    # and the modification of that registration being instructed.
    (enregistrement,) = clients_et_demandes(transitaire, 1, bureau=bureau)
    Demande.objects.filter(pk=enregistrement.pk).update(numero_rex="FRREX900000000000")
    Demande.objects.bulk_create(
        Demande(
            created_by=transitaire,
            titulaire=enregistrement.titulaire,
            representant=transitaire.entreprise,
            bureau=bureau,
            service=service,
            statut=statut,
            numero=numero,
            version_precedente=precedente,
        )
        for statut, service, numero, precedente in (
            (Statut.BROUILLON, None, None, None),
            (Statut.REJETEE, bureau, "FR-REX-2025-00001", None),
            (Statut.EN_ETUDE, bureau, "FR-REX-2026-99999", enregistrement),
        )
    )
    Demande.objects.filter(pk=enregistrement.pk).update(statut=Statut.OCTROYEE)
    url = reverse("rex:accueil")
    recherche = url + "?" + urlencode({"q": "Client", "client": "Négoce", "onglet": "autorisations"})
    petit, petit_recherche = requetes(client, url), requetes(client, recherche)
    clients_et_demandes(transitaire, 499, bureau=bureau, depuis=1)
    assert requetes(client, url) == petit
    assert requetes(client, recherche) == petit_recherche
    assert requetes(client, url + "?onglet=en_cours&page=3") == petit


def test_operator_home_and_mes_autorisations_cost_the_same_queries_for_1_and_500_requests(client):
    """An operator's company as holder: its registration and, across the years, many rejected requests
    (the one-active-request rule leaves them in « Mes demandes rejetées »)."""
    operateur = UserFactory(habilite=True)
    bureau = BureauDouaneFactory()

    def rejetees(n):
        Demande.objects.bulk_create(
            Demande(
                created_by=operateur,
                titulaire=operateur.entreprise,
                bureau=bureau,
                service=bureau,
                statut=Statut.REJETEE,
                numero=f"FR-REX-2025-{Demande.objects.count() + k:05d}",
            )
            for k in range(n)
        )

    Demande.objects.bulk_create(
        [
            Demande(
                created_by=operateur,
                titulaire=operateur.entreprise,
                bureau=bureau,
                service=bureau,
                statut=Statut.OCTROYEE,
                numero="FR-REX-2024-00001",
                numero_rex=f"FRREX{operateur.entreprise.eori}",
            )
        ]
    )
    rejetees(1)
    client.force_login(operateur)
    url = reverse("rex:accueil")
    autorisations = url + "?onglet=autorisations"
    petit, petit_autorisations = requetes(client, url), requetes(client, autorisations)
    petit_rejetees = requetes(client, url + "?onglet=rejetees")
    rejetees(499)
    assert requetes(client, url) == petit
    assert requetes(client, autorisations) == petit_autorisations
    assert requetes(client, url + "?onglet=rejetees&page=20") == petit_rejetees
    response = client.get(url + "?onglet=rejetees&page=20")
    assert len(response.context["rejetees"].object_list) == 25 and response.context["rejetees"].number == 20


def test_each_list_shows_25_rows_a_page_last_updated_first_and_its_pages(client, transitaire):
    demandes = clients_et_demandes(transitaire, 150)  # 30 requests in each status
    client.force_login(transitaire)
    url = reverse("rex:accueil")
    response = client.get(url)
    page = response.content.decode()
    en_etude = [d.numero for d in demandes if d.statut in (Statut.EN_ETUDE, Statut.INCOMPLETE)]
    assert numeros(response, "en_cours") == en_etude[:25], "last updated first"
    assert legendes(page) == ["Mes demandes en cours (60), page 1 sur 3"]
    for onglet in ("Mes demandes en cours (60)", "Mes brouillons (30)", "Mes autorisations (30)"):
        assert onglet in page
    assert 'href="?onglet=en_cours&amp;page=3">Dernière page</a>' in page
    fragment = client.get(url, {"onglet": "autorisations"}, headers={"HX-Request": "true"})
    assert legendes(fragment.content.decode()) == ["Mes autorisations (30), page 1 sur 2"]
    assert "<h1>" not in fragment.content.decode(), "the list alone"
    assert 'aria-label="Pagination — Mes autorisations"' in fragment.content.decode()
    assert 'href="?onglet=autorisations&amp;page=2">2</a>' in fragment.content.decode()

    response = client.get(url, {"onglet": "en_cours", "page": 3})
    assert numeros(response, "en_cours") == en_etude[50:60]
    assert "Mes demandes en cours (60), page 3 sur 3" in legendes(response.content.decode())

    # The page of one list opens its tab; the others show their first page.
    response = client.get(url, {"onglet": "autorisations", "page": 2})
    page = response.content.decode()
    autorisations = [d.numero for d in demandes if d.statut == Statut.OCTROYEE]
    assert numeros(response, "autorisations") == autorisations[25:30]
    assert legendes(page) == ["Mes autorisations (30), page 2 sur 2"]
    onglet = re.search(r'<button[^>]*id="onglet-autorisations"[^>]*>', page, flags=re.S).group(0)
    assert 'aria-selected="true"' in onglet
    assert re.search(r'id="autorisations"\s+class="fr-tabs__panel fr-tabs__panel--selected"', page)
    assert 'class="fr-tabs__panel fr-tabs__panel--selected"' not in page.split('id="autorisations"')[0]

    # A page past the end shows the last one; nonsense is ignored.
    assert client.get(url, {"onglet": "rejetees", "page": 99}).context["rejetees"].number == 2
    assert client.get(url, {"onglet": "inconnu", "page": "x"}).status_code == 200


def test_search_finds_by_number_eori_and_part_of_the_name_in_every_list(client, transitaire):
    demandes = clients_et_demandes(transitaire, 10)
    client.force_login(transitaire)
    url = reverse("rex:accueil")

    def trouve(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return sorted(
            d.titulaire.raison_sociale
            for liste in ("en_cours", "brouillons", "autorisations", "rejetees")
            for d in response.context[liste]
        )

    assert trouve(q=demandes[3].numero) == ["Client 0003 Négoce"]
    assert trouve(q="fr-rex-2026-0000") == sorted(
        f"Client {k:04d} Négoce" for k in range(10) if demandes[k].numero
    ), "a prefix of the number, whatever the case"
    assert trouve(q="FR900000000007") == ["Client 0007 Négoce"], "the EORI"
    assert trouve(q="t 0002 nég") == ["Client 0002 Négoce"], "part of the raison sociale, any case"
    assert trouve(q=f"FRREX{demandes[2].titulaire.eori}") == ["Client 0002 Négoce"], "the REX number"
    assert trouve(q="Introuvable") == []
    page = client.get(url, {"q": "Introuvable"}).content.decode()
    assert "<p>Aucune demande en cours.</p>" in page and "Effacer la recherche" in page
    assert 'value="Introuvable"' in page


def test_a_representative_filters_by_client(client, transitaire):
    clients_et_demandes(transitaire, 12)
    client.force_login(transitaire)
    response = client.get(reverse("rex:accueil"), {"client": "Client 0011"})
    assert [d.titulaire.raison_sociale for d in response.context["rejetees"]] == []
    trouvees = [d for liste in ("en_cours", "brouillons", "autorisations") for d in response.context[liste]]
    assert [d.titulaire.raison_sociale for d in trouvees] == ["Client 0011 Négoce"]
    response = client.get(reverse("rex:accueil"), {"client": "FR900000000004"})
    assert [d.titulaire.eori for d in response.context["en_cours"]] == ["FR900000000004"]
    page = response.content.decode()
    assert "Client" in page and 'name="client"' in page


def test_an_operator_has_the_search_but_no_client_filter(client):
    operateur = UserFactory(habilite=True)
    client.force_login(operateur)
    page = client.get(reverse("rex:accueil")).content.decode()
    assert 'name="q"' in page and 'name="client"' not in page
    assert "Effacer la recherche" not in page


def test_the_search_never_reaches_someone_elses_requests(client, transitaire):
    clients_et_demandes(transitaire, 5)
    autre = UserFactory(representant=True)
    client.force_login(autre)
    response = client.get(reverse("rex:accueil"), {"q": "Client"})
    assert all(len(response.context[liste].object_list) == 0 for liste in selectors.LISTES_ACCUEIL)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize(
    ("filtre", "index"),
    [
        ({"raison_sociale__icontains": "durand"}, "accounts_entreprise_raison_sociale_trgm"),
        ({"eori__istartswith": "FR90000"}, "accounts_entreprise_eori_prefixe"),
    ],
)
def test_the_client_filter_reads_the_companies_through_their_indexes(filtre, index):
    """The client filter and the search match the holder's company: by the trigram index of its name and
    the prefix index of its EORI (migration accounts 0003), not by reading every company."""
    EntrepriseFactory.create_batch(30)
    sql, params = Entreprise.objects.filter(**filtre).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(ligne for (ligne,) in cursor.fetchall())
    assert index in plan and "Seq Scan" not in plan, plan
