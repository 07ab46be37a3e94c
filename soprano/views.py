"""Project-wide pages: the French error pages (400, 403, 404, 429) and the 429 of throttling.

The 500 page is Django's own handler on templates/500.html: a static page, with no context, no query and
no template tag, so that nothing in it can fail while the service is failing.
"""

from collections.abc import Callable

from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_safe

from api.problemes import introuvable_json
from rex.nomenclature import date_export_livree
from rex.selectors import abandon_connu

RETRY_AFTER_SECONDS = 60
PREFIXE_API = "/api/"


def trop_de_requetes(request, exception=None):
    """« Trop de requêtes » (429): shown by django-ratelimit's middleware when a limit is reached."""
    response = _erreur(request, "429.html", 429, "Trop de requêtes")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _erreur(request, template: str, status: int, title: str):
    return render(request, template, {"title": title, "code": status}, status=status)


def mauvaise_requete(request, exception=None):
    return _erreur(request, "400.html", 400, "Requête incorrecte")


def acces_refuse(request, exception=None):
    return _erreur(request, "403.html", 403, "Accès refusé")


def page_introuvable(request, exception=None):
    """The 404 page; on an abandoned request's old link, those who knew the request are told so.
    Under /api/, a 404 problem (JSON), whatever the method."""
    if request.path_info.startswith(PREFIXE_API):
        return introuvable_json(request)
    contexte = {"title": "Page introuvable", "code": 404, "abandon": _abandon(request)}
    return render(request, "404.html", contexte, status=404)


def _abandon(request):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.namespace not in {"rex", "agent"} or not isinstance(match.kwargs.get("pk"), int):
        return None
    return abandon_connu(request.user, match.kwargs["pk"])


def csrf_refuse(request, reason=""):
    """CSRF_FAILURE_VIEW: a form posted from an expired page (or from another site)."""
    return _erreur(request, "403_csrf.html", 403, "Formulaire expiré")


# ------------------------------------------------------------------ the footer's pages
def _page(template: str, title: str, context: Callable[[], dict] | None = None):
    @require_safe
    def page(request):
        return render(request, f"pages/{template}.html", {"title": title, **(context() if context else {})})

    page.__name__ = template
    return page


accessibilite = _page("accessibilite", "Déclaration d'accessibilité")
# The legal notice names the source of the HS nomenclature and the date of the export shipped.
mentions_legales = _page(
    "mentions_legales", "Mentions légales", lambda: {"nomenclature_date_export": date_export_livree()}
)
donnees_personnelles = _page("donnees_personnelles", "Données personnelles")
cookies = _page("cookies", "Gestion des cookies")
plan_du_site = _page("plan_du_site", "Plan du site")
