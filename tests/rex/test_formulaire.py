"""The request form (guide §5.2): drafts keep everything, validation points at every missing field."""

from html import unescape

from django.urls import reverse

import pytest

from rex.models import Contact, Demande, Evenement, LigneMarchandise, Statut
from tests.factories import (
    BureauDouaneFactory,
    CadrePreferentielFactory,
    ChapitreFactory,
    DemandeFactory,
    PositionTarifaireFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def complete_post(bureau, cadre, **overrides):
    data = {
        "bureau": str(bureau.pk),
        "telephone": "01 23 45 67 89",
        "courriel": "export@exemple.fr",
        "activite": "production",
        "cadres": [str(cadre.pk)],
        "engagement": "on",
        "engagement_nom": "Claire Durand",
        "engagement_fonction": "Directrice export",
        "engagement_lieu": "Lyon",
        "consentement_publication": "oui",
        **management("contacts", 2),
        "contacts-0-nom": "Durand",
        "contacts-0-prenom": "Claire",
        "contacts-0-fonction": "Directrice export",
        "contacts-0-telephone": "01 23 45 67 89",
        "contacts-0-courriel": "claire@exemple.fr",
        "contacts-1-nom": "Martin",
        "contacts-1-prenom": "Paul",
        "contacts-1-fonction": "Comptable",
        "contacts-1-telephone": "+33 4 72 00 00 00",
        "contacts-1-courriel": "paul@exemple.fr",
        **management("marchandises", 1),
        "marchandises-0-code": "2204",
        "marchandises-0-description": "Vins rouges",
        "action": "valider",
    }
    data.update(overrides)
    return data


@pytest.fixture
def operateur(client):
    user = UserFactory(habilite=True)
    client.force_login(user)
    return user


@pytest.fixture
def reference():
    return {
        "bureau": BureauDouaneFactory(),
        "cadre": CadrePreferentielFactory(),
        "position": PositionTarifaireFactory(),
    }


def test_deposer_shows_the_guide_labels_and_the_account_data(client, operateur):
    response = client.get(reverse("rex:deposer"))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    for label in (
        "Ajouter une ligne +",
        "Gérer les documents de la demande",
        "Abandonner",
        "Reprendre plus tard",
        "Valider et passer à l'étape suivante",
        "Je m'engage à souscrire",
        operateur.entreprise.eori,
        operateur.entreprise.raison_sociale,
    ):
        assert label in html, label
    assert not Demande.objects.exists(), "opening the form creates nothing"


def test_reprendre_plus_tard_saves_an_incomplete_draft(client, operateur):
    data = {
        **management("contacts", 1),
        "contacts-0-nom": "Durand",
        **management("marchandises", 1),
        "marchandises-0-code": "84",
        "telephone": "pas encore",
        "action": "reprendre",
    }
    response = client.post(reverse("rex:deposer"), data)
    assert response.status_code == 302
    demande = Demande.objects.get()
    assert demande.statut == Statut.BROUILLON
    assert demande.titulaire == operateur.entreprise
    assert demande.telephone == "pas encore"
    assert Contact.objects.get().nom == "Durand"
    assert LigneMarchandise.objects.get().code == "84"
    assert Evenement.objects.filter(demande=demande, kind="creation").count() == 1
    page = client.get(reverse("rex:accueil"), {"onglet": "brouillons"})  # « Mes brouillons »
    assert f"Brouillon n° {demande.pk}" in unescape(page.content.decode())


def test_enregistrer_saves_and_comes_back_to_the_form(client, operateur):
    """Enter in a field without JavaScript presses the form's hidden default button « enregistrer »."""
    data = {
        **management("contacts", 1),
        "contacts-0-nom": "Durand",
        **management("marchandises", 1),
        "telephone": "04 72 00 00 00",
        "action": "enregistrer",
    }
    response = client.post(reverse("rex:deposer"), data, follow=True)
    demande = Demande.objects.get()
    assert response.redirect_chain == [(reverse("rex:formulaire", args=[demande.pk]), 302)]
    assert demande.telephone == "04 72 00 00 00"
    assert Contact.objects.get().nom == "Durand"
    page = unescape(response.content.decode())
    assert "Vos données ont été enregistrées : vous pouvez poursuivre la saisie." in page


def test_valider_points_at_every_missing_field_and_keeps_what_was_typed(client, operateur):
    data = {
        **management("contacts", 1),
        "contacts-0-nom": "Durand",
        "contacts-0-courriel": "pas-une-adresse",
        **management("marchandises", 1),
        "telephone": "04 72 00 00 00",
        "action": "valider",
    }
    response = client.post(reverse("rex:deposer"), data)
    demande = Demande.objects.get()
    assert response.status_code == 302
    assert response.url.endswith("?valider=1#erreurs")
    page = unescape(client.get(response.url).content.decode())
    assert "Votre formulaire ne peut pas être validé" in page
    for message in (
        "Bureau de douane compétent",
        "Contacts, ligne 1 : Prénom",
        "Adresse électronique invalide",
        "Indiquez au moins une marchandise (rubrique 5).",
        "Vous devez cocher « Je m'engage à souscrire »",
    ):
        assert message in page, message
    assert 'value="Durand"' in page and 'value="04 72 00 00 00"' in page
    assert demande.statut == Statut.BROUILLON


def test_valider_a_complete_form_leads_to_the_recap(client, operateur, reference):
    response = client.post(reverse("rex:deposer"), complete_post(reference["bureau"], reference["cadre"]))
    demande = Demande.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("rex:recapitulatif", args=[demande.pk])
    assert demande.contacts.count() == 2
    recap = unescape(client.get(response.url).content.decode())
    assert "Soumettre ma demande" in recap and "Retour" in recap
    assert "Martin" in recap and "2204" in recap


def test_add_row_without_javascript_keeps_the_data(client, operateur):
    data = {
        **management("contacts", 1),
        "contacts-0-nom": "Durand",
        **management("marchandises", 1),
        "action": "ajouter:contacts",
    }
    response = client.post(reverse("rex:deposer"), data)
    demande = Demande.objects.get()
    page = unescape(client.get(response.url).content.decode())
    assert 'value="Durand"' in page
    assert 'name="contacts-1-nom"' in page
    assert demande.contacts.count() == 1


def test_trash_without_javascript_deletes_the_row(client, operateur):
    demande = DemandeFactory(created_by=operateur, complete=True)
    contact = demande.contacts.get()
    data = {
        **management("contacts", 1, initial=1),
        "contacts-0-id": str(contact.pk),
        "contacts-0-nom": contact.nom,
        **management("marchandises", 0),
        "action": "supprimer:contacts-0",
    }
    client.post(reverse("rex:formulaire", args=[demande.pk]), data)
    assert not demande.contacts.exists()


def test_htmx_row_carries_the_next_index_and_the_new_count(client, operateur):
    response = client.get(
        reverse("rex:ligne", args=["marchandises"]),
        {"marchandises-TOTAL_FORMS": "3"},
        headers={"HX-Request": "true"},
    )
    html = unescape(response.content.decode())
    assert 'name="marchandises-3-code"' in html
    assert 'id="id_marchandises-TOTAL_FORMS"' in html and 'value="4"' in html
    assert "hx-swap-oob" in html


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["22", "2204"], "Le chapitre 22 est déjà indiqué en entier"),
        (["9999"], "La position tarifaire 9999 n'existe pas"),
        (["99"], "Le chapitre 99 n'existe pas"),
        (["2204", "2204"], "La position 2204 est indiquée plusieurs fois"),
        (["220"], "Indiquez une position tarifaire à 4 chiffres"),
    ],
)
def test_goods_rules(client, operateur, reference, codes, message):
    ChapitreFactory(code="22")
    data = complete_post(reference["bureau"], reference["cadre"])
    data.update(management("marchandises", len(codes)))
    for i, code in enumerate(codes):
        data[f"marchandises-{i}-code"] = code
        data[f"marchandises-{i}-description"] = "Vins"
    response = client.post(reverse("rex:deposer"), data, follow=True)
    assert message in unescape(response.content.decode())
    assert Demande.objects.get().statut == Statut.BROUILLON


def test_a_whole_chapter_alone_is_accepted(client, operateur, reference):
    ChapitreFactory(code="22")
    data = complete_post(reference["bureau"], reference["cadre"])
    data["marchandises-0-code"] = "22"
    response = client.post(reverse("rex:deposer"), data)
    assert response.url.startswith(reverse("rex:recapitulatif", args=[Demande.objects.get().pk]))


def test_abandonner_deletes_everything_after_confirmation(client, operateur):
    demande = DemandeFactory(created_by=operateur, complete=True)
    page = client.get(reverse("rex:abandonner", args=[demande.pk]))
    assert "irréversible" in unescape(page.content.decode())
    client.post(reverse("rex:abandonner", args=[demande.pk]))
    assert not Demande.objects.filter(pk=demande.pk).exists()
    assert not Contact.objects.exists()
    assert not Evenement.objects.exists()
