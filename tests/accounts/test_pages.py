"""Home, « Mon tableau de bord » (§3.3) and the SOPRANO home (§3.4) for each kind of account."""

from django.urls import reverse

import pytest

from accounts.models import DemandeHabilitation
from tests.accounts.helpers import messages_de, texte
from tests.factories import DepartementFactory, EntrepriseFactory, UserFactory

pytestmark = pytest.mark.django_db

SOPRANO = "Demande d'autorisation douanière et fiscale (SOPRANO)"
ORIGINE = "Origine – Entrer dans le domaine d'activité"
FAQ_CERTIFICATION = "Votre compte n'a pas la certification « Opérateur douane »"
CONTACT_PAE = "contactez votre pôle d'action économique (PAE) territorialement compétent"


def test_home_for_anonymous(client):
    page = texte(client.get(reverse("accounts:home")))
    assert "exportateur enregistré" in page
    assert "S'inscrire" in page
    assert "Se connecter" in page
    assert f'href="{reverse("accounts:services")}"' in page


def test_home_for_operator_links_dashboard(client):
    client.force_login(UserFactory())
    assert "Mon tableau de bord" in texte(client.get(reverse("accounts:home")))


@pytest.mark.parametrize("name", ["dashboard", "soprano_home", "services"])
def test_officer_is_sent_to_back_office(client, name):
    client.force_login(UserFactory(agent=True))
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 302
    assert response["Location"] == reverse("agent:file")
    assert "réservée aux opérateurs" in messages_de(response)[0]


def test_dashboard_not_certified_explains_next_step(client):
    user = UserFactory(username="claire")
    client.force_login(user)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    page = texte(response)
    assert "Mon tableau de bord" in page
    assert FAQ_CERTIFICATION in page
    assert CONTACT_PAE in page
    assert "Votre prochaine étape" in page
    assert "« claire »" in page
    assert "Accéder au service en ligne" not in page


def test_dashboard_entreprise_without_certification_is_not_certified(client):
    client.force_login(UserFactory(entreprise=EntrepriseFactory()))
    assert FAQ_CERTIFICATION in texte(client.get(reverse("accounts:dashboard")))


def test_dashboard_certified_not_habilitated_offers_habilitation(client):
    client.force_login(UserFactory(certifie=True))
    page = texte(client.get(reverse("accounts:dashboard")))
    assert SOPRANO in page
    assert "Demander mon habilitation" in page
    assert f"{reverse('accounts:services')}#demande-habilitation" in page
    assert FAQ_CERTIFICATION not in page
    assert "Seul votre pôle d'action économique (PAE) peut les modifier" in page


def test_dashboard_pending_request_shown(client):
    user = UserFactory(certifie=True)
    DemandeHabilitation.objects.create(user=user, departement=DepartementFactory())
    client.force_login(user)
    page = texte(client.get(reverse("accounts:dashboard")))
    assert "Demande d'habilitation en cours" in page
    assert "Demander mon habilitation" not in page


def test_dashboard_habilitated_links_soprano_home(client):
    user = UserFactory(habilite=True)
    client.force_login(user)
    page = texte(client.get(reverse("accounts:dashboard")))
    assert SOPRANO in page
    assert "Accéder au service en ligne" in page
    assert f'<a href="{reverse("accounts:soprano_home")}">{SOPRANO}</a>' in page
    assert user.entreprise.eori in page


def test_soprano_home_habilitated_shows_origine_tile(client):
    client.force_login(UserFactory(habilite=True))
    page = texte(client.get(reverse("accounts:soprano_home")))
    assert f'<a href="{reverse("rex:accueil")}">{ORIGINE}</a>' in page


def test_soprano_home_certified_not_habilitated_explains(client):
    client.force_login(UserFactory(certifie=True))
    response = client.get(reverse("accounts:soprano_home"))
    assert response.status_code == 200
    page = texte(response)
    assert ORIGINE not in page
    assert "Vous n'êtes pas encore habilité au téléservice SOPRANO" in page
    assert "l'onglet « Origine » n'apparaît donc pas" in page
    assert "Demander mon habilitation" in page


def test_soprano_home_not_certified_explains_certification(client):
    client.force_login(UserFactory())
    response = client.get(reverse("accounts:soprano_home"))
    assert response.status_code == 200
    page = texte(response)
    assert FAQ_CERTIFICATION in page
    assert ORIGINE not in page


def test_staff_dashboard_links_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert reverse("admin:index") in texte(client.get(reverse("accounts:dashboard")))
