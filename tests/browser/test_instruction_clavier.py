"""The officer's side with the keyboard only (guide §6, service side): « Me connecter », « File des
demandes », the request, « Prendre en charge », « Demander des informations complémentaires », then
« Octroyer » once the operator has completed the request.

Only Tab, Shift+Tab, Enter, Space and typing (`page.keyboard`). At every stop the focus is visible (the
DSFR's outline); after an action it lands on the message that tells its result; an action form opened
with the keyboard puts it on its first field. axe checks every page, and each action form once open.
"""

import re

from django.utils import timezone

import pytest
from playwright.sync_api import Locator, Page, expect

from rex import services
from rex.models import Statut
from tests.browser import accessibilite
from tests.browser.test_instruction import (
    MOT_DE_PASSE,
    QUESTION,
    agent,  # noqa: F401 (fixture)
    bureau,  # noqa: F401 (fixture)
    deposee,  # noqa: F401 (fixture)
    operateur,  # noqa: F401 (fixture)
    statut,
    statut_en_base,
)
from tests.browser.test_parcours import champ

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABULATIONS = 80

# What the focused element shows: "" when its focus is visible (an outline or a shadow on screen), else
# why not. The DSFR draws some outlines on a pseudo-element: a checkbox or a radio on its label's ::before
# (the input itself is transparent), an enlarged link (.fr-enlarge-link) on its own ::before.
FOCUS_VISIBLE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return "the focus is nowhere (on <body>)";
  const nom = element.outerHTML.slice(0, 160);
  // After its day, month and year, a date field's calendar button takes the focus inside the browser's
  // own shadow tree: the browser draws its ring there, which a page can neither style nor measure.
  if (element.matches("input[type=date]:not(:focus)")) return "";
  if (!element.matches(":focus-visible")) return "not :focus-visible: " + nom;
  let dessins = [[element, null], [element, "::before"], [element, "::after"]];
  if (element.matches("input[type=checkbox], input[type=radio]") && element.labels.length) {
    dessins = [[element.labels[0], "::before"]];
  }
  const visible = dessins.some(([noeud, pseudo]) => {
    const style = getComputedStyle(noeud, pseudo);
    if (pseudo && style.content === "none") return false;
    const boite = noeud.getBoundingClientRect();
    const contour = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const ombre = style.boxShadow && style.boxShadow !== "none";
    return (contour || ombre) && boite.width > 0 && boite.height > 0;
  });
  return visible ? "" : "no visible outline: " + nom;
}"""


def focus_visible(page: Page) -> None:
    probleme = page.evaluate(FOCUS_VISIBLE)
    assert probleme == "", probleme


def tabuler_jusqu_a(page: Page, cible: Locator, *, arriere: bool = False) -> int:
    """Tab (Shift+Tab if `arriere`) until `cible` has the focus, the focus visible at every stop; returns
    the number of key presses."""
    touche = "Shift+Tab" if arriere else "Tab"
    expect(cible).to_be_visible()
    if cible.evaluate("element => element === document.activeElement"):  # e.g. « autofocus »
        focus_visible(page)
        return 0
    for fois in range(1, MAX_TABULATIONS + 1):
        page.keyboard.press(touche)
        focus_visible(page)
        if cible.evaluate("element => element === document.activeElement"):
            return fois
    raise AssertionError(f"{touche} ×{MAX_TABULATIONS} never reached {cible}")


def message(page: Page) -> Locator:
    return page.locator("#messages")


def bouton_action(page: Page, libelle: str) -> Locator:
    """The button of an action's accordion, once the DSFR's script has started on it."""
    bouton = page.locator(".fr-accordion__btn").filter(has_text=re.compile(rf"^\s*{re.escape(libelle)}\s*$"))
    expect(bouton).to_have_attribute("data-fr-js-collapse-button", "true")
    return bouton


def ouvrir_action(page: Page, libelle: str) -> Locator:
    """Reaches an action's accordion with Tab, opens it with Enter: the focus is on its first field.
    Returns the open form."""
    bouton = bouton_action(page, libelle)
    tabuler_jusqu_a(page, bouton)
    page.keyboard.press("Enter")
    expect(bouton).to_have_attribute("aria-expanded", "true")
    formulaire = page.locator("#" + bouton.get_attribute("aria-controls"))
    expect(formulaire).to_be_visible()
    premier = formulaire.locator("input:not([type=hidden]), select, textarea").first
    expect(premier).to_be_focused()
    focus_visible(page)
    accessibilite.verifier(page, f"« {libelle} » open")
    return formulaire


def ouvrir_la_demande_depuis_la_file(page: Page, numero: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("File des demandes")
    tabuler_jusqu_a(page, page.get_by_role("link", name=numero, exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {numero}")


def test_instruction_au_clavier(page, deposee, operateur, agent):  # noqa: F811
    numero = deposee.numero

    # « Me connecter »: the queue asks to log in first
    page.goto("/agent/")
    expect(page).to_have_url(re.compile(r"/compte/connexion/"))
    tabuler_jusqu_a(page, champ(page, "Identifiant"))
    page.keyboard.type(agent.username)
    tabuler_jusqu_a(page, champ(page, "Mot de passe"))
    page.keyboard.type(MOT_DE_PASSE)
    page.keyboard.press("Enter")

    # « File des demandes » → the request
    ouvrir_la_demande_depuis_la_file(page, numero)

    # « Prendre en charge » (Space on the button): the focus lands on the message
    tabuler_jusqu_a(page, page.get_by_role("button", name="Prendre en charge"))
    page.keyboard.press("Space")
    expect(message(page)).to_contain_text(f"Vous avez pris en charge la demande {numero}.")
    expect(message(page)).to_be_focused()
    focus_visible(page)

    # « Demander des informations complémentaires »: Enter opens it, the focus is on the text
    formulaire = ouvrir_action(page, "Demander des informations complémentaires")
    expect(champ(formulaire, "Informations complémentaires demandées")).to_be_focused()
    page.keyboard.type(QUESTION)
    tabuler_jusqu_a(
        page, formulaire.get_by_role("button", name="Demander des informations complémentaires", exact=True)
    )
    page.keyboard.press("Enter")
    expect(message(page)).to_contain_text(f"La demande {numero} est passée au statut « Incomplète »")
    expect(message(page)).to_be_focused()
    focus_visible(page)
    expect(statut(page)).to_have_text("Incomplète")
    expect(page.locator("#fil")).to_contain_text(QUESTION)

    # The operator completes the request (test_instruction does it in the browser)
    services.transmettre_complement(demande=deposee, by=operateur, complements="Téléphone corrigé.")

    # Back to the queue (« File des demandes », the first link after the message), then the request
    tabuler_jusqu_a(page, page.get_by_role("main").get_by_role("link", name="File des demandes"))
    page.keyboard.press("Enter")
    ouvrir_la_demande_depuis_la_file(page, numero)
    expect(statut(page)).to_have_text("En étude")

    # « Octroyer »: the date first, then the confirmation box (Space), back to the date (Shift+Tab),
    # then the button
    formulaire = ouvrir_action(page, "Octroyer")
    date = champ(formulaire, "Valable à partir du")
    expect(date).to_be_focused()
    confirmation = formulaire.get_by_role("checkbox", name=re.compile(r"^Je confirme l'octroi"))
    tabuler_jusqu_a(page, confirmation)
    page.keyboard.press("Space")
    expect(confirmation).to_be_checked()
    tabuler_jusqu_a(page, date, arriere=True)
    expect(date).to_have_value(timezone.localdate().isoformat())
    tabuler_jusqu_a(page, formulaire.get_by_role("button", name="Octroyer", exact=True))
    page.keyboard.press("Enter")
    expect(message(page)).to_contain_text(f"L'enregistrement REX FRREX{deposee.titulaire_eori} est octroyé")
    expect(message(page)).to_be_focused()
    focus_visible(page)
    expect(statut(page)).to_have_text("Octroyée")
    assert statut_en_base(deposee) == Statut.OCTROYEE
