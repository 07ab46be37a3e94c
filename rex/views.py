"""Operator portal of SOPRANO/REX (guide §3.5–§6): the home page and what the operator's pages share.

The pages split by journey: the request form (rex.views_formulaire), the request page and its actions
(rex.views_demande), the documents (rex.views_documents), a registration's modification
(rex.views_modification). The pages of the request form also serve the customs officers who key in an
operator's paper form (guide §5, « À noter »): they reach only their service's paper drafts, and are sent
back to the back-office afterwards.
"""

import re

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.access import est_agent, operateur_habilite_required
from rex import selectors, views_agent
from rex.models import Chapitre, Demande, Evenement, PositionTarifaire


def demande_ou_404(request, pk: int) -> Demande:
    return get_object_or_404(
        selectors.demandes_formulaire(request.user).select_related(
            "titulaire", "representant", "bureau", "service", "version_precedente"
        ),
        pk=pk,
    )


def retour_accueil(request):
    """Back to the REX home, or for an officer to the paper drafts of his queue."""
    if est_agent(request.user):
        return redirect(f"{reverse('agent:file')}#depots-papier")
    return redirect("rex:accueil")


def retour_page_demande(request, demande: Demande):
    """The filed request's page on the user's side (an officer's service may no longer hold it)."""
    if est_agent(request.user):
        return views_agent.retour(request, demande.pk)
    return redirect("rex:detail", pk=demande.pk)


def derniere_demande_complement(demande: Demande) -> Evenement | None:
    """The officer's last request for information: what the complement must answer."""
    return (
        demande.evenements.filter(kind=Evenement.Kind.DEMANDE_COMPLEMENT).order_by("created_at", "pk").last()
    )


def libelles_nomenclature(forms) -> None:
    """Shows the official label under each code already typed (one query per table); a value that is not
    a code (a refused one, a NUL …) is never looked up."""
    codes = {code for f in forms if re.fullmatch(r"[0-9]{2}|[0-9]{4}", code := str(f["code"].value() or ""))}
    libelles = dict(PositionTarifaire.objects.filter(code__in=codes).values_list("code", "libelle")) | dict(
        Chapitre.objects.filter(code__in=codes).values_list("code", "libelle")
    )
    for form in forms:
        form.libelle_nomenclature = libelles.get(str(form["code"].value() or ""), "")


@operateur_habilite_required
@require_GET
def accueil(request):
    """Guide §3.5: « Mes demandes en cours », « Mes brouillons », « Mes autorisations »,
    « Mes demandes rejetées »."""
    return render(
        request,
        "rex/accueil.html",
        {"title": "Accueil SOPRANO/REX", **selectors.tableau_accueil(request.user)},
    )
