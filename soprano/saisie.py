"""What every form of SOPRANO/REX refuses, whatever its fields: written once, below `accounts` and `rex`.

Every form of both portals, of the public check and of the account pages derives from `SaisieControlee`
(through `DsfrForm`, `rex.forms.DsfrModelForm` or `accounts.forms.FormulaireDsfr`), which gives each
field, just before validation (so that the fields a subclass or a formset adds after __init__ are
covered too):

- a text: no NUL and no other C0/C1 control character (tab, line feed and carriage return are allowed in
  a multi-line field, a Textarea, only), no bidi override or isolate (U+202A–U+202E, U+2066–U+2069),
  which make a text read otherwise than it is stored; its `max_length` enforced even when a form set it
  after __init__ (Django then only sets the widget's attribute, as AuthenticationForm does);
- a choice: the French « invalid choice » message, which does not echo the value back;
- a date: between 01/01/1900 and 31/12/2100.

A model choice field is `ChoixModele` or `ChoixModeleMultiple`: an id that is not a positive integer within
the range of the database's column is refused before any query (SQLite raises OverflowError on a huge
integer in `IN (…)`).
"""

import re
from datetime import date

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils.deconstruct import deconstructible

from dsfr.forms import DsfrBaseForm

CHOIX_INVALIDE = "Sélectionnez un choix valide dans la liste proposée."

_CONTROLES = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_INTERDITS_TEXTE = re.compile(f"[{_CONTROLES}{_BIDI}]")
_INTERDITS_LIGNE = re.compile(f"[\t\n\r{_CONTROLES}{_BIDI}]")


def _nature(caractere: str) -> str:
    if caractere == "\x00":
        return "caractère nul"
    if caractere == "\t":
        return "tabulation"
    if caractere in "\n\r":
        return "retour à la ligne"
    if "\u202a" <= caractere <= "\u2069":
        return "caractère qui inverse le sens du texte"
    return "caractère de contrôle invisible"


@deconstructible
class CaracteresAutorises:
    """Refuses the control characters and the bidi overrides; `multiligne` allows tab, LF and CR."""

    message = (
        "Ce champ contient un caractère non autorisé (%(nature)s, %(code)s) : supprimez-le, par exemple "
        "en saisissant à nouveau le texte au lieu de le coller."
    )
    code = "caractere_interdit"

    def __init__(self, *, multiligne: bool = False):
        self.multiligne = multiligne

    def __call__(self, value) -> None:
        motif = _INTERDITS_TEXTE if self.multiligne else _INTERDITS_LIGNE
        trouve = motif.search(str(value))
        if trouve:
            caractere = trouve.group()
            raise ValidationError(
                self.message,
                code=self.code,
                params={"nature": _nature(caractere), "code": f"U+{ord(caractere):04X}"},
            )

    def __eq__(self, other):
        return isinstance(other, CaracteresAutorises) and other.multiligne == self.multiligne


DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)


@deconstructible
class DateVraisemblable:
    """A date a file of the service may hold: years 99999 or 0001 are typing errors or attacks."""

    message = "Saisissez une date comprise entre le 01/01/1900 et le 31/12/2100."
    code = "date_hors_limites"

    def __call__(self, value) -> None:
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, DateVraisemblable)


def borner(champ: forms.CharField, max_length: int) -> None:
    """Gives a field built elsewhere (Django's password fields) its maximum length, widget included."""
    champ.max_length = max_length
    champ.widget.attrs["maxlength"] = str(max_length)
    champ.validators.append(validators.MaxLengthValidator(max_length))


def controler(champ: forms.Field) -> None:
    """The rules of the module docstring, given to one field of a form (idempotent)."""
    if isinstance(champ, forms.CharField):
        if not any(isinstance(v, CaracteresAutorises) for v in champ.validators):
            # Ours covers the NUL too, with a French message that names the character.
            champ.validators = [
                v for v in champ.validators if not isinstance(v, validators.ProhibitNullCharactersValidator)
            ]
            champ.validators.append(CaracteresAutorises(multiligne=isinstance(champ.widget, forms.Textarea)))
        if champ.max_length is not None and not any(
            isinstance(v, validators.MaxLengthValidator) for v in champ.validators
        ):
            champ.validators.append(validators.MaxLengthValidator(champ.max_length))
    elif isinstance(champ, forms.ChoiceField):
        champ.error_messages["invalid_choice"] = CHOIX_INVALIDE
        champ.error_messages["invalid_pk_value"] = CHOIX_INVALIDE
    elif isinstance(champ, forms.DateField) and not any(
        isinstance(v, DateVraisemblable) for v in champ.validators
    ):
        champ.validators.append(DateVraisemblable())


class SaisieControlee:
    """Mixin of every form of the project: see the module docstring."""

    def full_clean(self):
        for champ in self.fields.values():
            controler(champ)
        super().full_clean()


class DsfrForm(SaisieControlee, DsfrBaseForm):
    """A plain form of either portal: DSFR rendering, hostile input refused."""


# ------------------------------------------------------------------ ids
def identifiant_valide(champ: forms.ModelChoiceField, valeur) -> bool:
    """`valeur` can be a key of the field's model: for an integer key, ASCII digits within the range of
    the database's column (1 and up for an auto-increment primary key)."""
    modele = champ.queryset.model
    cle = modele._meta.get_field(champ.to_field_name) if champ.to_field_name else modele._meta.pk
    ops = connections[champ.queryset.db].ops
    texte = str(valeur)
    if cle.get_internal_type() not in ops.integer_field_ranges:
        return "\x00" not in texte  # a text key: the query is safe, once the NUL is refused
    if not re.fullmatch(r"[0-9]{1,20}", texte):
        return False
    minimum, maximum = ops.integer_field_range(cle.get_internal_type())
    if cle.primary_key:
        minimum = 1
    return minimum <= int(texte) <= maximum


class ChoixModele(forms.ModelChoiceField):
    """A ModelChoiceField whose id is checked before the query."""

    default_error_messages = {"invalid_choice": CHOIX_INVALIDE}

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, self.queryset.model)
            and not identifiant_valide(self, value)
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ChoixModeleMultiple(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose ids are checked before the query."""

    default_error_messages = {"invalid_choice": CHOIX_INVALIDE, "invalid_pk_value": CHOIX_INVALIDE}

    def _check_values(self, value):
        for valeur in value:
            if not isinstance(valeur, str | int) or not identifiant_valide(self, valeur):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super()._check_values(value)
