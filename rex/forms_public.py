"""The public check of a REX number (no login): « Numéro REX » and the optional verification code."""

from django import forms

from rex.publication import normaliser_code, normaliser_numero
from soprano.saisie import DsfrForm


class VerificationForm(DsfrForm):
    """A GET form: the QR code of the PDF points to /verifier/?numero=…&code=…"""

    numero = forms.CharField(
        label="Numéro REX",
        max_length=40,
        help_text="Par exemple FRREXFR12345678901234 (les espaces et les minuscules sont acceptés).",
        error_messages={"required": "Saisissez le numéro REX à vérifier."},
    )
    code = forms.CharField(
        label="Code de vérification (facultatif)",
        required=False,
        max_length=20,
        help_text="Le code imprimé sur l'autorisation (PDF), par exemple ABCDE-FGHIJ.",
    )

    def clean_numero(self) -> str:
        numero = normaliser_numero(self.cleaned_data["numero"])
        if not numero:
            raise forms.ValidationError("Saisissez le numéro REX à vérifier.")
        return numero

    def clean_code(self) -> str:
        return normaliser_code(self.cleaned_data["code"])
