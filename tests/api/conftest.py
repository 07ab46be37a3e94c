"""Fixtures of the API tests: tokens of each kind of user, and a client that sends them."""

import pytest

from api.models import Portee
from api.services import creer_jeton
from tests.factories import MandatFactory, UserFactory, demande_representee, deposer, soumise


def jeton(user, *, ecriture: bool = False, jours: int = 90) -> str:
    """A new token of `user` (its value, as the user copies it)."""
    return creer_jeton(
        user=user, nom="ERP", portee=Portee.ECRITURE if ecriture else Portee.LECTURE, jours=jours
    )[1]


def entetes(valeur: str | None) -> dict:
    return {"Authorization": f"Bearer {valeur}"} if valeur else {}


class Api:
    """The test client, with a token."""

    def __init__(self, client, valeur: str | None):
        self.client, self.valeur = client, valeur

    def get(self, url, data=None, **kwargs):
        return self.client.get(
            url, data, headers={**entetes(self.valeur), **kwargs.pop("headers", {})}, **kwargs
        )

    def post(self, url, data=None, **kwargs):
        return self.client.post(
            url,
            data,
            content_type=kwargs.pop("content_type", "application/json"),
            headers={**entetes(self.valeur), **kwargs.pop("headers", {})},
            **kwargs,
        )


@pytest.fixture
def api_de(client):
    """api_de(user, ecriture=False) → an Api client holding a new token of `user`."""

    def creer(user, **kwargs) -> Api:
        return Api(client, jeton(user, **kwargs) if user is not None else None)

    return creer


@pytest.fixture
def titulaire(deposee):
    """The holder operator who filed `deposee`."""
    return deposee.created_by


@pytest.fixture
def representation(service):
    """A customs representative, his client under mandate and a request he filed for it."""
    representant = UserFactory(representant=True)
    client = MandatFactory(representant=representant.entreprise).represente
    demande = soumise(demande_representee(representant, client, bureau=service))
    return representant, client, demande


__all__ = ["deposer"]
