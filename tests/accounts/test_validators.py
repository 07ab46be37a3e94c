"""Guide §3.2.1 rules (identifiant, password) and EORI/SIRET checks (SPEC §1)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

import pytest

from accounts.management.commands.load_demo import siret_valide
from accounts.models import User
from accounts.validators import identifiant_validator, validate_eori, validate_siret

SIRET_OK = "73282932000074"


@pytest.mark.parametrize("identifiant", ["claire", "Durand", "Hélène", "Françoise", "ÉloÏse", "Øystein"])
def test_identifiant_letters_accepted(identifiant):
    identifiant_validator(identifiant)


@pytest.mark.parametrize(
    "identifiant",
    [
        "claire1",
        "2024",
        "claire.durand",
        "claire_durand",
        "claire-durand",
        "claire durand",
        "c@d",
        "",
    ],
)
def test_identifiant_digits_and_specials_refused(identifiant):
    with pytest.raises(ValidationError) as error:
        identifiant_validator(identifiant)
    assert "ne doit contenir que des lettres" in error.value.messages[0]


def _erreurs(password: str, user=None) -> str:
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    return " ".join(error.value.messages)


@pytest.mark.parametrize(
    ("password", "manque"),
    [
        ("motdepasse1!", "une lettre majuscule"),
        ("MOTDEPASSE1!", "une lettre minuscule"),
        ("Motdepasse!!", "un chiffre"),
        ("Motdepasse12", "un caractère spécial"),
        ("Mo1!a", "au moins 8 caractères"),
    ],
)
def test_password_missing_class_refused(password, manque):
    assert manque in _erreurs(password)


def test_password_underscore_is_not_special():
    assert "le « _ » ne compte pas" in _erreurs("Motdepasse_12")


def test_password_common_refused():
    assert "trop courant" in _erreurs("P@ssw0rd")


def test_password_too_similar_to_user_refused():
    user = User(username="durandclaire", first_name="Claire", last_name="Durand", email="c@exemple.fr")
    assert "trop semblable" in _erreurs("Durandclaire1!", user)


def test_password_following_every_rule_accepted():
    user = User(username="durandclaire", first_name="Claire", last_name="Durand", email="c@exemple.fr")
    validate_password("Azerty-Soprano7", user)
    validate_password("Soprano-Demo1!", user)


def test_eori_fr_with_luhn_valid_siret_accepted():
    validate_eori("FR" + SIRET_OK)
    validate_eori("fr " + SIRET_OK)  # spaces and case are normalised
    validate_eori("FR" + siret_valide("12345678", "0001"))


def test_eori_fr_with_bad_luhn_refused():
    with pytest.raises(ValidationError) as error:
        validate_eori("FR73282932000075")
    assert error.value.code == "eori_siret"


def test_eori_fr_with_13_digits_refused():
    with pytest.raises(ValidationError) as error:
        validate_eori("FR7328293200007")
    assert error.value.code == "eori_format"


def test_eori_other_member_state_up_to_15_characters():
    validate_eori("DE123456789012345")
    with pytest.raises(ValidationError):
        validate_eori("DE1234567890123456")


@pytest.mark.parametrize("eori", ["US123456789", "GB123456789000", "XX" + SIRET_OK, "1234"])
def test_eori_unknown_country_refused(eori):
    with pytest.raises(ValidationError) as error:
        validate_eori(eori)
    assert error.value.code == "eori_pays"


def test_siret():
    validate_siret(SIRET_OK)
    with pytest.raises(ValidationError):
        validate_siret("73282932000075")
    with pytest.raises(ValidationError):
        validate_siret("7328293200007")
