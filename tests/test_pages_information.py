"""The footer's information pages: every page links to them, each answers in French for everyone, and what
they state about the service is what the service does (cookies, accessibility status)."""

import re
from html import unescape

from django.conf import settings
from django.urls import reverse

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "pages:plan_du_site": "Plan du site",
    "pages:accessibilite": "Déclaration d'accessibilité",
    "pages:mentions_legales": "Mentions légales",
    "pages:donnees_personnelles": "Données personnelles",
    "pages:cookies": "Gestion des cookies",
}


def lire(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


@pytest.mark.parametrize("nom", PAGES)
def test_each_page_answers_in_french_for_everyone(client, nom):
    response = client.get(reverse(nom))
    assert response.status_code == 200
    assert f"<h1>{PAGES[nom]}</h1>" in lire(response)
    client.force_login(UserFactory(habilite=True))
    assert client.get(reverse(nom)).status_code == 200


def test_every_page_links_to_them_from_its_footer_with_real_addresses(client):
    page = client.get(reverse("accounts:home")).content.decode()
    pied = page[page.index('<footer class="fr-footer"') :]
    for nom in PAGES:
        assert f'href="{reverse(nom)}"' in pied
    assert 'href=""' not in pied
    assert not re.search(r'id="[^"]*\s[^"]*"', pied), "no id with a space or a line break"
    assert "Accessibilité : non conforme" in lire(client.get(reverse("accounts:home")))


def test_the_cookies_page_lists_exactly_the_cookies_the_service_sets(client):
    texte = lire(client.get(reverse("pages:cookies")))
    assert settings.SESSION_COOKIE_NAME in texte and settings.CSRF_COOKIE_NAME in texte
    assert f"{settings.SESSION_COOKIE_AGE // 3600} heures" in texte
    UserFactory(username="claire")
    connexion = client.post(reverse("accounts:login"), {"username": "claire", "password": "Motdepasse1!"})
    assert set(connexion.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def test_the_site_map_leads_to_pages_that_exist(client):
    page = client.get(reverse("pages:plan_du_site")).content.decode()
    liens = re.findall(r"<main.*?</main>", page, flags=re.S)[0]
    for adresse in re.findall(r'href="(/[^"#]*)"', liens):
        assert client.get(adresse).status_code in (200, 302), adresse
