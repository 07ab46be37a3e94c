"""The API's documentation page (Swagger UI, from our static files) in the real browser, under the
production Content-Security-Policy: it draws the operations without a single CSP violation, and « Try it
out » calls the API with a token."""

import pytest
from playwright.sync_api import Page, expect

from api.services import creer_jeton
from tests.factories import UserFactory, deposer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_documentation_page_works_under_the_csp(page: Page):
    csp, erreurs = [], []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp.append(m.text))
    page.on("pageerror", lambda e: erreurs.append(str(e)))
    demande = deposer()
    _, valeur = creer_jeton(user=demande.created_by, nom="Navigateur")
    UserFactory()  # nothing else needed: the page is public

    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API SOPRANO/REX")
    expect(page.get_by_text("/api/v1/demandes/", exact=True).first).to_be_visible()
    # The models, drawn by Swagger UI with styles set through the DOM.
    modele = page.locator("section.models .model-container", has_text="Demande").first
    expect(modele).to_be_visible()
    modele.locator(".model-box-control").first.click()
    expect(modele).to_contain_text("numero_rex")

    # « Authorize » with the token, then « Try it out » on the list of requests.
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".modal-ux input[type=text], .modal-ux input[type=password]").first.fill(valeur)
    page.locator(".modal-ux button.authorize").click()
    page.locator(".modal-ux button.btn-done").click()
    operation = page.locator("#operations-Demandes-demandes_liste")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text(demande.numero)

    assert csp == [], "no Content-Security-Policy violation"
    assert erreurs == []
