"""Sentry (issue 11): with SENTRY_DSN, an error in a view reaches the receiver, tagged with the request id
and without cookies, passwords nor query string; without SENTRY_DSN nothing is initialised nor sent.

The web process runs in a subprocess (the settings initialise sentry-sdk once per process); the receiver
is a real HTTP server of this test, on a local port.
"""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

import brotli
import pytest

from soprano import journaux, observabilite

ROOT = Path(__file__).resolve().parents[1]
REQUEST_ID = "proxy-sentry-0123456789"
SECRETS = ("cookie-de-session-tres-secret", "Mot-de-passe-tres-secret1", "jeton-de-requete-secret")

# The web process: a view that fails, called through Django's WSGI application (as gunicorn does), with
# the secrets above in the cookie, the body, the query string and the Authorization header.
SCRIPT = f"""
import io, json, sys, types
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults
import django
django.setup()
import sentry_sdk
from django.core.wsgi import get_wsgi_application
from django.test.utils import override_settings
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

@csrf_exempt
def panne(request, token):
    request.POST  # the form, read as a view does
    raise RuntimeError("Panne de test")

urls = types.ModuleType("urls_panne")
urls.urlpatterns = [path("compte/panne/<str:token>/", panne), path("", include("soprano.urls"))]
sys.modules["urls_panne"] = urls
corps = urlencode({{"username": "claire", "password": {SECRETS[1]!r}, "password1": {SECRETS[1]!r}}}).encode()
environ = {{
    "REQUEST_METHOD": "POST",
    "PATH_INFO": "/compte/panne/lien-signe-secret/",
    "QUERY_STRING": "jeton={SECRETS[2]}",
    "CONTENT_TYPE": "application/x-www-form-urlencoded",
    "CONTENT_LENGTH": str(len(corps)),
    "HTTP_HOST": "127.0.0.1",
    "HTTP_COOKIE": "sessionid={SECRETS[0]}",
    "HTTP_AUTHORIZATION": "Bearer {SECRETS[2]}",
    "HTTP_X_REQUEST_ID": {REQUEST_ID!r},
    "wsgi.input": io.BytesIO(corps),
}}
setup_testing_defaults(environ)
statut = []
with override_settings(ROOT_URLCONF="urls_panne"):
    application = get_wsgi_application()
    b"".join(application(environ, lambda status, headers, exc_info=None: statut.append(status)))
actif = sentry_sdk.get_client().is_active()
if actif:
    sentry_sdk.flush(timeout=10)
print(json.dumps({{"status": int(statut[0].split()[0]), "actif": actif}}))
"""


class Recepteur:
    """A Sentry ingestion endpoint: keeps every envelope it receives, decompressed."""

    def __init__(self):
        self.envelopes: list[bytes] = []
        recepteur = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                corps = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                encodage = self.headers.get("Content-Encoding", "")
                if encodage == "gzip":
                    corps = gzip.decompress(corps)
                elif encodage == "br":
                    corps = brotli.decompress(corps)
                recepteur.envelopes.append(corps)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://clepublique@127.0.0.1:{self.server.server_address[1]}/1"

    def events(self) -> list[dict]:
        return [item for envelope in self.envelopes for item in _items(envelope, "event")]


def _items(envelope: bytes, kind: str) -> list[dict]:
    """The payloads of type `kind` in a Sentry envelope (a header line, then items: header and payload)."""
    lignes = envelope.split(b"\n", 1)
    reste = lignes[1] if len(lignes) > 1 else b""
    items = []
    while reste.strip():
        entete, _, reste = reste.partition(b"\n")
        entete = json.loads(entete)
        if "length" in entete:
            charge, reste = reste[: entete["length"]], reste[entete["length"] :].lstrip(b"\n")
        else:
            charge, _, reste = reste.partition(b"\n")
        if entete.get("type") == kind:
            items.append(json.loads(charge))
    return items


@pytest.fixture
def recepteur():
    recepteur = Recepteur()
    recepteur.thread.start()
    yield recepteur
    recepteur.server.shutdown()
    recepteur.server.server_close()


def _web(**env) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    environ.update(DJANGO_SETTINGS_MODULE="soprano.settings.test", **env)
    sortie = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert sortie.returncode == 0, sortie.stderr[-4000:]
    return json.loads(sortie.stdout.strip().splitlines()[-1])


def test_an_error_in_a_view_reaches_sentry_with_the_request_id_and_no_secret(recepteur):
    resultat = _web(SENTRY_DSN=recepteur.dsn, SENTRY_ENVIRONMENT="essai", SENTRY_RELEASE="soprano-rex@1.2.3")

    assert resultat == {"status": 500, "actif": True}
    [event] = [e for e in recepteur.events() if e.get("exception")]
    assert event["tags"]["request_id"] == REQUEST_ID
    assert event["exception"]["values"][-1]["value"] == "Panne de test"
    assert (event["environment"], event["release"]) == ("essai", "soprano-rex@1.2.3")
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"] == "http://127.0.0.1/compte/panne/<token>/"
    assert "cookies" not in event["request"] and "data" not in event["request"]
    envoye = b"".join(recepteur.envelopes).decode()
    for secret in (*SECRETS, "lien-signe-secret"):
        assert secret not in envoye


def test_without_sentry_dsn_nothing_is_initialised_nor_sent(recepteur):
    resultat = _web()

    assert resultat == {"status": 500, "actif": False}
    assert recepteur.envelopes == []
    assert observabilite.initialiser_sentry({}) is False
    assert observabilite.initialiser_sentry({"SENTRY_DSN": "  "}) is False


@pytest.mark.parametrize("taux", ["beaucoup", "2", "-0.5"])
def test_a_wrong_traces_sample_rate_is_refused_in_french(taux):
    with pytest.raises(ImproperlyConfigured, match="entre 0 et 1"):
        observabilite._taux({"SENTRY_TRACES_SAMPLE_RATE": taux})


def test_the_traces_sample_rate_defaults_to_zero():
    assert observabilite._taux({}) == 0.0
    assert observabilite._taux({"SENTRY_TRACES_SAMPLE_RATE": "0.25"}) == 0.25


def test_an_event_of_a_task_is_tagged_with_the_request_id_it_was_published_with():
    jeton = journaux.request_id_var.set("tache-0123456789")
    try:
        event = observabilite.avant_envoi({"tags": {"celery_task_id": "x"}}, None)
    finally:
        journaux.request_id_var.reset(jeton)
    assert event["tags"] == {"celery_task_id": "x", "request_id": "tache-0123456789"}
    assert "tags" not in observabilite.avant_envoi({}, None)
