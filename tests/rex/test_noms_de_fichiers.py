"""The name of an uploaded file: cleaned of what makes it read otherwise, then one accepted extension."""

import unicodedata

from django.core.exceptions import ValidationError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rex.documents.formats import (
    EXTENSIONS_ACCEPTEES,
    nettoyer_nom,
    taille_lisible,
    tronquer_nom,
    verifier_nom,
)

INVISIBLES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(INVISIBLES)))
def test_a_cleaned_name_has_no_bidi_or_control_character_and_is_stable(nom):
    propre = nettoyer_nom(nom)
    assert not any(c in INVISIBLES or unicodedata.category(c) == "Cc" for c in propre)
    assert nettoyer_nom(propre) == propre


@given(st.text())
def test_an_accepted_name_ends_with_an_accepted_extension(nom):
    try:
        extension = verifier_nom(nettoyer_nom(nom))
    except ValidationError:
        return
    assert extension in EXTENSIONS_ACCEPTEES
    assert nettoyer_nom(nom).lower().endswith(extension)


@pytest.mark.parametrize(
    ("nom", "propre"),
    [
        ("rapport\u202efdp.exe", "rapportfdp.exe"),
        ("\u2066facture\u2069.pdf", "facture.pdf"),
        ("fiche\x00\n\r.pdf", "fiche.pdf"),
        ("  devis.pdf . . ", "devis.pdf"),
        ("programme.exe.", "programme.exe"),
    ],
)
def test_cleaning(nom, propre):
    assert nettoyer_nom(nom) == propre


@pytest.mark.parametrize(
    "nom", ["rapport.v2.pdf", "Photo.JPG", "scan 12.03.2024.jpeg", "Kbis - S.A.R.L. Dupont.pdf", "plan.png"]
)
def test_names_accepted(nom):
    assert verifier_nom(nom) == "." + nom.rsplit(".", 1)[1].lower()


@pytest.mark.parametrize(
    ("nom", "code"),
    [
        ("x.php.jpg", "extensions_multiples"),
        ("x.PHP.png", "extensions_multiples"),
        ("rapport.pdf.pdf", "extensions_multiples"),
        ("page.html.pdf", "extensions_multiples"),
        ("x.pdf.exe", "extension"),
        ("x.exe", "extension"),
        ("sans-extension", "extension"),
        (".pdf", "extension"),
        ("archive.tar.gz", "extension"),
        ("", "nom"),
    ],
)
def test_names_refused(nom, code):
    with pytest.raises(ValidationError) as refus:
        verifier_nom(nom)
    assert refus.value.code == code


@pytest.mark.parametrize(
    ("octets", "texte"),
    [
        (10 * 1024 * 1024, "10\u00a0Mo"),
        (11010048, "10,5\u00a0Mo"),
        (2048, "2\u00a0Ko"),
        (12, "12\u00a0octets"),
    ],
)
def test_sizes_read_in_french(octets, texte):
    assert taille_lisible(octets) == texte


def test_a_long_name_is_cut_before_its_extension():
    assert tronquer_nom("a" * 300 + ".pdf") == "a" * 251 + ".pdf"
