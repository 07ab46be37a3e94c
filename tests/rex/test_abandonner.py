"""« Abandonner la demande » (guide §6.4): until granted, optional comment, irreversible."""

from django.urls import reverse

import pytest

from rex import services
from rex.models import Contact, Courriel, Demande, Evenement, Message
from tests.factories import DemandeFactory, UserFactory
from tests.pages import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def demande(client):
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    client.force_login(demande.created_by)
    return demande


def test_abandon_en_etude_with_a_comment_leaves_an_anonymous_trace(client, demande):
    numero, service = demande.numero, demande.service
    services.ecrire(demande=demande, by=demande.created_by, texte="Une question.")
    detail = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert f'href="{reverse("rex:abandonner", args=[demande.pk])}"' in detail

    confirmation = page(client.get(reverse("rex:abandonner", args=[demande.pk])))
    for texte in (
        "Commentaire (facultatif)",
        "Si vous abandonnez votre demande, cette action est irréversible.",
        "L'ensemble des données que vous aurez renseignées seront alors supprimées",
    ):
        assert texte in " ".join(confirmation.split()), texte

    response = client.post(reverse("rex:abandonner", args=[demande.pk]), {"commentaire": "Projet reporté."})
    assert response.url == reverse("rex:accueil")
    assert f"Votre demande {numero} a été abandonnée" in page(client.get(response.url))
    assert not Demande.objects.filter(pk=demande.pk).exists()
    assert not Contact.objects.exists() and not Message.objects.exists()
    trace = Evenement.objects.get(kind="abandon")
    assert (trace.numero_demande, trace.service, trace.demande, trace.acteur) == (numero, service, None, None)
    assert trace.commentaire == "Projet reporté."
    assert not Evenement.objects.exclude(acteur=None).exists(), "no event keeps its author"
    assert Courriel.objects.filter(destinataire=service.courriel).exists()


def test_abandon_without_comment_while_incomplete(client, demande):
    services.demander_complement(demande=demande, by=UserFactory(service=demande.service), texte="?")
    response = client.post(reverse("rex:abandonner", args=[demande.pk]))
    assert response.url == reverse("rex:accueil")
    assert not Demande.objects.filter(pk=demande.pk).exists()
    assert Evenement.objects.get(kind="abandon").commentaire == ""


def test_a_granted_request_cannot_be_abandoned(client, demande):
    services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    detail = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert "Abandonner la demande" not in detail
    response = client.post(reverse("rex:abandonner", args=[demande.pk]), follow=True)
    assert "Action « Abandonner la demande » impossible" in page(response)
    assert Demande.objects.filter(pk=demande.pk).exists()
    response = client.get(reverse("rex:abandonner", args=[demande.pk]))
    assert response.url == reverse("rex:detail", args=[demande.pk])
