"""Malware scan of each upload through the ClamAV daemon (clamd), before anything is stored.

CLAMAV_URL says where clamd listens: `unix:///var/run/clamav/clamd.ctl` (Debian's socket, the default),
`tcp://clamav:3310` (the docker-compose service), or `aucun`: no scan at all, for local use only, said in the
log at startup and on each upload. The scan fails closed: a scanner that cannot be reached, times out or
answers an error refuses the upload, it never lets it through.
"""

import hashlib
import io
import logging
import os
import socket
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket, CommunicationError

logger = logging.getLogger(__name__)

SANS_ANTIVIRUS = "aucun"
PORT_CLAMD = 3310
MESSAGE_INDISPONIBLE = (
    "L'analyse antivirus est momentanément indisponible : le fichier « {nom} » n'a pas été ajouté, "
    "réessayez plus tard."
)

# The EICAR test file (eicar.org), which every antivirus reports. Written in two halves so that this source
# file is not itself reported by a scanner.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class _ClamdUnixSocket(ClamdUnixSocket):
    """clamav_client 0.7.2 connects to a Unix socket before it sets the timeout: a clamd whose connection
    queue is full would hang the upload for good. Here the timeout covers the connection too."""

    def _init_socket(self) -> None:
        try:
            self.clamd_socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.clamd_socket.settimeout(self.timeout)
            self.clamd_socket.connect(self.unix_socket)
        except OSError as err:
            raise CommunicationError(self._error_message(err)) from err


def client(url: str) -> ClamdUnixSocket | ClamdNetworkSocket:
    """The clamd client for `unix:///path` or `tcp://host[:port]`; ImproperlyConfigured for anything else."""
    parts = urlsplit(url)
    timeout = settings.CLAMAV_TIMEOUT
    if parts.scheme == "unix" and parts.path and not parts.netloc:
        return _ClamdUnixSocket(unquote(parts.path), timeout=timeout)
    if parts.scheme == "tcp" and parts.hostname:
        try:
            port = parts.port or PORT_CLAMD
        except ValueError as exc:
            raise ImproperlyConfigured(f"CLAMAV_URL: invalid port in {url!r}") from exc
        return ClamdNetworkSocket(parts.hostname, port, timeout=timeout)
    raise ImproperlyConfigured(
        f"CLAMAV_URL must be unix:///path/to/clamd.socket, tcp://host:port or {SANS_ANTIVIRUS!r}, not {url!r}"
    )


def signaler_si_desactive() -> None:
    """At startup: says in the log that uploads are not scanned, when that is so."""
    if settings.CLAMAV_URL == SANS_ANTIVIRUS:
        logger.warning(
            "CLAMAV_URL=%s: uploaded documents are NOT scanned for malware (local use only).", SANS_ANTIVIRUS
        )


def analyser(donnees: bytes, nom: str) -> None:
    """Streams the file to clamd; raises the French refusal when it is infected or cannot be scanned."""
    url = settings.CLAMAV_URL
    if url == SANS_ANTIVIRUS:
        logger.warning("Document %r accepted without a malware scan (CLAMAV_URL=%s).", nom, SANS_ANTIVIRUS)
        return
    try:
        reponse = client(url).instream(io.BytesIO(donnees))
        statut, signature = reponse["stream"]
    except (ClamdError, OSError, ImproperlyConfigured, KeyError, ValueError) as exc:
        # OSError: the library lets socket errors and timeouts through while sending.
        logger.error("Malware scan unavailable (%s) for %r: %r", url, nom, exc)
        raise ValidationError(MESSAGE_INDISPONIBLE.format(nom=nom), code="antivirus_indisponible") from exc
    if statut == "FOUND":
        logger.warning("Upload %r refused: clamd found %s.", nom, signature)
        raise ValidationError(
            f"Le fichier « {nom} » contient un virus ou un logiciel malveillant : il a été refusé. "
            "Analysez votre poste avec votre antivirus avant de joindre un autre fichier.",
            code="virus",
        )
    if statut != "OK":
        logger.error("Malware scan failed (%s) for %r: %s %s", url, nom, statut, signature)
        raise ValidationError(MESSAGE_INDISPONIBLE.format(nom=nom), code="antivirus_indisponible")


def ecrire_signatures(dossier: Path) -> list[Path]:
    """Writes the project's own signature database: EICAR as a body signature (anywhere in a file or in an
    archive member) and as the hash of the standard 68-byte file.

    For the tests and a local clamd without internet; production uses the signatures freshclam keeps
    current. Each file is replaced atomically, so a clamd reading the directory never sees half of one.
    """
    dossier.mkdir(parents=True, exist_ok=True)
    empreinte = hashlib.md5(EICAR, usedforsecurity=False).hexdigest()
    contenus = {
        # Name:TargetType:Offset:HexSignature — any file type, anywhere in it.
        "soprano.ndb": f"Soprano.Test.EICAR-Corps:0:*:{EICAR.hex()}\n",
        # MD5:Size:Name
        "soprano.hdb": f"{empreinte}:{len(EICAR)}:Soprano.Test.EICAR-Fichier\n",
    }
    chemins = []
    for nom, contenu in contenus.items():
        chemin = dossier / nom
        provisoire = dossier / f".{nom}.{os.getpid()}"
        provisoire.write_text(contenu, encoding="ascii")
        os.replace(provisoire, chemin)
        chemins.append(chemin)
    return chemins
