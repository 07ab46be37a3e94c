"""Security headers on every response: CSP without inline script, Permissions-Policy, framing, HTTPS."""

import re

from django.test import override_settings
from django.urls import reverse

import pytest

from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def csp(response) -> dict[str, list[str]]:
    politique = response["Content-Security-Policy"]
    return {
        parts[0]: parts[1:] for parts in (directive.split() for directive in politique.split(";")) if parts
    }


@pytest.mark.parametrize("url", ["/", "/compte/connexion/", "/verifier/", "/compte/inscription/"])
def test_every_page_has_a_strict_content_security_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    directives = csp(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


def test_no_inline_script_style_or_event_handler_on_the_pages(client):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.created_by)
    for url in (reverse("rex:accueil"), reverse("rex:formulaire", args=[demande.pk])):
        response = client.get(url)
        page = response.content.decode()
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S)
        assert scripts
        for attributs, corps in scripts:
            assert "src=" in attributs and not corps.strip(), f"inline script on {url}: {corps[:80]}"
        assert not re.search(r"\son[a-z]+\s*=", page), "no inline event handler"
        assert "<style" not in page and ' style="' not in page, "no inline style"


def test_browser_features_are_off_and_the_page_cannot_be_framed(client):
    response = client.get("/")
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_http_is_redirected_to_https_and_https_gets_hsts(client):
    response = client.get("/verifier/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/verifier/"
    secure = client.get("/verifier/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in secure["Strict-Transport-Security"]


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_the_tls_proxy_its_header_says_the_request_was_https(client):
    assert client.get("/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/", headers={"X-Forwarded-Proto": "http"}).status_code == 301


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_cookies_are_secure_httponly_and_samesite(client):
    UserFactory(username="claire")
    page = client.get(reverse("accounts:login"))
    assert page.cookies["csrftoken"]["secure"] and page.cookies["csrftoken"]["httponly"]
    assert page.cookies["csrftoken"]["samesite"] == "Lax"
    response = client.post(reverse("accounts:login"), {"username": "claire", "password": "Motdepasse1!"})
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
