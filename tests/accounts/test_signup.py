"""« S'inscrire » and the activation link (guide §3.2.1)."""

import re
import time
from unittest import mock

from django.conf import settings
from django.test import Client
from django.urls import reverse

import pytest

from accounts import tokens
from accounts.models import User
from rex.models import Courriel
from tests.accounts.helpers import messages_de, texte
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DONNEES = {
    "username": "claire",
    "first_name": "Claire",
    "last_name": "Durand",
    "email": "claire.durand@exemple.fr",
    "password1": "Azerty-Soprano7",
    "password2": "Azerty-Soprano7",
}


def _lien_du_courriel(message) -> str:
    return re.search(r"https?://\S+/compte/activation/\S+/", message.body).group(0)


def _chemin(lien: str) -> str:
    return lien.removeprefix(settings.SITE_URL.rstrip("/"))


def _inscrire(client, django_capture_on_commit_callbacks, **donnees):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:signup"), {**DONNEES, **donnees})


def test_signup_page_labels(client):
    page = texte(client.get(reverse("accounts:signup")))
    for label in (
        "S'inscrire",
        "Identifiant",
        "Prénom",
        "Nom",
        "Adresse électronique",
        "Mot de passe",
        "Confirmation du mot de passe",
    ):
        assert label in page
    assert 'for="id_username"' in page


def test_signup_creates_inactive_account_and_sends_activation_mail(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = _inscrire(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(username="claire")
    assert not user.is_active
    assert user.check_password("Azerty-Soprano7")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["claire.durand@exemple.fr"]
    assert "activez votre compte" in mail.subject
    assert f"valable {settings.ACCOUNT_ACTIVATION_DAYS} jours" in mail.body
    assert mail.alternatives and "Activer mon compte" in mail.alternatives[0][0]
    assert _lien_du_courriel(mail).startswith(settings.SITE_URL)
    assert Courriel.objects.get(destinataire="claire.durand@exemple.fr").envoye_le is not None
    done = texte(client.get(response["Location"]))
    assert "claire.durand@exemple.fr" in done


def test_signup_mail_waits_for_commit(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("accounts:signup"), DONNEES)
    assert mailoutbox == []
    assert len(callbacks) == 1


@pytest.mark.parametrize("username", ["claire2", "claire.durand", "claire_d"])
def test_signup_identifiant_refused(client, username):
    response = client.post(reverse("accounts:signup"), {**DONNEES, "username": username})
    assert response.status_code == 200
    page = texte(response)
    assert "L'identifiant ne doit contenir que des lettres" in page
    # error summary links to the field
    assert 'href="#id_username"' in page
    assert not User.objects.filter(email=DONNEES["email"]).exists()


def test_signup_accents_accepted(client, django_capture_on_commit_callbacks):
    response = _inscrire(client, django_capture_on_commit_callbacks, username="Hélène")
    assert response.status_code == 302
    assert User.objects.filter(username="Hélène").exists()


def test_signup_password_rules_shown(client):
    response = client.post(
        reverse("accounts:signup"),
        {**DONNEES, "password1": "motdepasse_1", "password2": "motdepasse_1"},
    )
    page = texte(response)
    assert "Le formulaire contient 1 erreur" in page
    assert 'href="#id_password1">Mot de passe : Le mot de passe doit contenir' in page
    assert "une lettre majuscule" in page
    assert "un caractère spécial (le « _ » ne compte pas)" in page
    assert not User.objects.filter(email=DONNEES["email"]).exists()


def test_signup_passwords_must_match(client):
    response = client.post(reverse("accounts:signup"), {**DONNEES, "password2": "Azerty-Soprano8"})
    assert response.status_code == 200
    assert not User.objects.filter(email=DONNEES["email"]).exists()


def test_signup_existing_identifiant_refused(client):
    UserFactory(username="claire")
    response = client.post(reverse("accounts:signup"), {**DONNEES, "username": "Claire"})
    assert "Cet identifiant est déjà utilisé." in texte(response)


def test_signup_requires_email_and_names(client):
    response = client.post(reverse("accounts:signup"), {**DONNEES, "email": "", "last_name": ""})
    page = texte(response)
    assert 'href="#id_email"' in page
    assert 'href="#id_last_name"' in page


# Activation --------------------------------------------------------------------------------------


def test_activation_link_activates_once(client, mailoutbox, django_capture_on_commit_callbacks):
    _inscrire(client, django_capture_on_commit_callbacks)
    chemin = _chemin(_lien_du_courriel(mailoutbox[0]))

    response = client.get(chemin)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "Votre compte est activé. Vous pouvez maintenant vous connecter." in messages_de(response)
    assert User.objects.get(username="claire").is_active

    again = client.get(chemin)
    assert again.status_code == 200
    assert "Ce lien a déjà été utilisé : votre compte est déjà activé." in texte(again)
    assert "Me connecter" in texte(again)


def test_activation_link_expired_offers_resend(client):
    user = UserFactory(is_active=False)
    passe = time.time() - settings.ACCOUNT_ACTIVATION_DAYS * 86400 - 60
    with mock.patch("django.core.signing.time.time", return_value=passe):
        token = tokens.creer_jeton_activation(user_id=user.pk)

    response = client.get(reverse("accounts:activate", kwargs={"token": token}))

    page = texte(response)
    assert "Ce lien d'activation a expiré" in page
    assert "Renvoyer le lien d'activation" in page
    assert 'name="email"' in page
    user.refresh_from_db()
    assert not user.is_active


def test_activation_link_still_valid_before_expiry(client):
    user = UserFactory(is_active=False)
    presque = time.time() - settings.ACCOUNT_ACTIVATION_DAYS * 86400 + 60
    with mock.patch("django.core.signing.time.time", return_value=presque):
        token = tokens.creer_jeton_activation(user_id=user.pk)
    client.get(reverse("accounts:activate", kwargs={"token": token}))
    user.refresh_from_db()
    assert user.is_active


def test_activation_link_tampered_refused(client):
    user = UserFactory(is_active=False)
    token = tokens.creer_jeton_activation(user_id=user.pk)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(reverse("accounts:activate", kwargs={"token": forged}))

    assert response.status_code == 400
    assert "Ce lien d'activation n'est pas valide." in texte(response)
    user.refresh_from_db()
    assert not user.is_active


def test_activation_token_from_another_salt_refused(client):
    from django.core import signing

    user = UserFactory(is_active=False)
    token = signing.dumps({"u": user.pk})
    response = client.get(reverse("accounts:activate", kwargs={"token": token}))
    assert response.status_code == 400


def test_activation_does_not_reactivate_an_account_disabled_after_use(client):
    user = UserFactory(is_active=False)
    user.last_login = user.date_joined
    user.save()
    token = tokens.creer_jeton_activation(user_id=user.pk)
    response = client.get(reverse("accounts:activate", kwargs={"token": token}))
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


# Resend ------------------------------------------------------------------------------------------


def test_resend_activation_sends_new_link(client, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(is_active=False, email="lea@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:activate", kwargs={"token": "renvoyer"}), {"email": "LEA@exemple.fr"}
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    client.get(_chemin(_lien_du_courriel(mailoutbox[0])))
    user.refresh_from_db()
    assert user.is_active


def test_resend_activation_does_not_reveal_unknown_or_active_address(
    mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(is_active=True, email="actif@exemple.fr")
    reponses = []
    for email in ("inconnu@exemple.fr", "actif@exemple.fr"):
        with django_capture_on_commit_callbacks(execute=True):
            reponses.append(
                Client().post(reverse("accounts:activate", kwargs={"token": "renvoyer"}), {"email": email})
            )
    assert mailoutbox == []
    assert messages_de(reponses[0]) == messages_de(reponses[1])
    assert "Si un compte en attente d'activation correspond à cette adresse" in messages_de(reponses[0])[0]


def test_resend_page_from_expired_link_posts_email(client, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(is_active=False, email="lea@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:activate", kwargs={"token": "a:b:c"}), {"email": "lea@exemple.fr"})
    assert len(mailoutbox) == 1


def test_resend_page_get(client):
    page = texte(client.get(reverse("accounts:activate", kwargs={"token": "renvoyer"})))
    assert "Renvoyer le lien d'activation" in page
    assert 'for="id_email"' in page
