"""Modification of a registration in the real browser (guide §7.2), with the guide's words.

The operator selects « Demander des modifications de cet enregistrement » on the registration page,
changes the courriel and a goods line, fills the « Commentaire », « Continuer »: the recap shows the
changes in orange; « Soumettre la demande de modification ». The officer validates in the back-office
(« Valider la modification » and its confirmation box); the operator sees the new version, the former
one as « Version antérieure », and prints the registration as a PDF.
"""

import re

import pytest
from playwright.sync_api import expect

from rex import services
from rex.models import Demande, Statut
from tests.browser.test_instruction import (
    action_agent,
    agent,  # noqa: F401 (fixture)
    alerte,
    bureau,  # noqa: F401 (fixture)
    deposee,  # noqa: F401 (fixture)
    operateur,  # noqa: F401 (fixture)
    se_connecter,
    statut,
    statut_en_base,
)
from tests.browser.test_parcours import capture, champ, cocher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOUVEAU_COURRIEL = "douane@vignobles-duvigneau.fr"
NOUVELLE_DESCRIPTION = "Vins rouges et rosés d'appellation"
COMMENTAIRE = "Nouvelle adresse courriel du service export ; description des vins précisée."
ORANGE = "rgb(179, 64, 0)"  # .rex-modifie: DSFR's --text-default-warning


def test_modification_demandee_puis_validee(page, autre_navigateur, deposee, operateur, agent):  # noqa: F811
    enregistrement = services.octroyer(demande=deposee, by=agent)
    numero_rex = enregistrement.numero_rex

    # The operator: « Demander des modifications de cet enregistrement » ------------------------
    se_connecter(page, f"/soprano/rex/demandes/{enregistrement.pk}/", operateur.username)
    page.get_by_role("button", name="Demander des modifications de cet enregistrement").click()
    expect(page).to_have_url(re.compile(r"/modification/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(numero_rex)
    # Only the modifiable data are fields; the telephone is shown read-only
    expect(page.locator("[name=telephone]")).to_have_count(0)
    expect(page.locator("[name=bureau]")).to_have_count(0)
    champ(page.locator("#rubrique-2"), "Courriel").fill(NOUVEAU_COURRIEL)
    champ(page, "Description sommaire de la marchandise").fill(NOUVELLE_DESCRIPTION)
    champ(page, "Commentaire").fill(COMMENTAIRE)
    page.get_by_role("button", name="Continuer", exact=True).click()

    # The recap: the changes in orange, the comment ----------------------------------------------
    expect(page).to_have_url(re.compile(r"/modification/recapitulatif/$"))
    courriel = page.locator("#recap-2 + dl dt", has_text="Courriel").locator("xpath=following-sibling::dd[1]")
    expect(courriel).to_have_text(NOUVEAU_COURRIEL)
    expect(courriel).to_have_css("color", ORANGE)
    expect(page.locator("#recap-5")).to_have_css("color", ORANGE)
    expect(page.get_by_role("row").filter(has_text=NOUVELLE_DESCRIPTION)).to_have_css("color", ORANGE)
    for inchange in ("#recap-1", "#recap-4", "#recap-6"):
        expect(page.locator(inchange)).not_to_have_css("color", ORANGE)
    expect(champ(page, "Commentaire")).to_have_value(COMMENTAIRE)
    capture(page, "modification-recapitulatif")
    page.get_by_role("button", name="Soumettre la demande de modification").click()
    expect(alerte(page, "success")).to_contain_text("« Modification demandée »")
    expect(page).to_have_url(re.compile(r"/soprano/rex/\?onglet=autorisations#autorisations$"))
    assert statut_en_base(enregistrement) == Statut.MODIFICATION_DEMANDEE
    modification = Demande.objects.get(version_precedente=enregistrement)
    assert modification.statut == Statut.EN_ETUDE

    # The officer: « Valider la modification » ----------------------------------------------------
    agent_page = autre_navigateur("agent")
    se_connecter(agent_page, f"/agent/demandes/{modification.pk}/", agent.username)
    formulaire = action_agent(agent_page, "Valider la modification")
    cocher(formulaire.get_by_role("checkbox"))
    formulaire.get_by_role("button", name="Valider la modification", exact=True).click()
    expect(alerte(agent_page, "success")).to_contain_text("La modification est validée")
    assert statut_en_base(enregistrement) == Statut.VERSION_ANTERIEURE

    # The operator: the new version, the former one, the PDF ---------------------------------------
    page.goto(f"/soprano/rex/demandes/{modification.pk}/")
    expect(statut(page)).to_have_text("Octroyée")
    expect(page.locator("#numero-rex")).to_have_text(numero_rex)
    versions = page.get_by_role("region", name="Versions")
    expect(versions).to_contain_text("Version antérieure")
    lien = page.get_by_role("link", name="Imprimer l'autorisation")
    reponse = page.request.get(lien.get_attribute("href"))
    assert reponse.ok and reponse.headers["content-type"] == "application/pdf"
    assert reponse.body().startswith(b"%PDF")
    versions.get_by_role("link", name="Version 1").click()
    expect(statut(page)).to_have_text("Version antérieure")
    expect(page.locator("#recap-2 + dl")).not_to_contain_text(NOUVEAU_COURRIEL)
    bouton = page.get_by_role("button", name="Demander des modifications de cet enregistrement")
    expect(bouton).to_have_count(0)
    capture(page, "modification-version-anterieure")
