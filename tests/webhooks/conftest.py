"""A real HTTP receiver on localhost (http.server in a thread), and the addresses that point at it."""

import hashlib
import hmac
import json
import re
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.urls import reverse

import pytest

from webhooks import services
from webhooks.models import Endpoint


@dataclass
class Recu:
    chemin: str
    entetes: dict[str, str]
    corps: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.corps)

    def signature_valide(self, secret: str) -> bool:
        """What a receiver does with the secret it was shown once (docs/webhooks.md)."""
        horodatage = self.entetes["X-Soprano-Timestamp"]
        attendu = hmac.new(secret.encode(), f"{horodatage}.".encode() + self.corps, hashlib.sha256)
        return hmac.compare_digest(f"sha256={attendu.hexdigest()}", self.entetes["X-Soprano-Signature"])


class Recepteur:
    """Answers each POST with the next status of `reponses` (then 200), and keeps what it received."""

    def __init__(self):
        self.recus: list[Recu] = []
        self.reponses: deque[int] = deque()
        recepteur = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                longueur = int(self.headers.get("Content-Length", 0))
                corps = self.rfile.read(longueur)
                recepteur.recus.append(Recu(self.path, dict(self.headers.items()), corps))
                statut = recepteur.reponses.popleft() if recepteur.reponses else 200
                self.send_response(statut)
                if 300 <= statut < 400:
                    self.send_header("Location", f"http://127.0.0.1:{recepteur.port}/ailleurs")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.serveur = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.serveur.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/soprano"
        self.thread = threading.Thread(target=self.serveur.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.serveur.shutdown()
        self.serveur.server_close()


@pytest.fixture
def http_local(settings):
    """The tests' receiver speaks http on 127.0.0.1: allowed by the setting, as under DEBUG."""
    settings.WEBHOOKS_AUTORISER_HTTP = True


@pytest.fixture
def recepteur(http_local):
    with Recepteur() as r:
        yield r


def creer_endpoint(user, url: str, **kwargs) -> Endpoint:
    return services.creer(
        by=user,
        url=url,
        statut_modifie=kwargs.pop("statut_modifie", True),
        message_recu=kwargs.pop("message_recu", True),
        **kwargs,
    )


SECRET = re.compile(r'<code class="webhooks-secret">([^<]+)</code>')


def creer_par_la_page(client, url: str) -> tuple[Endpoint, str]:
    """Registers `url` through the page and reads the secret where it is shown, once."""
    response = client.post(
        reverse("webhooks:liste"), {"url": url, "statut_modifie": "on", "message_recu": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response.url).content.decode()
    return Endpoint.objects.latest("pk"), SECRET.search(page).group(1)
