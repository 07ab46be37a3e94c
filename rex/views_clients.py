"""« Mes clients » (a customs representative's clients, by urgency) and its CSV export.

For the users of a customs representative only: any other operator gets a 404 (the page is not shown),
an officer is sent to his back-office (the operator portal's check).
"""

from collections.abc import Iterator
from datetime import date, datetime
from urllib.parse import urlencode

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import operateur_habilite_required
from rex import exports
from rex.forms_clients import FiltreClientsForm
from rex.selectors_clients import clients_representant, ligne_client, page_clients

PAR_PAGE_CLIENTS = 25
COLONNES_CSV = (
    "Raison sociale",
    "EORI",
    "Mandat",
    "Début du mandat",
    "Fin du mandat",
    "Statut REX",
    "Numéro de demande",
    "Numéro REX",
    "Date limite de réponse",
    "Jours restants",
)


def _filtres(request) -> tuple[FiltreClientsForm, dict]:
    if not request.user.est_representant:
        raise Http404
    form = FiltreClientsForm(request.GET)
    return form, form.filtres()


@operateur_habilite_required
@require_GET
def clients(request):
    """Every client of the representative, one row each, 25 a page, most urgent first: the user's
    company and the three queries of selectors_clients.page_clients, whatever the number of clients."""
    form, filtres = _filtres(request)
    page, mandats = page_clients(request.user, filtres.pop("page"), par_page=PAR_PAGE_CLIENTS, **filtres)
    maintenant = timezone.now()
    lignes = [ligne_client(mandat, maintenant) for mandat in mandats]
    recherche = {cle: valeur for cle, valeur in filtres.items() if valeur}
    if recherche.get("echeance"):
        recherche["echeance"] = "on"
    page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    page.lien = "?" + urlencode({**recherche, "page": ""})  # + the page number
    return render(
        request,
        "rex/clients.html",
        {
            "title": "Mes clients",
            "form": form,
            "page": page,
            "lignes": lignes,
            "recherche": recherche,
            "export": "?" + urlencode(recherche) if recherche else "",
        },
    )


def _cellule(valeur) -> str:
    return exports.neutraliser("" if valeur is None else str(valeur))


def _date(valeur: date | None) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, datetime):
        valeur = timezone.localtime(valeur)
    return valeur.strftime("%d/%m/%Y")


def _csv(mandats) -> Iterator[str]:
    """The rows as CSV text for a spreadsheet in French (rex.exports: BOM, « ; », no formula)."""
    maintenant = timezone.now()
    lignes = (
        [
            _cellule(valeur)
            for valeur in (
                ligne.raison_sociale,
                ligne.eori,
                ligne.mandat,
                _date(ligne.mandat_debut),
                _date(ligne.mandat_fin),
                ligne.statut_libelle,
                ligne.demande_numero,
                ligne.numero_rex,
                _date(ligne.date_limite),
                ligne.jours,
            )
        ]
        for ligne in (ligne_client(mandat, maintenant) for mandat in mandats.iterator(chunk_size=500))
    )
    return exports.ecrire_csv(COLONNES_CSV, lignes)


@operateur_habilite_required
@require_GET
def exporter_clients(request):
    """« Exporter (CSV) »: the whole filtered list, in the page's order, streamed."""
    _, filtres = _filtres(request)
    filtres.pop("page")
    response = StreamingHttpResponse(
        _csv(clients_representant(request.user, **filtres)), content_type="text/csv; charset=utf-8"
    )
    nom = f"mes-clients-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response
