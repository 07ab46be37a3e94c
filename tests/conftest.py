"""Shared fixtures: a real clamd for the session, a customs office, a request filed to it and one of its
officers. Factories live in tests/factories.py, files in tests/fichiers.py, page helpers in tests/pages.py."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

import pytest
from clamav_client.clamd import ClamdError, ClamdUnixSocket

from rex.documents import antivirus
from tests.factories import BureauDouaneFactory, UserFactory, deposer

ROOT = Path(__file__).resolve().parents[1]
CLAMD_READY_TIMEOUT_S = 60
CLAMD_STOP_TIMEOUT_S = 10


def _clamd_binary() -> str | None:
    # Debian installs it in /usr/sbin, which is not in a user's PATH.
    return shutil.which("clamd", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


@pytest.fixture(scope="session", autouse=True)
def clamd():
    """A real clamd for the whole session, on the project's own signatures (EICAR), since every upload is
    scanned and many tests upload. CLAMAV_URL points at its socket; the process stops with the session.

    Without the clamd binary: a failure in CI, a skip elsewhere (`make system-deps` installs it).
    """
    binaire = _clamd_binary()
    if binaire is None:
        raison = "clamd is not installed: run `make system-deps` (Debian package clamav-daemon)."
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"The tests need ClamAV in CI: {raison}", pytrace=False)
        pytest.skip(raison)

    signatures = ROOT / "var" / "clamav"
    antivirus.ecrire_signatures(signatures)
    dossier = Path(tempfile.mkdtemp(prefix="soprano-clamd-"))  # short: a socket path has ~100 characters
    socket = dossier / "clamd.sock"
    journal = dossier / "clamd.log"
    configuration = dossier / "clamd.conf"
    configuration.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"LocalSocket {socket}",
                f"DatabaseDirectory {signatures}",
                f"TemporaryDirectory {dossier}",
                f"LogFile {journal}",
                f"StreamMaxLength {settings.DOCUMENT_MAX_BYTES // (1024 * 1024) + 5}M",
                "ScanArchive yes",
                "ScanPDF yes",
                "ScanOLE2 yes",
                "SelfCheck 0",
                "",
            ]
        )
    )
    with open(dossier / "clamd.out", "wb") as sortie:
        process = subprocess.Popen(
            [binaire, "-c", str(configuration)],
            stdin=subprocess.DEVNULL,
            stdout=sortie,
            stderr=subprocess.STDOUT,
        )

    def log() -> str:
        return "\n".join(
            p.read_text(errors="replace")[-4000:] for p in (journal, dossier / "clamd.out") if p.exists()
        )

    try:
        deadline = time.monotonic() + CLAMD_READY_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"clamd exited (code {process.returncode}).\n{log()}", pytrace=False)
            try:
                if ClamdUnixSocket(str(socket), timeout=2).ping() == "PONG":
                    break
            except (ClamdError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"clamd did not answer PING within {CLAMD_READY_TIMEOUT_S} s.\n{log()}", pytrace=False
                )
            time.sleep(0.05)
        with override_settings(CLAMAV_URL=f"unix://{socket}"):
            yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=CLAMD_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(dossier, ignore_errors=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttling counts requests in the cache: each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def service():
    """The customs office the requests of a test are filed to."""
    return BureauDouaneFactory(nom="Bureau de Lyon")


@pytest.fixture
def deposee(service):
    """A complete request submitted by its author to `service`: « En étude »."""
    return deposer(service)


@pytest.fixture
def agent(service):
    """An officer of `service`, the office in charge of `deposee`."""
    return UserFactory(service=service, first_name="Paul", last_name="Agent")


@pytest.fixture(scope="session")
def serveur_s3_session():
    """A real S3-compatible HTTP server (moto) for the session: its endpoint URL."""
    from tests.s3 import serveur_s3

    with serveur_s3() as endpoint:
        yield endpoint


@pytest.fixture
def bucket_s3(serveur_s3_session, settings):
    """A new private bucket on that server, made the default storage of the test (as S3_BUCKET does)."""
    import uuid
    from types import SimpleNamespace

    from tests.s3 import creer_bucket, stockage_s3_test

    nom = f"soprano-{uuid.uuid4().hex[:12]}"
    creer_bucket(serveur_s3_session, nom)
    settings.STORAGES = stockage_s3_test(serveur_s3_session, nom)
    return SimpleNamespace(endpoint=serveur_s3_session, nom=nom)
