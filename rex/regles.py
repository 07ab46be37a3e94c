"""The rules of a request that do not depend on a page: refusal messages, formats, row limits.

Below both the forms (which show them on the fields) and the services (which refuse with them), so that
each rule is written once and neither layer imports the other.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

REQUIRED = "Ce champ est obligatoire."

# Guide §5.1: one REX number per EORI (the database holds the rule; the forms and services say it so).
MESSAGE_UN_REX_PAR_EORI = (
    "Cet EORI possède déjà un numéro REX en cours de validité ou a déjà déposé une demande : "
    "le dépôt d'une nouvelle demande n'est pas accepté (guide, point 5.1). "
    "Vous pouvez suivre la demande existante depuis « Mes demandes en cours » ou « Mes autorisations »."
)


def validate_telephone(value: str) -> None:
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"\+?[0-9 .()\-/]+", value.strip()) or not 8 <= len(digits) <= 15:
        raise ValidationError(
            "Numéro de téléphone invalide : saisissez de 8 à 15 chiffres, par exemple 01 23 45 67 89 "
            "ou +33 1 23 45 67 89."
        )


def validate_courriel(value: str) -> None:
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError(
            "Adresse électronique invalide : elle doit être de la forme nom@domaine.fr."
        ) from exc


# The rows a rubrique holds at most (« Ajouter une ligne + » stops there), and what they are.
LIGNES_MAX = {"contacts": 20, "marchandises": 100}
LIGNES = {"contacts": "personnes de contact (rubrique 4)", "marchandises": "marchandises (rubrique 5)"}

MESSAGE_NOMBRE_LIGNES = (
    "Le nombre de lignes transmis pour cette rubrique n'est pas valide : rechargez la page, puis saisissez "
    "à nouveau les lignes."
)


def message_lignes_max(rubrique: str) -> str:
    return f"Vous pouvez indiquer au plus {LIGNES_MAX[rubrique]} {LIGNES[rubrique]} : supprimez des lignes."


# Guide §7.2: what a modification of a registration may change (rubrique 2 « Courriel », rubriques 4, 5, 6).
CHAMPS_MODIFIABLES = ("courriel", "contacts", "marchandises", "cadres")


# What a row of rubrique 4 (a contact) and of rubrique 5 (a good) holds: typed in the form, copied by
# « Dupliquer » and by a modification, compared between two versions.
CHAMPS_CONTACT = ("nom", "prenom", "fonction", "telephone", "fax", "courriel")
CHAMPS_MARCHANDISE = ("code", "description")


def valeurs_contact(contact) -> tuple:
    """A contact row as compared between two versions (the recap marks a changed one in orange)."""
    return tuple(getattr(contact, champ) for champ in CHAMPS_CONTACT)


def valeurs_marchandise(ligne) -> tuple:
    return tuple(getattr(ligne, champ) for champ in CHAMPS_MARCHANDISE)


# The strict validation (« Valider et passer à l'étape suivante », guide §5.2): what each rubrique requires,
# and the formats checked. The forms show these rules on their fields (rex.forms); rex.completude reads
# them on a stored request for the services.
CHAMPS_DEMANDE_OBLIGATOIRES = (
    "bureau",
    "titulaire",
    "telephone",
    "courriel",
    "activite",
    "representant_telephone",
    "representant_courriel",
    "cadres",
    "engagement",
    "engagement_nom",
    "engagement_fonction",
    "engagement_lieu",
    "consentement_publication",
)
# Rubrique 3 and the choice of the holder: only when a representative files.
CHAMPS_REPRESENTANT = ("titulaire", "representant_telephone", "representant_courriel")
FORMATS_DEMANDE = {
    "telephone": validate_telephone,
    "courriel": validate_courriel,
    "representant_telephone": validate_telephone,
    "representant_courriel": validate_courriel,
}
CHAMPS_MODIFICATION_OBLIGATOIRES = ("courriel", "cadres")
FORMATS_MODIFICATION = {"courriel": validate_courriel}
CHAMPS_CONTACT_OBLIGATOIRES = ("nom", "prenom", "fonction", "telephone", "courriel")
FORMATS_CONTACT = {"telephone": validate_telephone, "fax": validate_telephone, "courriel": validate_courriel}
CHAMPS_MARCHANDISE_OBLIGATOIRES = ("code", "description")
# A heading of the HS nomenclature (4 digits) or a whole chapter (2 digits).
MOTIF_CODE_SH = r"\d{2}|\d{4}"
