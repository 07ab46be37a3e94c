"""Celery tasks: thin doors onto the services (an id in, a service call)."""

from celery import shared_task

from rex import emails, pdf, services


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=3600, max_retries=8)
def envoyer_courriel(courriel_id: int) -> bool:
    return emails.envoyer(courriel_id)


@shared_task
def renvoyer_courriels_en_attente() -> int:
    """Periodic: sends the e-mails whose publication failed (broker down) or whose sending failed."""
    sent = 0
    for courriel_id in emails.courriels_en_attente():
        try:
            sent += emails.envoyer(courriel_id)
        except Exception:  # noqa: BLE001 - logged on the row, retried next run
            continue
    return sent


@shared_task
def rejeter_delais_depasses() -> int:
    """Periodic (django-celery-beat): automatic rejection after 30 days without an answer."""
    return services.rejeter_delais_depasses()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def generer_autorisation(demande_id: int) -> bool:
    """Pre-renders the PDF of a registration (guide §7.1); idempotent: nothing when already stored."""
    return pdf.pregenerer(demande_id)
