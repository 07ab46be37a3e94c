"""Throttling of the pages an attacker would hammer: the public check, sign-up, login, password reset and
the activation link (django-ratelimit, on the shared cache: Redis in production).

Each limit is named; its rate is read from settings.LIMITES at each request (tests and operators change it
there). Past the limit, django-ratelimit's middleware answers with the French 429 page
(settings.RATELIMIT_VIEW).
"""

from django.conf import settings

from django_ratelimit.decorators import ratelimit


def _rate(nom: str):
    def rate(group, request):
        return settings.LIMITES[nom]

    return rate


def limiter(nom: str, *, key: str = "ip", method=ratelimit.ALL):
    """A view decorator: at most settings.LIMITES[nom] requests per `key` (client address by default)."""
    return ratelimit(group=f"soprano:{nom}", key=key, rate=_rate(nom), method=method, block=True)
