"""« Me connecter » (guide §3.2.2), logout, password reset and the django-axes lockout."""

import re

from django.conf import settings
from django.urls import reverse

import pytest
from axes.models import AccessAttempt

from tests.accounts.helpers import messages_de, texte
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MOT_DE_PASSE = "Motdepasse1!"  # UserFactory's


def _login(client, username, password=MOT_DE_PASSE, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def test_login_page(client):
    page = texte(client.get(reverse("accounts:login")))
    assert "Me connecter" in page
    assert 'for="id_username"' in page and "Identifiant" in page
    assert 'for="id_password"' in page and "Mot de passe" in page
    assert "S'inscrire" in page
    assert "Mot de passe oublié ?" in page


def test_login_success_goes_to_dashboard(client):
    UserFactory(username="claire", certifie=True)
    response = _login(client, "claire")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


def test_login_officer_goes_to_back_office(client):
    UserFactory(username="sophie", agent=True)
    response = _login(client, "sophie")
    assert response["Location"] == reverse("agent:file")


def test_login_honours_next(client):
    UserFactory(username="claire", habilite=True)
    response = _login(client, "claire", next=reverse("accounts:soprano_home"))
    assert response["Location"] == reverse("accounts:soprano_home")


def test_login_wrong_password(client):
    UserFactory(username="claire")
    response = _login(client, "claire", "Mauvais1!")
    assert response.status_code == 200
    page = texte(response)
    assert "Identifiant ou mot de passe incorrect." in page
    assert "Le formulaire contient 1 erreur" in page
    assert "n'est pas encore activé" not in page


def test_login_inactive_account_is_told_to_activate(client):
    UserFactory(username="claire", is_active=False)
    response = _login(client, "claire")
    assert response.status_code == 200
    page = texte(response)
    assert "Votre compte n'est pas encore activé" in page
    assert reverse("accounts:activate", kwargs={"token": "renvoyer"}) in page
    assert "_auth_user_id" not in client.session


def test_login_inactive_account_with_wrong_password_reveals_nothing(client):
    UserFactory(username="claire", is_active=False)
    page = texte(_login(client, "claire", "Mauvais1!"))
    assert "n'est pas encore activé" not in page
    assert "Identifiant ou mot de passe incorrect." in page


def test_logout_is_post_only(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert "Vous êtes déconnecté." in messages_de(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.skipif(not settings.AXES_ENABLED, reason="django-axes désactivé (AXES_ENABLED=0)")
def test_axes_lockout_after_failure_limit(client):
    UserFactory(username="claire")
    limite = settings.AXES_FAILURE_LIMIT
    for _ in range(limite - 1):
        assert _login(client, "claire", "Mauvais1!").status_code == 200

    response = _login(client, "claire", "Mauvais1!")

    assert response.status_code == 429
    page = texte(response)
    assert "Connexion temporairement bloquée" in page
    assert f"bloquée après {limite} tentatives infructueuses" in page
    assert "Vous pourrez réessayer dans 30 minutes" in page
    assert re.search(r"à partir de \d\d:\d\d", page)
    assert AccessAttempt.objects.filter(username="claire").exists()
    # even the right password is refused while locked out
    assert _login(client, "claire").status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.skipif(not settings.AXES_ENABLED, reason="django-axes désactivé (AXES_ENABLED=0)")
def test_axes_success_resets_failures(client):
    UserFactory(username="claire")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "claire", "Mauvais1!")
    assert _login(client, "claire").status_code == 302
    client.post(reverse("accounts:logout"))
    assert _login(client, "claire", "Mauvais1!").status_code == 200


def test_password_reset_flow(client, mailoutbox):
    user = UserFactory(username="claire", email="claire@exemple.fr")
    page = texte(client.get(reverse("accounts:password_reset")))
    assert "Mot de passe oublié" in page and 'for="id_email"' in page

    response = client.post(reverse("accounts:password_reset"), {"email": "claire@exemple.fr"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "SOPRANO/REX : choisir un nouveau mot de passe"
    assert "« claire »" in mail.body
    lien = re.search(r"https?://\S+/compte/mot-de-passe/nouveau/\S+/", mail.body).group(0)
    assert lien.startswith(settings.SITE_URL)

    chemin = lien.removeprefix(settings.SITE_URL.rstrip("/"))
    formulaire = client.get(chemin, follow=True)
    assert "Choisir un nouveau mot de passe" in texte(formulaire)
    response = client.post(
        formulaire.redirect_chain[-1][0],
        {"new_password1": "motdepasse", "new_password2": "motdepasse"},
    )
    assert "une lettre majuscule" in texte(response)
    response = client.post(
        formulaire.redirect_chain[-1][0],
        {"new_password1": "Nouveau-Secret9", "new_password2": "Nouveau-Secret9"},
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("Nouveau-Secret9")


def test_password_reset_unknown_address_sends_nothing(client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@exemple.fr"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []
