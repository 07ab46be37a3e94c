"""Rules of guide §3.2.1 for the identifiant and the password, and EORI/SIRET checks."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from stdnum.fr import siret

identifiant_validator = RegexValidator(
    regex=r"^[A-Za-zÀ-ÖØ-öø-ÿ]+\Z",
    message="L'identifiant ne doit contenir que des lettres (ni chiffre, ni caractère spécial).",
    code="identifiant_lettres",
)

EU_MEMBER_STATES = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
}  # fmt: skip


class GuidePasswordValidator:
    """8 characters or more, lowercase, uppercase, digit and special character; `_` is not special."""

    def validate(self, password, user=None):
        missing = []
        if len(password) < 8:
            missing.append("au moins 8 caractères")
        if not re.search(r"[a-z]", password):
            missing.append("une lettre minuscule")
        if not re.search(r"[A-Z]", password):
            missing.append("une lettre majuscule")
        if not re.search(r"[0-9]", password):
            missing.append("un chiffre")
        if not re.search(r"[^A-Za-z0-9_\s]", password):
            missing.append("un caractère spécial (le « _ » ne compte pas)")
        if missing:
            raise ValidationError(
                "Le mot de passe doit contenir " + ", ".join(missing) + ".",
                code="password_guide_rules",
            )

    def get_help_text(self):
        return (
            "Au moins 8 caractères, avec des lettres minuscules, majuscules, des chiffres et des "
            "caractères spéciaux (le caractère « underscore » _ n'est pas considéré comme spécial)."
        )


def normaliser_eori(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_eori(value: str) -> None:
    """FR + a Luhn-valid 14-digit SIRET; other member states: their code + up to 15 characters."""
    eori = normaliser_eori(value)
    country, rest = eori[:2], eori[2:]
    if country not in EU_MEMBER_STATES:
        raise ValidationError(
            "Le numéro EORI doit commencer par le code d'un État membre de l'Union (FR pour la France).",
            code="eori_pays",
        )
    if country == "FR":
        if not re.fullmatch(r"\d{14}", rest):
            raise ValidationError(
                "Un numéro EORI français s'écrit FR suivi des 14 chiffres du SIRET.",
                code="eori_format",
            )
        if not siret.is_valid(rest):
            raise ValidationError(
                "Le SIRET contenu dans ce numéro EORI n'est pas valide (clé de contrôle incorrecte).",
                code="eori_siret",
            )
    elif not re.fullmatch(r"[A-Z0-9]{1,15}", rest):
        raise ValidationError(
            "Un numéro EORI s'écrit avec le code du pays suivi de 15 caractères alphanumériques au plus.",
            code="eori_format",
        )


def validate_siret(value: str) -> None:
    if not siret.is_valid(value or ""):
        raise ValidationError("Ce numéro SIRET n'est pas valide.", code="siret")
