"""What an officer's back-office shows of other services: nothing. Who reaches which URL is in
tests/test_matrice_urls.py."""

from django.core.files.base import ContentFile
from django.urls import reverse

import pytest

from rex.models import Document
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_officer_of_another_service_does_not_see_the_request_in_his_queue(client, deposee):
    client.force_login(UserFactory(agent=True))
    response = client.get(reverse("agent:file"))
    assert response.status_code == 200
    assert deposee.numero not in response.content.decode()


def test_officer_of_the_service_reads_the_document(client_agent, deposee):
    document = Document.objects.create(
        demande=deposee,
        nom="Statuts",
        fichier=ContentFile(b"%PDF-1.4 test", name="statuts.pdf"),
        nom_original="statuts.pdf",
        type_mime="application/pdf",
        taille=13,
        ajoute_par=deposee.created_by,
    )
    response = client_agent.get(reverse("agent:document", args=[deposee.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
