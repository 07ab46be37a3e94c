"""The back-office is for officers only, and each officer sees only his own service's requests."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.urls import reverse

import pytest

from rex.models import Demande, Document, Statut
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACTIONS_POST = ["prendre_en_charge", "reaffecter", "demander_complement", "rejeter", "octroyer", "ecrire"]


@pytest.fixture
def document(deposee):
    return Document.objects.create(
        demande=deposee,
        nom="Statuts",
        fichier=ContentFile(b"%PDF-1.4 test", name="statuts.pdf"),
        nom_original="statuts.pdf",
        type_mime="application/pdf",
        taille=13,
        ajoute_par=deposee.created_by,
    )


def urls_get(demande, document):
    return [
        reverse("agent:file"),
        reverse("agent:historique"),
        reverse("agent:detail", args=[demande.pk]),
        reverse("agent:document", args=[demande.pk, document.pk]),
    ]


def urls_post(demande):
    return [reverse(f"agent:{nom}", args=[demande.pk]) for nom in ACTIONS_POST]


def test_anonymous_user_is_sent_to_the_login_page(client, deposee, document):
    login = resolve_url(settings.LOGIN_URL)
    responses = [client.get(url) for url in urls_get(deposee, document)]
    responses += [client.post(url) for url in urls_post(deposee)]
    for response in responses:
        assert response.status_code == 302 and response.url.startswith(login), response.url


@pytest.mark.parametrize("trait", ["habilite", "representant"])
def test_operator_gets_404_on_every_agent_url(client, deposee, document, trait):
    client.force_login(UserFactory(**{trait: True}))
    for url in urls_get(deposee, document):
        assert client.get(url).status_code == 404, url
    for url in urls_post(deposee):
        assert client.post(url, {"texte": "x", "motif": "x", "confirmation": "on"}).status_code == 404, url


def test_the_holder_of_the_request_gets_404_too(client, deposee, document):
    client.force_login(deposee.created_by)
    for url in urls_get(deposee, document):
        assert client.get(url).status_code == 404, url
    for url in urls_post(deposee):
        assert client.post(url, {"motif": "x"}).status_code == 404, url
    assert Demande.objects.get(pk=deposee.pk).statut == Statut.EN_ETUDE


def test_officer_of_another_service_gets_404_on_the_request_urls(client, deposee, document):
    client.force_login(UserFactory(agent=True))
    for url in urls_get(deposee, document)[2:]:
        assert client.get(url).status_code == 404, url
    for url in urls_post(deposee):
        response = client.post(url, {"texte": "x", "motif": "x", "confirmation": "on"})
        assert response.status_code == 404, url
    demande = Demande.objects.get(pk=deposee.pk)
    assert (demande.statut, demande.agent, demande.messages.count()) == (Statut.EN_ETUDE, None, 0)


def test_officer_of_another_service_does_not_see_the_request_in_his_queue(client, deposee):
    client.force_login(UserFactory(agent=True))
    response = client.get(reverse("agent:file"))
    assert response.status_code == 200
    assert deposee.numero not in response.content.decode()


def test_officer_of_the_service_reads_the_document(client_agent, deposee, document):
    response = client_agent.get(reverse("agent:document", args=[deposee.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_action_urls_refuse_get(client_agent, deposee):
    for url in urls_post(deposee):
        assert client_agent.get(url).status_code == 405, url
