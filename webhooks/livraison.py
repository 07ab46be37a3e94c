"""Delivery: the POST of an outbox row to its address, signed, and the record of each attempt.

Concurrency: the due rows are picked with SELECT … FOR UPDATE SKIP LOCKED and leased (their next attempt
moved past the task's hard time limit) in one short transaction; the POSTs run outside any transaction;
each outcome is recorded in its own. Two workers never send the same row at once, and a worker lost in the
middle leaves its rows due again at the end of the lease.

A failed attempt (no answer, a status other than 2xx, a redirect: never followed) is tried again after an
exponential back-off (1, 2, 4 … minutes, at most 6 hours: rex's e-mail outbox rule), up to
WEBHOOKS_ECHECS_AVANT_DESACTIVATION attempts. That many failures in a row on one address (whatever the
event) disable it, and the user who created it is e-mailed (rex's e-mail outbox). A « Tester » ping is
tried once and counts for nothing.

SSRF: the host is resolved at every delivery, every address it resolves to must be public (not private,
loopback, link-local, reserved…), and the connection is made to the address checked (no second lookup
a DNS rebinding could answer otherwise). Only DEBUG or WEBHOOKS_AUTORISER_HTTP (tests) allow http:// to
localhost and non-public addresses.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import connection as urllib3_connection

from rex import emails
from webhooks.models import Endpoint, Livraison, Tentative, TypeEvenement

logger = logging.getLogger(__name__)

USER_AGENT = "SOPRANO-REX-Webhooks/1"
DELAI_HTTP = 5  # seconds, to connect and to read the answer
# The lease of a row being sent: longer than the hard time limit of the task sending it (webhooks.tasks).
BAIL = timedelta(minutes=5)
HOTES_LOCAUX = {"localhost", "127.0.0.1", "::1"}


class AdresseRefusee(Exception):
    """The address may not be called (scheme, host, non-public IP); the message is French."""


def autoriser_http() -> bool:
    """http:// to localhost and non-public addresses: local development and the tests only."""
    return settings.DEBUG or getattr(settings, "WEBHOOKS_AUTORISER_HTTP", False)


def echecs_max() -> int:
    return getattr(settings, "WEBHOOKS_ECHECS_AVANT_DESACTIVATION", 15)


# ------------------------------------------------------------------ the address
def refus_url(url: str) -> str:
    """Why `url` may not be registered ("" when it may): checked without any DNS lookup (the form's
    rule; the delivery checks the addresses it resolves to, every time)."""
    try:
        parties = urlsplit(url)
        hote = (parties.hostname or "").lower()
        parties.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return "Cette adresse n'est pas valide."
    if parties.username or parties.password:
        return "L'adresse ne doit contenir ni identifiant ni mot de passe."
    if not hote:
        return "Cette adresse n'est pas valide."
    if parties.scheme == "http" and autoriser_http() and hote in HOTES_LOCAUX:
        return ""
    if parties.scheme != "https":
        return "L'adresse doit commencer par https:// (connexion chiffrée)."
    if autoriser_http():
        return ""
    if hote in HOTES_LOCAUX or hote.endswith((".localhost", ".local", ".internal")):
        return "L'adresse doit désigner un serveur accessible depuis Internet."
    try:
        ip = ipaddress.ip_address(hote)
    except ValueError:
        return ""
    return "" if _publique(ip) else "L'adresse doit désigner un serveur accessible depuis Internet."


def _publique(ip) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resoudre(url: str) -> str:
    """The IP address to connect to for `url`, checked; raises AdresseRefusee."""
    refus = refus_url(url)
    if refus:
        raise AdresseRefusee(refus)
    parties = urlsplit(url)
    port = parties.port or (443 if parties.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parties.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AdresseRefusee(f"Nom de domaine introuvable : {parties.hostname}") from exc
    adresses = [info[4][0] for info in infos]
    if not adresses:
        raise AdresseRefusee(f"Nom de domaine introuvable : {parties.hostname}")
    if not autoriser_http():
        refusees = [a for a in adresses if not _publique(ipaddress.ip_address(a.split("%")[0]))]
        if refusees:
            raise AdresseRefusee(f"Adresse non publique refusée : {refusees[0]}")
    return adresses[0]


def _session(adresse: str) -> requests.Session:
    """A session whose connections go to `adresse` (checked), whatever the DNS answers meanwhile; the
    certificate is still checked against the host name of the URL. No proxy from the environment."""

    def _connecter(connexion) -> socket.socket:
        return urllib3_connection.create_connection(
            (adresse, connexion.port),
            connexion.timeout,
            source_address=connexion.source_address,
            socket_options=connexion.socket_options,
        )

    class Connexion(HTTPConnection):
        def _new_conn(self):
            return _connecter(self)

    class ConnexionTLS(HTTPSConnection):
        def _new_conn(self):
            return _connecter(self)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Connexion

    class PoolTLS(HTTPSConnectionPool):
        ConnectionCls = ConnexionTLS

    adaptateur = HTTPAdapter(max_retries=0)
    adaptateur.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": PoolTLS}
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", adaptateur)
    session.mount("https://", adaptateur)
    return session


# ------------------------------------------------------------------ the signature
def signer(secret: str, horodatage: str, corps: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256(secret, "<timestamp>.<body>") (docs/webhooks.md)."""
    mac = hmac.new(secret.encode(), f"{horodatage}.".encode() + corps, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def corps_json(livraison: Livraison) -> bytes:
    return json.dumps(livraison.corps(), ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Resultat:
    statut_http: int | None
    duree_ms: int
    erreur: str

    @property
    def reussi(self) -> bool:
        return self.statut_http is not None and 200 <= self.statut_http < 300 and not self.erreur


def poster(livraison: Livraison) -> Resultat:
    """One POST, never raising: the outcome (status, duration, error) is returned."""
    endpoint = livraison.endpoint
    corps = corps_json(livraison)
    horodatage = str(int(time.time()))
    entetes = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Soprano-Event": livraison.type,
        "X-Soprano-Delivery": str(livraison.uuid),
        "X-Soprano-Timestamp": horodatage,
        "X-Soprano-Signature": signer(endpoint.secret, horodatage, corps),
    }
    debut = time.monotonic()
    try:
        adresse = resoudre(endpoint.url)
        with _session(adresse) as session:
            reponse = session.post(
                endpoint.url,
                data=corps,
                headers=entetes,
                timeout=(DELAI_HTTP, DELAI_HTTP),
                allow_redirects=False,
                stream=True,  # the answer's body is not read
                verify=getattr(settings, "WEBHOOKS_CA_BUNDLE", "") or True,
            )
            reponse.close()
    except AdresseRefusee as exc:
        return Resultat(None, _ms(debut), str(exc))
    except requests.Timeout:
        return Resultat(None, _ms(debut), f"Pas de réponse dans le délai de {DELAI_HTTP} secondes.")
    except requests.RequestException as exc:
        logger.info("Livraison %s : %r", livraison.pk, exc)
        return Resultat(None, _ms(debut), f"Connexion impossible : {type(exc).__name__}")
    except Exception as exc:  # noqa: BLE001 - whatever else fails is an attempt failed, never a lost row
        logger.exception("Livraison %s : erreur inattendue", livraison.pk)
        return Resultat(None, _ms(debut), f"Erreur : {type(exc).__name__}")
    erreur = ""
    if 300 <= reponse.status_code < 400:
        erreur = "Redirection non suivie : indiquez l'adresse finale."
    elif not 200 <= reponse.status_code < 300:
        erreur = f"Réponse HTTP {reponse.status_code}"
    return Resultat(reponse.status_code, _ms(debut), erreur)


def _ms(debut: float) -> int:
    return int((time.monotonic() - debut) * 1000)


# ------------------------------------------------------------------ the outbox
def _dues(now):
    return Q(prochain_essai_le__isnull=True) | Q(prochain_essai_le__lte=now)


def reserver(ids: list[int]) -> list[Livraison]:
    """Locks the due rows among `ids` (SKIP LOCKED), leases them and counts the attempt; returns them.

    A row of a disabled address waits (it goes when the address is enabled again), except a ping.
    """
    now = timezone.now()
    with transaction.atomic():
        livraisons = list(
            Livraison.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(_dues(now), pk__in=ids, etat=Livraison.Etat.EN_ATTENTE)
            .filter(Q(endpoint__actif=True) | Q(type=TypeEvenement.PING))
            .order_by("pk")
        )
        if livraisons:
            Livraison.objects.filter(pk__in=[liv.pk for liv in livraisons]).update(
                essais=F("essais") + 1, prochain_essai_le=now + BAIL
            )
    for livraison in livraisons:
        livraison.essais += 1
    return livraisons


def livrer_lot(ids: list[int]) -> tuple[int, int]:
    """Delivers the due rows among `ids`; returns (delivered, failed)."""
    livrees = echecs = 0
    for livraison in reserver(ids):
        resultat = poster(livraison)
        enregistrer(livraison, resultat)
        if resultat.reussi:
            livrees += 1
        else:
            echecs += 1
    return livrees, echecs


def enregistrer(livraison: Livraison, resultat: Resultat) -> None:
    """The attempt's row, the delivery's state, the address's count of failures in a row.

    Side effect: when that count reaches WEBHOOKS_ECHECS_AVANT_DESACTIVATION, the address is disabled and
    its creator e-mailed, after commit.
    """
    now = timezone.now()
    ping = livraison.type == TypeEvenement.PING
    with transaction.atomic():
        Tentative.objects.create(
            livraison=livraison,
            endpoint_id=livraison.endpoint_id,
            numero=livraison.essais,
            statut_http=resultat.statut_http,
            duree_ms=resultat.duree_ms,
            reussie=resultat.reussi,
            erreur=resultat.erreur[:500],
        )
        if resultat.reussi:
            livraison.etat = Livraison.Etat.LIVREE
            livraison.livree_le = now
            livraison.prochain_essai_le = None
            livraison.derniere_erreur = ""
        else:
            livraison.derniere_erreur = resultat.erreur[:500]
            if ping or livraison.essais >= echecs_max():
                livraison.etat = Livraison.Etat.ECHEC
                livraison.prochain_essai_le = None
            else:
                livraison.prochain_essai_le = now + emails.delai_avant_essai(livraison.essais)
        livraison.save(update_fields=["etat", "livree_le", "prochain_essai_le", "derniere_erreur"])
        if ping:
            return
        if resultat.reussi:
            Endpoint.objects.filter(pk=livraison.endpoint_id).exclude(echecs_consecutifs=0).update(
                echecs_consecutifs=0
            )
            return
        endpoint = Endpoint.objects.select_for_update().get(pk=livraison.endpoint_id)
        endpoint.echecs_consecutifs += 1
        endpoint.save(update_fields=["echecs_consecutifs"])
        if endpoint.actif and endpoint.echecs_consecutifs >= echecs_max():
            desactiver_apres_echecs(endpoint, derniere_erreur=resultat.erreur)


def desactiver_apres_echecs(endpoint: Endpoint, *, derniere_erreur: str) -> None:
    """Disables the (locked) address and e-mails its creator through rex's outbox, after commit."""
    endpoint.actif = False
    endpoint.desactive_le = timezone.now()
    endpoint.motif_desactivation = f"{endpoint.echecs_consecutifs} échecs consécutifs"
    endpoint.save(update_fields=["actif", "desactive_le", "motif_desactivation"])
    logger.warning(
        "Adresse de notification %s désactivée après %s échecs", endpoint.pk, endpoint.echecs_consecutifs
    )
    destinataire = getattr(endpoint.created_by, "email", "")
    if destinataire:
        emails.programmer_courriel(
            destinataire=destinataire,
            modele="webhooks/desactivation",
            contexte={
                "endpoint": endpoint,
                "echecs": endpoint.echecs_consecutifs,
                "derniere_erreur": derniere_erreur,
                "lien": reverse("webhooks:detail", args=[endpoint.pk]),
            },
        )


def livraisons_en_attente(*, plus_vieilles_que_secondes: int = 60, limite: int = 100) -> list[int]:
    """The deliveries to (re)try now: never published (broker down), due for their next attempt, or
    whose worker's lease ran out."""
    now = timezone.now()
    return list(
        Livraison.objects.filter(etat=Livraison.Etat.EN_ATTENTE)
        .filter(Q(endpoint__actif=True) | Q(type=TypeEvenement.PING))
        .filter(
            Q(
                prochain_essai_le__isnull=True,
                created_at__lte=now - timedelta(seconds=plus_vieilles_que_secondes),
            )
            | Q(prochain_essai_le__lte=now)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limite]
    )


def purger(*, conservation: timedelta | None = None, taille_lot: int = 5000) -> int:
    """Deletes the deliveries (and their attempts) delivered or given up more than WEBHOOKS_CONSERVATION_JOURS
    days ago, in batches; a pending one is never deleted. Returns how many."""
    jours = getattr(settings, "WEBHOOKS_CONSERVATION_JOURS", 30)
    limite = timezone.now() - (conservation or timedelta(days=jours))
    total = 0
    while ids := list(
        Livraison.objects.filter(created_at__lt=limite)
        .exclude(etat=Livraison.Etat.EN_ATTENTE)
        .values_list("pk", flat=True)[:taille_lot]
    ):
        Livraison.objects.filter(pk__in=ids).delete()
        total += len(ids)
    return total
