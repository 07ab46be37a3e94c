"""The footer's information pages, reached as a visitor does: from the footer of the home page (axe checks
each page, as on every page the browser tests visit)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIENS = {
    "Plan du site": "Plan du site",
    "Accessibilité : non conforme": "Déclaration d'accessibilité",
    "Mentions légales": "Mentions légales",
    "Données personnelles": "Données personnelles",
    "Gestion des cookies": "Gestion des cookies",
}


def test_the_footer_leads_to_each_information_page(page):
    for lien, titre in LIENS.items():
        page.goto("/")
        page.get_by_role("contentinfo").get_by_role("link", name=lien, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(titre)
        expect(page).to_have_title(f"{titre} — SOPRANO/REX")
