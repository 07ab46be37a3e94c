"""The malware scan fails closed: a scanner that is away, silent or in error refuses the upload. With
CLAMAV_URL=aucun (local use only) uploads go through unscanned, and the log and `check --deploy` say so."""

import copy
import logging
import socket
import threading
from contextlib import ExitStack
from html import unescape

from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
from clamav_client.clamd import ClamdNetworkSocket, ClamdUnixSocket

from rex.documents import antivirus
from rex.models import Document
from tests import fichiers
from tests.factories import DemandeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def brouillon(client):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.created_by)
    return demande


@pytest.fixture
def stockage(settings, tmp_path):
    storages = copy.deepcopy(settings.STORAGES)
    storages["default"]["OPTIONS"]["location"] = str(tmp_path / "prive")
    settings.STORAGES = storages
    return tmp_path / "prive"


def envoyer(client, demande, contenu, nom="fiche.pdf"):
    return client.post(
        reverse("rex:documents", args=[demande.pk]),
        {"fichier": SimpleUploadedFile(nom, contenu), "nom": "Fiche produit"},
        follow=True,
    )


def test_unreachable_scanner_refuses_the_upload(client, brouillon, stockage, settings, tmp_path, caplog):
    settings.CLAMAV_URL = f"unix://{tmp_path}/personne-n-ecoute.sock"
    with caplog.at_level(logging.ERROR, logger="rex.documents.antivirus"):
        response = envoyer(client, brouillon, fichiers.pdf_simple())
    page = unescape(response.content.decode())
    assert response.status_code == 422
    assert "L'analyse antivirus est momentanément indisponible" in page and "réessayez plus tard" in page
    assert "« fiche.pdf »" in page
    assert "Malware scan unavailable" in caplog.text
    assert not Document.objects.exists() and not stockage.exists()


def test_silent_scanner_times_out_and_refuses(client, brouillon, stockage, settings, tmp_path):
    """A socket that takes the connection and never answers: the timeout, then the refusal."""
    chemin = str(tmp_path / "muet.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as muet:
        muet.bind(chemin)
        muet.listen(1)
        settings.CLAMAV_URL, settings.CLAMAV_TIMEOUT = f"unix://{chemin}", 0.5
        response = envoyer(client, brouillon, fichiers.pdf_simple())
    assert "réessayez plus tard" in unescape(response.content.decode())
    assert not Document.objects.exists()


def test_scanner_with_a_full_queue_times_out_and_refuses(settings, tmp_path):
    """clamd overwhelmed: its socket's queue is full and the connection itself waits. It must time out as
    well (run in a thread, so that a regression fails this test instead of hanging the session)."""
    chemin = str(tmp_path / "plein.sock")
    settings.CLAMAV_URL, settings.CLAMAV_TIMEOUT = f"unix://{chemin}", 0.5
    resultat = {}

    def analyser():
        try:
            antivirus.analyser(fichiers.pdf_simple(), "fiche.pdf")
        except ValidationError as exc:
            resultat["refus"] = exc

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sature, ExitStack() as en_attente:
        sature.bind(chemin)
        sature.listen(0)
        while True:  # fill the queue
            client = en_attente.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
            client.setblocking(False)
            try:
                client.connect(chemin)
            except BlockingIOError:
                break
        fil = threading.Thread(target=analyser, daemon=True)
        fil.start()
        fil.join(timeout=10)
    assert not fil.is_alive(), "the connection to clamd waited past CLAMAV_TIMEOUT"
    assert resultat["refus"].code == "antivirus_indisponible"


def test_unreachable_tcp_scanner_refuses(client, brouillon, settings):
    settings.CLAMAV_URL, settings.CLAMAV_TIMEOUT = "tcp://127.0.0.1:1", 2
    response = envoyer(client, brouillon, fichiers.pdf_simple())
    assert "réessayez plus tard" in unescape(response.content.decode())
    assert not Document.objects.exists()


def test_an_error_from_clamd_refuses(settings):
    """clamd refuses a stream longer than its StreamMaxLength: an error, never a pass."""
    with pytest.raises(ValidationError) as refus:
        antivirus.analyser(b"\x00" * (settings.DOCUMENT_MAX_BYTES + 6 * 1024 * 1024), "enorme.pdf")
    assert refus.value.code == "antivirus_indisponible"


def test_eicar_is_reported_by_the_real_clamd():
    with pytest.raises(ValidationError) as refus:
        antivirus.analyser(b"Bonjour " + antivirus.EICAR + b" au revoir", "note.pdf")
    assert refus.value.code == "virus"
    antivirus.analyser(fichiers.pdf_simple(), "fiche.pdf")  # clean: no exception


def test_without_scanner_uploads_pass_and_a_warning_is_logged(client, brouillon, settings, caplog):
    settings.CLAMAV_URL = "aucun"
    with caplog.at_level(logging.WARNING, logger="rex.documents.antivirus"):
        envoyer(client, brouillon, fichiers.pdf_eicar())
    assert Document.objects.count() == 1, "not scanned: even EICAR goes through"
    assert "accepted without a malware scan (CLAMAV_URL=aucun)" in caplog.text


def test_without_scanner_startup_says_so(settings, caplog):
    settings.CLAMAV_URL = "aucun"
    with caplog.at_level(logging.WARNING, logger="rex.documents.antivirus"):
        antivirus.signaler_si_desactive()
    assert "NOT scanned for malware" in caplog.text


def test_deploy_check_warns_without_scanner(settings):
    settings.CLAMAV_URL = "aucun"
    assert "rex.W001" in {c.id for c in run_checks(include_deployment_checks=True)}
    assert "rex.W001" not in {c.id for c in run_checks()}
    settings.CLAMAV_URL = "tcp://clamav:3310"
    assert "rex.W001" not in {c.id for c in run_checks(include_deployment_checks=True)}


def test_check_refuses_an_unreadable_url(settings):
    settings.CLAMAV_URL = "http://clamav:3310"
    assert "rex.E001" in {c.id for c in run_checks()}


@pytest.mark.parametrize(
    ("url", "classe", "cible"),
    [
        ("unix:///var/run/clamav/clamd.ctl", ClamdUnixSocket, "/var/run/clamav/clamd.ctl"),
        ("unix:///tmp/clamd%20test.sock", ClamdUnixSocket, "/tmp/clamd test.sock"),
        ("tcp://clamav:3310", ClamdNetworkSocket, ("clamav", 3310)),
        ("tcp://10.0.0.5", ClamdNetworkSocket, ("10.0.0.5", 3310)),
    ],
)
def test_client_reads_the_url(url, classe, cible):
    client = antivirus.client(url)
    assert isinstance(client, classe)
    assert (client.unix_socket if classe is ClamdUnixSocket else (client.host, client.port)) == cible


@pytest.mark.parametrize("url", ["", "clamav:3310", "http://clamav", "unix://", "tcp://"])
def test_client_refuses_other_urls(url):
    with pytest.raises(ImproperlyConfigured):
        antivirus.client(url)
