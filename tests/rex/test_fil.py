"""« Fil de discussion » from the operator side (guide §6.1): at every stage, the service is e-mailed."""

from django.urls import reverse

import pytest

from rex import services
from rex.models import Demande, Evenement, Message, Statut
from tests.factories import DemandeFactory, UserFactory
from tests.pages import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def demande(client):
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    client.force_login(demande.created_by)
    return demande


def test_the_operator_writes_and_the_officer_in_charge_is_emailed(
    client, demande, django_capture_on_commit_callbacks, mailoutbox
):
    agent = UserFactory(service=demande.service)
    services.prendre_en_charge(demande=demande, by=agent)
    detail = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert "Fil de discussion" in detail
    assert f'action="{reverse("rex:ecrire", args=[demande.pk])}"' in detail

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rex:ecrire", args=[demande.pk]), {"texte": "Faut-il un Kbis ?"})
    assert response.url == reverse("rex:detail", args=[demande.pk]) + "#fil"
    message = Message.objects.get(demande=demande)
    assert (message.cote, message.auteur) == ("operateur", demande.created_by)
    assert [m.to for m in mailoutbox] == [[agent.email]]
    detail = page(client.get(response.url))
    assert "Faut-il un Kbis ?" in detail and "Votre message a été envoyé" in detail
    assert Evenement.objects.filter(demande=demande, kind="message").exists(), "in the « Historique »"
    assert Demande.objects.get(pk=demande.pk).statut == Statut.EN_ETUDE


def test_without_an_officer_in_charge_the_service_is_emailed(
    client, demande, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rex:ecrire", args=[demande.pk]), {"texte": "Bonjour."})
    assert [m.to for m in mailoutbox] == [[demande.service.courriel]]


def test_the_officers_messages_are_shown_to_the_operator(client, demande):
    agent = UserFactory(service=demande.service)
    services.demander_complement(demande=demande, by=agent, texte="Précisez l'activité principale.")
    detail = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert "Précisez l'activité principale." in detail and "Service des douanes" in detail


def test_an_empty_message_is_refused(client, demande):
    response = client.post(reverse("rex:ecrire", args=[demande.pk]), {"texte": "  "}, follow=True)
    assert "Le message est obligatoire." in page(response)
    assert not Message.objects.exists()


def test_the_thread_stays_open_once_granted(client, demande):
    services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    client.post(reverse("rex:ecrire", args=[demande.pk]), {"texte": "Merci."})
    assert Message.objects.filter(demande=demande).count() == 1
    assert Demande.objects.get(pk=demande.pk).statut == Statut.OCTROYEE


def test_writing_needs_a_post(client, demande):
    assert client.get(reverse("rex:ecrire", args=[demande.pk])).status_code == 405


def test_a_nul_is_refused_in_french_and_the_message_comes_back(client, demande, mailoutbox):
    """A NUL gave a 500 on PostgreSQL: the view read request.POST without a form."""
    url = reverse("rex:ecrire", args=[demande.pk])
    response = client.post(url, {"texte": "Faut-il un Kbis ?\x00\nMerci."})
    assert response.status_code == 422
    html = page(response)
    assert "Ce champ contient un caractère non autorisé (caractère nul, U+0000)" in html
    assert "Faut-il un Kbis ?" in html.split('id="id_texte_message"')[1], "the message typed is kept"
    assert not Message.objects.exists() and not Evenement.objects.filter(kind="message").exists()
    assert mailoutbox == []


@pytest.mark.parametrize("texte", ["a" * 100_000, "Bonjour \u202etxet\u202c", "Bonjour\x1b[31m"])
def test_a_message_too_long_or_with_a_control_character_is_refused(client, demande, texte):
    response = client.post(reverse("rex:ecrire", args=[demande.pk]), {"texte": texte})
    assert response.status_code == 422
    assert "Assurez-vous que cette valeur comporte au plus 5000 caractères" in page(
        response
    ) or "Ce champ contient un caractère non autorisé" in page(response)
    assert not Message.objects.exists()


def test_a_message_of_5000_characters_in_any_script_is_sent(client, demande):
    texte = ("Merci 😀 漢字 é\u0301 𝔘\n" * 300)[:5000]
    client.post(reverse("rex:ecrire", args=[demande.pk]), {"texte": texte})
    assert Message.objects.get().texte == texte.strip()
