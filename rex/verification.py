"""The short verification code printed on a registration (PDF) and checked on the public page."""

import base64
import hashlib
import hmac

from django.conf import settings


def code_verification(numero_rex: str, version: int) -> str:
    """Ten characters from an HMAC of the REX number and version: cannot be forged without the key."""
    message = f"{numero_rex}:{version}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    code = base64.b32encode(digest).decode()[:10]
    return f"{code[:5]}-{code[5:]}"


def verifier_code(numero_rex: str, version: int, code: str) -> bool:
    attendu = code_verification(numero_rex, version)
    return hmac.compare_digest(attendu, (code or "").strip().upper())
