"""JSON logs and the request id (issue 11): one access line a request, the proxy's X-Request-ID kept when
it is a safe token, echoed on the response, written on every line of the request."""

import logging
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

import pytest

from soprano import journaux
from tests.factories import UserFactory
from tests.journaux import capturer_journaux, handler_console

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
UUID_HEX = re.compile(r"[0-9a-f]{32}")


def test_production_logs_json_lines_with_the_request_id_on_every_record():
    assert settings.LOG_FORMAT == "json"
    handler = handler_console()
    assert isinstance(handler.formatter, journaux.JsonFormatter)
    assert any(isinstance(f, journaux.RequestIdFilter) for f in handler.filters)
    # Right after the health probes (they answer before anything else and log no access line).
    assert settings.MIDDLEWARE[:2] == [
        "soprano.sante.HealthMiddleware",
        "soprano.journaux.RequestIdMiddleware",
    ]


def test_a_request_logs_one_json_access_line_with_the_proxys_request_id(client):
    with capturer_journaux() as sortie:
        response = client.get(reverse("accounts:home"), headers={"X-Request-ID": "proxy-42.ab_CD"})

    assert response.status_code == 200
    assert response["X-Request-ID"] == "proxy-42.ab_CD"
    [ligne] = sortie.acces()
    assert ligne["request_id"] == "proxy-42.ab_CD"
    assert ligne["level"] == "INFO"
    assert (ligne["method"], ligne["path"], ligne["status"]) == ("GET", "/", 200)
    assert isinstance(ligne["duration_ms"], float) and ligne["duration_ms"] >= 0
    assert ligne["user_id"] is None
    assert ligne["message"].startswith("GET / 200 ")
    horodatage = datetime.fromisoformat(ligne["timestamp"])
    assert horodatage.utcoffset() == timedelta(0)


def test_the_health_probes_write_no_access_line(client):
    """Every node is probed every few seconds: a line per probe would drown the service's own."""
    with capturer_journaux() as sortie:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert sortie.acces() == []


def test_every_line_of_the_request_carries_its_id(client, monkeypatch):
    """A line written by the code of the request (here Django's own warning for a 404)."""
    with capturer_journaux("django.request") as sortie:
        response = client.get("/nulle-part/", headers={"X-Request-ID": "abcdef0123456789"})

    assert response.status_code == 404
    lignes = [ligne for ligne in sortie.lignes() if ligne["request_id"] == "abcdef0123456789"]
    assert {ligne["logger"] for ligne in lignes} == {"django.request", "soprano.requetes"}


def test_the_query_string_never_reaches_the_logs(client):
    with capturer_journaux("django.request") as sortie:
        client.get("/?jeton=valeur-secrete-123&code=987654")
        client.get("/nulle-part/?jeton=valeur-secrete-123")

    assert "valeur-secrete-123" not in sortie.texte() and "987654" not in sortie.texte()
    assert [ligne["path"] for ligne in sortie.acces()] == ["/", "/nulle-part/"]


def test_the_token_of_an_emailed_link_is_masked(client):
    jeton = "MQ:1vXyZa:Jeton-de-test-tres-secret"
    with capturer_journaux("django.request") as sortie:
        client.get(reverse("accounts:activate", kwargs={"token": jeton}))

    assert "Jeton-de-test-tres-secret" not in sortie.texte()
    [ligne] = sortie.acces()
    assert ligne["path"] == "/compte/activation/<token>/"


@pytest.mark.parametrize(
    "entrant",
    [
        "avec des espaces dedans",
        "abcdefgh\nFAUSSE LIGNE",
        "abcdefgh\n",
        "a" * 500,
        "court",
        '"},{"level":"CRITICAL',
        "<script>alert(1)</script>",
        "",
    ],
)
def test_an_unsafe_incoming_id_is_replaced(client, entrant):
    with capturer_journaux() as sortie:
        response = client.get(reverse("accounts:home"), HTTP_X_REQUEST_ID=entrant)

    remplace = response["X-Request-ID"]
    assert UUID_HEX.fullmatch(remplace)
    [ligne] = sortie.acces()
    assert ligne["request_id"] == remplace
    if entrant:
        assert entrant not in sortie.texte()


def test_without_an_incoming_id_each_request_gets_its_own(client):
    with capturer_journaux() as sortie:
        premier = client.get(reverse("accounts:home"))["X-Request-ID"]
        second = client.get(reverse("accounts:home"))["X-Request-ID"]

    assert UUID_HEX.fullmatch(premier) and UUID_HEX.fullmatch(second) and premier != second
    assert [ligne["request_id"] for ligne in sortie.acces()] == [premier, second]


def test_the_access_line_names_the_signed_in_user_never_its_password(client):
    user = UserFactory()
    with capturer_journaux() as sortie:
        client.post(reverse("accounts:login"), {"username": user.username, "password": "Motdepasse1!"})
        client.get(reverse("accounts:dashboard"))

    connexion, tableau = sortie.acces()
    assert (connexion["method"], connexion["status"], connexion["user_id"]) == ("POST", 302, user.pk)
    assert tableau["user_id"] == user.pk and tableau["status"] == 200
    assert "Motdepasse1!" not in sortie.texte()


def test_the_access_line_never_reads_a_user_the_request_did_not_read(rf):
    """Reading request.user costs a query (session, user): the access line uses it only once read."""
    request = rf.get("/")
    request.user = SimpleLazyObject(lambda: pytest.fail("request.user read by the access line"))
    assert journaux._known_user_id(request) is None

    user = UserFactory()
    request.user = SimpleLazyObject(lambda: user)
    request._cached_user = user  # what AuthenticationMiddleware keeps once request.user is read
    assert journaux._known_user_id(request) == user.pk


def test_outside_a_request_the_id_is_a_dash():
    with capturer_journaux("soprano.essai") as sortie:
        logging.getLogger("soprano.essai").info("Hors requête : é à ç")

    [ligne] = sortie.lignes()
    assert ligne["request_id"] == "-" and ligne["message"] == "Hors requête : é à ç"
    assert "task_name" not in ligne


def test_the_readable_format_for_a_local_console():
    record = logging.LogRecord("soprano.essai", logging.WARNING, __file__, 1, "Bonjour %s", ("Claire",), None)
    journaux.RequestIdFilter().filter(record)
    assert journaux.TextFormatter().format(record).endswith("WARNING soprano.essai [-] Bonjour Claire")


def test_a_task_published_during_a_request_carries_its_id():
    headers = {}
    journaux._publish_request_id(headers=headers)
    assert headers == {}

    jeton = journaux.request_id_var.set("requete-0123456789")
    try:
        journaux._publish_request_id(headers=headers)
    finally:
        journaux.request_id_var.reset(jeton)
    assert headers == {"request_id": "requete-0123456789"}


def test_an_eager_task_logs_with_the_callers_request_id_and_its_own_name():
    from soprano.celery import app

    @app.task(name="tests.journaux.tache_essai", shared=False)
    def tache_essai():
        logging.getLogger("soprano.essai").warning("dans la tâche")

    jeton = journaux.request_id_var.set("requete-0123456789")
    try:
        with capturer_journaux("soprano.essai") as sortie:
            tache_essai.apply()
    finally:
        journaux.request_id_var.reset(jeton)

    [ligne] = [ligne for ligne in sortie.lignes() if ligne["logger"] == "soprano.essai"]
    assert ligne["request_id"] == "requete-0123456789"
    assert ligne["task_name"] == "tests.journaux.tache_essai" and ligne["task_id"]
    assert journaux.task_var.get() is None


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [(None, "json"), ("json", "json"), ("texte", "texte"), (" TEXTE ", "texte"), ("xml", "erreur")],
)
def test_log_format_chooses_the_console_format(valeur, attendu):
    """LOG_FORMAT, read by the production settings (a process of their own)."""
    env = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "SENTRY_DSN"}}
    env.update(SECRET_KEY="essai", VERIFICATION_KEY="essai", **({"LOG_FORMAT": valeur} if valeur else {}))
    sortie = subprocess.run(
        [
            sys.executable,
            "-c",
            "from soprano.settings import base; print(base.LOGGING['handlers']['console']['formatter'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if attendu == "erreur":
        assert sortie.returncode != 0
        assert "LOG_FORMAT='xml' n'est pas reconnu" in sortie.stderr
    else:
        assert sortie.returncode == 0, sortie.stderr
        assert sortie.stdout.strip() == attendu
