"""The short verification code printed on a registration (PDF) and checked on the public page.

The code is an HMAC of the REX number and version under settings.VERIFICATION_KEY, a key of its own: the
site's SECRET_KEY can rotate without touching a printed registration. When the verification key itself
rotates, the former key goes into settings.VERIFICATION_KEY_FALLBACKS: new prints carry codes of the new
key, and the codes already printed still verify.
"""

import base64
import hashlib
import hmac

from django.conf import settings


def _code(cle: str, numero_rex: str, version: int) -> str:
    message = f"{numero_rex}:{version}".encode()
    digest = hmac.new(cle.encode(), message, hashlib.sha256).digest()
    code = base64.b32encode(digest).decode()[:10]
    return f"{code[:5]}-{code[5:]}"


def code_verification(numero_rex: str, version: int) -> str:
    """Ten characters that cannot be forged without the key, under the current key."""
    return _code(settings.VERIFICATION_KEY, numero_rex, version)


def verifier_code(numero_rex: str, version: int, code: str) -> bool:
    """True when `code` was made under the current key or one of the former ones."""
    code = (code or "").strip().upper()
    cles = [settings.VERIFICATION_KEY, *settings.VERIFICATION_KEY_FALLBACKS]
    return any(hmac.compare_digest(_code(cle, numero_rex, version), code) for cle in cles)
