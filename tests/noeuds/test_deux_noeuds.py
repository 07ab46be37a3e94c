"""Two web nodes, one worker: the web processes keep no state of their own.

Two gunicorn processes on two ports, on the production settings, share what production shares: the
PostgreSQL test database, Redis (cache and broker) and an S3 bucket on a real S3 HTTP server (moto); a Celery
worker renders the PDFs. Each step goes through one node and checks the other:

- a session opened on A is signed in on B;
- a document uploaded through B is downloaded through A, byte for byte, from the bucket;
- throttling counts the requests of both nodes (the public check's limit is reached across them);
- a PDF asked for on A is rendered by the worker (never by a web node) and served by both.
"""

import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

import pytest
import redis
import requests

from rex import services
from tests import fichiers
from tests.factories import DemandeFactory, UserFactory
from tests.s3 import creer_bucket, objets, port_libre, variables_s3

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
MOT_DE_PASSE = "Noeuds-2026-motdepasse!"
REDIS_DB = 11
DEMARRAGE_S = 60


def _indisponible(raison):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"The two-node test must run in CI: {raison}", pytrace=False)
    pytest.skip(raison)


def _url_base_de_test() -> str:
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


def _redis_url() -> str:
    url = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(url._replace(path=f"/{REDIS_DB}"))


class Processus:
    def __init__(self, nom, commande, env, dossier):
        self.nom = nom
        self.journal = dossier / f"{nom}.log"
        with open(self.journal, "wb") as sortie:
            self.process = subprocess.Popen(
                commande, env=env, cwd=ROOT, stdout=sortie, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.journal.read_text(errors="replace")[-5000:]

    def verifier(self):
        if self.process.poll() is not None:
            pytest.fail(f"{self.nom} exited ({self.process.returncode}):\n{self.log()}", pytrace=False)

    def arreter(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def statiques(tmp_path_factory):
    """The static files as the image collects them (production storage: hashed names and a manifest)."""
    dossier = tmp_path_factory.mktemp("static")
    env = {**_env_production(), "STATIC_ROOT": str(dossier)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return dossier


def _env_production() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "S3_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="soprano.settings.base",
        SECRET_KEY="noeuds-" + "a1b2c3d4" * 8,
        VERIFICATION_KEY="noeuds-verification-" + "e5f6" * 10,
        HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="INFO",
    )
    return env


@pytest.fixture
def grappe(transactional_db, serveur_s3_session, statiques, tmp_path):
    """Two web nodes (A, B) and a worker; yields (url_a, url_b, bucket, worker)."""
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        _indisponible("PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) are needed.")
    redis.Redis.from_url(_redis_url()).flushdb()
    bucket = f"noeuds-{uuid.uuid4().hex[:10]}"
    creer_bucket(serveur_s3_session, bucket)
    env = {
        **_env_production(),
        **variables_s3(serveur_s3_session, bucket),
        "DATABASE_URL": _url_base_de_test(),
        "REDIS_URL": _redis_url(),
        "STATIC_ROOT": str(statiques),
        "CLAMAV_URL": settings.CLAMAV_URL,
        # A low limit on the public check, reached only by counting both nodes' requests.
        "LIMITE_VERIFIER": "6/m",
    }
    processus = []
    try:
        ports = [port_libre(), port_libre()]
        for nom, port in zip("AB", ports, strict=True):
            processus.append(
                Processus(
                    f"web-{nom}",
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "soprano.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--timeout",
                        "60",
                    ],
                    env,
                    tmp_path,
                )
            )
        worker = Processus(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "soprano",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                "defaut,courriels,pdf",
                "--hostname",
                f"noeuds-{uuid.uuid4().hex[:8]}@localhost",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            env,
            tmp_path,
        )
        processus.append(worker)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        limite = time.monotonic() + DEMARRAGE_S
        for url, web in zip(urls, processus, strict=False):
            while True:
                web.verifier()
                with contextlib.suppress(requests.ConnectionError):
                    if requests.get(url + "/", timeout=5).status_code == 200:
                        break
                if time.monotonic() > limite:
                    pytest.fail(f"{web.nom} did not answer:\n{web.log()}", pytrace=False)
                time.sleep(0.2)
        while "ready" not in worker.log():
            worker.verifier()
            if time.monotonic() > limite:
                pytest.fail(f"the worker did not start:\n{worker.log()}", pytrace=False)
            time.sleep(0.2)
        yield urls[0], urls[1], bucket, worker
    finally:
        for p in processus:
            p.arreter()


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


def test_two_web_nodes_share_sessions_files_throttling_and_pdfs(grappe, serveur_s3_session):
    a, b, bucket, worker = grappe
    brouillon = DemandeFactory(complete=True)
    operateur = brouillon.created_by
    # Hashed as production hashes (the tests' settings use a faster hasher the nodes do not know).
    hacheur = PBKDF2PasswordHasher()
    operateur.password = hacheur.encode(MOT_DE_PASSE, hacheur.salt())
    operateur.save()
    octroyee = DemandeFactory(complete=True, created_by=operateur, titulaire=brouillon.titulaire)
    octroyee = services.soumettre(demande=octroyee, by=operateur)
    octroyee = services.octroyer(demande=octroyee, by=UserFactory(service=octroyee.service))

    # A session opened on A is signed in on B.
    navigateur = requests.Session()
    jeton = _csrf(navigateur, a + "/compte/connexion/")
    connexion = navigateur.post(
        a + "/compte/connexion/",
        data={"username": operateur.username, "password": MOT_DE_PASSE, "csrfmiddlewaretoken": jeton},
        headers={"Referer": a + "/compte/connexion/"},
        timeout=10,
        allow_redirects=False,
    )
    assert connexion.status_code == 302, re.findall(r"fr-(?:error|alert)[^>]*>([^<]+)", connexion.text)
    accueil_b = navigateur.get(b + "/soprano/rex/", timeout=10, allow_redirects=False)
    assert accueil_b.status_code == 200, "signed in on B with the session opened on A"
    assert operateur.get_full_name() in accueil_b.text or operateur.username in accueil_b.text

    # A document uploaded through B is downloaded through A, from the bucket.
    contenu = fichiers.pdf_simple()
    documents_b = f"{b}/soprano/rex/demandes/{brouillon.pk}/documents/"
    jeton = _csrf(navigateur, documents_b)
    envoi = navigateur.post(
        documents_b,
        data={"nom": "Fiche produit", "csrfmiddlewaretoken": jeton},
        files={"fichier": ("fiche.pdf", contenu, "application/pdf")},
        headers={"Referer": documents_b},
        timeout=30,
        allow_redirects=False,
    )
    assert envoi.status_code == 302, envoi.text[:2000]
    document = brouillon.documents.get()
    assert objets(serveur_s3_session, bucket)[document.fichier.name] == contenu
    telechargement = navigateur.get(
        f"{a}/soprano/rex/demandes/{brouillon.pk}/documents/{document.pk}/", timeout=10
    )
    assert telechargement.status_code == 200 and telechargement.content == contenu

    # Throttling counts both nodes: 6 checks a minute in all, 3 through each, then refused on either.
    public = requests.Session()
    reponses = [public.get(f"{n}/verifier/", timeout=10).status_code for n in (a, b) * 3]
    assert reponses == [200] * 6
    assert public.get(f"{a}/verifier/", timeout=10).status_code == 429
    assert public.get(f"{b}/verifier/", timeout=10).status_code == 429

    # The PDF: asked for on A, rendered by the worker, served by A and by B from the bucket.
    url_pdf = f"/soprano/rex/demandes/{octroyee.pk}/autorisation.pdf"
    limite = time.monotonic() + 60
    attentes = 0
    while (reponse := navigateur.get(a + url_pdf, timeout=30)).status_code == 202:
        assert "Autorisation en cours de génération" in reponse.text
        attentes += 1
        worker.verifier()
        assert time.monotonic() < limite, f"no PDF after 60 s:\n{worker.log()}"
    assert reponse.status_code == 200 and reponse.content.startswith(b"%PDF")
    assert reponse.headers["Content-Type"] == "application/pdf"
    depuis_b = navigateur.get(b + url_pdf, timeout=10)
    assert depuis_b.status_code == 200 and depuis_b.content == reponse.content
    pdfs = {k: v for k, v in objets(serveur_s3_session, bucket).items() if k.startswith("autorisations/")}
    assert list(pdfs.values()) == [reponse.content]
    assert re.search(r"rex\.tasks\.generer_autorisation\[[^\]]+\] succeeded", worker.log())
    print(f"PDF served after {attentes} waiting page(s)")
