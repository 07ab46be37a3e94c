"""The request form (guide §5.2): lenient when saved as a draft, strict when validated."""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.forms.models import BaseInlineFormSet, inlineformset_factory

from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from accounts.models import BureauDouane, Entreprise
from rex import selectors
from rex.documents import EXTENSIONS_ACCEPTEES, aide_formulaire
from rex.models import (
    LONGUEUR_TEXTE,
    Activite,
    CadrePreferentiel,
    Chapitre,
    Contact,
    Demande,
    LigneMarchandise,
    PositionTarifaire,
)
from rex.regles import (
    CHAMPS_CONTACT,
    CHAMPS_CONTACT_OBLIGATOIRES,
    CHAMPS_DEMANDE_OBLIGATOIRES,
    CHAMPS_MARCHANDISE,
    CHAMPS_MARCHANDISE_OBLIGATOIRES,
    CHAMPS_MODIFICATION_OBLIGATOIRES,
    CHAMPS_REPRESENTANT,
    FORMATS_CONTACT,
    FORMATS_DEMANDE,
    FORMATS_MODIFICATION,
    LIGNES_MAX,
    MESSAGE_NOMBRE_LIGNES,
    MESSAGE_UN_REX_PAR_EORI,
    MOTIF_CODE_SH,
    REQUIRED,
    message_lignes_max,
)
from soprano.saisie import ChoixModele, ChoixModeleMultiple, DsfrForm, SaisieControlee


class DsfrModelForm(SaisieControlee, forms.ModelForm):
    """A ModelForm rendered with the DSFR field templates; hostile input refused (soprano.saisie)."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


class StrictMixin:
    """`strict=False` (« Reprendre plus tard »): only lengths and choices are checked.

    `strict=True` (« Valider et passer à l'étape suivante »): every required field and format.
    """

    required_when_strict: tuple[str, ...] = ()
    validators_when_strict: dict = {}

    def __init__(self, *args, strict: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.strict = strict
        for name, field in self.fields.items():
            field.required = strict and name in self.required_when_strict
            field.error_messages["required"] = REQUIRED

    def marquer_obligatoires(self) -> None:
        """Red asterisk on the fields required at validation; display only (no HTML `required`)."""
        for name in self.required_when_strict:
            if name in self.fields:
                self.fields[name].required = True

    def clean(self):
        cleaned = super().clean()
        if self.strict:
            for name, validator in self.validators_when_strict.items():
                value = cleaned.get(name)
                if value:
                    try:
                        validator(value)
                    except ValidationError as exc:
                        self.add_error(name, exc)
        return cleaned


class DemandeForm(StrictMixin, DsfrModelForm):
    """Rubriques 1, 2, 3, 6 and 7 (4 and 5 are formsets)."""

    consentement_publication = forms.TypedChoiceField(
        label="Consentez-vous à la publication de vos données ?",
        choices=[("oui", "Oui, j'accepte la publication de mes données"), ("non", "Non")],
        coerce=lambda v: v == "oui",
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = Demande
        fields = list(CHAMPS_DEMANDE_OBLIGATOIRES)
        labels = {
            "bureau": "Bureau de douane compétent",
            "titulaire": "Raison sociale",
            "telephone": "Téléphone",
            "courriel": "Courriel",
            "activite": "Activité principale",
            "representant_telephone": "Téléphone du représentant",
            "representant_courriel": "Courriel du représentant",
            "cadres": "Cadre(s) préférentiel(s)",
            "engagement": "Je m'engage à souscrire",
            "engagement_nom": "Nom",
            "engagement_fonction": "Fonction",
            "engagement_lieu": "Lieu",
        }
        help_texts = {
            "bureau": (
                "Le bureau de douane principal dans le ressort duquel se situe l'établissement qui "
                "détient les justificatifs de l'origine (pas forcément votre bureau d'exportation)."
            ),
            "titulaire": "L'opérateur que vous représentez pour cette demande.",
            "courriel": "Les messages automatiques liés au changement de statut y seront envoyés.",
            "cadres": "Le numéro REX pourra être utilisé pour tous les cadres préférentiels où le "
            "système REX est prévu.",
        }
        widgets = {
            "activite": forms.RadioSelect,
            "cadres": forms.CheckboxSelectMultiple,
            "telephone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "courriel": forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
            "representant_telephone": forms.TextInput(attrs={"inputmode": "tel"}),
            "representant_courriel": forms.TextInput(attrs={"inputmode": "email"}),
        }
        field_classes = {"bureau": ChoixModele, "titulaire": ChoixModele, "cadres": ChoixModeleMultiple}

    # Every field of rubriques 1, 2, 3, 6 and 7 is required at validation.
    required_when_strict = CHAMPS_DEMANDE_OBLIGATOIRES
    validators_when_strict = FORMATS_DEMANDE

    def __init__(self, *args, representant: Entreprise | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.representant = representant
        self.fields["bureau"].queryset = BureauDouane.objects.filter(actif=True)
        self.fields["bureau"].empty_label = "Sélectionnez le bureau de douane compétent"
        self.fields["cadres"].queryset = CadrePreferentiel.objects.filter(actif=True)
        self.fields["activite"].choices = Activite.choices
        self.fields["engagement"].required = self.strict
        self.fields["engagement"].error_messages["required"] = (
            "Vous devez cocher « Je m'engage à souscrire » pour déposer votre demande."
        )
        if representant is None:
            for name in CHAMPS_REPRESENTANT:
                del self.fields[name]
        else:
            self.fields["titulaire"].queryset = selectors.clients_representes(representant)
            self.fields["titulaire"].empty_label = "Sélectionnez l'opérateur représenté"
        if self.instance.consentement_publication is not None and not self.is_bound:
            self.initial["consentement_publication"] = (
                "oui" if self.instance.consentement_publication else "non"
            )

    def clean(self):
        cleaned = super().clean()
        if self.strict:
            titulaire = cleaned.get("titulaire") if self.representant else self.instance.titulaire
            if titulaire is not None and selectors.demande_active_existe(titulaire, sauf=self.instance):
                self.add_error("titulaire" if self.representant else None, MESSAGE_UN_REX_PAR_EORI)
        return cleaned


class ContactForm(StrictMixin, DsfrModelForm):
    class Meta:
        model = Contact
        # A tuple: the inline formset appends its foreign key to a list in place.
        fields = CHAMPS_CONTACT
        labels = {"prenom": "Prénom", "fax": "Fax (facultatif)"}
        widgets = {
            "telephone": forms.TextInput(attrs={"inputmode": "tel"}),
            "fax": forms.TextInput(attrs={"inputmode": "tel"}),
            "courriel": forms.TextInput(attrs={"inputmode": "email"}),
        }

    required_when_strict = CHAMPS_CONTACT_OBLIGATOIRES
    validators_when_strict = FORMATS_CONTACT


class MarchandiseForm(StrictMixin, DsfrModelForm):
    class Meta:
        model = LigneMarchandise
        fields = CHAMPS_MARCHANDISE
        labels = {
            "code": "Position tarifaire (SH4) ou chapitre",
            "description": "Description sommaire de la marchandise",
        }
        widgets = {
            "code": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "data-nomenclature": ""}
            )
        }

    required_when_strict = CHAMPS_MARCHANDISE_OBLIGATOIRES

    def clean_code(self):
        code = re.sub(r"[\s.]", "", self.cleaned_data.get("code") or "")
        if self.strict and code and not re.fullmatch(MOTIF_CODE_SH, code):
            raise ValidationError(
                "Indiquez une position tarifaire à 4 chiffres (SH4) ou un chapitre à 2 chiffres."
            )
        return code


class LignesFormSet(BaseInlineFormSet):
    """Rows of a rubrique: at least one row when strict; rows are kept in the order shown.

    At most LIGNES_MAX rows (`max_num`, `absolute_max` and `validate_max` are set by the factories below):
    a posted count above it builds no more rows and is refused; a negative or non-numeric count too.
    """

    min_message = ""
    default_error_messages = {"missing_management_form": MESSAGE_NOMBRE_LIGNES}

    def __init__(self, *args, strict: bool = False, **kwargs):
        self.strict = strict
        kwargs.setdefault("form_kwargs", {})["strict"] = strict
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # Each row knows its request without one query per row.
        setattr(form.instance, self.fk.name, self.instance)
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The row's hidden id: checked before its query, like every model choice (soprano.saisie).
        cle = form.fields[self._pk_field.name]
        form.fields[self._pk_field.name] = ChoixModele(
            cle.queryset, initial=cle.initial, required=False, widget=cle.widget
        )

    def lignes(self):
        return [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed())
            and not self._should_delete_form(form)
            and form.is_valid()
        ]

    def clean(self):
        # Django takes any integer for the counts: a negative one would drop the rows silently.
        compte = self.management_form.cleaned_data
        if compte[TOTAL_FORM_COUNT] < 0 or compte[INITIAL_FORM_COUNT] < 0:
            raise ValidationError(MESSAGE_NOMBRE_LIGNES, code="nombre_lignes")
        super().clean()
        if self.strict and not self.lignes() and not any(f.errors for f in self.forms):
            raise ValidationError(self.min_message)


class ContactFormSet(LignesFormSet):
    min_message = "Indiquez au moins une personne de contact (rubrique 4)."
    default_error_messages = {"too_many_forms": message_lignes_max("contacts")}


class MarchandiseFormSet(LignesFormSet):
    min_message = "Indiquez au moins une marchandise (rubrique 5)."
    default_error_messages = {"too_many_forms": message_lignes_max("marchandises")}

    def clean(self):
        super().clean()
        if not self.strict:
            return
        lignes = self.lignes()
        codes = [f.cleaned_data["code"] for f in lignes if f.cleaned_data.get("code")]
        chapitres = set(Chapitre.objects.filter(code__in=codes).values_list("code", flat=True))
        positions = set(PositionTarifaire.objects.filter(code__in=codes).values_list("code", flat=True))
        entiers = {c for c in codes if len(c) == 2}
        vus: set[str] = set()
        for form in lignes:
            code = form.cleaned_data.get("code")
            if not code:
                continue
            if len(code) == 2 and code not in chapitres:
                form.add_error("code", f"Le chapitre {code} n'existe pas dans la nomenclature.")
            elif len(code) == 4 and code not in positions:
                form.add_error(
                    "code", f"La position tarifaire {code} n'existe pas dans la nomenclature (SH4)."
                )
            elif len(code) == 4 and code[:2] in entiers:
                form.add_error(
                    "code",
                    f"Le chapitre {code[:2]} est déjà indiqué en entier : il n'est pas possible "
                    f"d'indiquer aussi la position {code} qui en relève.",
                )
            elif code in vus:
                form.add_error("code", f"La position {code} est indiquée plusieurs fois.")
            vus.add(code)


def _lignes_formset(model, form, formset, prefix: str, extra: int):
    maximum = LIGNES_MAX[prefix]
    return inlineformset_factory(
        Demande,
        model,
        form=form,
        formset=formset,
        extra=extra,
        can_delete=True,
        max_num=maximum,
        absolute_max=maximum,
        validate_max=True,
    )


def contacts_formset(extra: int):
    return _lignes_formset(Contact, ContactForm, ContactFormSet, "contacts", extra)


def marchandises_formset(extra: int):
    return _lignes_formset(LigneMarchandise, MarchandiseForm, MarchandiseFormSet, "marchandises", extra)


class DocumentForm(SaisieControlee, forms.Form):
    """« Gérer les documents de la demande »: « Parcourir », a name, « Ajouter »."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    # An empty file is refused by rex.documents, with the file's name, like every other refusal.
    fichier = forms.FileField(
        label="Parcourir",
        allow_empty_file=True,
        error_messages={"required": "Choisissez le fichier à joindre."},
    )
    nom = forms.CharField(
        label="Nom du document",
        max_length=200,
        help_text="Par exemple : « Fiche produit », « Extrait Kbis ».",
        error_messages={"required": "Donnez un nom au document."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Both read the one list of formats and the size limit (rex.documents.formats, settings).
        self.fields["fichier"].help_text = aide_formulaire()
        self.fields["fichier"].widget.attrs["accept"] = ",".join(EXTENSIONS_ACCEPTEES)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


class DemandeDeposeeForm(DemandeForm):
    """The form of a filed request reopened for a complement (guide §6.2).

    The holder chosen by a representative in « Raison sociale » is fixed once the request is filed:
    the field is left out, so that the holder can neither be changed nor re-checked against mandates
    that may have ended since.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("titulaire", None)


class ComplementForm(DsfrForm):
    """« Compléments apportés à la demande » (guide §6.2): mandatory before « Transmettre le complément »."""

    complements = forms.CharField(
        label="Compléments apportés à la demande",
        help_text="Précisez au service en charge du traitement de votre demande les données que vous avez "
        "modifiées ou les documents que vous avez joints.",
        max_length=LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "La case « Compléments apportés à la demande » est obligatoire : précisez au service "
            "les données que vous avez modifiées."
        },
    )


class AbandonForm(DsfrForm):
    """« Abandonner la demande » (guide §6.4): an optional comment to the service."""

    commentaire = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ModificationForm(StrictMixin, DsfrModelForm):
    """A registration's modification (guide §7.2): only the rubrique 2 « Courriel » and the rubrique 6
    cadres are fields here (rubriques 4 and 5 are the usual formsets); every other rubrique is read-only,
    so that a posted bureau, telephone or holder is simply ignored."""

    class Meta:
        model = Demande
        fields = ["courriel", "cadres"]
        labels = {
            "courriel": DemandeForm.Meta.labels["courriel"],
            "cadres": DemandeForm.Meta.labels["cadres"],
        }
        help_texts = {
            "courriel": DemandeForm.Meta.help_texts["courriel"],
            "cadres": DemandeForm.Meta.help_texts["cadres"],
        }
        widgets = {
            "courriel": DemandeForm.Meta.widgets["courriel"],
            "cadres": forms.CheckboxSelectMultiple,
        }
        field_classes = {"cadres": ChoixModeleMultiple}

    required_when_strict = CHAMPS_MODIFICATION_OBLIGATOIRES
    validators_when_strict = FORMATS_MODIFICATION

    def __init__(self, *args, representant: Entreprise | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = CadrePreferentiel.objects.filter(actif=True)


class CommentaireModificationForm(DsfrForm):
    """« Commentaire » (guide §7.2): what the operator wants changed, mandatory to submit."""

    commentaire = forms.CharField(
        label="Commentaire",
        help_text="Indiquez au service en charge du traitement de votre demande les éléments que vous "
        "souhaitez voir modifiés.",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "La rubrique « Commentaire » est obligatoire : indiquez au service les éléments "
            "que vous souhaitez voir modifiés."
        },
    )

    def saisi(self) -> bool:
        """Whether the page had the field (the form of a modification being completed has none)."""
        return self.add_prefix("commentaire") in self.data


class MessageForm(DsfrForm):
    """« Fil de discussion » (guide §6.1): a message, from either side."""

    texte = forms.CharField(
        label="Votre message",
        max_length=LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Le message est obligatoire."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_%s_message")
        super().__init__(*args, **kwargs)


# ------------------------------------------------------------------ the buttons and the links of the form
@dataclass(frozen=True)
class Bouton:
    """The button pressed: its name, and for a row button its rubrique and the row's index."""

    nom: str
    rubrique: str = ""
    rang: int | None = None

    @property
    def ligne(self) -> str:
        """The row's prefix (« contacts-2 »)."""
        return f"{self.rubrique}-{self.rang}"


# « enregistrer »: the form's hidden default button (Enter in a field without JavaScript): save, stay.
BOUTONS_DEMANDE = ("enregistrer", "reprendre", "valider", "documents", "abandonner")
BOUTONS_MODIFICATION = ("enregistrer", "reprendre", "continuer", "documents")


class BoutonForm(DsfrForm):
    """The button pressed on the request form or the modification form (its `action`): one of `boutons`,
    « Ajouter une ligne + » (`ajouter:<rubrique>`) or, without JavaScript, a row's trash icon
    (`supprimer:<rubrique>-<n>`, n below the rubrique's maximum). None pressed: « Reprendre plus tard »."""

    action = forms.CharField(required=False, max_length=40)

    def __init__(self, *args, boutons: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.boutons = boutons

    def clean_action(self) -> Bouton:
        action = self.cleaned_data["action"] or "reprendre"
        if action in self.boutons:
            return Bouton(action)
        nom, _, cible = action.partition(":")
        if nom == "ajouter" and cible in LIGNES_MAX:
            return Bouton(nom, cible)
        rubrique, _, rang = cible.partition("-")
        if (
            nom == "supprimer"
            and rubrique in LIGNES_MAX
            and re.fullmatch(r"[0-9]{1,3}", rang)
            and int(rang) < LIGNES_MAX[rubrique]
        ):
            return Bouton(nom, rubrique, int(rang))
        raise ValidationError(
            "Ce bouton n'est pas reconnu : rien n'a été enregistré. Choisissez l'un des boutons du "
            "formulaire.",
            code="bouton_inconnu",
        )


class AffichageForm(DsfrForm):
    """The links to the request form: `?valider=1` after « Valider … » shows the errors, `?ajouter=<rubrique>`
    after « Ajouter une ligne + » without JavaScript shows one more empty row. Anything else is ignored."""

    valider = forms.BooleanField(required=False)
    ajouter = forms.ChoiceField(required=False, choices=[("", "")] + [(r, r) for r in LIGNES_MAX])

    def valeurs(self) -> tuple[bool, str]:
        """(valider, ajouter), the invalid ones left out."""
        self.is_valid()
        return bool(self.cleaned_data.get("valider")), self.cleaned_data.get("ajouter") or ""


class RechercheNomenclatureForm(DsfrForm):
    """The search-as-you-type of rubrique 5 (a GET form): an invalid query searches nothing."""

    q = forms.CharField(required=False, max_length=200)
    format = forms.ChoiceField(required=False, choices=[("", ""), ("json", "JSON")])

    def recherche(self) -> tuple[str, bool]:
        """(the query, whether `?format=json` asks for JSON), the invalid values left out."""
        self.is_valid()
        return self.cleaned_data.get("q", ""), self.cleaned_data.get("format") == "json"


class NouvelleLigneForm(DsfrForm):
    """« Ajouter une ligne + » with htmx: the rubrique's row count (its TOTAL_FORMS), below the maximum."""

    TOTAL_FORMS = forms.IntegerField(
        min_value=0, error_messages={"invalid": MESSAGE_NOMBRE_LIGNES, "min_value": MESSAGE_NOMBRE_LIGNES}
    )

    def __init__(self, *args, rubrique: str, **kwargs):
        super().__init__(*args, prefix=rubrique, **kwargs)
        champ = self.fields["TOTAL_FORMS"]
        champ.max_value = LIGNES_MAX[rubrique] - 1
        champ.validators.append(MaxValueValidator(champ.max_value))
        champ.error_messages["max_value"] = message_lignes_max(rubrique)


class FiltreAccueilForm(DsfrForm):
    """The REX home's GET form: the search, the client (for a representative), the list shown and its page.

    An invalid value is shown as an error on its field and ignored.
    """

    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=200,
        help_text="Numéro de demande ou numéro REX, numéro EORI ou raison sociale",
    )
    client = forms.CharField(
        label="Client",
        required=False,
        max_length=200,
        help_text="Numéro EORI ou raison sociale de l'opérateur représenté",
    )
    onglet = forms.ChoiceField(
        required=False, choices=[("", "")] + [(liste, liste) for liste in selectors.LISTES_ACCUEIL]
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, representant: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not representant:
            del self.fields["client"]

    def filtres(self) -> dict:
        """The valid values: q, client, onglet, page (keyword arguments of selectors.tableau_accueil)."""
        self.is_valid()
        donnees = self.cleaned_data
        return {
            "q": donnees.get("q") or "",
            "client": donnees.get("client") or "",
            "onglet": donnees.get("onglet") or "en_cours",
            "page": donnees.get("page") or 1,
        }
