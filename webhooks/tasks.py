"""Celery tasks: thin doors onto webhooks.livraison (ids in). Queue `defaut` (CELERY_TASK_ROUTES).

Safe to run twice (a row is leased and delivered once, SKIP LOCKED), hence acks_late. The hard time limit
stays below the lease of a row (webhooks.livraison.BAIL).
"""

import time

from celery import shared_task

from webhooks import livraison
from webhooks.publication import TAILLE_LOT


@shared_task(acks_late=True, soft_time_limit=180, time_limit=210)
def livrer(livraison_ids: list[int]) -> int:
    """Delivers a batch (published after the commit of the change); failures are retried later."""
    livrees, _ = livraison.livrer_lot(livraison_ids)
    return livrees


@shared_task(acks_late=True, soft_time_limit=240, time_limit=270)
def livrer_en_attente() -> int:
    """Periodic (django-celery-beat, every minute): the deliveries never published (broker down), due for
    a new attempt, or whose worker was lost; batch after batch until none is due or time runs short."""
    livrees, fin = 0, time.monotonic() + 120  # well within the soft limit, even with slow receivers
    while time.monotonic() < fin:
        ids = livraison.livraisons_en_attente(limite=TAILLE_LOT)
        if not ids:
            break
        reussies, echecs = livraison.livrer_lot(ids)
        if reussies + echecs == 0:
            break  # all leased by another worker
        livrees += reussies
    return livrees


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def purger() -> int:
    """Periodic (every day): the deliveries delivered or given up more than 30 days ago, and their log."""
    return livraison.purger()
