"""GET /soprano/rex/nomenclature/?q=…: suggestions for rubrique 5, as HTML for htmx or as JSON."""

from django.urls import reverse

import pytest

from rex.models import Chapitre, PositionTarifaire
from rex.nomenclature import normaliser_recherche
from tests.factories import UserFactory

URL = reverse("rex:nomenclature")


@pytest.fixture
def vins(db):
    chapitre = Chapitre.objects.create(
        code="22", libelle="BOISSONS", libelle_recherche=normaliser_recherche("BOISSONS")
    )
    libelle = "Vins de raisins frais, y compris les vins enrichis en alcool"
    PositionTarifaire.objects.create(
        code="2204", chapitre=chapitre, libelle=libelle, libelle_recherche=normaliser_recherche(libelle)
    )


@pytest.fixture
def connected(client, vins):
    client.force_login(UserFactory(habilite=True))
    return client


def test_json_when_asked_by_the_accept_header(connected):
    response = connected.get(URL, {"q": "vin"}, headers={"Accept": "application/json"})

    assert response["Content-Type"] == "application/json"
    assert response.json() == [
        {
            "code": "2204",
            "libelle": "Vins de raisins frais, y compris les vins enrichis en alcool",
            "kind": "position",
        }
    ]


def test_json_when_asked_by_the_format_parameter(connected):
    response = connected.get(URL, {"q": "22", "format": "json"})

    assert [item["code"] for item in response.json()] == ["22", "2204"]


def test_html_fragment_of_buttons_by_default(connected):
    response = connected.get(URL, {"q": "vins"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert 'class="rex-suggestions" role="listbox"' in html
    assert 'data-code="2204"' in html
    assert 'data-libelle="Vins de raisins frais, y compris les vins enrichis en alcool"' in html
    assert "2204 – Vins de raisins frais" in html


def test_html_says_when_nothing_matches(connected):
    response = connected.get(URL, {"q": "introuvable"})

    assert "Aucun chapitre ni aucune position tarifaire ne correspond à « introuvable »" in (
        response.content.decode()
    )


def test_fewer_than_two_characters_give_an_empty_answer(connected):
    assert connected.get(URL, {"q": "v"}).content.decode().strip() == ""
    assert connected.get(URL, {"q": "v", "format": "json"}).json() == []


def test_constant_number_of_queries(connected, django_assert_num_queries):
    for query in ("22", "vin", "introuvable"):
        with django_assert_num_queries(4):  # session, user, chapters, headings
            connected.get(URL, {"q": query})
