"""The forms of « Notifications techniques »: every POST goes through one."""

from django import forms

from soprano.saisie import DsfrForm
from webhooks.livraison import refus_url


class EndpointForm(DsfrForm):
    url = forms.URLField(
        label="Adresse (URL) de votre système",
        help_text="Elle doit commencer par https://. Exemple : https://erp.exemple.fr/soprano/notifications",
        max_length=500,
        assume_scheme="https",
    )
    libelle = forms.CharField(
        label="Libellé (facultatif)",
        help_text="Pour la reconnaître dans la liste, par exemple « ERP production ».",
        max_length=100,
        required=False,
    )
    statut_modifie = forms.BooleanField(
        label="Changements de statut de vos demandes", required=False, initial=True
    )
    message_recu = forms.BooleanField(
        label="Nouveaux messages dans le fil de discussion de vos demandes", required=False, initial=True
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        refus = refus_url(url)
        if refus:
            raise forms.ValidationError(refus, code="adresse_refusee")
        return url

    def clean(self):
        donnees = super().clean()
        if not (donnees.get("statut_modifie") or donnees.get("message_recu")):
            raise forms.ValidationError("Choisissez au moins un type d'événement.", code="aucun_evenement")
        return donnees


class ActionForm(DsfrForm):
    """The buttons of an address: « Tester », « Désactiver », « Réactiver », « Supprimer »."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("tester", "desactiver", "reactiver", "supprimer")])
