"""The API against its own schema (schemathesis): generated requests, with a token of each scope and an
officer's, never get a server error, and every answer matches what the schema documents."""

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.models import ReponseIdempotente
from rex import services
from soprano.wsgi import application
from tests.api.conftest import document, jeton
from tests.factories import UserFactory, deposer

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


# Read once, when the module is collected (the schema reads no table). schemathesis.pytest.from_fixture
# would read it per test, but its lazy loader does not run under pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
# Unknown query parameters are ignored, as most APIs do (they are not « invalid data » here).
schema.config.generation.update(allow_extra_parameters=False)


@pytest.fixture
def wsgi_dans_la_transaction():
    """The WSGI application runs in the test's transaction: as Django's test client does, the end of a
    request must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def porteurs(db, django_settings, rendus, wsgi_dans_la_transaction):
    """A world (a granted request with a document, a request being instructed) and the tokens of its
    users: the holder's, read and write, and the officer's of its service."""
    django_settings.LIMITES = {**django_settings.LIMITES, "api": "100000/m"}
    django_settings.REX_PDF_ATTENTE_S = 0
    agent = UserFactory(agent=True)
    octroyee = services.octroyer(demande=deposer(agent.service), by=agent)
    document(octroyee)
    deposer(agent.service)
    titulaire = octroyee.created_by
    return [jeton(titulaire), jeton(titulaire, ecriture=True), jeton(agent)]


@pytest.fixture
def django_settings(settings):
    return settings


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_keeps_its_schema(case, porteurs):
    for valeur in porteurs:
        # Each example is a first try: no throttling count, no Idempotency-Key remembered from another
        # example (the same short key with another body would rightly be a 422).
        cache.clear()
        ReponseIdempotente.objects.all().delete()
        case.call_and_validate(headers={"Authorization": f"Bearer {valeur}"})


def _ecritures_verifiees_par_les_formulaires():
    """The writes name reference data by identifier (a bureau, cadres, a client) and are checked by the
    portal's forms and upload checks: a body valid for the schema may still name an unknown office, send
    a file that is not a document, or submit an incomplete draft. For them, a 400 problem (with the form's
    messages) is an expected answer to schema-valid data."""
    from schemathesis.config import ChecksConfig, OperationConfig, PositiveDataAcceptanceConfig
    from schemathesis.filters import FilterSet

    ecritures = FilterSet()
    ecritures.include(method=["POST", "PATCH", "PUT"], path_regex=r"^/api/v1/demandes/")
    attendus = [*PositiveDataAcceptanceConfig().expected_statuses, "400", "422"]
    schema.config.operations.operations.append(
        OperationConfig(
            filter_set=ecritures,
            checks=ChecksConfig(
                positive_data_acceptance=PositiveDataAcceptanceConfig(expected_statuses=attendus)
            ),
        )
    )


_ecritures_verifiees_par_les_formulaires()
