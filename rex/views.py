"""Operator portal of SOPRANO/REX (guide §3.5–§6): the home page and what the operator's pages share.

The pages split by journey: the request form (rex.views_formulaire), the request page and its actions
(rex.views_demande), the documents (rex.views_documents), a registration's modification
(rex.views_modification). The pages of the request form also serve the customs officers who key in an
operator's paper form (guide §5, « À noter »): they reach only their service's paper drafts, and are sent
back to the back-office afterwards.
"""

import re
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.access import est_agent, operateur_habilite_required
from rex import selectors, views_agent
from rex.forms import FiltreAccueilForm
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


# What each list of the REX home says of itself (its template's arguments).
LISTES_ACCUEIL = {
    "en_cours": {"titre": "Mes demandes en cours", "vide": "Aucune demande en cours."},
    "brouillons": {"titre": "Mes brouillons", "vide": "Aucun brouillon.", "brouillon": True},
    "autorisations": {"titre": "Mes autorisations", "vide": "Aucune autorisation.", "autorisation": True},
    "rejetees": {"titre": "Mes demandes rejetées", "vide": "Aucune demande rejetée."},
}


@operateur_habilite_required
@require_GET
def accueil(request):
    """Guide §3.5: « Mes demandes en cours », « Mes brouillons », « Mes autorisations »,
    « Mes demandes rejetées »: one tab each, 25 rows a page, a search, and a client filter for a
    representative. The page holds the rows of its open tab only; another tab loads its list when first
    opened (htmx), or through its link without JavaScript: the page's cost does not grow with the lists."""
    form = FiltreAccueilForm(request.GET, representant=request.user.est_representant)
    filtres = form.filtres()
    listes = selectors.tableau_accueil(request.user, **filtres)
    recherche = {cle: filtres[cle] for cle in ("q", "client") if filtres[cle]}
    for liste, page in listes.items():
        page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
        page.lien = "?" + urlencode({**recherche, "onglet": liste, "page": ""})  # + the page number
    if request.htmx:
        # A tab opened for the first time: its list alone (only the tab shown is rendered with the page).
        liste = filtres["onglet"]
        return render(request, "rex/_liste_demandes.html", {"page": listes[liste], **LISTES_ACCUEIL[liste]})
    return render(
        request,
        "rex/accueil.html",
        {
            "title": "Accueil SOPRANO/REX",
            "form": form,
            "recherche": recherche,
            "onglet": filtres["onglet"],
            **listes,
        },
    )
