"""The request page (guide §6): status, data, « Historique », « Fil de discussion », the PDF of a
registration, and the operator's « Autres actions » (compléter, dupliquer, abandonner)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import est_agent, operateur_habilite_ou_agent_required, operateur_habilite_required
from rex import actions, pdf, selectors, services, validation
from rex.dossier import lignes_recap
from rex.dossier import lire as lire_dossier
from rex.forms import AbandonForm, ComplementForm, MessageForm
from rex.models import Statut
from rex.versions import marques
from rex.views import (
    demande_ou_404,
    derniere_demande_complement,
    retour_accueil,
    retour_page_demande,
)

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
    return _afficher_detail(request, pk)


def _afficher_detail(request, pk: int, *, message: MessageForm | None = None, status: int = 200):
    """The request page; after a refused message, the thread's form shows it with its error.

    A constant number of queries, whatever the request's rows (rex.dossier).
    """
    dossier = lire_dossier(request.user, selectors.demandes_operateur(request.user), pk)
    demande = dossier.demande
    if demande.statut == Statut.BROUILLON:
        return redirect("rex:formulaire", pk=demande.pk)
    possibles = actions.actions_possibles(request.user, demande, dossier.verificateur)
    recap = dossier.recap()
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
            "evenements": dossier.evenements,
            "messages_fil": dossier.messages_fil,
            "fil_url": reverse("rex:ecrire", args=[demande.pk]),
            "form_fil": message or MessageForm(),
            "peut_ecrire": any(action.nom == "ecrire_operateur" for action in possibles),
            "imprimable": pdf.imprimable(demande),
            "versions": dossier.versions,
            "modification_en_cours": dossier.modification_en_cours,
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
    return pdf.servir_autorisation(request, demande)


@operateur_habilite_required
@require_POST
def ecrire(request, pk: int):
    """« Fil de discussion » (guide §6.1): a message to the service in charge, at every stage.

    A refused message comes back in the form, with its error, on the request page (422).
    """
    demande = demande_ou_404(request, pk)
    fil = f"{reverse('rex:detail', args=[demande.pk])}#fil"
    raison = actions.refus(request.user, demande, "ecrire_operateur")
    if raison:
        messages.error(request, raison)
        return redirect(fil)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["texte"][0])
        return _afficher_detail(request, demande.pk, message=form, status=422)
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
    demande = demande_ou_404(request, pk)
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
            "demande_complement": derniere_demande_complement(demande),
        },
    )


@operateur_habilite_ou_agent_required
@require_http_methods(["GET", "POST"])
def complement(request, pk: int):
    """The recap of a completed request: « Compléments apportés à la demande » (mandatory), then
    « Transmettre le complément » (Incomplète → En étude), « Retour » or « Annuler ».

    Also the service's, for a request filed on paper whose complement arrived on paper (guide §5).
    """
    demande = demande_ou_404(request, pk)
    saisie_papier = est_agent(request.user)
    raison = actions.refus(request.user, demande, actions.nom_complement(request.user))
    if raison:
        messages.error(request, raison)
        return retour_page_demande(request, demande)
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
            return retour_page_demande(request, demande)
        if saisie_papier:
            messages.success(
                request,
                f"Le complément reçu sur papier a été enregistré : la demande {demande.numero} est de "
                "nouveau au statut « En étude ».",
            )
            return retour_page_demande(request, demande)
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
            **lignes_recap(demande),
        },
        status=422 if form.is_bound else 200,
    )


@operateur_habilite_required
@require_http_methods(["GET", "POST"])
def dupliquer(request, pk: int):
    """« Dupliquer » (guide §6.3): the two information messages, then a new draft to complete."""
    demande = demande_ou_404(request, pk)
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
    demande = demande_ou_404(request, pk)
    raison = actions.refus(request.user, demande, actions.nom_abandon(request.user))
    if raison:
        messages.error(request, raison)
        return retour_page_demande(request, demande)
    form = AbandonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.abandonner(
                demande=demande, by=request.user, commentaire=form.cleaned_data["commentaire"]
            )
        except services.ActionRefusee as exc:
            messages.error(request, str(exc))
            return retour_page_demande(request, demande)
        if demande.depot_papier and demande.est_brouillon:
            messages.success(
                request,
                f"Le dépôt sur formulaire papier (brouillon n° {demande.pk}) a été abandonné : tous les "
                "éléments ont été supprimés.",
            )
            return retour_accueil(request)
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
