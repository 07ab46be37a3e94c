"""E-mails go through an outbox: written in the transaction, published to Celery after the commit.

A single e-mail (a service's transition) is rendered when written. A batch job writes its rows unrendered
(recipient, template, context), set-based; the workers render them and send them in batches, each over one
connection to the mail server. Without a broker the batch job publishes nothing: its rows are due at once,
and the planner's next pass (`planificateur`, every minute) sends them.

A broker outage never turns a committed action into an error page, and never loses an e-mail: the
periodic task `rex.tasks.renvoyer_courriels_en_attente` sends whatever is still unsent. A mail server that
refuses an e-mail is tried again with an exponential back-off, up to MAX_TENTATIVES attempts; what still
fails is listed in the admin (« Courriels en échec ») with a « Renvoyer » action.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from celery import signature

from rex.models import Courriel, Demande

logger = logging.getLogger(__name__)

# A failing e-mail is tried again after an exponential back-off, then given up (« Courriels en échec »).
MAX_TENTATIVES = 20
DELAI_MAX_ENTRE_ESSAIS = timedelta(hours=6)
# E-mails sent over one connection to the mail server (and rows locked meanwhile).
TAILLE_ENVOI = 100


def programmer_courriel(
    *, destinataire: str, modele: str, contexte: dict, demande: Demande | None = None
) -> Courriel:
    """Renders `emails/<modele>_subject.txt`, `_body.txt` and `_body.html` into the outbox.

    Side effect: the sending task is queued after commit.
    """
    courriel = _rendre(destinataire=destinataire, modele=modele, contexte=contexte, demande=demande)
    courriel.save()
    transaction.on_commit(lambda: publier(courriel.pk))
    return courriel


def programmer_courriels_demandes(demande_ids: list[int], *, modele: str, contexte: dict) -> list[int]:
    """Batch jobs: one e-mail to each request's address (its « courriel », when it has one), written
    unrendered by the database itself (INSERT … SELECT from the requests): the template `modele` and a
    context of JSON values (the request is `demande`), rendered when sent. Returns their ids.

    Side effect: after commit, one sending task per TAILLE_ENVOI e-mails; none without a broker (the
    rows are due at once: the planner's next pass sends them, outside the job).
    """
    if not demande_ids:
        return []
    sans_broker = settings.CELERY_TASK_ALWAYS_EAGER
    now = timezone.now()
    marques = ", ".join(["%s"] * len(demande_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Courriel._meta.db_table} "  # nosec B608 - names from the models, values bound
            "(destinataire, sujet, texte, html, modele, contexte, demande_id, created_at, envoye_le, "
            "tentatives, derniere_erreur, prochain_essai_le) "
            "SELECT courriel, '', '', '', %s, %s, id, %s, NULL, 0, '', %s "
            f"FROM {Demande._meta.db_table} WHERE courriel <> '' AND id IN ({marques}) "
            "RETURNING id",
            [modele, json.dumps(contexte), now, now if sans_broker else None, *demande_ids],
        )
        ids = [ligne[0] for ligne in cursor.fetchall()]
    if ids and not sans_broker:
        transaction.on_commit(lambda: publier_lots(ids))
    return ids


def programmer_courriels_lignes(lignes: list[tuple[str, int, dict]], *, modele: str) -> list[int]:
    """Batch jobs whose e-mails differ per request (a deadline, a recipient other than the request's
    address): the rows (recipient, request id, JSON context) written unrendered with one bulk INSERT,
    rendered when sent with the template `modele` (the request is `demande`). Returns their ids.

    Side effect: as `programmer_courriels_demandes` (sending tasks after commit; none without a broker).
    """
    if not lignes:
        return []
    sans_broker = settings.CELERY_TASK_ALWAYS_EAGER
    now = timezone.now()
    courriels = Courriel.objects.bulk_create(
        Courriel(
            destinataire=destinataire,
            modele=modele,
            contexte=contexte,
            demande_id=demande_id,
            created_at=now,
            prochain_essai_le=now if sans_broker else None,
        )
        for destinataire, demande_id, contexte in lignes
    )
    ids = [courriel.pk for courriel in courriels]
    if not sans_broker:
        transaction.on_commit(lambda: publier_lots(ids))
    return ids


def _rendre(*, destinataire: str, modele: str, contexte: dict, demande: Demande | None) -> Courriel:
    contexte = {"site_url": settings.SITE_URL, "demande": demande, **contexte}
    sujet = " ".join(_texte(f"emails/{modele}_subject.txt", contexte).split())
    return Courriel(
        destinataire=destinataire,
        sujet=sujet,
        texte=_texte(f"emails/{modele}_body.txt", contexte),
        html=render_to_string(f"emails/{modele}_body.html", contexte),
        demande=demande,
    )


def _rendre_en_file(courriel: Courriel) -> None:
    """Renders an e-mail written unrendered by a batch job (same templates, same context as `_rendre`)."""
    rendu = _rendre(
        destinataire=courriel.destinataire,
        modele=courriel.modele,
        contexte=courriel.contexte,
        demande=courriel.demande,
    )
    courriel.sujet, courriel.texte, courriel.html = rendu.sujet, rendu.texte, rendu.html


def _texte(nom: str, contexte: dict) -> str:
    """Plain text (subject, text body): rendered without HTML escaping (« d'indiquer », « & »)."""
    return get_template(nom).template.render(Context(contexte, autoescape=False))


def publier(courriel_id: int) -> None:
    """Queues the sending task; when the broker is down, the periodic retry will send it."""
    try:
        signature("rex.tasks.envoyer_courriel", args=(courriel_id,)).delay()
    except Exception:  # noqa: BLE001 - any broker failure: the outbox keeps the e-mail
        logger.warning("Courriel %s non publié (broker indisponible) : renvoi différé", courriel_id)


def publier_lots(ids: list[int]) -> None:
    """Queues one sending task per TAILLE_ENVOI e-mails; when the broker is down, the periodic retry
    sends them."""
    for debut in range(0, len(ids), TAILLE_ENVOI):
        lot = ids[debut : debut + TAILLE_ENVOI]
        try:
            signature("rex.tasks.envoyer_courriels", args=(lot,)).delay()
        except Exception:  # noqa: BLE001 - any broker failure: the outbox keeps the e-mails
            logger.warning("%s courriels non publiés (broker indisponible) : renvoi différé", len(lot))
            return


class EnvoiImpossible(Exception):
    """The mail server refused or failed: the attempt is recorded on the outbox row, retried later."""


def envoyer(courriel_id: int) -> bool:
    """Sends one e-mail of the outbox, once (see `envoyer_lot`).

    Returns False when there is nothing to do: already sent, being sent by another worker, waiting for
    its next attempt, or given up after MAX_TENTATIVES. A failure is recorded, then raised as
    EnvoiImpossible.
    """
    envoyes, echecs = envoyer_lot([courriel_id])
    if echecs:
        raise EnvoiImpossible(echecs[0].derniere_erreur) from echecs[0].erreur
    return envoyes == 1


def envoyer_lot(ids: list[int]) -> tuple[int, list[Courriel]]:
    """Sends the due e-mails among `ids` over one connection to the mail server; returns (how many were
    sent, the failed ones).

    The rows are locked (SKIP LOCKED: another worker's are left to it), rendered when a batch job wrote
    them unrendered, sent one message at a time on the same connection, and each outcome is recorded on
    its row in the same transaction: sent, or the attempt, the error and the next attempt after an
    exponential back-off.
    """
    echecs: list[Courriel] = []
    with transaction.atomic():
        courriels = list(
            Courriel.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("demande")
            .filter(pk__in=ids, envoye_le__isnull=True, tentatives__lt=MAX_TENTATIVES)
            .filter(Q(prochain_essai_le__isnull=True) | Q(prochain_essai_le__lte=timezone.now()))
            .order_by("pk")
        )
        if not courriels:
            return 0, []
        connexion, erreur_connexion = get_connection(), None
        try:
            connexion.open()
        except Exception as exc:  # noqa: BLE001 - the server is down: every message of the batch waits
            erreur_connexion = exc
        for courriel in courriels:
            courriel.tentatives += 1
            try:
                if courriel.modele and not courriel.sujet:
                    _rendre_en_file(courriel)
                if erreur_connexion is not None:
                    raise erreur_connexion
                connexion.send_messages([_message(courriel)])
            except Exception as exc:  # noqa: BLE001 - any failure of the backend is recorded
                courriel.erreur = exc
                courriel.derniere_erreur = f"{type(exc).__name__} : {exc}"[:2000]
                courriel.prochain_essai_le = timezone.now() + delai_avant_essai(courriel.tentatives)
                echecs.append(courriel)
            else:
                courriel.envoye_le = timezone.now()
                courriel.derniere_erreur = ""
                courriel.prochain_essai_le = None
        if erreur_connexion is None:
            try:
                connexion.close()
            except Exception:  # noqa: BLE001 - the messages are sent: a failed QUIT changes nothing
                logger.warning("Fermeture de la connexion au serveur de courriel en erreur", exc_info=True)
        Courriel.objects.bulk_update(
            courriels,
            ["sujet", "texte", "html", "tentatives", "envoye_le", "derniere_erreur", "prochain_essai_le"],
        )
    for courriel in echecs:
        if courriel.tentatives >= MAX_TENTATIVES:
            logger.error(
                "Courriel %s abandonné après %s tentatives : %s",
                courriel.pk,
                courriel.tentatives,
                courriel.derniere_erreur,
            )
    return len(courriels) - len(echecs), echecs


def _message(courriel: Courriel) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=courriel.sujet,
        body=courriel.texte,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[courriel.destinataire],
    )
    if courriel.html:
        message.attach_alternative(courriel.html, "text/html")
    return message


def delai_avant_essai(tentatives: int) -> timedelta:
    """Exponential back-off: 1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th … failure, at most 6 hours."""
    return min(timedelta(minutes=2 ** (tentatives - 1)), DELAI_MAX_ENTRE_ESSAIS)


def courriels_en_attente(*, plus_vieux_que_secondes: int = 60, limite: int = 500) -> list[int]:
    """The e-mails to (re)send now: never sent (broker down) or failed and due for their next attempt."""
    now = timezone.now()
    return list(
        Courriel.objects.filter(envoye_le__isnull=True, tentatives__lt=MAX_TENTATIVES)
        .filter(
            Q(
                prochain_essai_le__isnull=True,
                created_at__lte=now - timedelta(seconds=plus_vieux_que_secondes),
            )
            | Q(prochain_essai_le__lte=now)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limite]
    )


def renvoyer(courriels) -> int:
    """« Renvoyer » (admin, « Courriels en échec »): the attempts start again from zero, now.

    Side effect: each e-mail is queued after commit.
    """
    ids = list(courriels.filter(envoye_le__isnull=True).values_list("pk", flat=True))
    Courriel.objects.filter(pk__in=ids).update(tentatives=0, prochain_essai_le=None)
    transaction.on_commit(lambda: [publier(pk) for pk in ids])
    return len(ids)
