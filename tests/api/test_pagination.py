"""Pagination by cursor: every request once, in order, even when requests change between two pages."""

import pytest

from rex.models import Demande
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def parcourir(api, url: str, **params) -> list[list[int]]:
    """The ids of each page, following `suivant` to the end."""
    pages = []
    response = api.get(url, params)
    while True:
        corps = response.json()
        pages.append([d["id"] for d in corps["resultats"]])
        if corps["suivant"] is None:
            return pages
        response = api.get(corps["suivant"])


@pytest.fixture
def user_et_demandes():
    user = UserFactory(habilite=True)
    demandes = DemandeFactory.create_batch(7, created_by=user)
    return user, [d.pk for d in sorted(demandes, key=lambda d: (d.updated_at, d.pk), reverse=True)]


def test_following_suivant_lists_every_request_once_in_order(api_de, user_et_demandes):
    user, attendus = user_et_demandes
    pages = parcourir(api_de(user), "/api/v1/demandes/", taille=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sum(pages, []) == attendus


def test_a_request_updated_meanwhile_shifts_no_page(api_de, user_et_demandes):
    user, attendus = user_et_demandes
    api = api_de(user)
    premiere = api.get("/api/v1/demandes/", {"taille": 3}).json()
    # A new request and an update: both move to the top, before the cursor.
    DemandeFactory(created_by=user)
    Demande.objects.filter(pk=attendus[-1]).update(courriel="nouveau@exemple.fr")
    suite = parcourir(api, premiere["suivant"])
    vus = [d["id"] for d in premiere["resultats"]] + sum(suite, [])
    assert len(vus) == len(set(vus)), "no request shown twice"
    assert set(attendus[:-1]) <= set(vus), "no request skipped"


def test_precedent_leads_back(api_de, user_et_demandes):
    user, attendus = user_et_demandes
    api = api_de(user)
    premiere = api.get("/api/v1/demandes/", {"taille": 3}).json()
    assert premiere["precedent"] is None
    seconde = api.get(premiere["suivant"]).json()
    assert [d["id"] for d in seconde["resultats"]] == attendus[3:6]
    retour = api.get(seconde["precedent"]).json()
    assert [d["id"] for d in retour["resultats"]] == attendus[:3]


def test_the_links_keep_the_filters(api_de, user_et_demandes):
    user, _ = user_et_demandes
    corps = api_de(user).get("/api/v1/demandes/", {"taille": 3, "statut": "brouillon"}).json()
    assert "statut=brouillon" in corps["suivant"] and "taille=3" in corps["suivant"]


def test_a_cursor_of_another_order_gives_the_first_page(api_de, user_et_demandes):
    user, attendus = user_et_demandes
    corps = api_de(user).get("/api/v1/demandes/", {"taille": 3, "apres": "x.1.2"}).json()
    assert [d["id"] for d in corps["resultats"]] == attendus[:3]


def test_a_malformed_cursor_is_a_400(api_de, user_et_demandes):
    user, _ = user_et_demandes
    response = api_de(user).get("/api/v1/demandes/", {"apres": "page 2"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["apres"]


@pytest.mark.parametrize("taille", ["0", "101", "beaucoup"])
def test_an_invalid_page_size_is_a_400(api_de, user_et_demandes, taille):
    user, _ = user_et_demandes
    response = api_de(user).get("/api/v1/demandes/", {"taille": taille})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["taille"]


def test_query_parameters_are_not_trimmed_beyond_what_the_schema_says(client, db):
    """U+0085 (NEL) is whitespace for Python's strip(), not for the schema's (ECMA) patterns: a filter made
    of it is refused, not read as empty."""
    from tests.api.conftest import jeton
    from tests.factories import UserFactory

    valeur = jeton(UserFactory(agent=True))
    reponse = client.get(
        "/api/v1/agent/file/", {"agent": "\x85"}, headers={"Authorization": f"Bearer {valeur}"}
    )
    assert reponse.status_code == 400
    assert reponse["Content-Type"] == "application/problem+json"
    assert "agent" in reponse.json()["errors"]
    reponse = client.get(
        "/api/v1/agent/file/", {"avant": "\x85"}, headers={"Authorization": f"Bearer {valeur}"}
    )
    assert reponse.status_code == 400


def test_a_query_parameter_given_twice_is_refused(client, db):
    """Every parameter takes one value (the schema says a string): « q » twice is a 400 problem, not its
    last value silently."""
    from tests.api.conftest import jeton
    from tests.factories import UserFactory

    valeur = jeton(UserFactory(agent=True))
    reponse = client.get(
        "/api/v1/agent/file/?q=Durand&q=Dupont&statut=en_etude",
        headers={"Authorization": f"Bearer {valeur}"},
    )
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"q": ["Le paramètre « q » n'est attendu qu'une fois."]}
