"""Production is the default: the settings a bare environment gives, and Django's deployment checklist."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "VERIFICATION_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "soprano-rex.douane.gouv.fr",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
# What the production settings must be, read in a fresh process with nothing else set.
LIRE = """
import json
from django.conf import settings
import django
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SESSION_COOKIE_SAMESITE": settings.SESSION_COOKIE_SAMESITE,
    "CSP": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"],
}, default=str))
"""


def run(code: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, *args] if args else [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "soprano.settings.base", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_bare_environment_gets_the_production_settings():
    import json

    result = run(LIRE, PRODUCTION)
    assert result.returncode == 0, result.stderr
    valeurs = json.loads(result.stdout)
    assert valeurs["DEBUG"] is False
    assert valeurs["SECURE_SSL_REDIRECT"] is True
    assert valeurs["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert valeurs["SECURE_HSTS_SECONDS"] >= 31536000
    assert valeurs["SESSION_COOKIE_SECURE"] is valeurs["CSRF_COOKIE_SECURE"] is True
    assert valeurs["SESSION_COOKIE_HTTPONLY"] is True and valeurs["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert "'unsafe-inline'" not in valeurs["CSP"] and "'self'" in valeurs["CSP"]


@pytest.mark.parametrize("variable", ["SECRET_KEY", "VERIFICATION_KEY"])
def test_production_refuses_to_start_without_its_keys_with_a_french_message(variable):
    env = {k: v for k, v in PRODUCTION.items() if k != variable}
    result = run(LIRE, env)
    assert result.returncode != 0
    assert f"La variable d'environnement {variable} est obligatoire" in result.stderr
    # There is no fallback value anywhere: the message is all there is.
    assert "dev-only" not in result.stderr


def test_debug_only_when_asked_and_then_a_key_per_process():
    result = run(LIRE, {"DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1"})
    assert result.returncode == 0, result.stderr
    assert '"DEBUG": true' in result.stdout


def test_local_http_mode_turns_off_only_the_https_settings():
    import json

    result = run(LIRE, {**PRODUCTION, "HTTPS": "0"})
    valeurs = json.loads(result.stdout)
    assert valeurs["DEBUG"] is False
    assert valeurs["SECURE_SSL_REDIRECT"] is False and valeurs["SECURE_HSTS_SECONDS"] == 0
    assert valeurs["SESSION_COOKIE_SECURE"] is False


def test_check_deploy_prints_no_warning_with_the_production_settings():
    result = run("", PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
