"""No user-controlled string is ever rendered as HTML: markup typed into any field that reaches a message, a
page title, an e-mail, the PDF or the admin comes out as text."""

import io

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
from pypdf import PdfWriter

from rex import pdf, services
from rex.models import Courriel
from tests.factories import DemandeFactory, EntrepriseFactory, UserFactory

pytestmark = pytest.mark.django_db

BALISAGE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ECHAPPE = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def assert_texte(contenu: str):
    """The markup is shown as text (escaped), never as tags."""
    assert "<script>alert" not in contenu and "<img src=x" not in contenu
    assert ECHAPPE in contenu


def page(response) -> str:
    return response.content.decode()


def pdf_valide() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_paper_filing_for_a_company_named_with_markup(client):
    """Guide §5: the officer's success message names the company."""
    agent = UserFactory(agent=True)
    titulaire = EntrepriseFactory(raison_sociale=BALISAGE)
    client.force_login(agent)
    response = client.post(
        reverse("agent:deposer_papier"), {"eori": titulaire.eori, "attestation": "on"}, follow=True
    )
    assert response.status_code == 200
    assert_texte(page(response))
    assert_texte(page(client.get(reverse("agent:file"))))


def test_a_document_named_with_markup(client):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.created_by)
    response = client.post(
        reverse("rex:documents", args=[demande.pk]),
        {"fichier": SimpleUploadedFile("fiche.pdf", pdf_valide()), "nom": BALISAGE},
        follow=True,
    )
    assert response.status_code == 200
    contenu = page(response)
    assert "a été ajouté" in contenu
    assert_texte(contenu)


def test_a_thread_message_with_markup_on_both_sides_and_in_the_emails(client):
    demande = DemandeFactory(complete=True, courriel="export@exemple.fr")
    demande = services.soumettre(demande=demande, by=demande.created_by)
    agent = UserFactory(service=demande.service)
    services.ecrire(demande=demande, by=demande.created_by, texte=BALISAGE)
    services.ecrire(demande=demande, by=agent, texte=BALISAGE)
    client.force_login(agent)
    assert_texte(page(client.get(reverse("agent:detail", args=[demande.pk]))))
    client.force_login(demande.created_by)
    assert_texte(page(client.get(reverse("rex:detail", args=[demande.pk]))))
    courriels = Courriel.objects.filter(sujet__icontains="message")
    assert courriels.exists()
    for courriel in courriels:
        assert_texte(courriel.html)
        assert BALISAGE in courriel.texte, "the plain-text body shows the message as typed"
    for message in mail.outbox:
        assert "\n" not in message.subject


def test_the_registration_pdf_shows_markup_as_text():
    demande = DemandeFactory(complete=True, engagement_nom=BALISAGE)
    demande.titulaire.raison_sociale = BALISAGE
    demande.titulaire.save()
    demande = services.soumettre(demande=demande, by=demande.created_by)
    demande = services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    assert_texte(pdf.rendre_html(demande))


def test_the_admin_shows_markup_as_text(client):
    EntrepriseFactory(raison_sociale=BALISAGE)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert_texte(page(client.get(reverse("admin:accounts_entreprise_changelist"))))


def test_a_user_named_with_markup_in_the_header_and_the_pae_email(client):
    user = UserFactory(habilite=True, first_name=BALISAGE, last_name="Durand")
    client.force_login(user)
    assert_texte(page(client.get(reverse("accounts:dashboard"))))
