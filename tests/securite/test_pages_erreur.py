"""French DSFR pages for 400, 403, 404, 429 and 500; the 500 page holds no logic that could fail."""

import html
from pathlib import Path

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

import pytest

from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def lu(response) -> str:
    return html.unescape(response.content.decode())


def assert_page_du_service(page: str, titre: str, code: int):
    assert '<html lang="fr"' in page
    assert f"<h1>{titre}</h1>" in page and f"Erreur {code}" in page
    assert "SOPRANO/REX" in page and "Page d'accueil" in page
    assert "Traceback" not in page and "URLconf" not in page


def test_404_for_an_unknown_address(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    page = lu(response)
    assert_page_du_service(page, "Page introuvable", 404)
    assert "La page que vous cherchez est introuvable" in page


def test_404_for_another_companys_request_is_the_same_page(client):
    demande = DemandeFactory(complete=True)
    client.force_login(UserFactory(habilite=True))
    response = client.get(reverse("rex:formulaire", args=[demande.pk]))
    assert response.status_code == 404
    assert_page_du_service(lu(response), "Page introuvable", 404)


def test_400_for_a_forged_host_header(client):
    response = client.get("/", HTTP_HOST="attaquant.example")
    assert response.status_code == 400
    assert_page_du_service(lu(response), "Requête incorrecte", 400)


def test_403_when_a_form_comes_without_its_csrf_token():
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x"})
    assert response.status_code == 403
    page = lu(response)
    assert_page_du_service(page, "Formulaire expiré", 403)
    assert "rechargez-la" in page


def test_403_for_a_staff_account_without_the_permission(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:rex_courriel_changelist"))
    assert response.status_code == 403
    assert_page_du_service(lu(response), "Accès refusé", 403)


@override_settings(ROOT_URLCONF="tests.securite.urls_erreur")
def test_500_is_a_static_french_page():
    response = Client(raise_request_exception=False).get("/boum/")
    assert response.status_code == 500
    page = lu(response)
    assert "<h1>Erreur inattendue</h1>" in page and '<html lang="fr">' in page
    assert "panne simulée" not in page and "Traceback" not in page


def test_the_500_template_has_no_template_logic():
    gabarit = (Path(settings.BASE_DIR) / "templates" / "500.html").read_text()
    assert "{%" not in gabarit and "{{" not in gabarit


def test_an_abandoned_requests_old_link_tells_those_who_knew_it(client, django_capture_on_commit_callbacks):
    from rex import services

    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    pk, numero, titulaire = demande.pk, demande.numero, demande.created_by
    agent = UserFactory(service=demande.service)
    services.abandonner(demande=demande, by=titulaire)
    message = f"La demande {numero} a été abandonnée le"

    client.force_login(titulaire)
    response = client.get(reverse("rex:detail", args=[pk]))
    assert response.status_code == 404
    assert message in lu(response)
    client.force_login(agent)
    assert message in lu(client.get(reverse("agent:detail", args=[pk])))
    # Anyone else reads the plain 404: not even the number is disclosed.
    client.force_login(UserFactory(habilite=True))
    inconnu = lu(client.get(reverse("rex:detail", args=[pk])))
    assert numero not in inconnu and "Page introuvable" in inconnu
    client.logout()
    assert numero not in lu(client.get(reverse("rex:detail", args=[pk]), follow=True))
