"""Forms of the customs officers' back-office: the queue's filters and one form per action."""

import re
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import BureauDouane, Entreprise
from accounts.validators import normaliser_eori, validate_eori
from rex.forms import MessageForm
from rex.models import LONGUEUR_TEXTE, STATUTS_DEPOSES, Demande, MotifRevocation, Statut
from rex.statistiques import PERIODE_DEFAUT, PERIODES
from soprano.saisie import CHOIX_INVALIDE, ChoixModele, DsfrForm

AGENT_MOI = "moi"
AGENT_AUCUN = "aucun"


def _nom(user) -> str:
    return user.get_full_name() or user.username


class FiltreFileForm(DsfrForm):
    """The queue's GET form; an unknown value is shown as an error on its field and ignored."""

    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=200,
        help_text="Numéro de demande, numéro EORI ou raison sociale",
    )
    statut = forms.ChoiceField(label="Statut", required=False)
    agent = forms.ChoiceField(label="Agent en charge", required=False)
    echeance = forms.ChoiceField(
        label="Échéance de réponse",
        required=False,
        choices=[
            ("", "Toutes les échéances"),
            ("depassee", "Délai dépassé"),
            ("proche", "Échéance sous 7 jours"),
        ],
    )
    tri = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=[("", "Dernière mise à jour"), ("echeance", "Échéance la plus proche")],
    )

    def __init__(self, *args, agents, compteurs: dict[str, int], user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["statut"].choices = [("", f"Tous les statuts ({sum(compteurs.values())})")] + [
            (statut, f"{Statut(statut).label} ({compteurs.get(statut, 0)})") for statut in STATUTS_DEPOSES
        ]
        self.fields["agent"].choices = [
            ("", "Tous les agents"),
            (AGENT_MOI, "Mes dossiers"),
            (AGENT_AUCUN, "Non attribués"),
        ] + [(str(agent.pk), _nom(agent)) for agent in agents if agent.pk != user.pk]
        self.fields["q"].widget.attrs["type"] = "search"

    def filtres(self) -> dict[str, str]:
        """The valid filters, ready for selectors.file_agent."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in CHAMPS_FILTRE}


# The queue's filters, in the order of their query string.
CHAMPS_FILTRE = ("q", "statut", "agent", "echeance", "tri")


def chaine_filtres(filtres: dict[str, str]) -> str:
    """The query string of the filters that apply (the queue's links, the exports, « Mes filtres »)."""
    return urlencode({nom: filtres[nom] for nom in CHAMPS_FILTRE if filtres.get(nom)})


class EnregistrerFiltreForm(FiltreFileForm):
    """« Enregistrer ce filtre »: a name, and the queue's filters as hidden fields, cleaned as the queue
    cleans them (an invalid one refuses the whole form)."""

    nom = forms.CharField(
        label="Nom du filtre",
        max_length=80,
        help_text="Par exemple « Incomplètes à échéance proche ». Il apparaît dans « Mes filtres ».",
        error_messages={"required": "Donnez un nom à ce filtre."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for nom in CHAMPS_FILTRE:
            self.fields[nom].widget = forms.HiddenInput()
        self.order_fields(["nom"])

    def clean_nom(self) -> str:
        return " ".join(self.cleaned_data["nom"].split())

    def clean(self):
        """The name taken, the cap and a filter to save are the service's rules (rex.services.filtres)."""
        cleaned = super().clean()
        if any(nom in self.errors for nom in CHAMPS_FILTRE):
            self.add_error(
                None,
                "Le filtre à enregistrer n'est pas valide : relancez la recherche, puis enregistrez-la.",
            )
        return cleaned

    def parametres(self) -> str:
        return chaine_filtres(self.cleaned_data)


class SupprimerFiltreForm(DsfrForm):
    """« Supprimer » a saved filter: no field, the filter is named by the URL; the form carries the CSRF
    check."""


# ------------------------------------------------------------------ the queue in bulk
SELECTION_MAX = 100
# An id of the queue: ASCII digits, from 1 to 2^31 − 1 (the ids handed out); anything else is forged.
ID_MAX = 2**31 - 1
ID = re.compile(r"[1-9][0-9]{0,9}")


class IdentifiantsDemandes(forms.MultipleChoiceField):
    """The requests ticked in the queue: ids, not checked against a list of choices here (an id of
    another service or unknown is refused later, request by request, as « introuvable »)."""

    def valid_value(self, value) -> bool:
        return isinstance(value, str) and bool(ID.fullmatch(value)) and int(value) <= ID_MAX

    def clean(self, value) -> list[int]:
        valeurs = super().clean(value)
        ids = list(dict.fromkeys(int(v) for v in valeurs))  # each once, in the order ticked
        if len(ids) > SELECTION_MAX:
            raise ValidationError(
                f"Sélectionnez au plus {SELECTION_MAX} demandes à la fois ({len(ids)} sélectionnées)."
            )
        return ids


ACTIONS_GROUPEES = {"prendre_en_charge": "Prendre en charge", "reaffecter": "Réaffecter"}


class ActionsGroupeesForm(DsfrForm):
    """The queue's bulk actions: the ticked requests, the action (the button pressed) and, for
    « Réaffecter », the service and the comment, as the request page's ReaffecterForm asks them."""

    demandes = IdentifiantsDemandes(
        label="Demandes sélectionnées",
        error_messages={
            "required": "Cochez au moins une demande dans la file.",
            "invalid_choice": CHOIX_INVALIDE,
        },
    )
    action = forms.ChoiceField(
        label="Action",
        choices=list(ACTIONS_GROUPEES.items()),
        error_messages={"required": "Choisissez l'action : « Prendre en charge » ou « Réaffecter »."},
    )
    service = ChoixModele(
        label="Nouveau service en charge",
        required=False,
        queryset=BureauDouane.objects.none(),
        empty_label="Sélectionnez un service",
        help_text="Pour « Réaffecter » seulement.",
    )
    commentaire = forms.CharField(
        label="Commentaire de réaffectation",
        required=False,
        help_text="Pour « Réaffecter » seulement : pourquoi ce service est compétent ; il figure dans "
        "l'historique de chaque demande.",
        max_length=LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "id_groupe_%s")
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = (
            BureauDouane.objects.filter(actif=True).exclude(pk=user.service_id).order_by("nom")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reaffecter":
            if not cleaned.get("service") and "service" not in self.errors:
                self.add_error("service", "Choisissez le service auquel confier les demandes.")
            if not (cleaned.get("commentaire") or "").strip() and "commentaire" not in self.errors:
                self.add_error("commentaire", "Le commentaire de réaffectation est obligatoire.")
        return cleaned


class TableauDeBordForm(DsfrForm):
    """The dashboard's GET form: the period and, for a staff officer (national view), the service.

    An unknown value is shown as an error on its field and the default applies.
    """

    periode = forms.TypedChoiceField(
        label="Période",
        required=False,
        coerce=int,
        empty_value=PERIODE_DEFAUT,
        choices=[(str(mois), f"{mois} derniers mois") for mois in PERIODES],
        help_text="Dépôts par mois et délais de traitement des décisions de la période",
    )
    service = ChoixModele(
        label="Service",
        required=False,
        queryset=BureauDouane.objects.order_by("nom"),
        empty_label="Tous les services (vue nationale)",
    )

    def __init__(self, *args, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["periode"].initial = str(PERIODE_DEFAUT)
        if not national:
            del self.fields["service"]

    def filtres(self) -> dict:
        """The valid choices: {"periode": months, "service": BureauDouane | None}."""
        self.is_valid()
        donnees = getattr(self, "cleaned_data", {})
        return {"periode": donnees.get("periode") or PERIODE_DEFAUT, "service": donnees.get("service")}


# ------------------------------------------------------------------ the actions
class ActionForm(DsfrForm):
    """A form bound to the request it acts on (a field may depend on it).

    Several action forms share the request page: their ids are prefixed by the action's name.
    """

    nom = ""

    def __init__(self, *args, demande: Demande, **kwargs):
        self.demande = demande
        kwargs.setdefault("auto_id", f"id_{self.nom}_%s")
        super().__init__(*args, **kwargs)


class PrendreEnChargeForm(ActionForm):
    """No field: the officer becomes the one in charge."""

    nom = "prendre_en_charge"


class ReaffecterForm(ActionForm):
    nom = "reaffecter"
    service = ChoixModele(
        label="Nouveau service en charge",
        queryset=BureauDouane.objects.none(),
        empty_label="Sélectionnez un service",
        error_messages={"required": "Choisissez le service auquel confier la demande."},
    )
    commentaire = forms.CharField(
        label="Commentaire",
        help_text="Pourquoi ce service est compétent ; il figure dans l'historique de la demande.",
        max_length=LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Le commentaire de réaffectation est obligatoire."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = BureauDouane.objects.filter(actif=True).exclude(
            pk=self.demande.service_id
        )


class DemanderComplementForm(ActionForm):
    nom = "demander_complement"
    texte = forms.CharField(
        label="Informations complémentaires demandées",
        help_text="Le demandeur lit ce texte dans le fil de discussion et dans le courriel « Demande "
        "incomplète » ; il dispose de 30 jours pour répondre, sans quoi la demande est rejetée.",
        max_length=LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Précisez les informations complémentaires demandées."},
    )


class RejeterForm(ActionForm):
    nom = "rejeter"
    motif = forms.CharField(
        label="Motif du rejet",
        help_text="Le demandeur lit ce motif dans le courriel de rejet et sur sa demande.",
        max_length=LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Le motif du rejet est obligatoire."},
    )


class OctroyerForm(ActionForm):
    nom = "octroyer"
    date_validite = forms.DateField(
        label="Valable à partir du",
        required=False,
        help_text="Par défaut : date de réception de la demande complète (art. 86, § 4, du règlement "
        "d'exécution (UE) 2015/2447). Format : jj/mm/aaaa.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide, par exemple 15/03/2025."},
    )
    confirmation = forms.BooleanField(
        label="Je confirme l'octroi de l'enregistrement REX",
        error_messages={"required": "Cochez la case pour confirmer l'octroi."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        demande = self.demande
        if demande.complete_le:
            self.fields["date_validite"].initial = timezone.localdate(demande.complete_le)
        # The bound field (already built by DsfrBaseForm) carries the label that is rendered.
        self["confirmation"].label = (
            f"Je confirme l'octroi du numéro REX FRREX{demande.titulaire_eori} à "
            f"{demande.titulaire_raison_sociale}"
        )


class RevoquerForm(ActionForm):
    """Guide §7.3: the ground (art. 89(3)–(4)), the date, and the right to be heard, given by letter."""

    nom = "revoquer"
    motif = forms.ChoiceField(
        label="Motif de la révocation",
        choices=[("", "Sélectionnez le motif")] + MotifRevocation.choices,
        error_messages={"required": "Choisissez le motif de la révocation."},
    )
    droit_entendu_le = forms.DateField(
        label="Droit d'être entendu : date du courrier",
        help_text="Le courrier invitant le titulaire à présenter ses observations, envoyé avant la décision.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date du courrier du droit d'être entendu."},
    )
    a_compter_du = forms.DateField(
        label="Révocation à compter du",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date de la révocation."},
    )
    confirmation = forms.BooleanField(
        label="Je confirme la révocation de cet enregistrement",
        error_messages={"required": "Cochez la case pour confirmer la révocation."},
    )

    def clean(self):
        cleaned = super().clean()
        erreurs = self.demande.erreurs_revocation(
            a_compter_du=cleaned.get("a_compter_du"),
            droit_entendu_le=cleaned.get("droit_entendu_le"),
            aujourd_hui=timezone.localdate(),
        )
        for champ, message in erreurs.items():
            self.add_error(champ, message)
        return cleaned


class ValiderModificationForm(ActionForm):
    """Guide §7.2: the new version becomes the registration; the former one is kept."""

    nom = "valider_modification"
    confirmation = forms.BooleanField(
        label="Je valide les modifications : la nouvelle version devient l'enregistrement en vigueur",
        error_messages={"required": "Cochez la case pour valider la modification."},
    )


class AnnulerRevocationForm(ActionForm):
    nom = "annuler_revocation"
    commentaire = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EcrireForm(MessageForm):
    """« Fil de discussion » from the service side."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["texte"].error_messages["required"] = "Le message ne peut pas être vide."


# ------------------------------------------------------------------ paper filing (guide §5, « À noter »)
class DepotPapierForm(DsfrForm):
    """« Déposer une demande pour un opérateur »: the operator, found by his EORI, and the officer's
    statement that he holds the paper form (annex 22-06 bis) completed and signed by the operator."""

    eori = forms.CharField(
        label="Numéro EORI de l'opérateur",
        max_length=30,
        help_text="Tel qu'il figure sur le formulaire papier, par exemple FR12345678200010.",
        error_messages={"required": "Indiquez le numéro EORI de l'opérateur."},
    )
    attestation = forms.BooleanField(
        label="J'atteste disposer du formulaire papier (annexe 22-06 bis) complété et signé par l'opérateur",
        error_messages={
            "required": "Cochez la case : le dépôt par le service se fonde sur le formulaire papier "
            "(annexe 22-06 bis) complété et signé par l'opérateur."
        },
    )

    def clean_eori(self) -> str:
        eori = normaliser_eori(self.cleaned_data["eori"])
        validate_eori(eori)
        return eori

    def clean(self):
        cleaned = super().clean()
        eori = cleaned.get("eori")
        if eori:
            titulaire = Entreprise.objects.filter(eori=eori).first()
            if titulaire is None:
                self.add_error(
                    "eori",
                    ValidationError(
                        f"Aucune entreprise n'est enregistrée sous le numéro EORI {eori} : le pôle "
                        "d'action économique (PAE) doit d'abord la créer dans l'administration de SOPRANO.",
                        code="eori_inconnu",
                    ),
                )
            cleaned["titulaire"] = titulaire
        return cleaned
