"""Fixtures of the API tests: tokens of each kind of user, and a client that sends them."""

from django.core.files.base import ContentFile

import pytest

from api.models import Portee
from api.services import creer_jeton
from rex import pdf, services
from rex.models import Document
from tests.factories import MandatFactory, UserFactory, demande_representee, soumise


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


FAUX_PDF = b"%PDF-1.7\n% rendu factice\n"


@pytest.fixture
def rendus(monkeypatch):
    """WeasyPrint replaced by a counter of renders (a render takes about a second)."""
    appels = []

    def rendre_pdf(html):
        appels.append(html)
        return FAUX_PDF

    monkeypatch.setattr(pdf, "rendre_pdf", rendre_pdf)
    return appels


@pytest.fixture
def octroyee(deposee, agent):
    """`deposee` granted by the officer of its service: a REX registration."""
    return services.octroyer(demande=deposee, by=agent)


def document(demande, nom: str = "Statuts"):
    return Document.objects.create(
        demande=demande,
        nom=nom,
        fichier=ContentFile(b"%PDF-1.4 test", name="statuts.pdf"),
        nom_original="statuts.pdf",
        type_mime="application/pdf",
        taille=13,
        ajoute_par=demande.created_by,
    )
