"""Rubrique 5, the search-as-you-type over the real HS nomenclature (guide §5.2.5: « Une aide à la saisie
est configurée. Vous devez saisir au minimum deux caractères »), with the keyboard only.

« vin » lists 2204 « Vins de raisins frais » first: ArrowDown then Enter picks it, without submitting the
form. « zzzz » finds nothing: it is said under the field, visibly, and to screen readers. The combobox
then still works: a new search, ArrowUp/ArrowDown, Escape, and Tab leaves the field.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import accessibilite
from tests.browser.test_instruction import (
    bureau,  # noqa: F401 (fixture)
    operateur,  # noqa: F401 (fixture)
    se_connecter,
)
from tests.browser.test_parcours import champ
from tests.browser.test_touche_entree import Requetes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recherche_au_clavier_vin_puis_aucun_resultat(page, bureau, operateur):  # noqa: F811
    se_connecter(page, "/soprano/rex/demandes/nouvelle/", operateur.username)
    ligne = page.get_by_role("group", name="Marchandise n°1")
    position = champ(ligne, "Position tarifaire (SH4) ou chapitre")
    position.focus()
    requetes = Requetes(page)
    url = page.url

    # « vin »: 2204 first; ArrowDown, Enter
    page.keyboard.type("vin", delay=20)
    expect(position).to_have_attribute("aria-expanded", "true")
    suggestions = page.get_by_role("listbox", name="Positions tarifaires proposées")
    options = suggestions.get_by_role("option")
    expect(options.first).to_have_text(re.compile(r"^2204 – Vins de raisins frais"))
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(position).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    accessibilite.verifier(page, "listbox open, an option highlighted")
    page.keyboard.press("Enter")
    expect(position).to_have_value("2204")
    expect(position).to_have_attribute("aria-expanded", "false")
    expect(suggestions).to_be_hidden()
    expect(ligne.get_by_text(re.compile(r"^Vins de raisins frais"))).to_be_visible()
    expect(page.locator("#annonces")).to_have_text("Position 2204 choisie.")
    expect(position).to_be_focused()
    assert page.url == url and requetes.envoyees == []  # Enter picked, it did not submit

    # « zzzz »: nothing found, said under the field and by the live region
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("zzzz", delay=20)
    aucun = ligne.get_by_text(re.compile(r"^Aucun résultat pour « zzzz »"))
    expect(aucun).to_be_visible()
    expect(ligne.get_by_text(re.compile(r"^Vins de raisins frais"))).to_have_count(0)  # no stale label
    expect(aucun).to_contain_text("saisissez le code du chapitre (2 chiffres) ou de la position (4 chiffres)")
    expect(page.locator("#annonces")).to_have_text("Aucun résultat.")
    accessibilite.verifier(page, "« Aucun résultat » shown")
    expect(position).to_have_attribute("aria-expanded", "false")
    expect(suggestions).to_be_hidden()
    page.keyboard.press("Enter")
    expect(position).to_have_value("zzzz")
    assert page.url == url and requetes.envoyees == []

    # Still keyboard-usable: a new search, ArrowDown/ArrowUp, Escape, then Tab leaves the field
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("café", delay=20)
    expect(position).to_have_attribute("aria-expanded", "true")
    expect(aucun).to_be_hidden()
    expect(options).to_have_count(3)
    for touche in ("ArrowDown", "ArrowDown", "ArrowUp"):
        page.keyboard.press(touche)
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(options.nth(1)).to_have_attribute("aria-selected", "false")
    page.keyboard.press("Escape")
    expect(position).to_have_attribute("aria-expanded", "false")
    expect(suggestions).to_be_hidden()
    expect(position).to_have_value("café")
    expect(position).to_be_focused()
    page.keyboard.press("Tab")
    expect(champ(ligne, "Description sommaire de la marchandise")).to_be_focused()
    assert page.url == url and requetes.envoyees == []
