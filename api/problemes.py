"""Errors as RFC 9457 « problem details » (`application/problem+json`), in French, for every error.

`type` names the kind of problem (a URN documented in docs/api.md), `title` is the same for every problem
of that kind, `detail` says what happened this time, `instance` is the path asked for. A validation
error adds `errors`: each field mapped to its French messages.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, JsonResponse

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

TYPE_PROBLEME = "application/problem+json"
URN = "urn:soprano-rex:probleme:"

# status → (kind, title)
PROBLEMES = {
    400: ("requete-invalide", "Requête invalide"),
    401: ("authentification", "Authentification requise"),
    403: ("acces-refuse", "Accès refusé"),
    404: ("introuvable", "Ressource introuvable"),
    405: ("methode", "Méthode non autorisée"),
    406: ("format", "Format de réponse non disponible"),
    409: ("conflit", "Action impossible dans l'état actuel"),
    415: ("type-contenu", "Type de contenu non pris en charge"),
    422: ("idempotence", "Clé d'idempotence déjà utilisée pour une autre requête"),
    429: ("limite", "Trop de requêtes"),
    500: ("erreur-interne", "Erreur interne"),
    503: ("indisponible", "Service momentanément indisponible"),
}
DETAIL_INTROUVABLE = "La ressource demandée n'existe pas, ou ce jeton n'y donne pas accès."
DETAIL_VALIDATION = "La requête contient des valeurs invalides : voir « errors »."
DETAIL_INTERNE = "Une erreur inattendue s'est produite ; elle a été signalée à l'équipe technique."


def probleme(status_code: int, detail: str, *, instance: str = "", kind: str = "", title: str = "", **autres):
    """The body of a problem; `kind` and `title` default to those of the status."""
    defaut_kind, defaut_title = PROBLEMES.get(status_code, ("erreur", "Erreur"))
    corps = {
        "type": URN + (kind or defaut_kind),
        "title": title or defaut_title,
        "status": status_code,
        "detail": detail,
    }
    if instance:
        corps["instance"] = instance
    corps.update(autres)
    return corps


def reponse_probleme(request, status_code: int, detail: str, *, headers=None, **autres) -> Response:
    """A DRF response holding a problem (rendered as JSON, typed application/problem+json)."""
    response = Response(
        probleme(status_code, detail, instance=request.path if request else "", **autres),
        status=status_code,
        headers=headers,
        content_type=TYPE_PROBLEME,
    )
    return response


def _erreurs(detail, prefixe: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail, flattened: {"champ": [...], "lignes.0.code": [...]}."""
    if isinstance(detail, dict):
        erreurs = {}
        for cle, valeur in detail.items():
            erreurs.update(_erreurs(valeur, f"{prefixe}.{cle}" if prefixe else str(cle)))
        return erreurs
    if isinstance(detail, list) and any(isinstance(e, (dict, list)) for e in detail):
        erreurs = {}
        for rang, valeur in enumerate(detail):
            erreurs.update(_erreurs(valeur, f"{prefixe}.{rang}" if prefixe else str(rang)))
        return erreurs
    messages = detail if isinstance(detail, list) else [detail]
    return {prefixe or "non_field_errors": [str(m) for m in messages]}


def gestionnaire_exceptions(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error of a DRF view as a problem.

    An unexpected exception is logged and reported (Sentry listens to got_request_exception) and
    answered as a 500 problem, never as the site's HTML error page.
    """
    request = context.get("request")
    chemin = request.path if request is not None else ""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(DETAIL_INTROUVABLE)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        logger.error("Erreur interne de l'API : %s", chemin, exc_info=exc)
        django_request = getattr(request, "_request", None)
        got_request_exception.send(sender=None, request=django_request)
        return Response(
            probleme(500, DETAIL_INTERNE, instance=chemin),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
            content_type=TYPE_PROBLEME,
        )
    if isinstance(exc, exceptions.ValidationError):
        corps = probleme(400, DETAIL_VALIDATION, instance=chemin, errors=_erreurs(exc.detail))
    elif isinstance(exc, exceptions.NotFound):
        corps = probleme(404, DETAIL_INTROUVABLE, instance=chemin)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, (list, dict)):
            detail = " ".join(
                " ".join(v) if isinstance(v, list) else str(v) for v in _erreurs(detail).values()
            )
        corps = probleme(response.status_code, str(detail), instance=chemin)
    response.data = corps
    response.content_type = TYPE_PROBLEME
    return response


def introuvable_json(request, exception=None):
    """A path under /api/ that no route matches (soprano.views.page_introuvable): a 404 problem, not the
    site's HTML page."""
    return JsonResponse(
        probleme(404, DETAIL_INTROUVABLE, instance=request.path),
        status=404,
        content_type=TYPE_PROBLEME,
        json_dumps_params={"ensure_ascii": False},
    )
