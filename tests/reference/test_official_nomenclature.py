"""The real import, from the official French file (downloaded once per machine, then cached)."""

import pytest

from rex.models import Chapitre, PositionTarifaire
from rex.nomenclature import NomenclatureError, fichier_officiel, importer_nomenclature


@pytest.mark.django_db
def test_import_of_the_official_file():
    try:
        path = fichier_officiel()
    except NomenclatureError as error:
        pytest.fail(f"Nomenclature officielle indisponible (accès à PyPI requis) : {error}")

    result = importer_nomenclature(path=path)

    assert 95 <= result.chapitres == Chapitre.objects.count() <= 97
    assert result.positions == PositionTarifaire.objects.count() > 1200
    assert "vins" in PositionTarifaire.objects.get(code="2204").libelle.lower()
    assert "café" in PositionTarifaire.objects.get(code="0901").libelle.lower()
    assert not PositionTarifaire.objects.filter(code__startswith="99").exists()


@pytest.mark.django_db
def test_on_the_official_nomenclature_vin_finds_wine_first_and_cafe_coffee_first():
    """What an exporter of wine types (issue found in a browser: « vin » listed vinegar first)."""
    from rex.nomenclature import chercher_nomenclature

    importer_nomenclature(path=fichier_officiel())
    assert chercher_nomenclature("vin")[0]["code"] == "2204"
    assert chercher_nomenclature("vins")[0]["code"] == "2204"
    assert chercher_nomenclature("café")[0]["code"] in {"09", "0901"}
    assert chercher_nomenclature("2204")[0]["code"] == "2204"
