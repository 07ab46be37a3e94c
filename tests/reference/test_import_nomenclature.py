"""The importer keeps the chapters and headings valid on the day, from the official TARIC export."""

from datetime import date, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

import openpyxl
import pytest

from rex.models import Chapitre, PositionTarifaire
from rex.nomenclature import NomenclatureError, importer_nomenclature, nettoyer_libelle

ON = date(2025, 6, 1)

ROWS = [
    ("0100000000 80", "31-12-1971", None, "FR", 2.0, None, "ANIMAUX VIVANTS", "31-12-1971"),
    ("0101000000 80", "01-01-1972", None, "FR", 4.0, None, "Chevaux, ânes, mulets", "01-01-1972"),
    # a subheading and a grouping title: not chapters nor headings
    ("0101210000 80", "01-01-2012", None, "FR", 6.0, "- ", "Chevaux reproducteurs", "01-01-2012"),
    ("0101000000 10", "01-01-1972", None, "FR", 4.0, None, "I. TITRE DE GROUPE", "01-01-1972"),
    # expired, and not yet in force
    ("0102000000 80", "01-01-1972", "31-12-2021", "FR", 4.0, None, "Bovins (ancien)", "01-01-1972"),
    ("0103000000 80", "01-01-2099", None, "FR", 4.0, None, "Porcins (futur)", "01-01-2099"),
    ("2200000000 80", datetime(1971, 12, 31), None, "FR", 2.0, None, "BOISSONS", "31-12-1971"),
    (
        "2204000000 80",
        "01-01-1972",
        None,
        "FR",
        4.0,
        None,
        "Vins de raisins frais; moûts de raisin, autres que ceux du n$o|2009  ",
        "01-01-2015",
    ),
    # a description that will only apply later, and another language: ignored
    ("2204000000 80", "01-01-1972", None, "FR", 4.0, None, "Vins (libellé 2099)", "01-01-2099"),
    ("2204000000 80", "01-01-1972", None, "EN", 4.0, None, "Wine of fresh grapes", "01-01-2015"),
    # chapters 98 and 99 belong to the Combined Nomenclature only
    ("9900000000 80", "30-06-2007", None, "FR", 2.0, None, "CODES SPÉCIFIQUES", "01-01-2011"),
    ("9905000000 80", "30-06-2007", None, "FR", 4.0, None, "Biens personnels", "01-01-2011"),
]


@pytest.mark.django_db
def test_import_keeps_chapters_and_headings_valid_on_the_day(nomenclature_file):
    result = importer_nomenclature(path=nomenclature_file(ROWS), on=ON)

    assert (result.chapitres, result.positions, result.created) == (2, 2, 4)
    assert dict(Chapitre.objects.values_list("code", "libelle")) == {
        "01": "ANIMAUX VIVANTS",
        "22": "BOISSONS",
    }
    assert list(PositionTarifaire.objects.values_list("code", "chapitre__code")) == [
        ("0101", "01"),
        ("2204", "22"),
    ]
    vins = PositionTarifaire.objects.get(code="2204")
    assert vins.libelle == "Vins de raisins frais; moûts de raisin, autres que ceux du nᵒ\u00a02009"
    assert vins.libelle_recherche == ("vins de raisins frais mouts de raisin autres que ceux du no 2009")


@pytest.mark.django_db
def test_second_import_of_the_same_file_writes_nothing(nomenclature_file):
    path = nomenclature_file(ROWS)
    importer_nomenclature(path=path, on=ON)

    with CaptureQueriesContext(connection) as queries:
        result = importer_nomenclature(path=path, on=ON)

    assert result.unchanged
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert PositionTarifaire.objects.count() == 2


@pytest.mark.django_db
def test_import_removes_what_is_no_longer_valid_and_updates_labels(nomenclature_file):
    importer_nomenclature(path=nomenclature_file(ROWS), on=ON)
    newer = [row for row in ROWS if not row[0].startswith("01")]
    newer[1] = ("2204000000 80", "01-01-1972", None, "FR", 4.0, None, "Vins", "01-01-2025")

    result = importer_nomenclature(path=nomenclature_file(newer, name="newer.xlsx"), on=ON)

    # chapter 01 goes, and its heading 0101 with it
    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    assert list(Chapitre.objects.values_list("code", flat=True)) == ["22"]
    assert list(PositionTarifaire.objects.values_list("code", "libelle")) == [("2204", "Vins")]


@pytest.mark.django_db
def test_import_refuses_a_file_in_another_format(nomenclature_file, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(("Code", "Libellé"))
    workbook.save(tmp_path / "autre.xlsx")

    with pytest.raises(NomenclatureError, match="colonnes manquantes"):
        importer_nomenclature(path=tmp_path / "autre.xlsx", on=ON)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("- - autres  ", "autres"),
        ("CHAPITRE 22 - BOISSONS", "BOISSONS"),
        ("des n$o$s|8701|à 8705", "des nᵒˢ\u00a08701\u00a0à 8705"),
        ("200|g/m$2", "200\u00a0g/m²"),
        ("en H@3BO@3", "en H₃BO₃"),
        ("DISSOCIATION;GRAISSES", "DISSOCIATION; GRAISSES"),
        ("ARTIFICIELS;", "ARTIFICIELS"),
        ("ligne\nsuivante", "ligne suivante"),
    ],
)
def test_clean_label_turns_taric_markup_into_text(raw, clean):
    assert nettoyer_libelle(raw) == clean
