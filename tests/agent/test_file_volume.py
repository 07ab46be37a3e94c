"""The queue at volume (issue 9): as many queries for 1 request as for 500, whatever the filter, the sort
or the depth of the page; pages by cursor, in a total order that inserts do not disturb; a forged cursor
is the first page; search by partial raison sociale, number prefix and EORI prefix."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from rex import selectors
from rex.models import Demande
from tests.agent.volume import (
    A_MOI_EN_ETUDE,
    DURAND,
    LIBRE_EN_ETUDE,
    PROCHE,
    eori,
    file_de,
    numero,
    requetes,
)

pytestmark = pytest.mark.django_db

URL = reverse("agent:file")
# A page of the queue: session, user, counters, officers of the filter, rows, modifications being
# instructed, paper drafts (guardian), « Mes filtres », the services of the bulk « Réaffecter », and for
# a filter other than the status a bounded count.
REQUETES_MAX = 11


def pks(response) -> list[int]:
    return [demande.pk for demande in response.context["page_obj"]]


# (filters, rank of the single request of the small queue: a kind that the filter shows)
FILTRES = [
    ({}, DURAND),
    ({"statut": "incomplete"}, DURAND),
    ({"statut": "en_etude", "tri": "echeance"}, LIBRE_EN_ETUDE),
    ({"agent": "moi"}, A_MOI_EN_ETUDE),
    ({"agent": "aucun"}, LIBRE_EN_ETUDE),
    ({"echeance": "depassee"}, DURAND),
    ({"echeance": "proche", "tri": "echeance"}, PROCHE),
    ({"tri": "echeance"}, DURAND),
    ({"q": "durand"}, DURAND),
    ({"q": "fr-rex-2026-000"}, DURAND),
    ({"q": eori(0)[:9].lower()}, DURAND),
]


@pytest.mark.parametrize(("filtres", "rang"), FILTRES, ids=[str(f) for f, _ in FILTRES])
def test_queue_queries_are_the_same_for_1_and_500_requests(client_agent, service, agent, filtres, rang):
    file_de(service, 1, agent=agent, debut=rang)
    une = requetes(client_agent, URL, filtres)
    file_de(service, 499, agent=agent, debut=rang + 1)
    reponse = client_agent.get(URL, filtres)
    assert len(pks(reponse)) == 25, "the large queue fills a page"
    assert requetes(client_agent, URL, filtres) == une <= REQUETES_MAX


@pytest.mark.parametrize("tri", ["", "echeance"])
def test_a_deep_page_costs_what_the_first_costs(
    client_agent, service, agent, tri, django_assert_max_num_queries
):
    file_de(service, 500, agent=agent)
    premiere = requetes(client_agent, URL, {"tri": tri})
    url, pages = f"{URL}?tri={tri}", 0
    while url:
        with CaptureQueriesContext(connection) as capturees:
            reponse = client_agent.get(url)
        # One more query only on the page that crosses from the requests with a deadline to the others.
        assert len(capturees) <= premiere + (1 if tri else 0)
        url, pages = reponse.context["liens"]["suivante"], pages + 1
    assert pages == 20
    with django_assert_max_num_queries(REQUETES_MAX):
        client_agent.get(reponse.context["liens"]["precedente"])


def ordre_attendu(demandes: list[Demande], tri: str) -> list[int]:
    """The queue's order, from its definition: last update first (then the latest id); by deadline,
    the nearest deadline first, those without one after, each then by last update and id."""
    par_mise_a_jour = sorted(demandes, key=lambda d: (d.updated_at, d.pk), reverse=True)
    if tri != "echeance":
        return [d.pk for d in par_mise_a_jour]
    avec = [d for d in par_mise_a_jour if d.date_limite is not None]
    sans = [d for d in par_mise_a_jour if d.date_limite is None]
    return [d.pk for d in sorted(avec, key=lambda d: d.date_limite)] + [d.pk for d in sans]


@pytest.mark.parametrize("tri", ["", "echeance"])
def test_pages_follow_a_total_order_that_inserts_do_not_disturb(client_agent, service, agent, tri):
    originales = file_de(service, 80, agent=agent)
    # Ties on every key but the id: same last update for 30 requests, same deadline for 10 of them.
    meme_instant = timezone.now() - datetime.timedelta(days=2)
    Demande.objects.filter(pk__in=[d.pk for d in originales[10:40]]).update(updated_at=meme_instant)
    Demande.objects.filter(pk__in=[d.pk for d in originales[10:40]], date_limite__isnull=False).update(
        date_limite=meme_instant + datetime.timedelta(days=10)
    )
    attendu = ordre_attendu(list(Demande.objects.filter(pk__in=[d.pk for d in originales])), tri)
    vus, url, rang = [], f"{URL}?tri={tri}", 1000
    while url:
        reponse = client_agent.get(url)
        vus += pks(reponse)
        # Between two page loads, new requests arrive: with a deadline (the nearest, the farthest, one
        # tied with the cursor's), and without.
        nouvelles = file_de(service, 6, agent=agent, debut=rang)
        rang += 6
        Demande.objects.filter(pk=nouvelles[0].pk).update(updated_at=meme_instant)
        url = reponse.context["liens"]["suivante"]
    assert len(vus) == len(set(vus)), "no request shown twice"
    originaux = set(attendu)
    assert [pk for pk in vus if pk in originaux] == attendu, "none skipped, in the order of the queue"


@pytest.mark.parametrize("tri", ["", "echeance"])
def test_previous_leads_back_through_the_same_pages(client_agent, service, agent, tri):
    file_de(service, 60, agent=agent)
    pages, url = [], f"{URL}?tri={tri}"
    while url:
        reponse = client_agent.get(url)
        pages.append(pks(reponse))
        url = reponse.context["liens"]["suivante"]
    assert [len(page) for page in pages] == [25, 25, 10]
    retour = [pks(reponse)]
    while url := reponse.context["liens"]["precedente"]:
        reponse = client_agent.get(url)
        retour.insert(0, pks(reponse))
    assert retour == pages
    assert not reponse.context["liens"]["premiere"], "back on the first page"


def test_pagination_links_are_dsfr_french_and_keep_the_filters(client_agent, service, agent):
    file_de(service, 60, agent=agent)
    premiere = client_agent.get(URL, {"statut": "incomplete", "tri": "echeance"})
    html = " ".join(premiere.content.decode().split())
    assert 'class="fr-pagination" aria-label="Pagination de la file des demandes"' in html
    assert 'aria-disabled="true" role="link">Précédent</a>' in html
    suivante = premiere.context["liens"]["suivante"]
    assert "statut=incomplete" in suivante and "tri=echeance" in suivante and "apres=" in suivante
    assert f'href="{suivante.replace("&", "&amp;")}"' in html and ">Suivant</a>" in html
    seconde = client_agent.get(suivante)
    assert "statut=incomplete" in seconde.context["liens"]["precedente"]
    assert ">Première page</a>" in seconde.content.decode()


@pytest.mark.parametrize(
    "curseur",
    [
        "x",
        "m",
        "m.",
        "m..",
        "m.abc.1",
        "m.1.0",
        "m.-5.3",
        "m.1.99999999999999999999",
        "m.9999999999999999999.1",
        "m.1.2.3",
        "e.1.2",
        "zz.1.2",
        "m.1\x00.2",
        "m." + "9" * 500 + ".1",
        "ｍ.１.２",
    ],
)
@pytest.mark.parametrize("sens", ["apres", "avant"])
def test_a_forged_cursor_is_the_first_page(client_agent, service, agent, curseur, sens):
    file_de(service, 30, agent=agent)
    premiere = pks(client_agent.get(URL))
    for tri in ("", "echeance"):
        reponse = client_agent.get(URL, {sens: curseur, "tri": tri})
        assert reponse.status_code == 200
        assert pks(reponse) == pks(client_agent.get(URL, {"tri": tri}))
    assert pks(client_agent.get(URL, {sens: curseur})) == premiere


def test_a_cursor_past_the_end_is_the_first_page(client_agent, service, agent):
    file_de(service, 30, agent=agent)
    premiere = client_agent.get(URL)
    seconde = client_agent.get(premiere.context["liens"]["suivante"])
    Demande.objects.filter(pk__in=pks(seconde)).delete()
    assert pks(client_agent.get(premiere.context["liens"]["suivante"])) == pks(premiere)


def test_the_old_page_numbers_show_the_first_page(client_agent, service, agent):
    file_de(service, 30, agent=agent)
    assert pks(client_agent.get(URL, {"page": 2})) == pks(client_agent.get(URL))


# ---------------------------------------------------------------------- search (PostgreSQL and SQLite)
def recherche(client, q) -> set[str]:
    return {demande.numero for demande in client.get(URL, {"q": q}).context["page_obj"]}


def test_search_finds_a_partial_raison_sociale(client_agent, service, agent):
    file_de(service, 12, agent=agent)
    durands = {numero(0), numero(6)}
    assert recherche(client_agent, "urand") == durands
    assert recherche(client_agent, "  vignobles   DURAND ") == durands
    assert recherche(client_agent, "Durand 6") == {numero(6)}
    assert recherche(client_agent, "Dupont") == set()


def test_search_finds_a_number_by_its_prefix(client_agent, service, agent):
    file_de(service, 12, agent=agent)
    assert recherche(client_agent, numero(7)) == {numero(7)}
    assert recherche(client_agent, "fr-rex-2026-0001") == {numero(10), numero(11)}
    assert recherche(client_agent, " FR-REX- 2026-00007 ") == {numero(7)}, "spaces and case aside"
    assert recherche(client_agent, "2026-00007") == {numero(7)}, "typed without « FR-REX- »"
    assert recherche(client_agent, "00007") == set(), "a prefix, not any part of the number"


def test_search_finds_an_eori_by_its_prefix(client_agent, service, agent):
    file_de(service, 12, agent=agent)
    assert recherche(client_agent, eori(3)) == {numero(3)}
    assert recherche(client_agent, eori(3).lower()) == {numero(3)}
    assert recherche(client_agent, "fr 0000 0000 001") == {numero(rang) for rang in range(9, 12)}
    assert recherche(client_agent, eori(3)[4:]) == set(), "a prefix, not any part of the EORI"


def test_a_count_beyond_the_cap_says_so(client_agent, service, agent, monkeypatch):
    monkeypatch.setattr(selectors, "PLAFOND_DECOMPTE", 10)
    file_de(service, 30, agent=agent)
    texte = " ".join(client_agent.get(URL, {"q": "fr"}).content.decode().split())
    assert "Plus de 10 demandes correspondent à votre recherche" in texte
    texte = " ".join(client_agent.get(URL, {"q": "durand"}).content.decode().split())
    assert "5 demandes correspondent à votre recherche" in texte
    texte = " ".join(client_agent.get(URL, {"statut": "incomplete"}).content.decode().split())
    assert "15 demandes correspondent à votre recherche" in texte, "the counters give the total"


# ---------------------------------------------------------------------- plans (PostgreSQL)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize(("filtres", "rang"), FILTRES, ids=[str(f) for f, _ in FILTRES])
def test_every_query_of_the_queue_has_an_index_path(client_agent, service, agent, filtres, rang):
    """With sequential scans priced out, no query of the page reads rex_demande whole: each has an index
    that matches its filter, its order or its search (a small table would be scanned otherwise)."""
    file_de(service, 50, agent=agent)
    client_agent.get(URL, filtres)
    with CaptureQueriesContext(connection) as capturees:
        client_agent.get(URL, filtres)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for requete in capturees:
            if "rex_demande" not in requete["sql"] or not requete["sql"].startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + requete["sql"])
            plan = "\n".join(ligne for (ligne,) in cursor.fetchall())
            assert "Seq Scan on rex_demande " not in plan, f"{requete['sql']}\n{plan}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize(
    ("filtre", "index"),
    [
        ({"titulaire_raison_sociale__icontains": "durand"}, "rex_demande_raison_sociale_trgm"),
        ({"numero__startswith": "FR-REX-2026-0001"}, "numero"),
        ({"titulaire_eori__startswith": "FR00000"}, "titulaire_eori"),
    ],
)
def test_the_search_uses_the_trigram_and_prefix_indexes(service, agent, filtre, index):
    file_de(service, 50, agent=agent)
    sql, params = Demande.objects.filter(**filtre).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(ligne for (ligne,) in cursor.fetchall())
    assert index in plan and "Seq Scan" not in plan, plan
