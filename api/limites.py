"""Throttling of the API: settings.LIMITES["api"] requests per token (the shared cache counts every web
process), per client address for the anonymous schema and documentation."""

from django.conf import settings

from rest_framework.throttling import SimpleRateThrottle

from api.models import JetonApi
from soprano.client_ip import client_ip


class LimiteParJeton(SimpleRateThrottle):
    """Past the limit: a 429 problem with Retry-After (api.problemes)."""

    scope = "api"

    def get_rate(self):
        # Read at each request: tests and operators change settings.LIMITES.
        return settings.LIMITES["api"]

    def get_cache_key(self, request, view):
        if isinstance(request.auth, JetonApi):
            ident = f"jeton:{request.auth.pk}"
        else:
            ident = f"ip:{client_ip(request._request)}"
        return f"soprano:api:{ident}"
