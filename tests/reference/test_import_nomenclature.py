"""The importer keeps the chapters and headings valid on the day, from the official TARIC export."""

import hashlib
import json
from datetime import date, datetime
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import openpyxl
import pytest

from rex.models import Chapitre, PositionTarifaire
from rex.nomenclature import (
    NomenclatureError,
    importer_nomenclature,
    lire_date_export,
    nettoyer_libelle,
)

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


# The export's date, the data file, and the command --------------------------------------------------
SQL = (
    "SELECT ni.goods_nom_item_id||' '||ni.prod_lin \"Goods code\" FROM taric3.nom_item ni\n"
    "WHERE TRUNC(ni.dat_start) <= to_date('01062025','ddMMYYYY')\n"
    "AND (ni.dat_end >= to_date('01062025','ddMMYYYY') OR ni.dat_end IS NULL)"
)


def test_the_export_date_is_the_day_of_the_commission_query(nomenclature_file):
    path = nomenclature_file(ROWS, sql=SQL, created=datetime(2025, 5, 30, 8, 17))

    export = lire_date_export(path)

    assert (export.date, export.cree_le) == (date(2025, 6, 1), date(2025, 5, 30))
    assert "onglet « SQL »" in export.signification


def test_without_the_query_the_export_date_is_the_file_s_own(nomenclature_file):
    export = lire_date_export(nomenclature_file(ROWS, created=datetime(2025, 5, 30, 8, 17)))

    assert export.date == date(2025, 5, 30)
    assert "création du fichier" in export.signification


def test_the_command_imports_a_newer_export_of_the_commission(db, nomenclature_file):
    path = nomenclature_file(ROWS, sql=SQL)
    out = StringIO()

    call_command("import_nomenclature", "--file", str(path), stdout=out)

    assert out.getvalue().startswith("Nomenclature (export de la Commission du 01/06/2025) : 2 chapitres, ")
    assert set(PositionTarifaire.objects.values_list("code", flat=True)) == {"0101", "2204"}
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_nomenclature", "--file", str(path.with_name("absent.xlsx")))


def test_the_data_file_holds_what_the_import_of_the_export_stores(db, nomenclature_file, tmp_path):
    path = nomenclature_file(ROWS, sql=SQL)
    target = tmp_path / "data" / "nomenclature_sh.json"
    out = StringIO()

    call_command("import_nomenclature", "--file", str(path), "--exporter-donnees", str(target), stdout=out)

    assert "Fichier de données écrit" in out.getvalue() and "2 chapitres, 2 positions SH4" in out.getvalue()
    assert not Chapitre.objects.exists(), "writing the data file imports nothing"
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["source"] == {
        "fichier": "nomenclature.xlsx",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "fichier_cree_le": data["source"]["fichier_cree_le"],
    }
    assert (data["date_export"], data["en_vigueur_le"]) == ("2025-06-01", timezone.localdate().isoformat())
    assert '  "2204": "Vins de raisins frais; moûts de raisin, autres que ceux du nᵒ\u00a02009"' in (
        target.read_text(encoding="utf-8").splitlines()
    )

    call_command("import_nomenclature", "--file", str(target), stdout=StringIO())
    from_data = list(PositionTarifaire.objects.values_list("code", "libelle", "libelle_recherche"))
    result = importer_nomenclature(path=path)
    assert result.unchanged and result.date_export == date(2025, 6, 1)
    assert list(PositionTarifaire.objects.values_list("code", "libelle", "libelle_recherche")) == from_data


def test_the_data_file_is_written_from_an_export_only(tmp_path, nomenclature_file):
    target = str(tmp_path / "x.json")
    with pytest.raises(CommandError, match="--file FICHIER.xlsx ou --telecharger"):
        call_command("import_nomenclature", "--exporter-donnees", target)
    with pytest.raises(CommandError, match="aucun chapitre"):
        call_command("import_nomenclature", f"--file={nomenclature_file([])}", "--exporter-donnees", target)
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "n'est pas un fichier de données"),
        ('{"chapitres": {"01": "ANIMAUX"}}', "n'est pas un fichier de données"),
        ('{"chapitres": {"01": "ANIMAUX"}, "positions": {"0201": "Viandes"}}', "invalides \\(0201\\)"),
        ('{"chapitres": {"99": "CODES"}, "positions": {}}', "invalides \\(99\\)"),
        ('{"chapitres": {"01": " "}, "positions": {}}', "invalides \\(01\\)"),
    ],
)
def test_a_damaged_data_file_is_refused(db, tmp_path, content, message):
    path = tmp_path / "nomenclature_sh.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(NomenclatureError, match=message):
        importer_nomenclature(path=path)
    assert not Chapitre.objects.exists()
