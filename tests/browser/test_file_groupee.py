"""The queue in bulk with the keyboard only: tick two requests (Tab, Space), « Prendre en charge » (Enter),
and read the summary; save a filter and find it in « Mes filtres ». axe checks the queue and the summary."""

import re

import pytest
from playwright.sync_api import Page, expect

from rex import services
from rex.models import Demande
from tests.browser.test_instruction import (
    MOT_DE_PASSE,
    agent,  # noqa: F401 (fixture)
    bureau,  # noqa: F401 (fixture)
)
from tests.browser.test_instruction_clavier import tabuler_jusqu_a
from tests.browser.test_parcours import champ
from tests.factories import DemandeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def trois(bureau) -> list[Demande]:  # noqa: F811
    """Three requests « En étude » of the officer's service, from three companies."""
    demandes = []
    for _ in range(3):
        brouillon = DemandeFactory(complete=True, bureau=bureau)
        demandes.append(services.soumettre(demande=brouillon, by=brouillon.created_by))
    return demandes


def connecter(page: Page, agent) -> None:  # noqa: F811
    page.goto("/agent/")
    expect(page).to_have_url(re.compile(r"/compte/connexion/"))
    champ(page, "Identifiant").fill(agent.username)
    champ(page, "Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File des demandes")


def test_take_two_requests_in_charge_with_the_keyboard(page, agent, trois):  # noqa: F811
    connecter(page, agent)
    # The queue shows the latest first: the first two rows are the last two filed.
    autre, seconde, premiere = trois
    for demande in (premiere, seconde):
        case = page.get_by_label(f"Sélectionner la demande {demande.numero}")
        tabuler_jusqu_a(page, case)
        page.keyboard.press("Space")
        expect(case).to_be_checked()
    tabuler_jusqu_a(page, page.get_by_role("button", name="Prendre en charge", exact=True))
    page.keyboard.press("Enter")

    expect(page.locator(".fr-alert--success")).to_contain_text("2 demandes prises en charge.")
    pris = set(Demande.objects.filter(agent=agent).values_list("pk", flat=True))
    assert pris == {premiere.pk, seconde.pk}
    assert Demande.objects.get(pk=autre.pk).agent_id is None

    # The same again: each refused, with its reason, and nothing changes. Taken in charge in the order
    # of the rows, the second is now the latest updated: the first row.
    for demande in (seconde, premiere):
        case = page.get_by_label(f"Sélectionner la demande {demande.numero}")
        tabuler_jusqu_a(page, case)
        page.keyboard.press("Space")
    tabuler_jusqu_a(page, page.get_by_role("button", name="Prendre en charge", exact=True))
    page.keyboard.press("Enter")
    erreur = page.locator(".fr-alert--error")
    expect(erreur).to_contain_text("2 demandes non prises en charge")
    expect(erreur).to_contain_text(f"{premiere.numero} : Vous avez déjà pris en charge cette demande")
    assert set(Demande.objects.filter(agent=agent).values_list("pk", flat=True)) == pris


def test_save_a_filter_and_find_it_in_my_filters(page, agent, trois):  # noqa: F811
    connecter(page, agent)
    page.get_by_label("Statut", exact=True).select_option("en_etude")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"statut=en_etude"))
    tabuler_jusqu_a(page, champ(page, "Nom du filtre"))
    page.keyboard.type("En étude")
    page.keyboard.press("Enter")
    expect(page.locator(".fr-alert--success")).to_contain_text("Le filtre « En étude » est enregistré")
    lien = page.locator("#mes-filtres").get_by_role("link", name="En étude")
    expect(lien).to_have_attribute("href", "/agent/?statut=en_etude")
    page.locator("#mes-filtres").get_by_role("button", name="Supprimer le filtre « En étude »").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Le filtre « En étude » est supprimé.")
    expect(page.locator("#mes-filtres")).to_contain_text("Aucun filtre enregistré")


def test_a_refused_bulk_form_shows_its_errors(page, agent, trois):  # noqa: F811
    connecter(page, agent)
    page.get_by_label(f"Sélectionner la demande {trois[0].numero}").press("Space")
    page.get_by_role("button", name="Réaffecter", exact=True).click()
    expect(page.locator(".fr-alert--error")).to_contain_text("Aucune action effectuée")
    formulaire = page.locator("#actions-groupees")
    expect(formulaire).to_contain_text("Choisissez le service auquel confier les demandes.")
    expect(formulaire).to_contain_text("Le commentaire de réaffectation est obligatoire.")
    # The request ticked stays ticked.
    expect(page.get_by_label(f"Sélectionner la demande {trois[0].numero}")).to_be_checked()
