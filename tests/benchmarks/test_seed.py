"""The national-volume generator (`make bench-scale`) follows the schema: a small data set seeds on
PostgreSQL (COPY) and its rows pass the database's constraints. A model change that the generator does
not know (a new NOT NULL column) fails here, not in the benchmark."""

from django.db import connection

import pytest

from accounts.models import Entreprise
from benchmarks.scale.seed import semer
from rex.models import Demande, Statut
from tests.factories import (
    BureauDouaneFactory,
    CadrePreferentielFactory,
    ChapitreFactory,
    PositionTarifaireFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes with COPY"),
]


def test_a_small_data_set_seeds_with_every_status():
    BureauDouaneFactory(nom="Bureau de douane de Paris")
    BureauDouaneFactory(nom="Bureau de douane de Bordeaux")
    CadrePreferentielFactory.create_batch(4)
    ChapitreFactory(code="22")
    PositionTarifaireFactory(code="2204")

    lignes = semer(1_000)

    assert lignes["rex_demande"] == Demande.objects.count() >= 1_000
    assert lignes["accounts_entreprise"] == Entreprise.objects.count()
    statuts = set(Demande.objects.values_list("statut", flat=True).distinct())
    assert {Statut.BROUILLON, Statut.EN_ETUDE, Statut.INCOMPLETE, Statut.OCTROYEE, Statut.REJETEE} <= statuts
