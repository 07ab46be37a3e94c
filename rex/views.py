"""Operator portal of SOPRANO/REX (guide §3.5–§6): thin views over selectors and services.

The pages of the request form (form, rows, documents, recap) also serve the customs officers who key
in an operator's paper form (guide §5, « À noter »): they reach only their service's paper drafts,
and are sent back to the back-office afterwards.
"""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import est_agent, operateur_habilite_ou_agent_required, operateur_habilite_required
from rex import actions, pdf, selectors, services, validation, views_agent
from rex.documents import servir_document
from rex.forms import (
    BOUTONS_DEMANDE,
    LIGNES_MAX,
    AbandonForm,
    AffichageForm,
    Bouton,
    BoutonForm,
    ComplementForm,
    DocumentForm,
    FiltreAccueilForm,
    MessageForm,
    NouvelleLigneForm,
    contacts_formset,
    marchandises_formset,
    message_lignes_max,
)
from rex.models import Chapitre, Demande, Evenement, PositionTarifaire, Statut
from rex.versions import marques, modification_en_cours, versions


def _demande(request, pk: int) -> Demande:
    return get_object_or_404(
        selectors.demandes_formulaire(request.user).select_related(
            "titulaire", "representant", "bureau", "service", "version_precedente"
        ),
        pk=pk,
    )


def _accueil(request):
    """Back to the REX home, or for an officer to the paper drafts of his queue."""
    if est_agent(request.user):
        return redirect(f"{reverse('agent:file')}#depots-papier")
    return redirect("rex:accueil")


def _page_demande(request, demande: Demande):
    """The filed request's page on the user's side (an officer's service may no longer hold it)."""
    if est_agent(request.user):
        return views_agent.retour(request, demande.pk)
    return redirect("rex:detail", pk=demande.pk)


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
    form = FiltreAccueilForm(request.GET, representant=request.user.is_representant)
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


@operateur_habilite_required
@require_http_methods(["GET", "POST"])
def deposer(request):
    """« Déposer une demande »: the empty form; the draft is created on the first save."""
    demande = services.nouveau_brouillon(by=request.user)
    if request.method == "POST":
        return _enregistrer(request, demande)
    return _afficher(request, demande, validation.construire(demande))


@operateur_habilite_ou_agent_required
@require_http_methods(["GET", "POST"])
def formulaire(request, pk: int):
    """The request form: a draft (guide §5.2), or an « Incomplète » request being completed (§6.2)."""
    demande = _demande(request, pk)
    if demande.est_modification:
        # A registration's modification: only its modifiable data, on its own form (guide §7.2).
        return redirect("rex:modification", pk=demande.pk)
    if demande.statut != Statut.BROUILLON and not actions.peut(
        request.user, demande, actions.nom_complement(request.user)
    ):
        messages.info(request, "Cette demande a été soumise : elle n'est plus modifiable ici.")
        return _page_demande(request, demande)
    if request.method == "POST":
        return _enregistrer(request, demande)
    valider, ajouter = AffichageForm(request.GET).valeurs()
    if valider:
        formulaire = validation.verifier(demande)
    else:
        formulaire = validation.construire(demande, extra=lignes_en_plus(request, demande, ajouter))
    return _afficher(request, demande, formulaire)


def lignes_en_plus(request, demande: Demande, rubrique: str) -> dict[str, int]:
    """« Ajouter une ligne + » without JavaScript: one more empty row than shown (a rubrique without rows
    shows one), unless the rubrique already holds its maximum, which the user is told."""
    if not rubrique:
        return {}
    nombre = getattr(demande, rubrique).count() if demande.pk else 0
    if nombre >= LIGNES_MAX[rubrique]:
        messages.warning(request, message_lignes_max(rubrique))
        return {}
    return {rubrique: 1 if nombre else 2}


def bouton_presse(request, boutons: tuple[str, ...]) -> Bouton | None:
    """The button pressed on the request form or the modification form; None (and the error told) when
    the value is not one of the form's buttons."""
    form = BoutonForm(request.POST, boutons=boutons)
    if form.is_valid():
        return form.cleaned_data["action"]
    messages.error(request, form.errors["action"][0])
    return None


def _enregistrer(request, demande: Demande):
    bouton = bouton_presse(request, BOUTONS_DEMANDE)
    if bouton is None:
        formulaire = validation.construire(demande, data=request.POST)
        formulaire.is_valid()
        return _afficher(request, demande, formulaire, status=422)
    if bouton.nom == "abandonner":
        if demande.pk:
            return redirect("rex:abandonner", pk=demande.pk)
        messages.info(request, "Votre projet de demande a été abandonné : rien n'a été enregistré.")
        return redirect("rex:accueil")
    data = request.POST.copy()
    if bouton.nom == "supprimer":
        # The trash icon without JavaScript: the row is marked deleted and the draft saved.
        data[f"{bouton.ligne}-DELETE"] = "on"
    formulaire = validation.construire(demande, data=data)
    if not formulaire.is_valid():
        messages.error(request, "Certaines valeurs ne peuvent pas être enregistrées : corrigez-les.")
        return _afficher(request, demande, formulaire, status=422)
    try:
        if demande.pk is None:
            demande = services.creer_brouillon(by=request.user)
        demande = services.enregistrer_formulaire(
            demande=demande,
            by=request.user,
            form=formulaire.form,
            contacts=formulaire.contacts,
            marchandises=formulaire.marchandises,
        )
    except services.ActionRefusee as exc:
        messages.error(request, str(exc))
        if demande.numero:
            return _page_demande(request, demande)
        return _accueil(request)
    url = reverse("rex:formulaire", args=[demande.pk])
    if bouton.nom == "valider":
        if validation.verifier(demande).is_valid():
            return redirect("rex:recapitulatif" if demande.est_brouillon else "rex:complement", pk=demande.pk)
        return redirect(f"{url}?valider=1#erreurs")
    if reponse := redirection_lignes(request, bouton, url, demande):
        return reponse
    if not demande.est_brouillon:
        messages.success(
            request,
            "Les modifications ont été enregistrées. La demande reste au statut « Incomplète » tant que le "
            "complément reçu sur papier n'est pas enregistré (« Transmettre le complément »)."
            if est_agent(request.user)
            else "Vos modifications ont été enregistrées. Votre demande reste au statut « Incomplète » tant "
            "que vous n'avez pas sélectionné « Transmettre le complément ».",
        )
        return _page_demande(request, demande)
    if demande.depot_papier:
        messages.success(
            request,
            f"Le brouillon n° {demande.pk} a été sauvegardé : vous le retrouverez dans « Dépôts papier en "
            "cours (brouillons) » de la file des demandes.",
        )
        return _accueil(request)
    messages.success(
        request,
        "Votre demande a été sauvegardée à l'état de brouillon : vous la retrouverez dans "
        "« Mes brouillons ».",
    )
    return redirect(f"{reverse('rex:accueil')}#brouillons")


def redirection_lignes(request, bouton: Bouton, url: str, demande: Demande):
    """After a save: back to the form (Enter in a field without JavaScript: the form's hidden default
    button), to the rows added or deleted (« Ajouter une ligne + », trash icon without JavaScript), or on
    to « Gérer les documents de la demande »; None for the other buttons."""
    ancre = {"contacts": "#rubrique-4", "marchandises": "#rubrique-5"}
    if bouton.nom == "enregistrer":
        messages.success(request, "Vos données ont été enregistrées : vous pouvez poursuivre la saisie.")
        return redirect(url)
    if bouton.nom == "ajouter":
        return redirect(f"{url}?ajouter={bouton.rubrique}{ancre[bouton.rubrique]}")
    if bouton.nom == "supprimer":
        return redirect(f"{url}{ancre[bouton.rubrique]}")
    if bouton.nom == "documents":
        return redirect("rex:documents", pk=demande.pk)
    return None


def _afficher(request, demande: Demande, formulaire, status: int = 200):
    erreurs = formulaire.erreurs() if formulaire.form.is_bound else []
    formulaire.marquer_obligatoires()
    _libelles_nomenclature(formulaire.marchandises.forms)
    documents = list(demande.documents.all()) if demande.pk else []
    complement = demande.statut == Statut.INCOMPLETE
    return render(
        request,
        "rex/formulaire.html",
        {
            "title": "Compléter la demande" if complement else "Formulaire de demande REX",
            "demande": demande,
            "complement": complement,
            "demande_complement": _derniere_demande_complement(demande) if complement else None,
            "form": formulaire.form,
            "contacts": formulaire.contacts,
            "marchandises": formulaire.marchandises,
            "erreurs": erreurs,
            "documents": documents,
            "saisie_papier": est_agent(request.user),
        },
        status=status,
    )


def _derniere_demande_complement(demande: Demande) -> Evenement | None:
    """The officer's last request for information: what the complement must answer."""
    return (
        demande.evenements.filter(kind=Evenement.Kind.DEMANDE_COMPLEMENT).order_by("created_at", "pk").last()
    )


def _libelles_nomenclature(forms) -> None:
    """Shows the official label under each code already typed (one query per table); a value that is not
    a code (a refused one, a NUL …) is never looked up."""
    codes = {code for f in forms if re.fullmatch(r"[0-9]{2}|[0-9]{4}", code := str(f["code"].value() or ""))}
    libelles = dict(PositionTarifaire.objects.filter(code__in=codes).values_list("code", "libelle")) | dict(
        Chapitre.objects.filter(code__in=codes).values_list("code", "libelle")
    )
    for form in forms:
        form.libelle_nomenclature = libelles.get(str(form["code"].value() or ""), "")


@operateur_habilite_ou_agent_required
@require_GET
def ligne(request, prefixe: str):
    """htmx: one empty row for « Ajouter une ligne + », and the incremented row count."""
    factory = {"contacts": contacts_formset, "marchandises": marchandises_formset}.get(prefixe)
    if factory is None:
        raise Http404
    compte = NouvelleLigneForm(request.GET, rubrique=prefixe)
    if not compte.is_valid():
        # No row; the reason is shown under « Ajouter une ligne + » (htmx swaps it out of band).
        response = render(
            request,
            "rex/_ligne_refusee.html",
            {"prefixe": prefixe, "erreurs": compte.errors["TOTAL_FORMS"]},
        )
        response["HX-Reswap"] = "none"
        return response
    index = compte.cleaned_data["TOTAL_FORMS"]
    formset = factory(0)(instance=Demande(), prefix=prefixe)
    form = formset.form(
        prefix=formset.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
        **formset.get_form_kwargs(None),
    )
    formset.add_fields(form, None)
    form.marquer_obligatoires()
    return render(
        request,
        "rex/_ligne.html",
        {"form": form, "prefixe": prefixe, "index": index, "total": index + 1, "oob": True},
    )


@operateur_habilite_ou_agent_required
@require_http_methods(["GET", "POST"])
def recapitulatif(request, pk: int):
    """The recap (guide §5.2.9): « Retour » or « Soumettre ma demande »."""
    demande = _demande(request, pk)
    if demande.est_modification and demande.est_brouillon:
        return redirect("rex:recapitulatif_modification", pk=demande.pk)
    if demande.statut == Statut.INCOMPLETE:
        return redirect("rex:complement", pk=demande.pk)
    if demande.statut != Statut.BROUILLON:
        return redirect("rex:detail", pk=demande.pk)
    formulaire = validation.verifier(demande)
    if not formulaire.is_valid():
        messages.error(request, "Votre demande est incomplète : complétez les champs indiqués.")
        return redirect(f"{reverse('rex:formulaire', args=[demande.pk])}?valider=1#erreurs")
    if request.method == "POST":
        try:
            demande = services.soumettre(demande=demande, by=request.user)
        except services.ActionRefusee as exc:
            messages.error(request, str(exc))
            return redirect("rex:recapitulatif", pk=pk)
        if est_agent(request.user):
            messages.success(
                request,
                f"La demande {demande.numero} a été déposée pour le compte de "
                f"{demande.titulaire_raison_sociale} et transmise au service « {demande.service} » au statut "
                f"« {demande.get_statut_display()} ». Un courriel de confirmation a été envoyé à l'adresse "
                f"{demande.courriel} (rubrique n°2).",
            )
            return _page_demande(request, demande)
        return redirect("rex:confirmation", pk=demande.pk)
    return render(
        request,
        "rex/recapitulatif.html",
        {
            "title": "Récapitulatif de la demande",
            "demande": demande,
            "saisie_papier": est_agent(request.user),
            **_recap(demande),
        },
    )


def _recap(demande: Demande) -> dict:
    return {
        "contacts_lignes": list(demande.contacts.all()),
        "marchandises_lignes": list(demande.marchandises.all()),
        "cadres": list(demande.cadres.all()),
        "documents": list(demande.documents.all()),
    }


@operateur_habilite_ou_agent_required
@require_GET
def confirmation(request, pk: int):
    if est_agent(request.user):
        return views_agent.retour(request, pk)
    demande = _demande(request, pk)
    if demande.statut == Statut.BROUILLON:
        return redirect("rex:formulaire", pk=demande.pk)
    return render(request, "rex/confirmation.html", {"title": "Demande soumise", "demande": demande})


# ------------------------------------------------------------------ the request page (guide §6)
# The page of each operator action of rex.actions (« Autres actions »); the thread is on the page itself.
URLS_ACTIONS = {
    "completer": "rex:completer",
    "dupliquer": "rex:dupliquer",
    "demander_modification": "rex:demander_modification",
    "abandonner": "rex:abandonner",
}


@operateur_habilite_required
@require_GET
def detail(request, pk: int):
    """Status, number, service, deadline, data, documents, « Historique », « Fil de discussion »,
    « Autres actions » (exactly the actions the registry allows this user now)."""
    demande = _demande(request, pk)
    if demande.statut == Statut.BROUILLON:
        return redirect("rex:formulaire", pk=demande.pk)
    return _afficher_detail(request, demande)


def _afficher_detail(request, demande: Demande, *, message: MessageForm | None = None, status: int = 200):
    """The request page; after a refused message, the thread's form shows it with its error."""
    possibles = actions.actions_possibles(request.user, demande)
    recap = _recap(demande)
    visibles = selectors.demandes_operateur(request.user)
    return render(
        request,
        "rex/detail.html",
        {
            "title": f"Demande {demande.numero}",
            "demande": demande,
            "autres_actions": [
                (action, reverse(URLS_ACTIONS[action.nom], args=[demande.pk]))
                for action in possibles
                if action.nom in URLS_ACTIONS
            ],
            "evenements": demande.evenements.select_related("acteur"),
            "messages_fil": demande.messages.all(),
            "fil_url": reverse("rex:ecrire", args=[demande.pk]),
            "form_fil": message or MessageForm(),
            "peut_ecrire": any(action.nom == "ecrire_operateur" for action in possibles),
            "imprimable": pdf.imprimable(demande),
            "versions": versions(visibles, demande),
            "modification_en_cours": modification_en_cours(visibles, demande),
            **recap,
            # A modification shows in orange what it changes in the version it replaces (guide §7.2).
            **(marques(demande, recap) if demande.est_modification else {}),
        },
        status=status,
    )


@operateur_habilite_required
@require_GET
def imprimer(request, pk: int):
    """« Imprimer l'autorisation » (guide §7.1): the registration as a PDF, shown in the browser."""
    demande = get_object_or_404(
        selectors.demandes_operateur(request.user).select_related("service", "representant"), pk=pk
    )
    refus = pdf.refus(demande)
    if refus:
        messages.error(request, refus)
        return redirect("rex:detail", pk=demande.pk)
    return pdf.servir_autorisation(demande)


@operateur_habilite_required
@require_POST
def ecrire(request, pk: int):
    """« Fil de discussion » (guide §6.1): a message to the service in charge, at every stage.

    A refused message comes back in the form, with its error, on the request page (422).
    """
    demande = _demande(request, pk)
    fil = f"{reverse('rex:detail', args=[demande.pk])}#fil"
    raison = actions.refus(request.user, demande, "ecrire_operateur")
    if raison:
        messages.error(request, raison)
        return redirect(fil)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["texte"][0])
        return _afficher_detail(request, demande, message=form, status=422)
    try:
        services.ecrire(demande=demande, by=request.user, texte=form.cleaned_data["texte"])
    except services.ActionRefusee as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "Votre message a été envoyé au service en charge du traitement de la demande."
        )
    return redirect(fil)


@operateur_habilite_required
@require_GET
def completer(request, pk: int):
    """« Compléter la demande » (guide §6.2): the information message; « Oui » opens the form."""
    demande = _demande(request, pk)
    raison = actions.refus(request.user, demande, "completer")
    if raison:
        messages.error(request, raison)
        return redirect("rex:detail", pk=demande.pk)
    return render(
        request,
        "rex/completer.html",
        {
            "title": "Compléter la demande",
            "demande": demande,
            "demande_complement": _derniere_demande_complement(demande),
        },
    )


@operateur_habilite_ou_agent_required
@require_http_methods(["GET", "POST"])
def complement(request, pk: int):
    """The recap of a completed request: « Compléments apportés à la demande » (mandatory), then
    « Transmettre le complément » (Incomplète → En étude), « Retour » or « Annuler ».

    Also the service's, for a request filed on paper whose complement arrived on paper (guide §5).
    """
    demande = _demande(request, pk)
    saisie_papier = est_agent(request.user)
    raison = actions.refus(request.user, demande, actions.nom_complement(request.user))
    if raison:
        messages.error(request, raison)
        return _page_demande(request, demande)
    if not validation.verifier(demande).is_valid():
        messages.error(request, "Votre demande est incomplète : complétez les champs indiqués.")
        return redirect(f"{reverse('rex:formulaire', args=[demande.pk])}?valider=1#erreurs")
    form = ComplementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            demande = services.transmettre_complement(
                demande=demande, by=request.user, complements=form.cleaned_data["complements"]
            )
        except services.ActionRefusee as exc:
            messages.error(request, str(exc))
            return _page_demande(request, demande)
        if saisie_papier:
            messages.success(
                request,
                f"Le complément reçu sur papier a été enregistré : la demande {demande.numero} est de "
                "nouveau au statut « En étude ».",
            )
            return _page_demande(request, demande)
        messages.success(
            request,
            f"Votre complément a été transmis au service « {demande.service} » en charge du traitement de "
            "votre demande. Celle-ci est de nouveau au statut « En étude ».",
        )
        return redirect("rex:detail", pk=demande.pk)
    return render(
        request,
        "rex/complement.html",
        {
            "title": "Récapitulatif de la demande complétée",
            "demande": demande,
            "form": form,
            "saisie_papier": saisie_papier,
            **_recap(demande),
        },
        status=422 if form.is_bound else 200,
    )


@operateur_habilite_required
@require_http_methods(["GET", "POST"])
def dupliquer(request, pk: int):
    """« Dupliquer » (guide §6.3): the two information messages, then a new draft to complete."""
    demande = _demande(request, pk)
    if request.method == "POST":
        try:
            copie = services.dupliquer(demande=demande, by=request.user)
        except services.ActionRefusee as exc:
            messages.error(request, str(exc))
            return redirect("rex:detail", pk=demande.pk)
        texte = f"La demande {demande.numero} a été dupliquée : le brouillon n° {copie.pk} a été créé."
        if copie.titulaire_id is None:
            texte += (
                " Sélectionnez dans la liste « Raison sociale » l'opérateur que vous représentez, qui ne "
                "dispose pas encore d'un enregistrement REX."
            )
        messages.success(request, texte)
        return redirect("rex:formulaire", pk=copie.pk)
    return render(
        request,
        "rex/dupliquer.html",
        {
            "title": "Dupliquer la demande",
            "demande": demande,
            "refus": actions.refus(request.user, demande, "dupliquer"),
        },
    )


@operateur_habilite_ou_agent_required
@require_http_methods(["GET", "POST"])
def abandonner(request, pk: int):
    """« Abandonner » a draft (guide §5.2.9) or « Abandonner la demande » until granted (§6.4):
    after a confirmation, the request and its documents are deleted; a filed one leaves the service
    an anonymous trace with the optional comment."""
    demande = _demande(request, pk)
    raison = actions.refus(request.user, demande, actions.nom_abandon(request.user))
    if raison:
        messages.error(request, raison)
        return _page_demande(request, demande)
    form = AbandonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.abandonner(
                demande=demande, by=request.user, commentaire=form.cleaned_data["commentaire"]
            )
        except services.ActionRefusee as exc:
            messages.error(request, str(exc))
            return _page_demande(request, demande)
        if demande.depot_papier and demande.est_brouillon:
            messages.success(
                request,
                f"Le dépôt sur formulaire papier (brouillon n° {demande.pk}) a été abandonné : tous les "
                "éléments ont été supprimés.",
            )
            return _accueil(request)
        if demande.est_brouillon:
            messages.success(
                request,
                "Votre projet de demande a été abandonné : tous les éléments ont été supprimés.",
            )
        else:
            messages.success(
                request,
                f"Votre demande {demande.numero} a été abandonnée : l'ensemble des données renseignées a été "
                "supprimé.",
            )
        return redirect("rex:accueil")
    return render(
        request,
        "rex/abandonner.html",
        {"title": "Abandonner la demande", "demande": demande, "form": form},
        status=422 if form.is_bound else 200,
    )


# ------------------------------------------------------------------ documents
@operateur_habilite_ou_agent_required
@require_http_methods(["GET", "POST"])
def documents(request, pk: int):
    """« Gérer les documents de la demande »: « Parcourir », a name, « Ajouter »."""
    demande = _demande(request, pk)
    modifiable = demande.statut in (Statut.BROUILLON, Statut.INCOMPLETE)
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
    demande = _demande(request, pk)
    document = get_object_or_404(demande.documents, pk=document_pk)
    return servir_document(document)


@operateur_habilite_ou_agent_required
@require_POST
def supprimer_document(request, pk: int, document_pk: int):
    demande = _demande(request, pk)
    document = get_object_or_404(demande.documents, pk=document_pk)
    try:
        services.supprimer_document(document=document, by=request.user)
    except services.ActionRefusee as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Le document « {document.nom} » a été supprimé.")
    return redirect("rex:documents", pk=demande.pk)


def nomenclature(request):  # replaced by rex.views_reference.nomenclature
    return HttpResponse(status=404)
