"""« Mes clients »'s GET form (rex.views_clients)."""

from django import forms

from rex.models import STATUTS_CLIENTS
from rex.selectors_clients import SANS_DEMANDE
from soprano.saisie import DsfrForm


class FiltreClientsForm(DsfrForm):
    """The search, the status and the deadline filters, and the page; an invalid value is shown as an
    error on its field and ignored."""

    q = forms.CharField(
        label="Rechercher un client",
        required=False,
        max_length=200,
        help_text="Raison sociale ou numéro EORI",
    )
    statut = forms.ChoiceField(
        label="Statut REX",
        required=False,
        choices=[("", "Tous les statuts")]
        + [(statut.value, statut.label) for statut in STATUTS_CLIENTS]
        + [(SANS_DEMANDE, "Aucune demande")],
    )
    echeance = forms.BooleanField(label="Échéance sous 7 jours", required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["type"] = "search"

    def filtres(self) -> dict:
        """The valid values: q, statut, echeance (selectors_clients.clients_representant) and page."""
        self.is_valid()
        donnees = self.cleaned_data
        return {
            "q": donnees.get("q") or "",
            "statut": donnees.get("statut") or "",
            "echeance": bool(donnees.get("echeance")),
            "page": donnees.get("page") or 1,
        }
