"""« Notifications techniques », as a forwarder's developer tries them: from « Mon tableau de bord », an
address is registered, its secret shown once, « Tester » sends a signed ping to the real receiver, and the
delivery log says so. axe checks every page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_instruction import operateur, se_connecter  # noqa: F401 (fixture)
from tests.browser.test_parcours import champ
from tests.webhooks.conftest import Recepteur, http_local  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_address_is_registered_tested_and_its_signature_verifies(
    page,
    live_server,
    operateur,  # noqa: F811
    http_local,  # noqa: F811
):
    with Recepteur() as recepteur:
        se_connecter(page, "/soprano/rex/", operateur.username)
        page.goto(live_server.url + "/tableau-de-bord/")
        page.get_by_role("link", name=re.compile("^Notifications techniques")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Notifications techniques")

        champ(page, "Adresse (URL) de votre système").fill(recepteur.url)
        champ(page, "Libellé (facultatif)").fill("ERP transit")
        page.get_by_role("button", name="Enregistrer l'adresse").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Adresse de notification")
        expect(page.get_by_role("heading", name="Secret de signature : copiez-le maintenant")).to_be_visible()
        secret = page.locator(".webhooks-secret").inner_text().strip()
        assert len(secret) >= 32

        page.get_by_role("button", name="Tester").click()
        expect(page.locator(".fr-alert--success")).to_be_visible()
        expect(page.locator(".webhooks-secret")).to_have_count(0)  # shown once only
        [recu] = recepteur.recus
        assert recu.json["type"] == "ping" and recu.signature_valide(secret)
        expect(page.get_by_role("table")).to_contain_text("ping")
        expect(page.get_by_role("table")).to_contain_text("200")
