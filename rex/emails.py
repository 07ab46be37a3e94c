"""E-mails go through an outbox: written in the transaction, published to Celery after the commit.

A broker outage never turns a committed action into an error page, and never loses an e-mail: the
periodic task `rex.tasks.renvoyer_courriels_en_attente` sends whatever is still unsent.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from rex.models import Courriel, Demande

logger = logging.getLogger(__name__)


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
    from rex.tasks import envoyer_courriel

    try:
        envoyer_courriel.delay(courriel_id)
    except Exception:  # noqa: BLE001 - any broker failure: the outbox keeps the e-mail
        logger.warning("Courriel %s non publié (broker indisponible) : renvoi différé", courriel_id)


def envoyer(courriel_id: int) -> bool:
    """Sends one e-mail of the outbox, once: returns False when already sent or being sent."""
    with transaction.atomic():
        courriel = (
            Courriel.objects.select_for_update(skip_locked=True)
            .filter(pk=courriel_id, envoye_le__isnull=True)
            .first()
        )
        if courriel is None:
            return False
        message = EmailMultiAlternatives(
            subject=courriel.sujet,
            body=courriel.texte,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[courriel.destinataire],
        )
        if courriel.html:
            message.attach_alternative(courriel.html, "text/html")
        courriel.tentatives += 1
        try:
            message.send()
        except Exception as exc:
            courriel.derniere_erreur = str(exc)[:2000]
            courriel.save(update_fields=["tentatives", "derniere_erreur"])
            raise
        courriel.envoye_le = timezone.now()
        courriel.derniere_erreur = ""
        courriel.save(update_fields=["tentatives", "envoye_le", "derniere_erreur"])
    return True


def courriels_en_attente(*, plus_vieux_que_secondes: int = 60) -> list[int]:
    limite = timezone.now() - timedelta(seconds=plus_vieux_que_secondes)
    return list(
        Courriel.objects.filter(envoye_le__isnull=True, created_at__lte=limite, tentatives__lt=20)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
