"""E-mails go through an outbox: written in the transaction, published to Celery after the commit.

A broker outage never turns a committed action into an error page, and never loses an e-mail: the
periodic task `rex.tasks.renvoyer_courriels_en_attente` sends whatever is still unsent. A mail server that
refuses an e-mail is tried again with an exponential back-off, up to MAX_TENTATIVES attempts; what still
fails is listed in the admin (« Courriels en échec ») with a « Renvoyer » action.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
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


def programmer_courriels(envois: list[tuple[str, str, dict, Demande | None]]) -> list[Courriel]:
    """Many e-mails in one insert (batch jobs); each is queued after commit."""
    courriels = Courriel.objects.bulk_create(
        _rendre(destinataire=d, modele=m, contexte=c, demande=dem) for d, m, c, dem in envois
    )
    ids = [c.pk for c in courriels]
    transaction.on_commit(lambda: [publier(pk) for pk in ids])
    return courriels


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


def _texte(nom: str, contexte: dict) -> str:
    """Plain text (subject, text body): rendered without HTML escaping (« d'indiquer », « & »)."""
    return get_template(nom).template.render(Context(contexte, autoescape=False))


def publier(courriel_id: int) -> None:
    """Queues the sending task; when the broker is down, the periodic retry will send it."""
    try:
        signature("rex.tasks.envoyer_courriel", args=(courriel_id,)).delay()
    except Exception:  # noqa: BLE001 - any broker failure: the outbox keeps the e-mail
        logger.warning("Courriel %s non publié (broker indisponible) : renvoi différé", courriel_id)


class EnvoiImpossible(Exception):
    """The mail server refused or failed: the attempt is recorded on the outbox row, retried later."""


def envoyer(courriel_id: int) -> bool:
    """Sends one e-mail of the outbox, once.

    Returns False when there is nothing to do: already sent, being sent by another worker, waiting for
    its next attempt, or given up after MAX_TENTATIVES. A failure is recorded in its own transaction (the
    attempt, the error, the next attempt after an exponential back-off), then raised as EnvoiImpossible.
    """
    erreur = None
    with transaction.atomic():
        courriel = (
            Courriel.objects.select_for_update(skip_locked=True)
            .filter(pk=courriel_id, envoye_le__isnull=True, tentatives__lt=MAX_TENTATIVES)
            .filter(Q(prochain_essai_le__isnull=True) | Q(prochain_essai_le__lte=timezone.now()))
            .first()
        )
        if courriel is None:
            return False
        courriel.tentatives += 1
        try:
            _message(courriel).send()
        except Exception as exc:  # noqa: BLE001 - any failure of the backend is recorded, then raised
            erreur = exc
            courriel.derniere_erreur = f"{type(exc).__name__} : {exc}"[:2000]
            courriel.prochain_essai_le = timezone.now() + delai_avant_essai(courriel.tentatives)
        else:
            courriel.envoye_le = timezone.now()
            courriel.derniere_erreur = ""
            courriel.prochain_essai_le = None
        courriel.save(update_fields=["tentatives", "envoye_le", "derniere_erreur", "prochain_essai_le"])
    if erreur is not None:
        if courriel.tentatives >= MAX_TENTATIVES:
            logger.error(
                "Courriel %s abandonné après %s tentatives : %s", courriel_id, courriel.tentatives, erreur
            )
        raise EnvoiImpossible(courriel.derniere_erreur) from erreur
    return True


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


def courriels_en_attente(*, plus_vieux_que_secondes: int = 60) -> list[int]:
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
        .values_list("pk", flat=True)[:500]
    )


def renvoyer(courriels) -> int:
    """« Renvoyer » (admin, « Courriels en échec »): the attempts start again from zero, now.

    Side effect: each e-mail is queued after commit.
    """
    ids = list(courriels.filter(envoye_le__isnull=True).values_list("pk", flat=True))
    Courriel.objects.filter(pk__in=ids).update(tentatives=0, prochain_essai_le=None)
    transaction.on_commit(lambda: [publier(pk) for pk in ids])
    return len(ids)
