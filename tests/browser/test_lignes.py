"""The trash icon of rubriques 4 « Contacts » and 5 « Marchandises » (guide §5.2.4 and §5.2.5: « Pour
supprimer une ligne, sélectionnez l'icône corbeille »), on the request form and on the modification form.

The row leaves the page, the focus lands on a neighbour (the next row's first field, else the previous
row's, else « Ajouter une ligne + »), the live region says what happened, the rows left are numbered
1, 2…, and the save deletes exactly that row and keeps what was typed in the others.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from rex import services
from rex.models import Contact, Demande, LigneMarchandise
from tests.browser import accessibilite
from tests.browser.test_instruction import (
    agent,  # noqa: F401 (fixture)
    bureau,  # noqa: F401 (fixture)
    deposee,  # noqa: F401 (fixture)
    operateur,  # noqa: F401 (fixture)
    se_connecter,
)
from tests.browser.test_parcours import champ
from tests.factories import DemandeFactory, PositionTarifaireFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POSITION = "Position tarifaire (SH4) ou chapitre"


def contact(demande: Demande, nom: str, prenom: str) -> Contact:
    return Contact.objects.create(
        demande=demande,
        nom=nom,
        prenom=prenom,
        fonction="Export",
        telephone="01 23 45 67 89",
        courriel=f"{prenom.lower()}@exemple.fr",
    )


def ligne(page: Page, nom: str) -> Locator:
    return page.get_by_role("group", name=nom, exact=True)


def supprimer(ligne: Locator) -> None:
    ligne.get_by_role("button", name=re.compile(r"^Supprimer la ligne \d+$")).click()


def annonce(page: Page) -> Locator:
    return page.locator("#annonces")


@pytest.fixture
def brouillon(bureau, operateur) -> Demande:  # noqa: F811
    """A complete draft with three contacts (Durand, Martin, Bernard) and two goods lines."""
    demande = DemandeFactory(complete=True, created_by=operateur, bureau=bureau)
    contact(demande, "Martin", "Paul")
    contact(demande, "Bernard", "Luc")
    cafe = PositionTarifaireFactory(code="0901")
    LigneMarchandise.objects.create(demande=demande, code=cafe.code, description="Café torréfié")
    return demande


def test_la_corbeille_retire_la_ligne_et_l_enregistrement_la_supprime(page, brouillon, operateur):  # noqa: F811
    se_connecter(page, f"/soprano/rex/demandes/{brouillon.pk}/formulaire/", operateur.username)
    contacts = page.locator("#lignes-contacts [data-ligne]")
    expect(contacts).to_have_count(3)
    nom = champ(ligne(page, "Contact n°2"), "Nom")
    expect(nom).to_have_value("Martin")
    martin = page.locator("#" + nom.get_attribute("id"))  # the row's own field, whatever its number

    # Rubrique 4: the middle row goes; the focus lands on the next row's first field
    supprimer(ligne(page, "Contact n°2"))
    expect(martin).to_be_hidden()
    expect(contacts.filter(visible=True)).to_have_count(2)
    expect(annonce(page)).to_have_text("Ligne « Contact n°2 » supprimée. 2 lignes restantes.")
    # The rows left are numbered 1 and 2, as they will be once saved
    bernard = ligne(page, "Contact n°2")
    expect(champ(bernard, "Nom")).to_have_value("Bernard")
    expect(champ(bernard, "Nom")).to_be_focused()
    expect(bernard.get_by_role("button", name="Supprimer la ligne 2", exact=True)).to_be_visible()
    expect(ligne(page, "Contact n°3")).to_have_count(0)
    accessibilite.verifier(page, "a contact deleted")
    # What is typed now in the rows left is kept
    champ(bernard, "Fonction").fill("Comptable")

    # Rubrique 5: the last row goes (focus on the previous row's first field), then the only one
    # (focus on « Ajouter une ligne + »), with the keyboard this time
    rubrique_5 = page.locator("#rubrique-5")
    marchandises = page.locator("#lignes-marchandises [data-ligne]")
    supprimer(ligne(page, "Marchandise n°2"))
    expect(marchandises.filter(visible=True)).to_have_count(1)
    expect(champ(ligne(page, "Marchandise n°1"), POSITION)).to_be_focused()
    expect(annonce(page)).to_have_text("Ligne « Marchandise n°2 » supprimée. 1 ligne restante.")
    corbeille = ligne(page, "Marchandise n°1").get_by_role("button", name="Supprimer la ligne 1")
    corbeille.focus()
    page.keyboard.press("Enter")
    expect(marchandises.filter(visible=True)).to_have_count(0)
    expect(rubrique_5.get_by_role("button", name="Ajouter une ligne +")).to_be_focused()
    expect(annonce(page)).to_have_text("Ligne « Marchandise n°1 » supprimée. Aucune ligne restante.")
    # A new row (htmx) is « Marchandise n°1 », whatever was deleted before
    page.keyboard.press("Enter")
    nouvelle = ligne(page, "Marchandise n°1")
    expect(champ(nouvelle, POSITION)).to_be_focused()
    expect(annonce(page)).to_have_text("Ligne « Marchandise n°1 » ajoutée.")
    accessibilite.verifier(page, "every goods row deleted, then one added")
    champ(nouvelle, POSITION).fill("8414")
    champ(nouvelle, "Description sommaire de la marchandise").fill("Pompes de cuverie")

    # « Reprendre plus tard »: exactly the rows deleted are gone, the others hold what was typed
    page.get_by_role("button", name="Reprendre plus tard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    assert list(brouillon.contacts.values_list("nom", "fonction")) == [
        ("Durand", "Directrice export"),
        ("Bernard", "Comptable"),
    ]
    assert list(brouillon.marchandises.values_list("code", "description")) == [("8414", "Pompes de cuverie")]


def test_la_corbeille_du_formulaire_de_modification(page, deposee, operateur, agent):  # noqa: F811
    enregistrement = services.octroyer(demande=deposee, by=agent)
    contact(enregistrement, "Martin", "Paul")
    se_connecter(page, f"/soprano/rex/demandes/{enregistrement.pk}/", operateur.username)
    page.get_by_role("button", name="Demander des modifications de cet enregistrement").click()
    expect(page).to_have_url(re.compile(r"/modification/$"))
    modification = Demande.objects.get(version_precedente=enregistrement)

    # The first contact goes: the focus lands on the next row, now « Contact n°1 »
    supprimer(ligne(page, "Contact n°1"))
    expect(page.locator("#lignes-contacts [data-ligne]").filter(visible=True)).to_have_count(1)
    martin = ligne(page, "Contact n°1")
    expect(champ(martin, "Nom")).to_have_value("Martin")
    expect(champ(martin, "Nom")).to_be_focused()
    expect(annonce(page)).to_have_text("Ligne « Contact n°1 » supprimée. 1 ligne restante.")
    champ(martin, "Téléphone").fill("04 74 00 00 00")

    page.get_by_role("button", name="Reprendre plus tard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    assert list(modification.contacts.values_list("nom", "telephone")) == [("Martin", "04 74 00 00 00")]
    # The registration itself is untouched until the modification is validated
    assert enregistrement.contacts.count() == 2


def test_une_ligne_supprimee_reste_cachee_quand_le_formulaire_revient_avec_une_erreur(
    page,
    brouillon,
    operateur,  # noqa: F811
):
    se_connecter(page, f"/soprano/rex/demandes/{brouillon.pk}/formulaire/", operateur.username)
    supprimer(ligne(page, "Contact n°2"))
    expect(annonce(page)).to_have_text("Ligne « Contact n°2 » supprimée. 2 lignes restantes.")
    # A value the server refuses even in a draft (longer than the field allows; the browser's maxlength
    # taken off, as an older browser would): the form comes back with its errors (422)
    nom = champ(ligne(page, "Contact n°1"), "Nom")
    nom.evaluate("champ => champ.removeAttribute('maxlength')")
    nom.fill("D" * 151)
    page.get_by_role("button", name="Reprendre plus tard").click()
    expect(page.locator("#messages")).to_contain_text("Certaines valeurs ne peuvent pas être enregistrées")

    # The deleted row is not back on the page; the rows shown are numbered 1 and 2
    contacts = page.locator("#lignes-contacts [data-ligne]")
    expect(contacts).to_have_count(3)
    expect(contacts.filter(visible=True)).to_have_count(2)
    expect(page.locator("#id_contacts-1-nom")).to_be_hidden()
    expect(champ(ligne(page, "Contact n°2"), "Nom")).to_have_value("Bernard")
    expect(ligne(page, "Contact n°2").get_by_role("button", name="Supprimer la ligne 2")).to_be_visible()

    champ(ligne(page, "Contact n°1"), "Nom").fill("Durand")
    page.get_by_role("button", name="Reprendre plus tard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    assert list(brouillon.contacts.values_list("nom", flat=True)) == ["Durand", "Bernard"]
