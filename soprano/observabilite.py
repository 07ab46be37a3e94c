"""Error reports to Sentry, from the web processes and the Celery workers, only when SENTRY_DSN is set.

SENTRY_DSN                 the project's DSN; without it nothing is initialised and nothing is sent.
SENTRY_ENVIRONMENT         e.g. production, recette.
SENTRY_RELEASE             the deployed version (e.g. the image's tag or commit).
SENTRY_TRACES_SAMPLE_RATE  share of requests and tasks traced, 0 (default) to 1.

Called from the settings, so that web processes, workers and beat all initialise it. Every event carries
the request id (tag `request_id`), the same as on the log lines. No personal data is sent: no cookies, no
request body (passwords, forms), no query string, no local variables of the stack frames; the signed
tokens of e-mailed links are masked in URLs.
"""

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

from soprano import journaux

# Scrubbed wherever they appear in an event (local variables, extra data), besides Sentry's own list.
MOTS_SECRETS = [
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "mot_de_passe",
    "token",
    "uidb64",
    "secret_key",
    "verification_key",
]


def _taux(environ: Mapping[str, str]) -> float:
    valeur = environ.get("SENTRY_TRACES_SAMPLE_RATE", "").strip() or "0"
    try:
        taux = float(valeur)
    except ValueError:
        taux = -1.0
    if not 0.0 <= taux <= 1.0:
        raise ImproperlyConfigured(
            f"SENTRY_TRACES_SAMPLE_RATE={valeur!r} : un nombre entre 0 et 1 est attendu (0 par défaut)."
        )
    return taux


def avant_envoi(event, hint):
    """Every event: tagged with the request id; the request stripped of what may hold secrets."""
    request_id = journaux.current_request_id()
    if request_id != journaux.NO_REQUEST_ID:
        tags = event.get("tags")
        if not isinstance(tags, dict):
            tags = event["tags"] = {}
        tags.setdefault("request_id", request_id)
    request = event.get("request")
    if isinstance(request, dict):
        for cle in ("cookies", "data", "query_string"):
            request.pop(cle, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for nom in [nom for nom in headers if nom.lower() in {"cookie", "authorization"}]:
                headers.pop(nom)
        chemin = journaux.request_path_var.get()
        url = request.get("url")
        if chemin and isinstance(url, str) and "://" in url:
            schema, reste = url.split("://", 1)
            hote = reste.split("/", 1)[0]
            request["url"] = f"{schema}://{hote}{chemin}"
    return event


def initialiser_sentry(environ: Mapping[str, str] | None = None) -> bool:
    """Initialises sentry-sdk when SENTRY_DSN is set; returns whether it did."""
    environ = os.environ if environ is None else environ
    dsn = environ.get("SENTRY_DSN", "").strip()
    if not dsn:
        return False

    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration(), LoggingIntegration()],
        send_default_pii=False,
        environment=environ.get("SENTRY_ENVIRONMENT", "").strip() or None,
        release=environ.get("SENTRY_RELEASE", "").strip() or None,
        traces_sample_rate=_taux(environ),
        # No request body (forms: passwords, personal data), no local variables of the stack frames
        # (a request's repr holds its query string, a form its cleaned data).
        max_request_body_size="never",
        include_local_variables=False,
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *MOTS_SECRETS], recursive=True),
        before_send=avant_envoi,
        before_send_transaction=avant_envoi,
    )
    return True
