"""/healthz and /readyz (soprano/sante.py): what load balancers and container probes see.

In the test process first (the test settings, the test client); then, marked slow, gunicorn in a process
of its own on the production settings (soprano.settings.base, HTTPS=1), spoken to in plain http with an
IP as Host, each dependency in turn made unreachable (a port where nothing listens, an unwritable
directory).

Neither URL is in the URLconf (the middleware answers before it), hence no row in the authorization
matrix (tests/test_matrice_urls.py): its rule is checked here instead, every kind of user, signed in or
not, gets the same answer, GET as POST.
"""

import datetime
import http.client
import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.test import Client, override_settings

import pytest
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from soprano import sante
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]
# What an exception, a setting or a URL would carry, never to be read in an answer.
SECRET = "postgres://admin:m0tdepasse@db-interne.douane:5432/soprano /srv/prive/cle.pem"


def corps(response) -> dict:
    return json.loads(response.content)


def etats(response) -> dict[str, str]:
    return {nom: composant["etat"] for nom, composant in corps(response)["composants"].items()}


def sans_cache(response) -> bool:
    return "no-store" in response["Cache-Control"]


# ------------------------------------------------------------------ /healthz
def test_healthz_answers_without_touching_the_database(client):
    """No django_db mark: any query would fail this test."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert corps(response) == {"etat": "ok"}
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert sans_cache(response)
    assert "Set-Cookie" not in response.headers and not response.cookies


@pytest.mark.django_db
def test_healthz_runs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200


# ------------------------------------------------------------------ /readyz, in the test process
@pytest.mark.django_db
def test_readyz_is_ready_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = corps(response)
    assert body["etat"] == "ok"
    attendus = {
        "base_de_donnees": "ok",
        "cache": "ok" if os.environ.get("REDIS_URL") else "sans objet",
        # The broker is Redis when REDIS_URL is set, even though the tests run tasks in-process.
        "courtier": "ok" if os.environ.get("REDIS_URL") else "sans objet",
        "stockage": "ok",
    }
    assert etats(response) == attendus
    for composant in body["composants"].values():
        assert composant["etat"] == "sans objet" or isinstance(composant["duree_ms"], int)
    assert sans_cache(response)
    assert "Set-Cookie" not in response.headers
    # The storage check leaves nothing behind.
    assert not default_storage.exists("sante") or default_storage.listdir("sante") == ([], [])


@dataclass
class Panne(sante.Storage):
    """The storage fails with everything an exception must never show."""

    def check_save(self, file_name, file_content):
        raise RuntimeError(SECRET)


@dataclass
class PanneAnnoncee(sante.Storage):
    """The library's own kind of failure, with a message that tells too much."""

    def check_save(self, file_name, file_content):
        raise ServiceUnavailable(f"connection to {SECRET} failed")


@dataclass
class Bloquee(HealthCheck):
    """A dependency that accepts the connection and never answers."""

    timeout = datetime.timedelta(seconds=0.2)

    def run(self):
        time.sleep(5)


@pytest.mark.django_db
@pytest.mark.parametrize("panne", [Panne, PanneAnnoncee])
def test_a_failure_is_named_never_described_and_logged_on_the_server(client, caplog, panne):
    checks = {**settings.HEALTH_CHECKS, "stockage": f"{__name__}.{panne.__name__}"}
    with override_settings(HEALTH_CHECKS=checks), caplog.at_level("WARNING"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert corps(response)["etat"] == "indisponible"
    assert etats(response)["stockage"] == "indisponible"
    assert etats(response)["base_de_donnees"] == "ok"
    texte = response.content.decode()
    for fragment in [SECRET, "postgres", "5432", "db-interne", "/srv", "Error", "Unavailable", "failed"]:
        assert fragment not in texte
    # The real error is in the server's log, at WARNING, never above (an outage is no error report).
    assert "db-interne.douane" in caplog.text
    assert "composant stockage indisponible" in caplog.text
    assert max(r.levelno for r in caplog.records) == logging.WARNING


@pytest.mark.django_db
def test_a_check_that_hangs_costs_its_budget_not_the_answer(client):
    checks = {**settings.HEALTH_CHECKS, "courtier": f"{__name__}.Bloquee"}
    debut = time.monotonic()
    with override_settings(HEALTH_CHECKS=checks):
        response = client.get("/readyz")
    assert time.monotonic() - debut < 3
    assert response.status_code == 503
    assert etats(response)["courtier"] == "indisponible"


@pytest.mark.django_db
def test_a_component_not_used_here_is_sans_objet_and_does_not_count(client):
    with override_settings(HEALTH_CHECKS={**settings.HEALTH_CHECKS, "cache": None, "courtier": None}):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert corps(response)["composants"]["courtier"] == {"etat": "sans objet"}


# ------------------------------------------------------------------ what the answers are not
@pytest.mark.django_db
@pytest.mark.parametrize("chemin", ["/healthz", "/readyz"])
def test_get_and_head_only_without_csrf_token(chemin):
    client = Client(enforce_csrf_checks=True)
    head = client.head(chemin)
    assert head.status_code == 200 and head.content == b""
    assert sans_cache(head)
    for methode in ("post", "put", "patch", "delete", "options"):
        response = getattr(client, methode)(chemin)
        assert response.status_code == 405, methode  # never 403 for a missing CSRF token
        assert response["Allow"] == "GET, HEAD"
        assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    ALLOWED_HOSTS=["soprano-rex.douane.gouv.fr"],
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_a_probe_over_http_with_an_ip_as_host_is_answered_under_the_production_transport_rules(client):
    # The same request to a page: refused, its Host is not an allowed one (and it would be redirected).
    assert client.get("/", HTTP_HOST="10.0.0.7").status_code == 400
    assert client.get("/", HTTP_HOST="soprano-rex.douane.gouv.fr").status_code == 301
    for chemin in ("/healthz", "/readyz"):
        response = client.get(chemin, HTTP_HOST="10.0.0.7")
        assert response.status_code == 200, (chemin, response.content)
        assert "Location" not in response.headers
        assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
def test_every_kind_of_user_gets_the_same_answer(client):
    """The matrix's rule, for two URLs outside the URLconf: nobody is signed in for them, so the answer
    is the same for all, and no session is read, created nor extended."""
    utilisateurs = {
        "anonyme": None,
        "non_certifie": UserFactory(),
        "operateur": UserFactory(habilite=True),
        "representant": UserFactory(representant=True),
        "agent": UserFactory(agent=True),
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    reponses = {}
    for role, utilisateur in utilisateurs.items():
        navigateur = Client(enforce_csrf_checks=True)
        if utilisateur is not None:
            navigateur.force_login(utilisateur)
        sessions = Session.objects.count()
        for methode in ("get", "post"):
            for chemin in ("/healthz", "/readyz"):
                response = getattr(navigateur, methode)(chemin)
                assert "Set-Cookie" not in response.headers, (role, methode, chemin)
                contenu = etats(response) if chemin == "/readyz" and methode == "get" else response.content
                reponses.setdefault((methode, chemin), {})[role] = (response.status_code, contenu)
        assert Session.objects.count() == sessions
    for cle, par_role in reponses.items():
        assert len(set(map(repr, par_role.values()))) == 1, (cle, par_role)
    assert reponses[("get", "/healthz")]["anonyme"][0] == 200
    assert reponses[("get", "/readyz")]["anonyme"][0] == 200
    assert reponses[("post", "/readyz")]["anonyme"][0] == 405


@pytest.mark.django_db
def test_the_answer_comes_before_the_rest_of_the_stack(rf):
    """Nothing below the middleware runs: no https redirect, no Host check, no session, no CSRF, neither
    django-axes nor django-ratelimit (which could lock out or throttle a load balancer's address)."""

    def plus_bas(request):
        pytest.fail(f"{request.path} went down the middleware stack")

    middleware = sante.HealthMiddleware(plus_bas)
    for chemin in ("/healthz", "/readyz"):
        for requete in (rf.get(chemin, HTTP_HOST="10.0.0.7"), rf.post(chemin, HTTP_HOST="[::1]:8000")):
            response = middleware(requete)
            assert response.status_code == (200 if requete.method == "GET" else 405)
            assert not hasattr(requete, "session") and not hasattr(requete, "user")
            assert sans_cache(response) and not response.cookies
    assert {sante.HealthMiddleware(plus_bas)(rf.get("/healthz")).status_code for _ in range(50)} == {200}


@pytest.mark.django_db
def test_only_the_exact_paths_are_answered_the_rest_goes_down_the_stack(client):
    assert settings.MIDDLEWARE[0] == "soprano.sante.HealthMiddleware"
    for chemin in ("/healthz/", "/readyz/", "/healthz/x", "/HEALTHZ"):
        assert client.get(chemin).status_code == 404, chemin


# ------------------------------------------------------------------ gunicorn on the production settings
def _requiert_postgresql_et_redis():
    raison = None
    if not os.environ.get("REDIS_URL"):
        raison = "REDIS_URL is not set: the readiness probes in a real server need Redis."
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raison = "DATABASE_URL is not PostgreSQL: the readiness probes in a real server need it."
    if raison is None:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(raison, pytrace=False)
    pytest.skip(raison)


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Serveur:
    port: int
    process: subprocess.Popen
    journal: Path

    def requete(self, chemin: str, host: str = "10.0.0.7", methode: str = "GET"):
        connexion = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connexion.request(methode, chemin, headers={"Host": host})
            reponse = connexion.getresponse()
            return reponse.status, dict(reponse.getheaders()), reponse.read().decode()
        finally:
            connexion.close()

    def log(self) -> str:
        return self.journal.read_text(errors="replace")


@pytest.fixture
def base_url(django_db_setup) -> str:
    """DATABASE_URL pointed at the test database pytest-django created (test_<name>)."""
    from django.db import connection

    _requiert_postgresql_et_redis()
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "VERIFICATION_KEY": secrets.token_urlsafe(50),
    "HTTPS": "1",
    "ALLOWED_HOSTS": "soprano-rex.douane.gouv.fr",
    "DJANGO_SETTINGS_MODULE": "soprano.settings.base",
    "CLAMAV_URL": "aucun",
}


@contextmanager
def gunicorn(database_url: str, **env: str):
    """gunicorn on the production settings, one worker, on a free port; stopped on the way out."""
    dossier = Path(tempfile.mkdtemp(prefix="soprano-sante-"))
    (dossier / "static").mkdir()
    port = _port_libre()
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    environnement = {
        **base,
        **PRODUCTION,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "STATIC_ROOT": str(dossier / "static"),
        "PRIVATE_MEDIA_ROOT": str(dossier / "prive"),
        **env,
    }
    journal = dossier / "gunicorn.log"
    with open(journal, "wb") as sortie:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "soprano.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--graceful-timeout", "3", "--no-control-socket"],
            cwd=ROOT,
            env=environnement,
            stdin=subprocess.DEVNULL,
            stdout=sortie,
            stderr=subprocess.STDOUT,
        )
    serveur = Serveur(port, process, journal)
    try:
        limite = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"gunicorn exited ({process.returncode}).\n{serveur.log()[-4000:]}", pytrace=False
                )
            try:
                if serveur.requete("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > limite:
                pytest.fail(f"gunicorn did not answer within 30 s.\n{serveur.log()[-4000:]}", pytrace=False)
            time.sleep(0.1)
        yield serveur
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(dossier, ignore_errors=True)


MORT = "127.0.0.1:9"  # the discard port: nothing listens there
# Never in an answer: the addresses, ports, schemes, paths and names of the failing dependency.
INTERDITS = [
    "127.0.0.1",
    "port",
    "postgres",
    "redis",
    "/proc",
    "nope",
    "Error",
    "Traceback",
    "refused",
    "gunicorn",
]


def _sans_rien_de_sensible(texte: str) -> None:
    for fragment in [*INTERDITS, PRODUCTION["SECRET_KEY"], PRODUCTION["VERIFICATION_KEY"]]:
        assert fragment not in texte, fragment


@pytest.mark.slow
def test_production_server_answers_a_plain_http_probe_with_an_ip_as_host(base_url):
    with gunicorn(base_url) as serveur:
        for chemin in ("/healthz", "/readyz"):
            statut, entetes, texte = serveur.requete(chemin, host="10.0.0.7")
            assert statut == 200, (chemin, texte, serveur.log()[-3000:])
            assert "Set-Cookie" not in entetes and "Location" not in entetes
            assert "no-store" in entetes["Cache-Control"]
            _sans_rien_de_sensible(texte)
        body = json.loads(texte)  # /readyz's
        assert body["etat"] == "ok"
        assert {nom: c["etat"] for nom, c in body["composants"].items()} == dict.fromkeys(PANNES, "ok")
        # A page, on the same terms, is not served: the probe's path is the exception.
        assert serveur.requete("/", host="10.0.0.7")[0] != 200


PANNES = {
    "base_de_donnees": ({"DATABASE_URL": f"postgres://postgres:m0tdepasse@{MORT}/x"}, "OperationalError"),
    "cache": ({"CACHE_URL": f"redis://{MORT}/0"}, "ConnectionError"),
    "courtier": ({"CELERY_BROKER_URL": f"redis://{MORT}/0"}, "ConnectionError"),
    "stockage": ({"PRIVATE_MEDIA_ROOT": "/proc/nope"}, "FileNotFoundError"),
}


@pytest.mark.slow
@pytest.mark.parametrize("composant", PANNES)
def test_production_server_is_not_ready_when_a_dependency_is_down(base_url, composant):
    env, erreur = PANNES[composant]
    env = dict(env)
    with gunicorn(env.pop("DATABASE_URL", base_url), **env) as serveur:
        assert serveur.requete("/healthz")[0] == 200  # alive all the same
        debut = time.monotonic()
        statut, entetes, texte = serveur.requete("/readyz")
        assert time.monotonic() - debut < 6
        assert statut == 503, texte
        body = json.loads(texte)
        assert body["etat"] == "indisponible"
        assert {nom: c["etat"] for nom, c in body["composants"].items()} == {
            nom: "indisponible" if nom == composant else "ok" for nom in PANNES
        }
        assert "Set-Cookie" not in entetes
        _sans_rien_de_sensible(texte)
        assert "m0tdepasse" not in texte
        # The real error is in the server's own log.
        assert erreur in serveur.log()
        assert f"composant {composant} indisponible" in serveur.log()
        assert "m0tdepasse" not in serveur.log()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("composant", "variable"), [("courtier", "CELERY_BROKER_URL"), ("cache", "CACHE_URL")]
)
def test_production_server_answers_within_seconds_when_one_never_answers(base_url, composant, variable):
    """A server that accepts the connection and says nothing: the broker gives up on its own socket
    timeout, the cache (no such timeout) at the end of its check's budget; the probe waits a few seconds,
    no more, and the next request is served."""
    muet = socket.socket()
    muet.bind(("127.0.0.1", 0))
    muet.listen(16)
    port = muet.getsockname()[1]
    try:
        with gunicorn(base_url, **{variable: f"redis://127.0.0.1:{port}/0"}) as serveur:
            debut = time.monotonic()
            statut, _, texte = serveur.requete("/readyz")
            assert time.monotonic() - debut < 6
            assert statut == 503
            assert json.loads(texte)["composants"][composant]["etat"] == "indisponible"
            assert serveur.requete("/healthz")[0] == 200
    finally:
        muet.close()
