"""The request form (guide §5.2): « Déposer une demande », the form and its rows, the recap, the
submission; also the form of an « Incomplète » request being completed (§6.2) and of a paper form keyed in
by the service (§5, « À noter »)."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import est_agent, operateur_habilite_ou_agent_required, operateur_habilite_required
from rex import actions, services, validation, views_agent
from rex.dossier import lignes_recap
from rex.forms import (
    BOUTONS_DEMANDE,
    AffichageForm,
    Bouton,
    BoutonForm,
    NouvelleLigneForm,
    contacts_formset,
    marchandises_formset,
)
from rex.models import Demande, Statut
from rex.regles import LIGNES_MAX, message_lignes_max
from rex.validation import Formulaire
from rex.views import (
    demande_ou_404,
    derniere_demande_complement,
    libelles_nomenclature,
    retour_accueil,
    retour_page_demande,
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
    demande = demande_ou_404(request, pk)
    if demande.est_modification:
        # A registration's modification: only its modifiable data, on its own form (guide §7.2).
        return redirect("rex:modification", pk=demande.pk)
    if demande.statut != Statut.BROUILLON and not actions.peut(
        request.user, demande, actions.nom_complement(request.user)
    ):
        messages.info(request, "Cette demande a été soumise : elle n'est plus modifiable ici.")
        return retour_page_demande(request, demande)
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


@dataclass
class Saisie:
    """What the request form or the modification form posted: the button pressed (None: not one of the
    form's buttons, already told), the three parts bound to the data, and the page's other forms."""

    bouton: Bouton | None
    formulaire: Formulaire
    autres: tuple = ()

    def valide(self) -> bool:
        # Every part validated, so that every error is shown at once.
        return all([self.formulaire.is_valid(), *(form.is_valid() for form in self.autres)])


def lire_saisie(request, demande: Demande, *, boutons: tuple[str, ...], form_class=None, autres=()) -> Saisie:
    """The post of the request form (or of the modification form, `form_class`), bound and not yet valid."""
    bouton = bouton_presse(request, boutons)
    data = request.POST.copy()
    if bouton is not None and bouton.nom == "supprimer":
        # The trash icon without JavaScript: the row is marked deleted and the draft saved.
        data[f"{bouton.ligne}-DELETE"] = "on"
    formulaire = validation.construire(demande, data=data, form_class=form_class)
    return Saisie(bouton, formulaire, tuple(autres))


def enregistrer_saisie(request, demande: Demande, saisie: Saisie) -> Demande | None:
    """The one path that saves the request form: the rubriques when every part is valid (the new draft of
    « Déposer une demande » created with them), else None and the error told. Raises ActionRefusee."""
    if not saisie.valide() or saisie.bouton is None:
        if saisie.bouton is not None:
            messages.error(request, "Certaines valeurs ne peuvent pas être enregistrées : corrigez-les.")
        return None
    formulaire = saisie.formulaire
    return services.enregistrer_formulaire(
        demande=demande,
        by=request.user,
        form=formulaire.form,
        contacts=formulaire.contacts,
        marchandises=formulaire.marchandises,
    )


def _enregistrer(request, demande: Demande):
    saisie = lire_saisie(request, demande, boutons=BOUTONS_DEMANDE)
    bouton = saisie.bouton
    if bouton is not None and bouton.nom == "abandonner":
        if demande.pk:
            return redirect("rex:abandonner", pk=demande.pk)
        messages.info(request, "Votre projet de demande a été abandonné : rien n'a été enregistré.")
        return redirect("rex:accueil")
    try:
        enregistree = enregistrer_saisie(request, demande, saisie)
    except services.ActionRefusee as exc:
        messages.error(request, str(exc))
        if demande.numero:
            return retour_page_demande(request, demande)
        return retour_accueil(request)
    if enregistree is None:
        return _afficher(request, demande, saisie.formulaire, status=422)
    demande = enregistree
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
        return retour_page_demande(request, demande)
    if demande.depot_papier:
        messages.success(
            request,
            f"Le brouillon n° {demande.pk} a été sauvegardé : vous le retrouverez dans « Dépôts papier en "
            "cours (brouillons) » de la file des demandes.",
        )
        return retour_accueil(request)
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
    libelles_nomenclature(formulaire.marchandises.forms)
    documents = list(demande.documents.all()) if demande.pk else []
    complement = demande.statut == Statut.INCOMPLETE
    return render(
        request,
        "rex/formulaire.html",
        {
            "title": "Compléter la demande" if complement else "Formulaire de demande REX",
            "demande": demande,
            "complement": complement,
            "demande_complement": derniere_demande_complement(demande) if complement else None,
            "form": formulaire.form,
            "contacts": formulaire.contacts,
            "marchandises": formulaire.marchandises,
            "erreurs": erreurs,
            "documents": documents,
            "saisie_papier": est_agent(request.user),
        },
        status=status,
    )


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
    demande = demande_ou_404(request, pk)
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
            return retour_page_demande(request, demande)
        return redirect("rex:confirmation", pk=demande.pk)
    return render(
        request,
        "rex/recapitulatif.html",
        {
            "title": "Récapitulatif de la demande",
            "demande": demande,
            "saisie_papier": est_agent(request.user),
            **lignes_recap(demande),
        },
    )


@operateur_habilite_ou_agent_required
@require_GET
def confirmation(request, pk: int):
    if est_agent(request.user):
        return views_agent.retour(request, pk)
    demande = demande_ou_404(request, pk)
    if demande.statut == Statut.BROUILLON:
        return redirect("rex:formulaire", pk=demande.pk)
    return render(request, "rex/confirmation.html", {"title": "Demande soumise", "demande": demande})
