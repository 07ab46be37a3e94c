"""Throttling (django-ratelimit) of the public check, sign-up, login, password reset and activation resend,
counted per client address as seen through the trusted TLS proxy; the French 429 page."""

import html

from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import reverse

import pytest

from soprano.client_ip import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture
def limites(settings):
    """Small limits, so that a test reaches them; the proxy in front is trusted."""
    settings.LIMITES = dict.fromkeys(settings.LIMITES, "3/h")
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    return 3


def via_proxy(client_address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def assert_429(response):
    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    page = html.unescape(response.content.decode())
    assert "Trop de requêtes" in page and "Patientez quelques minutes" in page


CAS = {
    "verifier": ("get", reverse("public:verifier"), {"numero": "FRREXFR12345678200010"}),
    "inscription": (
        "post",
        reverse("accounts:signup"),
        {"username": "claire", "email": "c@exemple.fr", "password1": "x", "password2": "y"},
    ),
    "connexion": ("post", reverse("accounts:login"), {"username": "claire", "password": "Mauvais1!"}),
    "connexion_admin": (
        "post",
        reverse("admin:login"),
        {"username": "claire", "password": "Mauvais1!"},
    ),
    "mot_de_passe": ("post", reverse("accounts:password_reset"), {"email": "c@exemple.fr"}),
    "activation": (
        "post",
        reverse("accounts:activate", kwargs={"token": "renvoyer"}),
        {"email": "c@exemple.fr"},
    ),
}


@pytest.mark.parametrize("cas", CAS)
def test_each_throttled_page_answers_429_past_its_limit_per_client(client, limites, cas):
    methode, url, data = CAS[cas]
    envoyer = getattr(client, methode)
    for i in range(limites):
        # A distinct e-mail address each time: the per-address limit is not the one reached here.
        donnees = {**data, "email": f"c{i}@exemple.fr"} if "email" in data else data
        assert envoyer(url, donnees, **via_proxy("203.0.113.7")).status_code != 429
    assert_429(
        envoyer(
            url,
            {**data, "email": "autre@exemple.fr"} if "email" in data else data,
            **via_proxy("203.0.113.7"),
        )
    )
    # Another client behind the same proxy is not affected.
    assert envoyer(url, data, **via_proxy("198.51.100.20")).status_code != 429


@pytest.mark.parametrize("cas", ["mot_de_passe", "activation"])
def test_one_email_address_cannot_be_flooded_from_several_addresses(client, limites, cas, mailoutbox):
    methode, url, data = CAS[cas]
    for i in range(limites):
        assert client.post(url, data, **via_proxy(f"198.51.100.{i + 1}")).status_code != 429
    assert_429(client.post(url, data, **via_proxy("198.51.100.99")))


def test_reading_the_sign_up_and_login_pages_is_not_throttled(client, limites):
    for _ in range(limites + 2):
        assert client.get(reverse("accounts:signup")).status_code == 200
        assert client.get(reverse("accounts:login")).status_code == 200


def test_a_throttled_login_does_not_log_in_even_with_the_right_password(client, limites):
    UserFactory(username="claire")
    for _ in range(limites):
        client.post(reverse("accounts:login"), {"username": "claire", "password": "Mauvais1!"})
    response = client.post(reverse("accounts:login"), {"username": "claire", "password": "Motdepasse1!"})
    assert_429(response)
    assert "_auth_user_id" not in client.session


def test_the_public_check_is_limited_at_production_rates(client, settings):
    """20 checks a minute per address by default: the 21st is refused."""
    assert settings.LIMITES["verifier"] == "20/m"
    for _ in range(20):
        assert client.get(reverse("public:verifier"), {"numero": "FRREXFR12345678200010"}).status_code == 200
    assert_429(client.get(reverse("public:verifier"), {"numero": "FRREXFR12345678200010"}))


# ------------------------------------------------------------------ the client's address behind the proxy
@pytest.mark.parametrize(
    ("remote", "forwarded", "attendu"),
    [
        ("203.0.113.7", "", "203.0.113.7"),  # no proxy
        ("203.0.113.7", "1.2.3.4", "203.0.113.7"),  # an untrusted sender cannot choose its address
        (PROXY, "203.0.113.7", "203.0.113.7"),  # through the proxy
        (PROXY, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client's own header stays on the left
        (PROXY, "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two trusted proxies
        (PROXY, "", PROXY),
        (PROXY, "pas-une-adresse", PROXY),
        (PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(settings, remote, forwarded, attendu):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == attendu


@pytest.mark.skipif(not django_settings.AXES_ENABLED, reason="django-axes désactivé (AXES_ENABLED=0)")
def test_axes_locks_the_attacker_not_everyone_behind_the_proxy(client, settings):
    """django-axes counts failures per account and client address: behind the proxy, the attacker's
    failures lock the account for him only, not for its owner coming from another address."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    UserFactory(username="claire")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": "claire", "password": "Mauvais1!"},
            **via_proxy("203.0.113.66"),
        )
    bloque = client.post(
        reverse("accounts:login"),
        {"username": "claire", "password": "Motdepasse1!"},
        **via_proxy("203.0.113.66"),
    )
    assert bloque.status_code == 429 and "Connexion temporairement bloquée" in html.unescape(
        bloque.content.decode()
    )
    proprietaire = client.post(
        reverse("accounts:login"),
        {"username": "claire", "password": "Motdepasse1!"},
        **via_proxy("192.0.2.10"),
    )
    assert proprietaire.status_code == 302
