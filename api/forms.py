"""The forms of the « Jetons d'accès » page."""

from django import forms

from api.access import peut_ecrire
from api.models import Portee
from api.services import DUREE_DEFAUT_JOURS, DUREE_MAX_JOURS
from soprano.saisie import DsfrForm


class JetonForm(DsfrForm):
    """« Créer un jeton »: a name, a scope, a validity (days); an officer gets read-only tokens only."""

    nom = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text=(
            "Pour le reconnaître : le logiciel ou le poste qui l'utilise (par exemple "
            "« ERP — site de Lyon »)."
        ),
        error_messages={"required": "Le nom du jeton est obligatoire."},
    )
    portee = forms.ChoiceField(
        label="Portée",
        choices=Portee.choices,
        initial=Portee.LECTURE,
        widget=forms.RadioSelect,
        help_text="« Lecture et écriture » permet aussi de déposer, compléter et modifier des demandes, et "
        "d'écrire dans leur fil de discussion.",
    )
    jours = forms.IntegerField(
        label="Durée de validité (en jours)",
        min_value=1,
        max_value=DUREE_MAX_JOURS,
        initial=DUREE_DEFAUT_JOURS,
        help_text=f"De 1 à {DUREE_MAX_JOURS} jours ({DUREE_DEFAUT_JOURS} par défaut).",
        error_messages={
            "required": "La durée de validité est obligatoire.",
            "min_value": f"La durée de validité est comprise entre 1 et {DUREE_MAX_JOURS} jours.",
            "max_value": f"La durée de validité est comprise entre 1 et {DUREE_MAX_JOURS} jours.",
            "invalid": "Indiquez un nombre de jours.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not peut_ecrire(user):
            self.fields["portee"].choices = [(Portee.LECTURE, Portee.LECTURE.label)]
            self.fields[
                "portee"
            ].help_text = "Un agent des douanes consulte la file de son service en lecture seule."


class RevocationJetonForm(DsfrForm):
    """« Révoquer »: no field, the token is named by the URL; the form carries the CSRF check."""
