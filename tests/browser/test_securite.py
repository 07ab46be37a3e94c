"""In the real browser, under the production Content-Security-Policy: markup typed by a user never runs
(no dialog), and the pages' own scripts (DSFR, htmx, ours) run without a single CSP violation."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_instruction import se_connecter
from tests.browser.test_parcours import champ, cocher, petit_pdf
from tests.factories import DemandeFactory, EntrepriseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BALISAGE = '<img src=x onerror=alert(1)><script>alert("x")</script>'


@pytest.fixture
def surveille(page: Page):
    """Records every dialog (alert, confirm…) and every console message about the CSP."""
    evenements = {"dialogues": [], "csp": []}

    def dialogue(dialog):
        evenements["dialogues"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dialogue)
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and evenements["csp"].append(message.text),
    )
    return evenements


def test_markup_typed_by_users_never_runs_and_the_pages_respect_the_csp(page, surveille, tmp_path):
    # The officer keys in a paper form for a company whose name is markup (guide §5).
    agent = UserFactory(agent=True, username="agentsecurite")
    titulaire = EntrepriseFactory(raison_sociale=BALISAGE)
    se_connecter(page, "/agent/depot-papier/", agent.username)
    champ(page, "Numéro EORI de l'opérateur").fill(titulaire.eori)
    cocher(champ(page, "J'atteste disposer du formulaire papier"))
    page.get_by_role("button", name="Ouvrir le formulaire de demande").click()
    expect(page.locator(".fr-alert--success")).to_contain_text(BALISAGE)
    page.goto("/agent/")
    expect(page.get_by_text(BALISAGE).first).to_be_visible()

    # The operator names a document with markup, and adds a row with htmx (« Ajouter une ligne + »).
    demande = DemandeFactory(
        complete=True, created_by=UserFactory(habilite=True, username="operateursecurite")
    )
    operateur = page.context.browser.new_context(locale="fr-FR", base_url=page.url.split("/agent")[0])
    onglet = operateur.new_page()
    onglet.on("dialog", lambda dialog: surveille["dialogues"].append(dialog.message) or dialog.dismiss())
    onglet.on(
        "console",
        lambda message: "Content Security Policy" in message.text and surveille["csp"].append(message.text),
    )
    se_connecter(onglet, f"/soprano/rex/demandes/{demande.pk}/documents/", "operateursecurite")
    champ(onglet, "Parcourir").set_input_files(petit_pdf(tmp_path / "fiche.pdf"))
    champ(onglet, "Nom du document").fill(BALISAGE)
    onglet.get_by_role("button", name="Ajouter").click()
    expect(onglet.locator(".fr-alert--success")).to_contain_text(BALISAGE)
    onglet.goto(f"/soprano/rex/demandes/{demande.pk}/formulaire/")
    lignes = onglet.locator("#lignes-contacts [data-ligne]")
    avant = lignes.count()
    onglet.get_by_role("button", name="Ajouter une ligne +").first.click()
    expect(lignes).to_have_count(avant + 1)
    onglet.goto("/soprano/rex/")
    expect(onglet.locator(".fr-tabs")).to_have_attribute("data-fr-js-tabs-group", "true")
    operateur.close()

    assert surveille["dialogues"] == []
    assert surveille["csp"] == []


def test_the_admin_works_under_the_csp(page, surveille):
    """The PAE's pages (certification, habilitation, outbox): Django's admin has no inline script."""
    pae = UserFactory(username="paesecurite", is_staff=True, is_superuser=True)
    operateur = UserFactory(certifie=True, username="certifiesecurite")
    page.goto("/admin/login/")
    page.locator("#id_username").fill(pae.username)
    page.locator("#id_password").fill("Motdepasse1!")
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    for adresse in (
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{operateur.pk}/change/",
        "/admin/rex/courrielenechec/",
    ):
        page.goto(adresse)
        expect(page.locator("#content")).to_be_visible()
    page.goto("/admin/accounts/user/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("sélectionné")
    assert surveille["dialogues"] == []
    assert surveille["csp"] == []
