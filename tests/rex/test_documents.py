"""« Gérer les documents de la demande »: checked by content, size-limited, served only to those allowed."""

from html import unescape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from rex.models import Document
from tests import fichiers
from tests.factories import DemandeFactory

pytestmark = pytest.mark.django_db

PDF = fichiers.pdf_simple()
PNG = fichiers.image("PNG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def brouillon(client):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.created_by)
    return demande


def upload(client, demande, name, content, nom="Fiche produit"):
    return client.post(
        reverse("rex:documents", args=[demande.pk]),
        {"fichier": SimpleUploadedFile(name, content), "nom": nom},
        follow=True,
    )


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("fiche.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        (
            "statuts.docx",
            fichiers.docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_allowed_documents_are_added(client, brouillon, name, content, mime):
    response = upload(client, brouillon, name, content)
    document = Document.objects.get()
    assert document.type_mime == mime
    assert document.nom == "Fiche produit" and document.nom_original == name
    assert "a été ajouté" in unescape(response.content.decode())
    download = client.get(reverse("rex:document", args=[brouillon.pk, document.pk]))
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == mime
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_program_disguised_as_a_pdf_is_refused(client, brouillon):
    response = upload(client, brouillon, "facture.pdf", EXE)
    page = unescape(response.content.decode())
    assert response.status_code == 422
    assert "n'est pas d'un type accepté" in page and "facture.pdf" in page
    assert 'value="Fiche produit"' in page, "the name typed is kept"
    assert not Document.objects.exists()


def test_text_disguised_as_an_image_is_refused(client, brouillon):
    upload(client, brouillon, "photo.png", b"juste du texte\n" * 10)
    assert not Document.objects.exists()


def test_a_file_too_big_is_refused(client, brouillon, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = upload(client, brouillon, "gros.pdf", PDF + b"0" * 2048)
    assert "trop volumineux" in unescape(response.content.decode())
    assert not Document.objects.exists()


def test_name_is_required(client, brouillon):
    response = upload(client, brouillon, "fiche.pdf", PDF, nom="")
    assert "Donnez un nom au document." in unescape(response.content.decode())


def test_document_of_another_request_through_my_request_is_a_404(client, brouillon):
    other = DemandeFactory(complete=True)
    client.force_login(other.created_by)
    upload(client, other, "fiche.pdf", PDF)
    document = Document.objects.get()
    client.force_login(brouillon.created_by)
    assert client.get(reverse("rex:document", args=[brouillon.pk, document.pk])).status_code == 404


def test_files_are_not_served_by_any_public_url(client, brouillon, settings):
    upload(client, brouillon, "fiche.pdf", PDF)
    document = Document.objects.get()
    assert settings.MEDIA_URL is None, "no public URL for uploaded files"
    assert client.get("/media/" + document.fichier.name).status_code != 200
    client.logout()
    response = client.get(reverse("rex:document", args=[brouillon.pk, document.pk]))
    assert response.status_code == 302 and "connexion" in response.url


def test_delete_document_removes_the_file(client, brouillon, django_capture_on_commit_callbacks):
    upload(client, brouillon, "fiche.pdf", PDF)
    document = Document.objects.get()
    storage, name = document.fichier.storage, document.fichier.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rex:supprimer_document", args=[brouillon.pk, document.pk]))
    assert not Document.objects.exists()
    assert not storage.exists(name)


def test_a_document_whose_file_is_gone_is_a_404_not_a_server_error(client, brouillon):
    upload(client, brouillon, "fiche.pdf", fichiers.pdf_simple())
    document = Document.objects.get()
    document.fichier.storage.delete(document.fichier.name)
    response = client.get(reverse("rex:document", args=[brouillon.pk, document.pk]))
    assert response.status_code == 404
