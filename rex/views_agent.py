"""Customs officers' back-office (guide §6, SPEC §4): the service's queue and the instruction of a request.

Thin doors: every read goes through rex.selectors (another service's request is a 404), every write
through one rex.services function, and the buttons shown are exactly rex.actions.actions_possibles.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import agent_required
from rex import actions, exports, pagination, pdf, selectors, services, statistiques
from rex.documents import servir_document
from rex.dossier import lire as lire_dossier
from rex.forms_agent import (
    ActionsGroupeesForm,
    AnnulerRevocationForm,
    DemanderComplementForm,
    DepotPapierForm,
    EcrireForm,
    EnregistrerFiltreForm,
    FiltreFileForm,
    OctroyerForm,
    PrendreEnChargeForm,
    ReaffecterForm,
    RejeterForm,
    RevoquerForm,
    SupprimerFiltreForm,
    TableauDeBordForm,
    ValiderModificationForm,
    chaine_filtres,
)
from rex.models import STATUTS_EN_INSTRUCTION, Demande
from rex.versions import marques

PAR_PAGE = 25
# The service-side actions done on a page of their own (the request form, for a complement on paper).
PAGES = {"completer_depot_papier": "rex:formulaire"}

# The service-side actions of rex.actions that have a form and a view here (the thread aside).
FORMULAIRES = {
    form.nom: form
    for form in (
        PrendreEnChargeForm,
        ReaffecterForm,
        DemanderComplementForm,
        RejeterForm,
        OctroyerForm,
        RevoquerForm,
        AnnulerRevocationForm,
        ValiderModificationForm,
    )
}


def _page(paginator_source, request):
    paginator = Paginator(paginator_source, PAR_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


@agent_required
@require_GET
def file(request):
    return _file(request)


def _file(request, *, groupe: ActionsGroupeesForm | None = None, enregistrer=None, status: int = 200):
    """The service's queue: counts per status, filters, search, sort, 25 rows a page; the bulk actions
    on the rows ticked, the exports and « Mes filtres ». A bulk form or a save form refused comes back
    here with its errors (422).

    Its cost does not grow with the service's requests: the counters are an index-only aggregate, they
    give the total when no filter but the status applies (otherwise a count stops at
    selectors.PLAFOND_DECOMPTE), and the pages follow each other by cursor (rex.pagination), never by
    OFFSET: « Précédent », « Suivant », and back to the first page.
    """
    user = request.user
    compteurs = selectors.compteurs_agent(user)
    agents = list(selectors.agents_du_service(user))
    form = FiltreFileForm(request.GET or None, agents=agents, compteurs=compteurs, user=user)
    filtres = form.filtres() if form.is_bound else {}
    demandes = selectors.file_agent(user, **filtres).select_related("version_precedente")
    page = pagination.paginer(
        demandes,
        selectors.ordre_file(**filtres),
        apres=request.GET.get("apres", ""),
        avant=request.GET.get("avant", ""),
        par_page=PAR_PAGE,
    )
    # A registration in « Modification demandée » leads to its modification being instructed (one query).
    prefetch_related_objects(
        page.lignes,
        Prefetch(
            "modifications",
            queryset=Demande.objects.filter(statut__in=STATUTS_EN_INSTRUCTION).order_by("-created_at"),
            to_attr="modifications_en_cours",
        ),
    )
    au_dela = False  # more than PLAFOND_DECOMPTE, counted no further
    if any(filtres.get(nom) for nom in ("agent", "echeance", "q")):
        nombre = selectors.decompte_file(demandes)
        au_dela = nombre > selectors.PLAFOND_DECOMPTE
    elif filtres.get("statut"):
        nombre = compteurs.get(filtres["statut"], 0)
    else:
        nombre = sum(compteurs.values())
    parametres = chaine_filtres(filtres)
    if enregistrer is None and parametres:
        enregistrer = EnregistrerFiltreForm(
            initial=filtres, agents=agents, compteurs=compteurs, user=user, auto_id="id_filtre_%s"
        )
    groupe = groupe or ActionsGroupeesForm(user=user)
    return render(
        request,
        "agent/file.html",
        {
            "title": "File des demandes",
            "service": user.service,
            "form": form,
            "filtre": any(filtres.values()),
            "parametres": parametres,
            "compteurs": [
                {"statut": statut, "libelle": statut.label, "nombre": nombre}
                for statut, nombre in compteurs.items()
            ],
            "total": sum(compteurs.values()),
            "nombre": nombre,
            "au_dela": au_dela,
            "plafond_texte": f"{selectors.PLAFOND_DECOMPTE:,}".replace(",", "\u00a0"),
            "page_obj": page,
            "liens": _liens_pages(filtres, page),
            "groupe": groupe,
            # The rows ticked before a refused bulk form stay ticked.
            "selection": set(groupe.data.getlist("demandes")) if groupe.is_bound else set(),
            "enregistrer": enregistrer,
            "filtres_enregistres": list(selectors.filtres_enregistres(user)),
            "depots_papier": list(
                selectors.depots_papier_en_cours(user)
                .select_related("titulaire", "created_by")
                # What the list shows, not the drafts' ~60 columns.
                .only(
                    "updated_at",
                    "titulaire__raison_sociale",
                    "titulaire__eori",
                    "created_by__username",
                    "created_by__first_name",
                    "created_by__last_name",
                )
                .order_by("-updated_at", "-pk")
            ),
        },
        status=status,
    )


def _filtres_valides(request) -> tuple[dict[str, str], bool]:
    """The queue's filters of the query string, and whether they are all valid (for the exports and the
    forms posted from the queue, which come back to it with the same filters)."""
    user = request.user
    form = FiltreFileForm(
        request.GET or None, agents=list(selectors.agents_du_service(user)), compteurs={}, user=user
    )
    if not form.is_bound:
        return {}, True
    return form.filtres(), form.is_valid()


def _retour_file(filtres: dict[str, str]):
    parametres = chaine_filtres(filtres)
    return redirect(reverse("agent:file") + (f"?{parametres}" if parametres else ""))


# ------------------------------------------------------------------ the exports
def _exporter(request, servir):
    filtres, valides = _filtres_valides(request)
    if not valides:
        messages.error(request, "Export non effectué : corrigez les filtres de la file ci-dessous.")
        return redirect(reverse("agent:file") + "?" + request.GET.urlencode())
    return servir(selectors.export_file(request.user, **filtres))


@agent_required
@require_GET
def export_csv(request):
    """« Exporter (CSV) »: the whole queue with the current filters, streamed (rex.exports)."""

    def servir(demandes):
        reponse = StreamingHttpResponse(exports.flux_csv(demandes), content_type="text/csv; charset=utf-8")
        reponse["Content-Disposition"] = f'attachment; filename="{exports.nom_fichier("csv")}"'
        return reponse

    return _exporter(request, servir)


@agent_required
@require_GET
def export_xlsx(request):
    """« Exporter (XLSX) »: the whole queue with the current filters, as a workbook (rex.exports)."""

    def servir(demandes):
        return FileResponse(
            exports.classeur_xlsx(demandes),
            as_attachment=True,
            filename=exports.nom_fichier("xlsx"),
            content_type=exports.TYPE_XLSX,
        )

    return _exporter(request, servir)


# ------------------------------------------------------------------ the queue in bulk
@agent_required
@require_POST
def actions_groupees(request):
    """« Prendre en charge » or « Réaffecter » the requests ticked in the queue: each through its own
    service call and transaction (rex.services.groupe); then back to the queue, with its filters, and a
    summary: how many were done, which were refused and why. Posting twice does no harm: the second
    time each request is refused (already in charge, or gone to another service: « introuvable »).
    """
    filtres, _ = _filtres_valides(request)
    form = ActionsGroupeesForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Aucune action effectuée : corrigez le formulaire des actions groupées.")
        return _file(request, groupe=form, status=422)
    data = form.cleaned_data
    ids = data["demandes"]
    bilan = services.en_groupe(
        by=request.user,
        demandes=selectors.demandes_agent(request.user).in_bulk(ids),
        ids=ids,
        action=data["action"],
        service=data["service"],
        commentaire=data["commentaire"],
    )
    reaffecter = data["action"] == "reaffecter"
    if bilan.reussies:
        n = len(bilan.reussies)
        fait = (
            f"réaffectée{pluralize(n)} au service « {data['service']} »"
            if reaffecter
            else (f"prise{pluralize(n)} en charge")
        )
        messages.success(request, f"{n} demande{pluralize(n)} {fait}.")
    if bilan.refusees:
        n = len(bilan.refusees)
        quoi = f"réaffectée{pluralize(n)}" if reaffecter else f"prise{pluralize(n)} en charge"
        details = " ; ".join(f"{nom} : {raison.rstrip('.')}" for nom, raison in bilan.refusees)
        messages.error(request, f"{n} demande{pluralize(n)} non {quoi} — {details}.")
    return _retour_file(filtres)


# ------------------------------------------------------------------ « Mes filtres »
@agent_required
@require_POST
def enregistrer_filtre(request):
    """« Enregistrer ce filtre »: the name typed and the queue's current filters (hidden fields)."""
    user = request.user
    form = EnregistrerFiltreForm(
        request.POST,
        agents=list(selectors.agents_du_service(user)),
        compteurs={},
        user=user,
        auto_id="id_filtre_%s",
    )
    if form.is_valid():
        try:
            filtre = services.enregistrer_filtre(
                by=user, nom=form.cleaned_data["nom"], parametres=form.parametres()
            )
        except services.ActionRefusee as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Le filtre « {filtre.nom} » est enregistré dans « Mes filtres ».")
            return _retour_file(form.cleaned_data)
    messages.error(request, "Filtre non enregistré : corrigez le formulaire « Enregistrer ce filtre ».")
    return _file(request, enregistrer=form, status=422)


@agent_required
@require_POST
def supprimer_filtre(request, pk: int):
    """« Supprimer » one of « Mes filtres »; another officer's is a 404."""
    filtre = get_object_or_404(selectors.filtres_enregistres(request.user), pk=pk)
    if SupprimerFiltreForm(request.POST).is_valid():
        services.supprimer_filtre(filtre=filtre, by=request.user)
        messages.success(request, f"Le filtre « {filtre.nom} » est supprimé.")
    return redirect("agent:file")


def _liens_pages(filtres: dict[str, str], page: pagination.Page) -> dict[str, str]:
    """« Première page », « Précédent », « Suivant »: the queue's URL with the filters kept."""
    base = {nom: valeur for nom, valeur in filtres.items() if valeur}
    url = reverse("agent:file")

    def lien(**curseur) -> str:
        parametres = {**base, **curseur}
        return f"{url}?{urlencode(parametres)}" if parametres else url

    return {
        "premiere": lien() if page.precedente else "",
        "precedente": lien(avant=page.precedente) if page.precedente else "",
        "suivante": lien(apres=page.suivante) if page.suivante else "",
    }


@agent_required
@require_http_methods(["GET", "POST"])
def deposer_papier(request):
    """« Déposer une demande pour un opérateur » (guide §5, « À noter »): exceptional, for an operator
    unable to file himself, from the paper form (annex 22-06 bis) he completed and signed.

    Creates the service's draft, then opens the operators' own request form on it.
    """
    form = DepotPapierForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        titulaire = form.cleaned_data["titulaire"]
        try:
            demande = services.creer_depot_papier(by=request.user, titulaire=titulaire)
        except services.ActionRefusee as exc:
            form.add_error("eori", str(exc))
        else:
            messages.success(
                request,
                f"Le brouillon n° {demande.pk} a été créé pour {titulaire.raison_sociale} (EORI "
                f"{titulaire.eori}) : reportez les données du formulaire papier, puis soumettez la demande.",
            )
            return redirect("rex:formulaire", pk=demande.pk)
    return render(
        request,
        "agent/depot_papier.html",
        {"title": "Déposer une demande pour un opérateur", "service": request.user.service, "form": form},
        status=422 if form.is_bound else 200,
    )


@agent_required
@require_GET
def historique(request):
    """« Historique du service »: requests abandoned while in its charge (anonymous traces)."""
    return render(
        request,
        "agent/historique.html",
        {
            "title": "Historique du service",
            "service": request.user.service,
            "page_obj": _page(selectors.abandons_service(request.user), request),
        },
    )


@agent_required
@require_GET
def tableau_de_bord(request):
    """« Tableau de bord du service »: volumes, processing times, backlog, deadlines, per officer
    (rex.statistiques, a constant number of queries). A staff officer may choose any service, or all
    of them (the national view); the others see their own service."""
    user = request.user
    national = user.is_staff
    form = TableauDeBordForm(request.GET or None, national=national)
    filtres = form.filtres() if form.is_bound else {"periode": statistiques.PERIODE_DEFAUT, "service": None}
    service = filtres["service"] if national else user.service
    figures = statistiques.tableau_de_bord(service, mois=filtres["periode"])
    return render(
        request,
        "agent/tableau_de_bord.html",
        {
            "title": "Tableau de bord du service",
            "service": service,
            "national": national,
            "son_service": service is not None and service.pk == user.service_id,
            "form": form,
            "periode": filtres["periode"],
            "graphiques": statistiques.graphiques(figures),
            **figures,
        },
    )


def _demande(request, pk: int) -> Demande:
    return get_object_or_404(
        selectors.demandes_agent(request.user).select_related(
            "titulaire", "representant", "bureau", "service", "agent", "version_precedente"
        ),
        pk=pk,
    )


def _afficher(request, pk: int, *, nom_lie: str = "", form_lie=None, message: EcrireForm | None = None):
    """The request page; after an invalid action form, that form is shown open with its errors; after a
    refused message, the thread's form shows it with its error (422).

    A constant number of queries, whatever the request's rows (rex.dossier).
    """
    dossier = lire_dossier(request.user, selectors.demandes_agent(request.user), pk)
    demande = dossier.demande
    possibles = actions.actions_possibles(request.user, demande, dossier.verificateur)
    boutons = []
    liens = [
        (action, reverse(PAGES[action.nom], args=[demande.pk])) for action in possibles if action.nom in PAGES
    ]
    for action in possibles:
        if action.nom not in FORMULAIRES:
            continue
        form = form_lie if action.nom == nom_lie else FORMULAIRES[action.nom](demande=demande)
        boutons.append(
            {
                "action": action,
                "form": form,
                "url": reverse(f"agent:{action.nom}", args=[demande.pk]),
                "ouvert": action.nom == nom_lie,
            }
        )
    recap = dossier.recap()
    return render(
        request,
        "agent/detail.html",
        {
            "title": f"Demande {demande.numero}",
            "demande": demande,
            "jours_restants": demande.jours_restants(),
            "actions_agent": boutons,
            "actions_pages": liens,
            **recap,
            # A modification shows in orange what it changes in the registration (guide §7.2).
            **(marques(demande, recap) if demande.est_modification else {}),
            "modification_en_cours": dossier.modification_en_cours,
            "evenements": dossier.evenements,
            "versions": dossier.versions,
            "messages_fil": dossier.messages_fil,
            "fil_url": reverse("agent:ecrire", args=[demande.pk]),
            "form_fil": message or EcrireForm(),
            "peut_ecrire": any(action.nom == "ecrire_service" for action in possibles),
            "imprimable": pdf.imprimable(demande),
        },
        status=422 if message is not None else 200,
    )


@agent_required
@require_GET
def detail(request, pk: int):
    return _afficher(request, pk)


def retour(request, pk: int):
    """Back to the request page, or to the queue when the request has left the service meanwhile."""
    if selectors.demandes_agent(request.user).filter(pk=pk).exists():
        return redirect("agent:detail", pk=pk)
    return redirect("agent:file")


def _agir(request, pk: int, nom: str, executer):
    """One action: checks it is possible now, validates its form, calls `executer(demande, data)`.

    `executer` calls one service and returns the success message and where to go. A refusal, from
    this check or from the service's own check under the row lock (another officer was faster),
    is shown as is and nothing changes.
    """
    demande = _demande(request, pk)
    refus = actions.refus(request.user, demande, nom)
    if refus:
        messages.error(request, refus)
        return retour(request, pk)
    form = FORMULAIRES[nom](request.POST, demande=demande)
    if not form.is_valid():
        messages.error(
            request,
            f"Action « {actions.ACTIONS[nom].libelle} » non effectuée : corrigez le formulaire ci-dessous.",
        )
        return _afficher(request, pk, nom_lie=nom, form_lie=form)
    try:
        succes, destination = executer(demande, form.cleaned_data)
    except services.ActionRefusee as exc:
        messages.error(request, str(exc))
        return retour(request, pk)
    messages.success(request, succes)
    return destination


@agent_required
@require_POST
def prendre_en_charge(request, pk: int):
    def executer(demande, data):
        demande = services.prendre_en_charge(demande=demande, by=request.user)
        return f"Vous avez pris en charge la demande {demande.numero}.", redirect("agent:detail", pk=pk)

    return _agir(request, pk, "prendre_en_charge", executer)


@agent_required
@require_POST
def reaffecter(request, pk: int):
    def executer(demande, data):
        demande = services.reaffecter(
            demande=demande, by=request.user, service=data["service"], commentaire=data["commentaire"]
        )
        return (
            f"La demande {demande.numero} a été réaffectée au service « {demande.service} » : "
            "elle ne figure plus dans votre file.",
            redirect("agent:file"),
        )

    return _agir(request, pk, "reaffecter", executer)


@agent_required
@require_POST
def demander_complement(request, pk: int):
    def executer(demande, data):
        demande = services.demander_complement(demande=demande, by=request.user, texte=data["texte"])
        return (
            f"La demande {demande.numero} est passée au statut « Incomplète » : le demandeur a jusqu'au "
            f"{demande.date_limite:%d/%m/%Y} pour répondre.",
            redirect("agent:detail", pk=pk),
        )

    return _agir(request, pk, "demander_complement", executer)


@agent_required
@require_POST
def rejeter(request, pk: int):
    def executer(demande, data):
        demande = services.rejeter(demande=demande, by=request.user, motif=data["motif"])
        return (
            f"La demande {demande.numero} a été rejetée ; le demandeur en est informé par courriel.",
            redirect("agent:detail", pk=pk),
        )

    return _agir(request, pk, "rejeter", executer)


@agent_required
@require_POST
def octroyer(request, pk: int):
    def executer(demande, data):
        demande = services.octroyer(demande=demande, by=request.user, date_validite=data["date_validite"])
        return (
            f"L'enregistrement REX {demande.numero_rex} est octroyé, valable à partir du "
            f"{demande.date_validite:%d/%m/%Y} ; le demandeur en est informé par courriel.",
            redirect("agent:detail", pk=pk),
        )

    return _agir(request, pk, "octroyer", executer)


@agent_required
@require_POST
def revoquer(request, pk: int):
    def executer(demande, data):
        demande = services.revoquer(
            demande=demande,
            by=request.user,
            motif=data["motif"],
            a_compter_du=data["a_compter_du"],
            droit_entendu_le=data["droit_entendu_le"],
        )
        return (
            f"L'enregistrement {demande.numero_rex} est révoqué à compter du "
            f"{demande.revoquee_le:%d/%m/%Y} ; le titulaire en est informé par courriel.",
            redirect("agent:detail", pk=pk),
        )

    return _agir(request, pk, "revoquer", executer)


@agent_required
@require_POST
def valider_modification(request, pk: int):
    def executer(demande, data):
        demande = services.valider_modification(modification=demande, by=request.user)
        return (
            f"La modification est validée : la version {demande.version} de l'enregistrement "
            f"{demande.numero_rex} est en vigueur ; le titulaire en est informé par courriel.",
            redirect("agent:detail", pk=pk),
        )

    return _agir(request, pk, "valider_modification", executer)


@agent_required
@require_POST
def annuler_revocation(request, pk: int):
    def executer(demande, data):
        demande = services.annuler_revocation(
            demande=demande, by=request.user, commentaire=data["commentaire"]
        )
        return (
            f"La révocation de l'enregistrement {demande.numero_rex} est annulée : il est de nouveau "
            "octroyé ; le titulaire en est informé par courriel.",
            redirect("agent:detail", pk=pk),
        )

    return _agir(request, pk, "annuler_revocation", executer)


@agent_required
@require_POST
def ecrire(request, pk: int):
    """« Fil de discussion » from the service side; the operator is e-mailed (after commit).

    A refused message comes back in the form, with its error, on the request page (422).
    """
    demande = _demande(request, pk)
    refus = actions.refus(request.user, demande, "ecrire_service")
    if refus:
        messages.error(request, refus)
        return retour(request, pk)
    form = EcrireForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["texte"][0])
        return _afficher(request, pk, message=form)
    try:
        services.ecrire(demande=demande, by=request.user, texte=form.cleaned_data["texte"])
    except services.ActionRefusee as exc:
        messages.error(request, str(exc))
        return retour(request, pk)
    messages.success(request, "Votre message a été envoyé au demandeur.")
    return redirect(reverse("agent:detail", args=[pk]) + "#fil")


@agent_required
@require_GET
def imprimer(request, pk: int):
    """« Imprimer l'autorisation » for the service in charge (guide §7.1)."""
    demande = _demande(request, pk)
    refus = pdf.refus(demande)
    if refus:
        messages.error(request, refus)
        return redirect("agent:detail", pk=pk)
    return pdf.servir_autorisation(request, demande)


@agent_required
@require_GET
def document(request, pk: int, document_pk: int):
    demande = get_object_or_404(selectors.demandes_agent(request.user), pk=pk)
    return servir_document(get_object_or_404(demande.documents, pk=document_pk))
