"""Strict validation of a saved request, as « Valider et passer à l'étape suivante » does it.

The saved draft is turned back into form data and checked by the same forms in strict mode, so that the
pages (the form's « Valider », the recap) show every error on its field. The rules themselves are those of
rex.regles; the services check a stored request with rex.completude, which reads the same rules without
the forms (tests/rex/test_completude.py: both say the same of random requests).
"""

from dataclasses import dataclass

from django import forms
from django.utils.datastructures import MultiValueDict

from rex.forms import (
    DemandeDeposeeForm,
    DemandeForm,
    ModificationForm,
    contacts_formset,
    marchandises_formset,
)
from rex.models import Demande


@dataclass
class Formulaire:
    form: DemandeForm  # or DemandeDeposeeForm, its subclass
    contacts: object
    marchandises: object

    def is_valid(self) -> bool:
        # Evaluate all three so that every error is shown at once.
        results = [self.form.is_valid(), self.contacts.is_valid(), self.marchandises.is_valid()]
        return all(results)

    def marquer_obligatoires(self) -> None:
        """Shows the red asterisk on the fields required at validation (guide §5.2).

        Done after validation, for display only: the forms never set the HTML `required` attribute,
        so that « Reprendre plus tard » can save an incomplete draft.
        """
        for form in [self.form, *self.contacts.forms, *self.marchandises.forms]:
            form.marquer_obligatoires()

    def erreurs(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for the error summary, in the order of the page."""
        items: list[tuple[str, str, str]] = []
        for message in self.form.non_field_errors():
            items.append(("rubrique-2", "Demandeur", message))
        for name, errors in self.form.errors.items():
            if name == "__all__":
                continue
            bf = self.form[name]
            for message in errors:
                items.append((_cible(bf), str(bf.label), message))
        for formset, rubrique, titre in (
            (self.contacts, "rubrique-4", "Contacts"),
            (self.marchandises, "rubrique-5", "Marchandises"),
        ):
            for message in formset.non_form_errors():
                items.append((rubrique, titre, message))
            for index, form in enumerate(formset.forms, start=1):
                for name, errors in form.errors.items():
                    bf = form[name]
                    for message in errors:
                        items.append((_cible(bf), f"{titre}, ligne {index} : {bf.label}", message))
        return items


def _cible(bf) -> str:
    """The id a summary link leads to. A radio or checkbox group has no element with the field's
    id (its inputs are id_x_0, id_x_1 …): the link leads to its first option."""
    if isinstance(bf.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bf.auto_id}_0"
    return bf.auto_id


def construire(
    demande: Demande,
    *,
    data=None,
    files=None,
    strict: bool = False,
    extra: dict[str, int] | None = None,
    form_class=None,
) -> Formulaire:
    """The three parts of the request form, bound to `data` or unbound on the saved request.

    `form_class` replaces the form of the other rubriques (a modification: rex.forms.ModificationForm).
    """
    extra = extra or {}
    kwargs = {"data": data, "files": files} if data is not None else {}
    # Once filed (a complement, guide §6.2), the holder is fixed: « Raison sociale » is not editable.
    if form_class is None:
        form_class = DemandeForm if demande.est_brouillon else DemandeDeposeeForm
    form = form_class(instance=demande, strict=strict, representant=demande.representant, **kwargs)
    contacts = _formset(contacts_formset, demande, "contacts", strict, extra, kwargs)
    marchandises = _formset(marchandises_formset, demande, "marchandises", strict, extra, kwargs)
    return Formulaire(form, contacts, marchandises)


def _formset(factory, demande, prefix, strict, extra, kwargs):
    has_rows = bool(demande.pk) and getattr(demande, prefix).exists()
    formset_class = factory(extra.get(prefix, 0 if has_rows else 1))
    return formset_class(instance=demande, prefix=prefix, strict=strict, **kwargs)


def verifier(demande: Demande, *, form_class=None) -> Formulaire:
    """The request as stored, checked strictly (the returned forms carry the errors)."""
    unbound = construire(demande, form_class=form_class)
    data = MultiValueDict()
    _as_data(unbound.form, data)
    for formset in (unbound.contacts, unbound.marchandises):
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[management[name].html_name] = management[name].value()
        initial = formset.initial_form_count()
        # An empty rubrique still shows one empty row to fill in.
        data[management["TOTAL_FORMS"].html_name] = initial or 1
        for form in formset.forms[:initial]:
            _as_data(form, data)
    formulaire = construire(demande, data=data, strict=True, form_class=form_class)
    formulaire.is_valid()
    return formulaire


def _as_data(form, data: MultiValueDict) -> None:
    for bf in form:
        value = bf.value()
        if isinstance(value, list | tuple):
            data.setlist(bf.html_name, [str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                data[bf.html_name] = "on"
        elif value is not None:
            data[bf.html_name] = str(value)


def classe_formulaire(demande: Demande):
    """The `form_class` of the request's own form: a registration's modification has its own (guide §7.2,
    rex.forms.ModificationForm); None for the request form."""
    return ModificationForm if demande.est_modification else None
