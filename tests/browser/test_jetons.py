"""« Jetons d'accès » in the real browser (every page checked by axe-core): from the account menu, create
a token, copy it once, call the API with it, revoke it."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_instruction import se_connecter
from tests.browser.test_parcours import champ, cocher
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_use_and_revoke_a_token(page: Page):
    UserFactory(habilite=True, username="operateurjetons")
    se_connecter(page, "/compte/jetons/", "operateurjetons")
    expect(page.get_by_role("heading", name="Jetons d'accès", level=1)).to_be_visible()
    expect(page.get_by_text("Vous n'avez encore créé aucun jeton.")).to_be_visible()

    champ(page, "Nom du jeton").fill("ERP — site de Lyon")
    cocher(champ(page, "Lecture et écriture"))
    champ(page, "Durée de validité").fill("30")
    page.get_by_role("button", name="Créer le jeton").click()

    expect(page.get_by_text("il ne sera plus jamais affiché")).to_be_visible()
    valeur = page.locator("#valeur-jeton").input_value()
    assert re.fullmatch(r"srex_[A-Za-z0-9_-]{43}", valeur)
    reponse = page.request.get("/api/v1/moi/", headers={"Authorization": f"Bearer {valeur}"})
    assert reponse.status == 200 and reponse.json()["jeton"]["portee"] == "ecriture"

    # Shown once: the list keeps its first characters only.
    page.goto("/compte/jetons/")
    expect(page.locator("#valeur-jeton")).to_have_count(0)
    ligne = page.get_by_role("row", name=re.compile("ERP — site de Lyon"))
    expect(ligne).to_contain_text(valeur[:12])
    expect(ligne).to_contain_text("Actif")

    ligne.get_by_role("button", name="Révoquer").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("a été révoqué")
    expect(page.get_by_role("row", name=re.compile("ERP — site de Lyon"))).to_contain_text("Révoqué le")
    reponse = page.request.get("/api/v1/moi/", headers={"Authorization": f"Bearer {valeur}"})
    assert reponse.status == 401
