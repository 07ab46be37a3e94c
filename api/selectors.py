"""Reads of API tokens, scoped to who asks."""

from django.db.models import QuerySet

from api.access import peut_utiliser_api
from api.models import JetonApi
from api.services import PREFIXE, empreinte


def jetons_de(user) -> QuerySet[JetonApi]:
    """The user's tokens, the newest first (revoked and expired ones included: the page says so)."""
    return JetonApi.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def jeton_authentifie(token: str) -> JetonApi | None:
    """The token matching `token`, with its user, when it may be used now; None otherwise (unknown,
    revoked, expired, or its user deactivated, no longer certified or habilitated). One query."""
    if not token.startswith(PREFIXE) or len(token) > 200:
        return None
    jeton = (
        JetonApi.objects.actifs()
        .select_related("user", "user__entreprise", "user__service")
        .filter(hash=empreinte(token))
        .first()
    )
    if jeton is None or not peut_utiliser_api(jeton.user):
        return None
    return jeton
