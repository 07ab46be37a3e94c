"""Fixtures of the back-office tests: submitted requests (through services.soumettre) and officers."""

import html

from django.contrib.messages import get_messages

import pytest

from rex import services
from tests.factories import BureauDouaneFactory, DemandeFactory, UserFactory


def deposer(bureau=None, **kwargs):
    """A complete request submitted to `bureau` (a new service when None): « En étude »."""
    demande = DemandeFactory(complete=True, **({"bureau": bureau} if bureau else {}), **kwargs)
    return services.soumettre(demande=demande, by=demande.created_by)


def texte(response) -> str:
    """The page as the user reads it (entities decoded)."""
    return html.unescape(response.content.decode())


def messages_de(response) -> list[str]:
    return [html.unescape(str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def service():
    return BureauDouaneFactory(nom="Bureau de Lyon")


@pytest.fixture
def deposee(service):
    return deposer(service)


@pytest.fixture
def agent(service):
    return UserFactory(service=service, first_name="Paul", last_name="Agent")


@pytest.fixture
def collegue(service):
    return UserFactory(service=service, first_name="Marie", last_name="Collègue")


@pytest.fixture
def client_agent(client, agent):
    client.force_login(agent)
    return client
