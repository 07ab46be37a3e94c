"""The rule every form applies to what is typed (soprano.saisie): control characters, bidi overrides,
lengths, dates; and that every form of both portals and of the account pages gets it."""

import inspect
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

import pytest
from axes.models import AccessAttempt
from hypothesis import given
from hypothesis import strategies as st

import accounts.forms
import rex.forms
import rex.forms_agent
import rex.forms_public
from accounts.models import Departement, Entreprise, User
from rex import services
from rex.forms import ComplementForm, MessageForm
from rex.forms_agent import EcrireForm, OctroyerForm, RejeterForm
from rex.models import LONGUEUR_TEXTE, Demande, Evenement, Message
from soprano.saisie import CaracteresAutorises, ChoixModele, ChoixModeleMultiple, SaisieControlee
from tests.factories import UserFactory

LIGNE = CaracteresAutorises()
TEXTE = CaracteresAutorises(multiligne=True)
CONTROLES = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))]
BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


def message(validator, value) -> str:
    with pytest.raises(ValidationError) as exc:
        validator(value)
    assert exc.value.code == "caractere_interdit"
    return exc.value.messages[0]


# ------------------------------------------------------------------ the validator
@pytest.mark.parametrize("caractere", CONTROLES + BIDI)
def test_control_characters_and_bidi_overrides_are_refused_everywhere(caractere):
    for validator in (LIGNE, TEXTE):
        texte = message(validator, f"Vins{caractere}rouges")
        assert f"U+{ord(caractere):04X}" in texte and texte.startswith("Ce champ contient un caractère")


@pytest.mark.parametrize("caractere", ["\t", "\n", "\r"])
def test_tab_and_line_breaks_are_allowed_in_a_text_area_only(caractere):
    TEXTE(f"Bonjour,{caractere}merci.")
    assert "U+" in message(LIGNE, f"Bonjour,{caractere}merci.")


def test_the_message_names_the_character_in_french():
    assert message(LIGNE, "a\x00b") == (
        "Ce champ contient un caractère non autorisé (caractère nul, U+0000) : supprimez-le, par exemple en "
        "saisissant à nouveau le texte au lieu de le coller."
    )
    assert "inverse le sens du texte" in message(LIGNE, "a\u202eb")
    assert "retour à la ligne" in message(LIGNE, "a\nb")


@pytest.mark.parametrize(
    "texte",
    [
        "Crème brûlée",
        "😀 👩\u200d👩\u200d👧",
        "漢字 한국어",
        "e\u0301",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U00020000",
        "a\u00a0b",
        "a\u200eb",
    ],
)
def test_unicode_text_is_accepted(texte):
    LIGNE(texte)
    TEXTE(texte)


@given(st.text(alphabet=st.characters(exclude_characters=CONTROLES + BIDI + ["\t", "\n", "\r"])))
def test_any_text_without_them_is_accepted(texte):
    LIGNE(texte)


@given(st.text(), st.sampled_from(CONTROLES + BIDI), st.text())
def test_any_text_with_one_is_refused(avant, caractere, apres):
    with pytest.raises(ValidationError):
        TEXTE(avant + caractere + apres)


def test_djangos_own_nul_message_is_french():
    with pytest.raises(ValidationError) as exc:
        ProhibitNullCharactersValidator()("a\x00b")
    assert exc.value.messages == ["Le caractère nul n’est pas autorisé."]


# ------------------------------------------------------------------ the forms
def test_a_nul_gets_one_french_error():
    form = ComplementForm({"complements": "Voici\x00le complément."})
    assert not form.is_valid()
    assert form.errors["complements"] == [
        "Ce champ contient un caractère non autorisé (caractère nul, U+0000) : supprimez-le, par exemple en "
        "saisissant à nouveau le texte au lieu de le coller."
    ]


def test_100000_characters_are_refused_in_french():
    form = MessageForm({"texte": "a" * 100_000})
    assert not form.is_valid()
    assert form.errors["texte"] == [
        f"Assurez-vous que cette valeur comporte au plus {LONGUEUR_TEXTE} caractères (actuellement 100000)."
    ]


def test_the_texts_typed_share_the_models_limit():
    limite = Message._meta.get_field("texte").max_length
    assert limite == LONGUEUR_TEXTE == Demande._meta.get_field("motif_rejet").max_length
    assert Evenement._meta.get_field("commentaire").max_length == LONGUEUR_TEXTE
    demande = Demande()
    for form, champ in (
        (MessageForm(), "texte"),
        (EcrireForm(), "texte"),
        (ComplementForm(), "complements"),
        (rex.forms_agent.DemanderComplementForm(demande=demande), "texte"),
        (RejeterForm(demande=demande), "motif"),
        (rex.forms_agent.ReaffecterForm(demande=demande), "commentaire"),
        (rex.forms_agent.AnnulerRevocationForm(demande=demande), "commentaire"),
    ):
        assert form.fields[champ].max_length == limite, form
        assert form[champ].field.widget.attrs["maxlength"] == str(limite)
    # The comments that end in the history only (abandon, modification) are shorter.
    assert rex.forms.AbandonForm().fields["commentaire"].max_length <= LONGUEUR_TEXTE
    assert rex.forms.CommentaireModificationForm().fields["commentaire"].max_length <= LONGUEUR_TEXTE


@pytest.mark.django_db
def test_a_max_length_set_after_init_is_enforced_before_authenticating():
    """AuthenticationForm sets the username's max_length in __init__: Django only copies it to the widget,
    and django-axes then tried to store a 100,000-character username (a 500 on PostgreSQL)."""
    UserFactory(username="claire")
    form = accounts.forms.LoginForm(data={"username": "c" * 100_000, "password": "Motdepasse1!"})
    assert not form.is_valid()
    assert form.errors["username"] == [
        "Assurez-vous que cette valeur comporte au plus 60 caractères (actuellement 100000)."
    ]
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_passwords_are_bounded():
    user = UserFactory()
    form = accounts.forms.SetPasswordForm(user, {"new_password1": "Aa1!" * 40, "new_password2": "Aa1!" * 40})
    assert not form.is_valid() and "au plus 128 caractères" in form.errors["new_password1"][0]


@pytest.mark.parametrize(
    ("valeur", "erreur"),
    [
        ("99999-01-01", "Saisissez une date valide, par exemple 15/03/2025."),
        ("0001-01-01", "Saisissez une date comprise entre le 01/01/1900 et le 31/12/2100."),
        ("2101-01-01", "Saisissez une date comprise entre le 01/01/1900 et le 31/12/2100."),
    ],
)
def test_dates_out_of_range_are_refused(valeur, erreur):
    form = OctroyerForm({"date_validite": valeur, "confirmation": "on"}, demande=Demande())
    assert not form.is_valid() and form.errors["date_validite"] == [erreur]
    form = OctroyerForm({"date_validite": "2025-03-15", "confirmation": "on"}, demande=Demande())
    assert form.is_valid() and form.cleaned_data["date_validite"] == date(2025, 3, 15)


def test_a_choice_never_echoes_the_value():
    form = rex.forms_agent.RevoquerForm(
        {"motif": "<b>x</b>" * 1000, "droit_entendu_le": "2025-01-01", "a_compter_du": "2025-01-02"},
        demande=Demande(),
    )
    assert form.errors["motif"] == ["Sélectionnez un choix valide dans la liste proposée."]


# ------------------------------------------------------------------ every form gets it
MODULES = (accounts.forms, rex.forms, rex.forms_agent, rex.forms_public)


def formulaires_du_projet() -> list[type]:
    return sorted(
        {
            classe
            for module in MODULES
            for _, classe in inspect.getmembers(module, inspect.isclass)
            if issubclass(classe, forms.BaseForm)
            and classe.__module__ == module.__name__
            and not (issubclass(classe, forms.ModelForm) and classe._meta.model is None)  # a base
        },
        key=lambda classe: classe.__qualname__,
    )


def test_every_form_of_the_project_controls_what_is_typed():
    assert len(formulaires_du_projet()) >= 30
    sans = [c.__qualname__ for c in formulaires_du_projet() if not issubclass(c, SaisieControlee)]
    assert not sans, f"{sans}: derive from soprano.saisie.DsfrForm, rex.forms.DsfrModelForm or FormulaireDsfr"


def instance(classe: type) -> forms.BaseForm:
    """An unbound form of `classe`, with the arguments its __init__ requires."""
    if issubclass(classe, rex.forms_agent.ActionForm):
        return classe(demande=Demande())
    if issubclass(classe, accounts.forms.SetPasswordForm):
        return classe(User())
    arguments = {
        rex.forms.DemandeForm: {"instance": Demande(), "representant": Entreprise(pk=1)},
        rex.forms.ModificationForm: {"instance": Demande()},
        rex.forms.BoutonForm: {"boutons": rex.forms.BOUTONS_DEMANDE},
        rex.forms.NouvelleLigneForm: {"rubrique": "contacts"},
        rex.forms_agent.FiltreFileForm: {"agents": [], "compteurs": {}, "user": User()},
        rex.forms_agent.ActionsGroupeesForm: {"user": User()},
        rex.forms_agent.TableauDeBordForm: {"national": True},
    }
    for base, kwargs in arguments.items():
        if issubclass(classe, base):
            return classe(**kwargs)
    return classe()


@pytest.mark.django_db
@pytest.mark.parametrize("classe", formulaires_du_projet(), ids=lambda c: c.__qualname__)
def test_every_text_field_is_bounded_and_every_id_checked(classe):
    for nom, champ in instance(classe).fields.items():
        if isinstance(champ, forms.CharField):
            assert champ.max_length is not None, (
                f"{nom}: give it a max_length (the model's, or LONGUEUR_TEXTE)"
            )
        if isinstance(champ, forms.ModelChoiceField):
            assert isinstance(champ, ChoixModele | ChoixModeleMultiple), (
                f"{nom}: use soprano.saisie.ChoixModele"
            )


@pytest.mark.django_db
def test_services_refuse_what_the_forms_refuse():
    """Whoever calls them (admin, command), the services never store a NUL nor 100,000 characters."""
    from tests.factories import deposer

    demande = deposer()
    agent = UserFactory(service=demande.service)
    with pytest.raises(services.ActionRefusee, match="caractère nul"):
        services.ecrire(demande=demande, by=agent, texte="Bonjour\x00")
    with pytest.raises(services.ActionRefusee, match=f"ne peut dépasser {LONGUEUR_TEXTE} caractères"):
        services.rejeter(demande=demande, by=agent, motif="a" * 100_000)
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_an_unknown_departement_id_is_an_invalid_choice():
    Departement.objects.create(code="69", nom="Rhône")
    form = accounts.forms.DemandeHabilitationForm({"departement": str(2**64)})
    assert form.errors["departement"] == ["Sélectionnez un choix valide dans la liste proposée."]
