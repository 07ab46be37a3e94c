"""Signed, expiring activation links (guide §3.2.1: « Cliquez sur le lien dans ce mail »).

The token only carries the account id, signed with a dedicated salt and timestamped: it expires
after settings.ACCOUNT_ACTIVATION_DAYS days. Single use comes from the account's state (see
services.activer_compte), not from the token.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing

ACTIVATION_SALT = "accounts.activation"


def creer_jeton_activation(*, user_id: int) -> str:
    return signing.dumps({"u": user_id}, salt=ACTIVATION_SALT)


def lire_jeton_activation(token: str) -> int:
    """Return the account id; raise signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(
        token,
        salt=ACTIVATION_SALT,
        max_age=timedelta(days=settings.ACCOUNT_ACTIVATION_DAYS),
    )
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("Jeton d'activation mal formé.")
    return data["u"]
