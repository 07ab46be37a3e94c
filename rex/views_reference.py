"""Reference data for the request form: search-as-you-type over the HS nomenclature (rubrique 5)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from rex.forms import RechercheNomenclatureForm
from rex.nomenclature import chercher_nomenclature


@require_GET
@login_required
@vary_on_headers("Accept")
def nomenclature(request: HttpRequest) -> HttpResponse:
    """Suggestions for ``q``: an HTML fragment for htmx, or JSON (Accept header or ?format=json).

    Fewer than two characters give an empty fragment or an empty list, not an error: the field
    asks again at the next keystroke.
    """
    query, format_json = RechercheNomenclatureForm(request.GET).recherche()
    resultats = chercher_nomenclature(query)
    wants_json = format_json or (
        request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    )
    if wants_json:
        return JsonResponse(resultats, safe=False)
    return render(request, "rex/_nomenclature_suggestions.html", {"query": query, "resultats": resultats})
