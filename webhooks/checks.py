"""`manage.py check --deploy` refuses a production that would POST over http or to private addresses."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def http_interdit_en_production(app_configs, **kwargs):
    if not getattr(settings, "WEBHOOKS_AUTORISER_HTTP", False) or settings.DEBUG:
        return []
    return [
        Error(
            "WEBHOOKS_AUTORISER_HTTP is set: technical notifications may be POSTed over http and to "
            "private addresses (SSRF).",
            hint="Unset WEBHOOKS_AUTORISER_HTTP: it is for the tests and local development only.",
            id="webhooks.E001",
        )
    ]
