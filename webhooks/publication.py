"""Queues the delivery tasks by name, after the commit; a broker outage never turns an action into an
error: the rows stay pending and the periodic retry (`webhooks.tasks.livrer_en_attente`) takes them."""

import logging

from celery import signature

logger = logging.getLogger(__name__)

# Deliveries per task: each POST may take up to the timeout (webhooks.livraison.DELAI_HTTP).
TAILLE_LOT = 10


def publier_lots(ids: list[int]) -> None:
    for debut in range(0, len(ids), TAILLE_LOT):
        lot = ids[debut : debut + TAILLE_LOT]
        try:
            signature("webhooks.tasks.livrer", args=(lot,)).delay()
        except Exception:  # noqa: BLE001 - any broker failure: the outbox keeps the deliveries
            logger.warning("%s notification(s) technique(s) non publiée(s) : livraison différée", len(lot))
            return
