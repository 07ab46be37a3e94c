"""Documents and registration PDFs on an S3-compatible bucket (S3_BUCKET), against a real S3 HTTP server.

The bucket is the only place files go; it stays private; every download passes the permission check and is
streamed by Django (no redirect to the bucket); deleting a document or abandoning a request deletes its
objects; the PDF cache works on the bucket as on a folder.
"""

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from rex import pdf, services, tasks
from rex.models import Document
from tests import fichiers
from tests.factories import BureauDouaneFactory, DemandeFactory, UserFactory
from tests.s3 import client_s3, objets

pytestmark = pytest.mark.django_db

PDF = fichiers.pdf_simple()
FAUX_PDF = b"%PDF-1.7\n% rendu factice\n"


@pytest.fixture
def brouillon(client, bucket_s3):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.created_by)
    return demande


def ajouter(client, demande, contenu=PDF, nom_fichier="fiche.pdf"):
    response = client.post(
        reverse("rex:documents", args=[demande.pk]),
        {"fichier": SimpleUploadedFile(nom_fichier, contenu), "nom": "Fiche produit"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Document.objects.filter(demande=demande).latest("pk")


def contenu(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_upload_goes_to_the_bucket_and_nowhere_else(client, brouillon, bucket_s3, tmp_path):
    document = ajouter(client, brouillon)
    assert objets(bucket_s3.endpoint, bucket_s3.nom) == {document.fichier.name: PDF}
    assert document.fichier.name.startswith(f"demandes/{brouillon.pk}/")
    assert "fiche" not in document.fichier.name, "the object's name never comes from the user"
    acl = client_s3(bucket_s3.endpoint).get_object_acl(Bucket=bucket_s3.nom, Key=document.fichier.name)
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"], "owner only, never public"
    assert acl["Grants"][0]["Grantee"]["Type"] == "CanonicalUser"


def test_downloads_pass_the_permission_check_and_are_streamed_by_django(client, brouillon, bucket_s3):
    document = ajouter(client, brouillon)
    url = reverse("rex:document", args=[brouillon.pk, document.pk])

    response = client.get(url)
    assert response.status_code == 200 and contenu(response) == PDF
    assert response["Content-Type"] == "application/pdf" and "Location" not in response
    assert response["Cache-Control"] == "private, no-store"

    autre = DemandeFactory(complete=True)
    client.force_login(autre.created_by)
    assert client.get(url).status_code == 404, "another company's document"
    client.logout()
    assert client.get(url).status_code == 302, "anonymous: to the login page"

    demande = services.soumettre(demande=brouillon, by=brouillon.created_by)
    agent = UserFactory(service=demande.service)
    client.force_login(agent)
    officier = client.get(reverse("agent:document", args=[demande.pk, document.pk]))
    assert officier.status_code == 200 and contenu(officier) == PDF
    client.force_login(UserFactory(service=BureauDouaneFactory()))
    assert client.get(reverse("agent:document", args=[demande.pk, document.pk])).status_code == 404


def test_deleting_a_document_deletes_its_object(
    client, brouillon, bucket_s3, django_capture_on_commit_callbacks
):
    garde = ajouter(client, brouillon, fichiers.image("PNG"), "photo.png")
    document = ajouter(client, brouillon)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rex:supprimer_document", args=[brouillon.pk, document.pk]))
    assert list(objets(bucket_s3.endpoint, bucket_s3.nom)) == [garde.fichier.name]


def test_abandoning_a_request_deletes_its_objects(
    client, brouillon, bucket_s3, django_capture_on_commit_callbacks
):
    ajouter(client, brouillon)
    ajouter(client, brouillon, fichiers.image("PNG"), "photo.png")
    autre = DemandeFactory(complete=True)
    client.force_login(autre.created_by)
    garde = ajouter(client, autre)
    assert len(objets(bucket_s3.endpoint, bucket_s3.nom)) == 3

    client.force_login(brouillon.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rex:abandonner", args=[brouillon.pk]))
    assert response.status_code == 302
    assert list(objets(bucket_s3.endpoint, bucket_s3.nom)) == [garde.fichier.name]


def test_an_object_gone_from_the_bucket_is_a_404(client, brouillon, bucket_s3):
    document = ajouter(client, brouillon)
    client_s3(bucket_s3.endpoint).delete_object(Bucket=bucket_s3.nom, Key=document.fichier.name)
    assert client.get(reverse("rex:document", args=[brouillon.pk, document.pk])).status_code == 404


@pytest.fixture
def rendus(monkeypatch):
    appels = []

    def rendre_pdf(html):
        appels.append(html)
        return FAUX_PDF

    monkeypatch.setattr(pdf, "rendre_pdf", rendre_pdf)
    return appels


def test_the_pdf_cache_lives_in_the_bucket(client, bucket_s3, rendus):
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    demande = services.octroyer(demande=demande, by=UserFactory(service=demande.service))

    assert tasks.generer_autorisation(demande.pk) is True  # the worker's render
    stockes = objets(bucket_s3.endpoint, bucket_s3.nom)
    assert list(stockes.values()) == [FAUX_PDF]
    [nom] = stockes
    assert nom.startswith(f"autorisations/{demande.pk}/autorisation-v1-")
    assert tasks.generer_autorisation(demande.pk) is False and len(rendus) == 1

    client.force_login(demande.created_by)
    response = client.get(reverse("rex:imprimer", args=[demande.pk]))
    assert response.status_code == 200 and contenu(response) == FAUX_PDF
    assert len(rendus) == 1, "served from the bucket, not rendered again"

    demande.contacts.update(telephone="09 99 99 99 99")  # the document changes: a new file, the old one goes
    assert tasks.generer_autorisation(demande.pk) is True
    [nouveau] = objets(bucket_s3.endpoint, bucket_s3.nom)
    assert nouveau != nom and default_storage.exists(nouveau) and not default_storage.exists(nom)
