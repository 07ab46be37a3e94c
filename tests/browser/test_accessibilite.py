"""The axe-core wiring of the browser tests (tests/browser/accessibilite.py) finds what it must.

Every document a tab loads is checked, whether reached by `goto`, a link, a form submission or a
redirect; a violation is reported with its rule, impact, targets and help text; a document left
before it could be checked is reported too. These tests put violations in on purpose and then set the
findings aside (`Registre.ecarter`), so that they do not fail themselves.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import accessibilite
from tests.browser.test_parcours import champ
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registre(_axe_sur_chaque_page) -> accessibilite.Registre:
    return _axe_sur_chaque_page


def test_les_pages_atteintes_par_un_formulaire_et_une_redirection_sont_verifiees(page, registre):
    user = UserFactory(username="axeformulaire", habilite=True)
    page.goto("/")
    page.get_by_role("link", name="Se connecter").first.click()  # a link
    champ(page, "Identifiant").fill(user.username)
    champ(page, "Mot de passe").fill("Motdepasse1!")
    page.get_by_role("button", name="Me connecter").click()  # a POST, then a redirection
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon tableau de bord")
    page.goto("/soprano/")  # the dashboard is left at once: it was checked before
    registre.terminer()  # the end of the test: the last document is checked
    chemins = [re.sub(r"^https?://[^/]+", "", url) for url in registre.documents_verifies()]
    assert chemins == ["/", "/compte/connexion/", "/tableau-de-bord/", "/soprano/"]
    assert registre.rapport() == ""


def test_une_violation_est_signalee_avec_sa_regle_ses_cibles_et_son_aide(page, registre):
    page.goto("/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<img id="sans-alternative" src="data:,"><input id="sans-etiquette">')"""
    )
    accessibilite.verifier(page, "markup without alternative added")
    rapport = registre.rapport()
    assert "axe-core (wcag2a, wcag2aa, wcag21a, wcag21aa): 2 violation(s) in 1 document(s)" in rapport
    assert "- image-alt (critical): Images must have alternative text" in rapport
    assert "#sans-alternative" in rapport
    assert "- label (critical): Form elements must have labels" in rapport
    assert "#sans-etiquette" in rapport
    assert "https://dequeuniversity.com/rules/axe/" in rapport
    assert "(checked markup without alternative added)" in rapport
    registre.ecarter()


def test_un_document_quitte_avant_d_etre_verifie_est_signale(page, registre, live_server):
    page.goto("/")
    accessibilite.verifier(page)
    # Navigations by script, without an action of the test in between: no checkpoint sees the first.
    page.evaluate("location.href = '/compte/connexion/'")
    page.wait_for_url(re.compile(r"/compte/connexion/$"))
    page.evaluate("location.href = '/compte/inscription/'")
    page.wait_for_url(re.compile(r"/compte/inscription/$"))
    page.wait_for_load_state()
    registre.terminer()
    assert registre.non_verifies() == [("page", f"{live_server.url}/compte/connexion/")]
    assert "Documents loaded then left before axe could check them" in registre.rapport()
    registre.ecarter()
