"""Enter in a field of the request form, of its completion or of the modification form never leaves it.

The forms are long (seven rubriques) and each way out has its own button: « Reprendre plus tard »,
« Valider et passer à l'étape suivante », « Gérer les documents de la demande », « Abandonner »,
« Continuer ». Enter in a field does nothing; in the HS combobox it picks the highlighted position
(test_nomenclature). Without JavaScript, Enter presses the form's hidden default button, which saves and
comes back to the form (never a trash icon, never « Reprendre plus tard »). Every button still does what
it says.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from rex import services
from rex.models import Demande
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.test_instruction import (
    agent,  # noqa: F401 (fixture)
    bureau,  # noqa: F401 (fixture)
    deposee,  # noqa: F401 (fixture)
    operateur,  # noqa: F401 (fixture)
    se_connecter,
)
from tests.browser.test_lignes import contact
from tests.browser.test_parcours import champ
from tests.factories import DemandeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every field where Enter could submit the form: text-like inputs, checkboxes and radios.
CHAMPS = "#formulaire-demande input:not([type=hidden]):not([type=file]):visible"


class Requetes:
    """The navigations and the POST requests a tab sends (the htmx and search requests are GETs)."""

    def __init__(self, page: Page):
        self.envoyees = []
        page.on(
            "request",
            lambda requete: (
                (requete.method == "POST" or requete.is_navigation_request())
                and self.envoyees.append(f"{requete.method} {requete.url}")
            ),
        )


def appuyer_sur_entree_dans_chaque_champ(page: Page) -> int:
    """Enter in every field of the form; returns how many. `Locator.press` waits for a navigation that
    the key would start: none may start."""
    requetes = Requetes(page)
    url = page.url
    champs = page.locator(CHAMPS).all()
    for champ_ in champs:
        nom = champ_.get_attribute("name")
        champ_.press("Enter")
        assert page.url == url, f"Enter in « {nom} » left the form for {page.url}"
        assert requetes.envoyees == [], f"Enter in « {nom} » sent {requetes.envoyees}"
    return len(champs)


@pytest.fixture
def brouillon(bureau, operateur) -> Demande:  # noqa: F811
    demande = DemandeFactory(complete=True, created_by=operateur, bureau=bureau)
    contact(demande, "Martin", "Paul")
    return demande


def test_entree_dans_un_champ_du_formulaire_ne_quitte_pas_la_page(page, brouillon, operateur):  # noqa: F811
    se_connecter(page, f"/soprano/rex/demandes/{brouillon.pk}/formulaire/", operateur.username)
    avant = Demande.objects.values_list("updated_at", flat=True).get(pk=brouillon.pk)
    telephone = champ(page.locator("#rubrique-2"), "Téléphone")
    telephone.fill("04 74 66 12 34")
    page.evaluate("window.memePage = true")

    assert appuyer_sur_entree_dans_chaque_champ(page) > 20
    assert page.evaluate("window.memePage") is True  # the same document: nothing was reloaded
    expect(telephone).to_have_value("04 74 66 12 34")  # what was typed is still there, unsaved
    assert Demande.objects.values_list("updated_at", flat=True).get(pk=brouillon.pk) == avant

    # The buttons still do what they say
    page.get_by_role("button", name="Valider et passer à l'étape suivante").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif de votre demande")
    expect(page.get_by_role("main")).to_contain_text("04 74 66 12 34")


def test_entree_dans_le_formulaire_de_modification(page, deposee, operateur, agent):  # noqa: F811
    enregistrement = services.octroyer(demande=deposee, by=agent)
    se_connecter(page, f"/soprano/rex/demandes/{enregistrement.pk}/", operateur.username)
    page.get_by_role("button", name="Demander des modifications de cet enregistrement").click()
    expect(page).to_have_url(re.compile(r"/modification/$"))
    courriel = champ(page.locator("#rubrique-2"), "Courriel")
    courriel.fill("douane@vignobles-duvigneau.fr")

    assert appuyer_sur_entree_dans_chaque_champ(page) > 10
    expect(courriel).to_have_value("douane@vignobles-duvigneau.fr")
    champ(page, "Commentaire").fill("Nouvelle adresse du service export.")
    page.get_by_role("button", name="Continuer", exact=True).click()
    expect(page).to_have_url(re.compile(r"/modification/recapitulatif/$"))


def test_sans_javascript_entree_enregistre_et_reste_sur_le_formulaire(
    browser,
    live_server,
    brouillon,
    operateur,  # noqa: F811
):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    adresse = f"/soprano/rex/demandes/{brouillon.pk}/formulaire/"
    enregistre = "Vos données ont été enregistrées : vous pouvez poursuivre la saisie."
    contacts = page.locator("#lignes-contacts [data-ligne]")
    try:
        se_connecter(page, adresse, operateur.username)
        # Enter in a text field, then on a checkbox and on a radio (where browsers skip a disabled
        # default button and press the next one): saved, back to the form, nothing deleted
        telephone = champ(page.locator("#rubrique-2"), "Téléphone")
        telephone.fill("04 74 66 12 34")
        telephone.press("Enter")
        for case in (page.locator("[name=cadres]").first, page.locator("[name=activite]").first):
            expect(page.locator(".fr-alert--success")).to_have_text(enregistre)
            expect(page).to_have_url(re.compile(re.escape(adresse) + "$"))
            expect(contacts).to_have_count(2)
            case.press("Enter")
        expect(page.locator(".fr-alert--success")).to_have_text(enregistre)
        expect(champ(page.locator("#rubrique-2"), "Téléphone")).to_have_value("04 74 66 12 34")
        assert Demande.objects.get(pk=brouillon.pk).telephone == "04 74 66 12 34"
        assert list(brouillon.contacts.values_list("nom", flat=True)) == ["Durand", "Martin"]

        # The trash icon and « Ajouter une ligne + » save the draft and come back to the rows
        deuxieme = page.get_by_role("group", name="Contact n°2")
        deuxieme.get_by_role("button", name="Supprimer la ligne 2").click()
        expect(page).to_have_url(re.compile(re.escape(adresse) + "#rubrique-4$"))
        expect(contacts).to_have_count(1)
        assert list(brouillon.contacts.values_list("nom", flat=True)) == ["Durand"]
        page.locator("#rubrique-4").get_by_role("button", name="Ajouter une ligne +").click()
        expect(contacts).to_have_count(2)
        page.get_by_role("button", name="Valider et passer à l'étape suivante").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif de votre demande")
    finally:
        context.close()
