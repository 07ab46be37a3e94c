"""« Demander des modifications de cet enregistrement » (guide §7.2), operator side.

The registration R keeps its REX number; its modification M is a draft copy (version + 1) of which only
the rubrique 2 « Courriel » and the rubriques 4, 5 and 6 are editable. « Continuer » leads to the recap,
where the changed data appear in orange with the « Commentaire », then « Soumettre la demande de
modification ». The comment typed on the form is carried to the recap in the session.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.access import operateur_habilite_required
from rex import actions, services, validation
from rex.dossier import lignes_recap
from rex.forms import BOUTONS_MODIFICATION, AffichageForm, CommentaireModificationForm, ModificationForm
from rex.models import Demande, Statut
from rex.versions import marques
from rex.views import demande_ou_404, libelles_nomenclature
from rex.views_formulaire import enregistrer_saisie, lignes_en_plus, lire_saisie, redirection_lignes


def _cle(demande: Demande) -> str:
    return f"rex_modification_commentaire_{demande.pk}"


def _commentaire(request, demande: Demande) -> str:
    return request.session.get(_cle(demande), "")


@operateur_habilite_required
@require_http_methods(["GET", "POST"])
def demander_modification(request, pk: int):
    """From the registration page: POST prepares (or resumes) the modification draft and opens its form;
    GET shows what may be modified and the same button."""
    enregistrement = demande_ou_404(request, pk)
    raison = actions.refus(request.user, enregistrement, "demander_modification")
    if request.method == "POST":
        try:
            modification = services.preparer_modification(enregistrement=enregistrement, by=request.user)
        except services.ActionRefusee as exc:
            messages.error(request, str(exc))
            return redirect("rex:detail", pk=enregistrement.pk)
        return redirect("rex:modification", pk=modification.pk)
    return render(
        request,
        "rex/demander_modification.html",
        {
            "title": "Demander des modifications de cet enregistrement",
            "demande": enregistrement,
            "refus": raison,
        },
    )


@operateur_habilite_required
@require_http_methods(["GET", "POST"])
def modification(request, pk: int):
    """The modification form: the same page as filing, only the modifiable data editable."""
    demande = demande_ou_404(request, pk)
    if not demande.est_modification:
        return redirect("rex:formulaire", pk=demande.pk)
    if demande.statut != Statut.BROUILLON and not actions.peut(request.user, demande, "completer"):
        messages.info(
            request, "Cette demande de modification a été soumise : elle n'est plus modifiable ici."
        )
        return redirect("rex:detail", pk=demande.pk)
    if request.method == "POST":
        return _enregistrer(request, demande)
    commentaire = CommentaireModificationForm(initial={"commentaire": _commentaire(request, demande)})
    valider, ajouter = AffichageForm(request.GET).valeurs()
    if valider:
        formulaire = validation.verifier(demande, form_class=ModificationForm)
        if demande.est_brouillon:
            commentaire = CommentaireModificationForm({"commentaire": _commentaire(request, demande)})
            commentaire.is_valid()
    else:
        extra = lignes_en_plus(request, demande, ajouter)
        formulaire = validation.construire(demande, extra=extra, form_class=ModificationForm)
    return _afficher(request, demande, formulaire, commentaire)


def _enregistrer(request, demande: Demande):
    """« Reprendre plus tard », « Continuer », a row button or « Gérer les documents »: the form and the
    « Commentaire » (optional until « Continuer ») are saved together, or neither."""
    commentaire = CommentaireModificationForm(request.POST)
    commentaire.fields["commentaire"].required = False
    saisie = lire_saisie(
        request, demande, boutons=BOUTONS_MODIFICATION, form_class=ModificationForm, autres=[commentaire]
    )
    try:
        enregistree = enregistrer_saisie(request, demande, saisie)
    except services.ActionRefusee as exc:
        messages.error(request, str(exc))
        return redirect("rex:detail", pk=demande.version_precedente_id)
    if enregistree is None:
        return _afficher(request, demande, saisie.formulaire, commentaire, status=422)
    demande, bouton = enregistree, saisie.bouton
    if commentaire.saisi():
        request.session[_cle(demande)] = commentaire.cleaned_data["commentaire"]
    url = reverse("rex:modification", args=[demande.pk])
    if bouton.nom == "continuer":
        if not validation.verifier(demande, form_class=ModificationForm).is_valid() or (
            demande.est_brouillon and not _commentaire(request, demande)
        ):
            return redirect(f"{url}?valider=1#erreurs")
        if not validation.verifier(demande).is_valid():
            messages.error(
                request,
                "Des données non modifiables de votre enregistrement sont incomplètes ou ne sont plus "
                "valables : contactez le service en charge de votre enregistrement.",
            )
            return redirect(url)
        return redirect(
            "rex:recapitulatif_modification" if demande.est_brouillon else "rex:complement", pk=demande.pk
        )
    if reponse := redirection_lignes(request, bouton, url, demande):
        return reponse
    if not demande.est_brouillon:
        messages.success(
            request,
            "Vos modifications ont été enregistrées. Votre demande reste au statut « Incomplète » tant que "
            "vous n'avez pas sélectionné « Transmettre le complément ».",
        )
        return redirect("rex:detail", pk=demande.pk)
    messages.success(
        request,
        "Votre demande de modification a été sauvegardée à l'état de brouillon : vous la retrouverez dans "
        "« Mes brouillons ».",
    )
    return redirect(f"{reverse('rex:accueil')}#brouillons")


def _afficher(request, demande: Demande, formulaire, commentaire, status: int = 200):
    erreurs = formulaire.erreurs() if formulaire.form.is_bound else []
    if commentaire.is_bound:
        erreurs += [
            (commentaire["commentaire"].auto_id, "Commentaire", message)
            for message in commentaire.errors.get("commentaire", [])
        ]
    formulaire.marquer_obligatoires()
    commentaire.fields["commentaire"].required = True
    libelles_nomenclature(formulaire.marchandises.forms)
    return render(
        request,
        "rex/modification.html",
        {
            "title": "Demande de modification de l'enregistrement REX",
            "demande": demande,
            "enregistrement": demande.version_precedente,
            "complement": demande.statut == Statut.INCOMPLETE,
            "form": formulaire.form,
            "contacts": formulaire.contacts,
            "marchandises": formulaire.marchandises,
            "commentaire": commentaire,
            "erreurs": erreurs,
            "documents": list(demande.documents.all()),
        },
        status=status,
    )


@operateur_habilite_required
@require_http_methods(["GET", "POST"])
def recapitulatif_modification(request, pk: int):
    """The recap of the modification: changes in orange, « Commentaire », « Soumettre la demande de
    modification » or « Retour »."""
    demande = demande_ou_404(request, pk)
    if not demande.est_modification:
        return redirect("rex:recapitulatif", pk=demande.pk)
    if demande.statut != Statut.BROUILLON:
        return redirect("rex:detail", pk=demande.pk)
    url_formulaire = reverse("rex:modification", args=[demande.pk])
    if not validation.verifier(demande, form_class=ModificationForm).is_valid():
        messages.error(
            request, "Votre demande de modification est incomplète : complétez les champs indiqués."
        )
        return redirect(f"{url_formulaire}?valider=1#erreurs")
    if request.method == "POST":
        form = CommentaireModificationForm(request.POST)
        if form.is_valid():
            request.session[_cle(demande)] = form.cleaned_data["commentaire"]
            try:
                demande = services.soumettre_modification(
                    modification=demande, by=request.user, commentaire=form.cleaned_data["commentaire"]
                )
            except services.ActionRefusee as exc:
                messages.error(request, str(exc))
                return redirect(url_formulaire)
            request.session.pop(_cle(demande), None)
            messages.success(
                request,
                f"Votre demande de modification {demande.numero} a été transmise au service "
                f"« {demande.service} » en charge du traitement de votre dossier. Votre enregistrement REX "
                "reste valable : il est visualisable sous l'onglet « Mes autorisations », au statut "
                "« Modification demandée ».",
            )
            return redirect(f"{reverse('rex:accueil')}?onglet=autorisations#autorisations")
    else:
        form = CommentaireModificationForm(initial={"commentaire": _commentaire(request, demande)})
    form.fields["commentaire"].required = True
    recap = lignes_recap(demande)
    return render(
        request,
        "rex/recapitulatif_modification.html",
        {
            "title": "Récapitulatif de la demande de modification",
            "demande": demande,
            "enregistrement": demande.version_precedente,
            "form": form,
            **recap,
            **marques(demande, recap),
        },
        status=422 if form.is_bound else 200,
    )
