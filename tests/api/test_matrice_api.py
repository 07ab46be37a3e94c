"""Who reaches what through the API: every operation × every kind of token holder, written by hand from
the rules (tests/test_matrice_urls.py has the pages' matrix, where a browser's session gets a 401):

- no token, or a token that no longer works (revoked, expired, its user no longer certified) → 401;
- the side: an operator's operations answer 403 to an officer (who has his queue), the officers'
  operations 404 to anyone else (the back-office is not shown, as on the portal);
- then the user-scoped selectors: another company's request, another service's, is a 404, never a 403;
- a write needs a token of scope « écriture »: a read-only token gets a 403;
- the rightful holder: the operator holder, the representative with mandate who filed, the officer of
  the service in charge.

Every refused request changes nothing (no message written).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

import pytest

from api.models import JetonApi, Portee
from api.services import creer_jeton, revoquer_jeton
from rex import services
from rex.models import Message
from tests.api.conftest import document
from tests.api.test_schema import CHEMINS
from tests.factories import (
    BureauDouaneFactory,
    ChapitreFactory,
    MandatFactory,
    PositionTarifaireFactory,
    UserFactory,
    demande_representee,
    soumise,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "sans_jeton",  # no Authorization header
    "titulaire",  # an operator of the holder company, token « écriture »
    "titulaire_lecture",  # the same, read-only token
    "representant",  # the customs representative with mandate who filed, token « écriture »
    "autre_operateur",  # an operator of another company, token « écriture »
    "agent",  # an officer of the service in charge (read-only, as every officer's token)
    "agent_autre_service",  # an officer of another service
    "non_certifie",  # a token whose user is no longer certified
    "revoque",  # the holder's token, revoked
    "expire",  # the holder's token, expired
)

# (method, URL name in api:, the request's path arguments)
OPERATIONS = {
    "moi": ("GET", "/api/v1/moi/"),
    "demandes": ("GET", "/api/v1/demandes/"),
    "demande": ("GET", "/api/v1/demandes/{pk}/"),
    "messages": ("POST", "/api/v1/demandes/{pk}/messages/"),
    "document": ("GET", "/api/v1/demandes/{pk}/documents/{document_pk}/"),
    "autorisation": ("GET", "/api/v1/demandes/{pk}/autorisation.pdf"),
    "nomenclature": ("GET", "/api/v1/nomenclature/?q=vins"),
    "agent_file": ("GET", "/api/v1/agent/file/"),
    "agent_demande": ("GET", "/api/v1/agent/demandes/{pk}/"),
    "agent_document": ("GET", "/api/v1/agent/demandes/{pk}/documents/{document_pk}/"),
    "agent_autorisation": ("GET", "/api/v1/agent/demandes/{pk}/autorisation.pdf"),
}

NON = (401,) * 3  # non_certifie, revoque, expire
# Each tuple, in the order of ROLES.
MATRICE = {
    "moi": (401, 200, 200, 200, 200, 200, 200, *NON),
    "demandes": (401, 200, 200, 200, 200, 403, 403, *NON),
    "demande": (401, 200, 200, 200, 404, 403, 403, *NON),
    "messages": (401, 201, 403, 201, 404, 403, 403, *NON),
    "document": (401, 200, 200, 200, 404, 403, 403, *NON),
    "autorisation": (401, 200, 200, 200, 404, 403, 403, *NON),
    "nomenclature": (401, 200, 200, 200, 200, 200, 200, *NON),
    "agent_file": (401, 404, 404, 404, 404, 200, 200, *NON),
    "agent_demande": (401, 404, 404, 404, 404, 200, 404, *NON),
    "agent_document": (401, 404, 404, 404, 404, 200, 404, *NON),
    "agent_autorisation": (401, 404, 404, 404, 404, 200, 404, *NON),
}


def _jeton(user, portee=Portee.ECRITURE) -> str:
    return creer_jeton(user=user, nom="ERP", portee=portee)[1]


class Monde:
    """A registration filed by a representative for his client, granted; the tokens of every role."""

    def __init__(self):
        service = BureauDouaneFactory(nom="Bureau de Lyon")
        agent = UserFactory(service=service)
        representant = UserFactory(representant=True)
        client = MandatFactory(representant=representant.entreprise).represente
        demande = soumise(demande_representee(representant, client, bureau=service))
        self.demande = services.octroyer(demande=demande, by=agent)
        self.document = document(self.demande)
        PositionTarifaireFactory(chapitre=ChapitreFactory())
        titulaire = UserFactory(habilite=True, entreprise=client)
        ancien = UserFactory(habilite=True, entreprise=client)
        self.jetons = {
            "sans_jeton": None,
            "titulaire": _jeton(titulaire),
            "titulaire_lecture": _jeton(titulaire, Portee.LECTURE),
            "representant": _jeton(representant),
            "autre_operateur": _jeton(UserFactory(habilite=True)),
            "agent": _jeton(agent, Portee.LECTURE),
            "agent_autre_service": _jeton(UserFactory(agent=True), Portee.LECTURE),
            "non_certifie": _jeton(ancien),
            "revoque": _jeton(titulaire),
            "expire": _jeton(titulaire),
        }
        type(ancien).objects.filter(pk=ancien.pk).update(certifie_le=None)
        revoquer_jeton(jeton=JetonApi.objects.order_by("-pk")[1], by=titulaire)
        JetonApi.objects.filter(pk=JetonApi.objects.order_by("-pk")[0].pk).update(
            expire_le=timezone.localdate() - timedelta(days=1)
        )

    def url(self, operation: str) -> str:
        return OPERATIONS[operation][1].format(pk=self.demande.pk, document_pk=self.document.pk)


@pytest.fixture(scope="module")
def monde(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield Monde()
        transaction.set_rollback(True)


def test_every_operation_of_the_schema_has_its_row():
    assert {chemin.split("?")[0].replace("{pk}", "{id}") for _, chemin in OPERATIONS.values()} == CHEMINS
    assert set(MATRICE) == set(OPERATIONS) and all(len(ligne) == len(ROLES) for ligne in MATRICE.values())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_matrice_api(monde, client, rendus, operation, role):
    methode, _ = OPERATIONS[operation]
    attendu = MATRICE[operation][ROLES.index(role)]
    valeur = monde.jetons[role]
    entetes = {"Authorization": f"Bearer {valeur}"} if valeur else {}
    messages = Message.objects.count()
    with transaction.atomic():
        if methode == "GET":
            response = client.get(monde.url(operation), headers=entetes)
        else:
            response = client.post(
                monde.url(operation), {"texte": "Bonjour"}, content_type="application/json", headers=entetes
            )
        if response.streaming:
            b"".join(response.streaming_content)
        ecrit = Message.objects.count() - messages
        transaction.set_rollback(True)
    assert response.status_code == attendu, f"{methode} {operation} as {role}: {response.status_code}"
    if attendu >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert ecrit == 0
    assert ecrit == (1 if attendu == 201 else 0)
