"""Reads scoped to who asks: a user sees his own company's addresses only (another's is a 404)."""

from django.db.models import QuerySet

from webhooks.models import Endpoint, Tentative

JOURNAL_TAILLE = 50


def endpoints(user) -> QuerySet[Endpoint]:
    if not user.is_authenticated or user.entreprise_id is None:
        return Endpoint.objects.none()
    return Endpoint.objects.filter(entreprise_id=user.entreprise_id)


def journal(endpoint: Endpoint, *, taille: int = JOURNAL_TAILLE) -> list[Tentative]:
    """The last attempts of an address, newest first (one query, on the log's index)."""
    return list(
        Tentative.objects.filter(endpoint=endpoint)
        .select_related("livraison")
        .order_by("-created_at", "-id")[:taille]
    )
