"""« Mes clients » in the real browser, as the demo representative (load_demo): from the REX home, then
the filters with the keyboard only (Tab, typing, Space, Enter), the focus visible at every stop. axe checks
every page loaded."""

import io
import re

from django.core.management import call_command

import pytest
from playwright.sync_api import Page, expect

from accounts.management.commands.load_demo import DEMO_PASSWORD
from tests.browser.test_instruction_clavier import tabuler_jusqu_a
from tests.browser.test_parcours import champ
from tests.factories import BureauDouaneFactory, CadrePreferentielFactory, PositionTarifaireFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def lignes(page: Page) -> list[str]:
    """The clients' names, row after row (each row's header: the name, then the EORI on its own line)."""
    return [
        t.strip().splitlines()[0].strip() for t in page.locator("#table-clients tbody th").all_inner_texts()
    ]


def test_the_demo_representative_finds_his_urgent_clients_with_the_keyboard(page: Page):
    BureauDouaneFactory(nom="Bureau de Paris-Louvre")
    PositionTarifaireFactory()
    CadrePreferentielFactory()
    call_command("load_demo", stdout=io.StringIO())

    page.goto("/soprano/rex/")
    expect(page).to_have_url(re.compile(r"/compte/connexion/"))
    champ(page, "Identifiant").fill("transitaire")
    champ(page, "Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("heading", name="Accueil SOPRANO/REX", level=1)).to_be_visible()

    page.get_by_role("link", name="Mes clients", exact=True).first.click()
    expect(page.get_by_role("heading", name="Mes clients", level=1)).to_be_visible()
    expect(page.locator("#table-clients caption")).to_contain_text("Mes clients (11)")
    assert lignes(page)[:3] == [
        "Huilerie du Luberon",
        "Nougaterie de Montélimar",
        "Conserverie Le Goff",
    ]
    premiere = page.locator("#table-clients tbody tr").first
    expect(premiere).to_contain_text("Incomplète")
    expect(premiere).to_contain_text("J-3")

    # The keyboard only: to the search field, a name typed, Enter.
    tabuler_jusqu_a(page, champ(page, "Rechercher un client"))
    page.keyboard.type("Moustiers")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=Moustiers"))
    assert lignes(page) == ["Faïencerie de Moustiers"]
    expect(page.get_by_role("status")).to_contain_text("1 client correspond à votre recherche")

    # The search emptied, « Échéance sous 7 jours » ticked with Space, « Rechercher » pressed with Enter.
    tabuler_jusqu_a(page, champ(page, "Rechercher un client"))
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    case = champ(page, "Échéance sous 7 jours")
    tabuler_jusqu_a(page, case)
    page.keyboard.press("Space")
    expect(case).to_be_checked()
    tabuler_jusqu_a(page, page.get_by_role("button", name="Rechercher"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"echeance=on"))
    assert lignes(page) == ["Huilerie du Luberon"]
    expect(page.get_by_role("link", name="Exporter (CSV)")).to_have_attribute(
        "href", "/soprano/rex/clients/export.csv?echeance=on"
    )

    # « Effacer les filtres »: every client again.
    tabuler_jusqu_a(page, page.get_by_role("link", name="Effacer les filtres"))
    page.keyboard.press("Enter")
    expect(page.locator("#table-clients caption")).to_contain_text("Mes clients (11)")
