"""Public pages (no login): the check of a REX number; and the export for the EU REX database (staff)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rex import publication
from rex.forms_public import VerificationForm
from soprano.throttling import limiter

TYPES_EXPORT = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


@require_GET
@limiter("verifier")
@limiter("verifier_jour")
def verifier(request):
    """« Vérifier un numéro REX »: valid, revoked or unknown, and the data the holder agreed to publish.

    A constant number of queries (one, four when the data are published): the code check is an HMAC.
    Only `donnees_publiques` reaches the template, never the registration itself.
    """
    form = VerificationForm(request.GET if "numero" in request.GET else None)
    donnees = controle = None
    if form.is_valid():
        demande = publication.enregistrement_courant(form.cleaned_data["numero"])
        if demande is not None:
            donnees = publication.donnees_publiques(demande)
            if form.cleaned_data["code"]:
                controle = publication.controler_code(demande, form.cleaned_data["code"])
    return render(
        request,
        "public/verifier.html",
        {
            "title": "Vérifier un numéro REX",
            "form": form,
            "numero": form.cleaned_data["numero"] if form.is_valid() else "",
            "donnees": donnees,
            "controle": controle,
        },
    )


@login_required
@require_GET
def exporter(request, format: str):
    """Every current registration, public data only, as an attachment; staff only (404 otherwise)."""
    if not request.user.is_staff:
        raise Http404
    response = StreamingHttpResponse(publication.exporter(format), content_type=TYPES_EXPORT[format])
    nom = f"rex-{timezone.localdate():%Y-%m-%d}.{format}"
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response
