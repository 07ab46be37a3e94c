"""Rubriques 4 and 5 are bounded (at most 20 contacts and 100 goods rows), and so are the counts posted
with them; the request form's buttons and links are checked by a form too."""

from django.urls import reverse

import pytest

from rex.forms import Bouton, BoutonForm, contacts_formset
from rex.models import Contact, Demande, LigneMarchandise
from rex.regles import LIGNES_MAX, MESSAGE_NOMBRE_LIGNES
from tests.factories import DemandeFactory, UserFactory
from tests.pages import page
from tests.rex.test_formulaire import management

pytestmark = pytest.mark.django_db

MAX_CONTACTS = "Vous pouvez indiquer au plus 20 personnes de contact (rubrique 4) : supprimez des lignes."
MAX_MARCHANDISES = "Vous pouvez indiquer au plus 100 marchandises (rubrique 5) : supprimez des lignes."


@pytest.fixture
def operateur(client):
    user = UserFactory(habilite=True)
    client.force_login(user)
    return user


def brouillon(data: dict) -> dict:
    return {
        **management("contacts", 1),
        "contacts-0-nom": "Durand",
        **management("marchandises", 1),
        "marchandises-0-code": "2204",
        "action": "reprendre",
        **data,
    }


def test_the_formsets_are_bounded():
    formset = contacts_formset(0)
    assert (formset.max_num, formset.absolute_max, formset.validate_max) == (20, 20, True)
    assert LIGNES_MAX == {"contacts": 20, "marchandises": 100}


@pytest.mark.parametrize(
    ("compte", "erreur"),
    [
        ("1001", MAX_MARCHANDISES),
        ("101", MAX_MARCHANDISES),
        ("-1", MESSAGE_NOMBRE_LIGNES),
        ("abc", MESSAGE_NOMBRE_LIGNES),
        ("", MESSAGE_NOMBRE_LIGNES),
        ("9" * 5000, MESSAGE_NOMBRE_LIGNES),
    ],
)
def test_a_hostile_row_count_is_refused_on_a_page_of_normal_size(client, operateur, compte, erreur):
    response = client.post(
        reverse("rex:deposer"), brouillon({"marchandises-TOTAL_FORMS": compte, "telephone": "04 72 00 00 00"})
    )
    assert response.status_code == 422
    html = page(response)
    assert erreur in html
    assert len(response.content) < 600_000, "at most the maximum of rows, never 1001 (7.8 MB)"
    assert 'value="Durand"' in html and 'value="04 72 00 00 00"' in html, "what was typed is kept"
    assert not Demande.objects.exists() and not Contact.objects.exists()


def test_a_negative_initial_count_is_refused(client, operateur):
    demande = DemandeFactory(created_by=operateur, complete=True)
    contact = demande.contacts.get()
    data = brouillon(
        {
            **management("contacts", 1, initial=-1),
            "contacts-0-id": str(contact.pk),
            "contacts-0-nom": "Martin",
        }
    )
    response = client.post(reverse("rex:formulaire", args=[demande.pk]), data)
    assert response.status_code == 422 and MESSAGE_NOMBRE_LIGNES in page(response)
    assert Contact.objects.get(pk=contact.pk).nom == "Durand"


def test_twenty_contacts_and_a_hundred_goods_are_saved(client, operateur):
    data = {**management("contacts", 20), **management("marchandises", 100), "action": "reprendre"}
    data |= {f"contacts-{i}-nom": f"Contact {i}" for i in range(20)}
    data |= {f"marchandises-{i}-description": f"Ligne {i}" for i in range(100)}
    assert client.post(reverse("rex:deposer"), data).status_code == 302
    assert (Contact.objects.count(), LigneMarchandise.objects.count()) == (20, 100)
    data |= {**management("contacts", 21), "contacts-20-nom": "Contact 20"}
    response = client.post(reverse("rex:deposer"), data)
    assert response.status_code == 422 and MAX_CONTACTS in page(response)
    assert Demande.objects.count() == 1


def test_adding_a_row_stops_at_the_maximum_with_htmx(client, operateur):
    url = reverse("rex:ligne", args=["contacts"])
    response = client.get(url, {"contacts-TOTAL_FORMS": "19"}, headers={"HX-Request": "true"})
    assert 'name="contacts-19-nom"' in page(response) and 'value="20"' in page(response)

    response = client.get(url, {"contacts-TOTAL_FORMS": "20"}, headers={"HX-Request": "true"})
    html = page(response)
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert 'id="limite-contacts"' in html and 'hx-swap-oob="true"' in html
    assert "Vous pouvez indiquer au plus 20 personnes de contact (rubrique 4)" in html
    assert "contacts-20-nom" not in html


@pytest.mark.parametrize("compte", ["-1", "abc", "1001", ""])
def test_a_hostile_count_adds_no_row(client, operateur, compte):
    response = client.get(reverse("rex:ligne", args=["marchandises"]), {"marchandises-TOTAL_FORMS": compte})
    html = page(response)
    assert response.status_code == 200 and "-code" not in html and "TOTAL_FORMS" not in html
    assert 'class="fr-message fr-message--error"' in html


def test_adding_a_row_without_javascript_stops_at_the_maximum(client, operateur):
    demande = DemandeFactory(created_by=operateur, complete=True)
    Contact.objects.bulk_create(Contact(demande=demande, nom=f"Contact {i}") for i in range(19))
    response = client.get(reverse("rex:formulaire", args=[demande.pk]), {"ajouter": "contacts"})
    html = page(response)
    assert 'name="contacts-19-nom"' in html and 'name="contacts-20-nom"' not in html
    assert MAX_CONTACTS in html


@pytest.mark.parametrize(
    ("action", "bouton"),
    [
        ("", Bouton("reprendre")),
        ("valider", Bouton("valider")),
        ("documents", Bouton("documents")),
        ("abandonner", Bouton("abandonner")),
        ("ajouter:contacts", Bouton("ajouter", "contacts")),
        ("supprimer:contacts-19", Bouton("supprimer", "contacts", 19)),
        ("supprimer:marchandises-99", Bouton("supprimer", "marchandises", 99)),
    ],
)
def test_the_buttons_of_the_request_form(action, bouton):
    form = BoutonForm({"action": action}, boutons=("reprendre", "valider", "documents", "abandonner"))
    assert form.is_valid() and form.cleaned_data["action"] == bouton


@pytest.mark.parametrize(
    "action",
    [
        "continuer",
        "ajouter:",
        "ajouter:documents",
        "supprimer:contacts-20",
        "supprimer:marchandises-100",
        "supprimer:contacts--1",
        "supprimer:contacts-99999999999999999999",
        "supprimer:contacts-0-nom",
        "supprimer:contacts-١",
        "valider\x00",
        "a" * 100_000,
    ],
)
def test_other_button_values_are_refused(action):
    form = BoutonForm({"action": action}, boutons=("reprendre", "valider", "documents", "abandonner"))
    assert not form.is_valid()
    assert form.errors["action"][0].startswith(
        ("Ce bouton n'est pas reconnu", "Ce champ contient", "Assurez")
    )


def test_an_unknown_button_saves_nothing_and_keeps_what_was_typed(client, operateur):
    demande = DemandeFactory(created_by=operateur, complete=True)
    data = brouillon({"action": "supprimer:contacts-5000", "telephone": "04 72 00 00 00"})
    response = client.post(reverse("rex:formulaire", args=[demande.pk]), data)
    assert response.status_code == 422
    assert "Ce bouton n'est pas reconnu : rien n'a été enregistré." in page(response)
    assert 'value="04 72 00 00 00"' in page(response)
    assert Demande.objects.get(pk=demande.pk).telephone == "01 23 45 67 89"
