"""Celery tasks: thin doors onto the services (an id in, a service call).

Queues (soprano/settings/base.py, CELERY_TASK_ROUTES): `courriels` for the outbox, `pdf` for the registration
PDFs, `defaut` for the periodic jobs. Every task here may run twice without harm (an e-mail row is sent once,
a PDF is stored once, a rejection applies to requests still overdue), hence acks_late: a worker lost in the
middle leaves the message to another.
"""

import logging

from celery import shared_task

from rex import emails, pdf, services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def envoyer_courriel(courriel_id: int) -> bool:
    """Sends one e-mail; a failure is recorded on its row and retried by `renvoyer_courriels_en_attente`."""
    try:
        return emails.envoyer(courriel_id)
    except emails.EnvoiImpossible:
        logger.warning("Courriel %s non envoyé : nouvel essai programmé", courriel_id)
        return False


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def envoyer_courriels(courriel_ids: list[int]) -> int:
    """Sends a batch of e-mails (a batch job's) over one connection; failures are recorded on their rows
    and retried by `renvoyer_courriels_en_attente`."""
    envoyes, echecs = emails.envoyer_lot(courriel_ids)
    if echecs:
        logger.warning("%s courriel(s) non envoyé(s) : nouvel essai programmé", len(echecs))
    return envoyes


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def renvoyer_courriels_en_attente() -> int:
    """Periodic: sends the e-mails whose publication failed (broker down), whose next attempt is due, or
    that a batch job left to it (no broker), in batches over one connection each, until none is due."""
    sent = 0
    while ids := emails.courriels_en_attente(limite=emails.TAILLE_ENVOI):
        envoyes, echecs = emails.envoyer_lot(ids)
        if envoyes + len(echecs) == 0:
            break  # all locked by another worker
        sent += envoyes
    return sent


@shared_task(acks_late=True, soft_time_limit=1200, time_limit=1260)
def rejeter_delais_depasses() -> int:
    """Periodic (django-celery-beat): automatic rejection after 30 days without an answer."""
    return services.rejeter_delais_depasses()


@shared_task(acks_late=True, soft_time_limit=1200, time_limit=1260)
def relancer_echeances() -> int:
    """Periodic (django-celery-beat, hourly from 08:00 to 18:00 Paris): reminders 10 and 3 days before
    the automatic rejection."""
    return services.relancer_echeances()


@shared_task(
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=3,
)
def generer_autorisation(demande_id: int) -> bool:
    """Pre-renders the PDF of a registration (guide §7.1); idempotent: nothing when already stored."""
    return pdf.pregenerer(demande_id)
