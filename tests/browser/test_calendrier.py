"""« Calendrier des échéances » in the real browser (every page checked by axe-core): from the account
menu, generate the address, read the feed with it, regenerate it (the old one then answers 404)."""

import datetime
import re

from django.utils import timezone

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from rex import services
from rex.models import Demande
from tests.browser.test_instruction import se_connecter
from tests.factories import DemandeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ADRESSE = re.compile(r"http://[^/]+/calendrier/[A-Za-z0-9_-]{43}\.ics")


def test_generate_read_and_regenerate_the_calendar_address(page: Page):
    user = UserFactory(habilite=True, username="operateurcalendrier", first_name="Claire", last_name="Durand")
    demande = services.soumettre(demande=DemandeFactory(complete=True, created_by=user), by=user)
    services.demander_complement(demande=demande, by=UserFactory(service=demande.service), texte="?")
    Demande.objects.filter(pk=demande.pk).update(date_limite=timezone.now() + datetime.timedelta(days=12))
    se_connecter(page, "/compte/jetons/", "operateurcalendrier")

    # From the account menu.
    compte = page.get_by_role("banner").get_by_role("navigation", name="Mon compte").first
    compte.get_by_role("button", name="Claire Durand").click()
    compte.get_by_role("link", name="Calendrier des échéances").click()
    expect(page.get_by_role("heading", name="Calendrier des échéances", level=1)).to_be_visible()
    expect(page.get_by_text("Vous n'avez encore généré aucune adresse.")).to_be_visible()

    page.get_by_role("button", name="Générer l'adresse").click()
    expect(page.get_by_text("elle ne sera plus jamais affichée")).to_be_visible()
    champ = page.get_by_label(re.compile(r"^\s*Adresse du calendrier"))
    ancienne = champ.input_value()
    assert ADRESSE.fullmatch(ancienne)
    reponse = page.request.get(ancienne)
    assert reponse.status == 200 and reponse.headers["content-type"] == "text/calendar; charset=utf-8"
    (evenement,) = Calendar.from_ical(reponse.body()).walk("VEVENT")
    assert str(evenement["summary"]) == f"Date limite de réponse — {demande.numero}"

    # Shown once; then « Régénérer l'adresse » replaces it.
    page.goto("/compte/calendrier/")
    expect(page.get_by_label(re.compile(r"^\s*Adresse du calendrier"))).to_have_count(0)
    page.get_by_role("button", name="Régénérer l'adresse").click()
    expect(page.locator(".fr-alert--success").first).to_be_visible()
    nouvelle = page.get_by_label(re.compile(r"^\s*Adresse du calendrier")).input_value()
    assert ADRESSE.fullmatch(nouvelle) and nouvelle != ancienne
    assert page.request.get(ancienne).status == 404
    assert page.request.get(nouvelle).status == 200
