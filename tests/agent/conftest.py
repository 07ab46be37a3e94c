"""Fixtures of the back-office tests: a colleague of the officer, the officer logged in."""

import pytest

# The agent tests import these helpers from here (the shared fixtures are in tests/conftest.py).
from tests.factories import (
    UserFactory,
    deposer,  # noqa: F401
)
from tests.pages import messages_de  # noqa: F401
from tests.pages import page as texte  # noqa: F401


@pytest.fixture
def collegue(service):
    return UserFactory(service=service, first_name="Marie", last_name="Collègue")


@pytest.fixture
def client_agent(client, agent):
    client.force_login(agent)
    return client
