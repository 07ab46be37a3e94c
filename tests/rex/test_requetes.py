"""Pages of lists keep a constant number of SQL queries as rows grow."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from rex import services
from tests.factories import DemandeFactory, MandatFactory, UserFactory, demande_representee

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def file_for(transitaire, n):
    for _ in range(n):
        client_entreprise = MandatFactory(representant=transitaire.entreprise).represente
        demande = demande_representee(transitaire, client_entreprise)
        services.soumettre(demande=demande, by=transitaire)
        DemandeFactory(created_by=transitaire, titulaire=None, representant=transitaire.entreprise)


def test_rex_home_is_constant(client):
    transitaire = UserFactory(representant=True)
    client.force_login(transitaire)
    file_for(transitaire, 2)
    small = count_queries(client, reverse("rex:accueil"))
    file_for(transitaire, 8)
    assert count_queries(client, reverse("rex:accueil")) == small


def test_officer_queue_is_constant(client):
    transitaire = UserFactory(representant=True)
    file_for(transitaire, 2)
    demande = transitaire.demandes_creees.exclude(numero=None).first()
    agent = UserFactory(service=demande.service)
    client.force_login(agent)
    from rex.models import Demande

    Demande.objects.update(service=demande.service)
    small = count_queries(client, reverse("agent:file"))
    file_for(transitaire, 8)
    Demande.objects.update(service=demande.service)
    assert count_queries(client, reverse("agent:file")) == small


def test_request_form_is_constant_in_rows(client):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.created_by)
    url = reverse("rex:formulaire", args=[demande.pk])
    small = count_queries(client, url)
    for i in range(10):
        demande.contacts.create(
            nom=f"Nom {i}", prenom="P", fonction="F", telephone="0102030405", courriel="a@b.fr"
        )
        demande.marchandises.create(code="2204", description=f"Vin {i}")
    assert count_queries(client, url) == small
