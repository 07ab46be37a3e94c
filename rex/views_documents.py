"""« Gérer les documents de la demande » (guide §5.2.8): add, download, delete; served only through
these views, to those who may see the request."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import operateur_habilite_ou_agent_required
from rex import services
from rex.documents import servir_document
from rex.forms import DocumentForm
from rex.models import STATUTS_MODIFIABLES
from rex.views import demande_ou_404


@operateur_habilite_ou_agent_required
@require_http_methods(["GET", "POST"])
def documents(request, pk: int):
    """« Gérer les documents de la demande »: « Parcourir », a name, « Ajouter »."""
    demande = demande_ou_404(request, pk)
    modifiable = demande.statut in STATUTS_MODIFIABLES
    form = DocumentForm()
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if not modifiable:
            messages.error(request, "Les documents de cette demande ne peuvent plus être modifiés.")
            return redirect("rex:detail", pk=demande.pk)
        if form.is_valid():
            try:
                document = services.ajouter_document(
                    demande=demande,
                    by=request.user,
                    fichier=form.cleaned_data["fichier"],
                    nom=form.cleaned_data["nom"],
                )
            except ValidationError as exc:
                form.add_error("fichier", exc)
            except services.ActionRefusee as exc:
                messages.error(request, str(exc))
                return redirect("rex:documents", pk=demande.pk)
            else:
                messages.success(request, f"Le document « {document.nom} » a été ajouté.")
                return redirect("rex:documents", pk=demande.pk)
    return render(
        request,
        "rex/documents.html",
        {
            "title": "Gérer les documents de la demande",
            "demande": demande,
            "form": form,
            "modifiable": modifiable,
            "documents": list(demande.documents.all()),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@operateur_habilite_ou_agent_required
@require_GET
def telecharger_document(request, pk: int, document_pk: int):
    """Documents are served only through this view, to those who may see the request."""
    demande = demande_ou_404(request, pk)
    document = get_object_or_404(demande.documents, pk=document_pk)
    return servir_document(document)


@operateur_habilite_ou_agent_required
@require_POST
def supprimer_document(request, pk: int, document_pk: int):
    demande = demande_ou_404(request, pk)
    document = get_object_or_404(demande.documents, pk=document_pk)
    try:
        services.supprimer_document(document=document, by=request.user)
    except services.ActionRefusee as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Le document « {document.nom} » a été supprimé.")
    return redirect("rex:documents", pk=demande.pk)
