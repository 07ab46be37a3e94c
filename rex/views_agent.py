"""Customs officers' back-office: the queue of the officer's service (instruction comes with issue 3)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.access import agent_required
from rex import selectors
from rex.documents import servir_document


@agent_required
@require_GET
def file(request):
    demandes = selectors.demandes_agent(request.user).select_related("titulaire").order_by("-updated_at")
    return render(
        request,
        "agent/file.html",
        {"title": "File des demandes", "demandes": demandes[:200], "service": request.user.service},
    )


@agent_required
@require_GET
def detail(request, pk: int):
    demande = get_object_or_404(
        selectors.demandes_agent(request.user).select_related(
            "titulaire", "representant", "bureau", "service"
        ),
        pk=pk,
    )
    return render(
        request,
        "agent/detail.html",
        {
            "title": f"Demande {demande.numero}",
            "demande": demande,
            "contacts_lignes": list(demande.contacts.all()),
            "marchandises_lignes": list(demande.marchandises.all()),
            "cadres": list(demande.cadres.all()),
            "documents": list(demande.documents.all()),
            "evenements": demande.evenements.select_related("acteur"),
        },
    )


@agent_required
@require_GET
def document(request, pk: int, document_pk: int):
    demande = get_object_or_404(selectors.demandes_agent(request.user), pk=pk)
    return servir_document(get_object_or_404(demande.documents, pk=document_pk))
