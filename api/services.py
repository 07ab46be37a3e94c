"""Every write on API tokens: create, revoke, note the last use."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from api.access import MESSAGE_AGENT_ECRITURE, MESSAGE_SANS_DROIT, peut_ecrire, peut_utiliser_api
from api.models import JetonApi, Portee

PREFIXE = "srex_"
LONGUEUR_PREFIX = 12  # « srex_ » and 7 random characters: enough to tell the tokens apart
DUREE_DEFAUT_JOURS = 90
DUREE_MAX_JOURS = 365
# The last use is written at most once per this interval: not a write per request.
INTERVALLE_USAGE = timedelta(minutes=1)


class JetonRefuse(Exception):
    """A token this user may not create; the message is shown as is."""


def empreinte(token: str) -> str:
    """The SHA-256 stored in place of the token. The token's variables are named `token` everywhere:
    Sentry scrubs that name from the local variables of an error report (soprano.observabilite)."""
    return hashlib.sha256(token.encode()).hexdigest()


def creer_jeton(
    *, user, nom: str, portee: str = Portee.LECTURE, jours: int = DUREE_DEFAUT_JOURS
) -> tuple[JetonApi, str]:
    """A new token for `user`: the row and the token itself, which is never stored (only its SHA-256)
    and must be shown to the user now, once."""
    if not peut_utiliser_api(user):
        raise JetonRefuse(MESSAGE_SANS_DROIT)
    if portee == Portee.ECRITURE and not peut_ecrire(user):
        raise JetonRefuse(MESSAGE_AGENT_ECRITURE)
    if not 1 <= jours <= DUREE_MAX_JOURS:
        raise JetonRefuse(f"La durée de validité est comprise entre 1 et {DUREE_MAX_JOURS} jours.")
    nom = " ".join((nom or "").split())
    if not nom:
        raise JetonRefuse("Le nom du jeton est obligatoire.")
    token = PREFIXE + secrets.token_urlsafe(32)
    jeton = JetonApi.objects.create(
        user=user,
        nom=nom[:100],
        prefix=token[:LONGUEUR_PREFIX],
        hash=empreinte(token),
        portee=portee,
        expire_le=timezone.localdate() + timedelta(days=jours),
    )
    return jeton, token


@transaction.atomic
def revoquer_jeton(*, jeton: JetonApi, by) -> JetonApi:
    """The token stops working at once; revoking it again changes nothing. Its user revokes it, or the
    PAE in the admin (permission to change tokens)."""
    if jeton.user_id != by.pk and not by.has_perm("api.change_jetonapi"):
        raise JetonRefuse("Ce jeton n'est pas le vôtre.")
    JetonApi.objects.filter(pk=jeton.pk, revoque_le__isnull=True).update(revoque_le=timezone.now())
    jeton.refresh_from_db(fields=["revoque_le"])
    return jeton


def noter_usage(jeton: JetonApi, *, maintenant=None) -> None:
    """Stamps the last use, at most once a minute (one UPDATE, only when the last one is older)."""
    maintenant = maintenant or timezone.now()
    if jeton.dernier_usage is not None and maintenant - jeton.dernier_usage < INTERVALLE_USAGE:
        return
    JetonApi.objects.filter(pk=jeton.pk).update(dernier_usage=maintenant)
    jeton.dernier_usage = maintenant
