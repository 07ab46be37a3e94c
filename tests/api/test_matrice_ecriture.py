"""Who may write what through the API: every write operation (and the reference lists) × every kind of
token holder, written by hand from the rules (tests/api/test_matrice_api.py has the reads):

- no token, or a token whose user is no longer certified → 401;
- an officer's token (always read-only) gets 403 on an operator's operation;
- then the user-scoped selectors: another company's request is a 404, never a 403; so is a
  representative's draft for its holder (a draft belongs to the side that writes it);
- a write needs a token of scope « écriture »: a read-only token gets a 403, checked before the request is
  looked up (it still reads);
- the rightful holder (the holder company's operator, the representative who filed with a mandate) writes.

A representative files for three clients under mandate: A holds a registration, B's request is
« Incomplète », C's is a draft. « titulaire » is an operator of the company whose request is written.
Every request runs in a transaction rolled back: each starts from the same world.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

import pytest

from api.models import Portee
from api.services import creer_jeton
from rex import services
from tests import fichiers
from tests.api.conftest import document
from tests.api.test_schema import CHEMINS, CHEMINS_ECRITURE
from tests.factories import (
    BureauDouaneFactory,
    MandatFactory,
    UserFactory,
    demande_representee,
    soumise,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "sans_jeton",  # no Authorization header
    "titulaire",  # an operator of the request's holder company, token « écriture »
    "titulaire_lecture",  # the same, read-only token
    "representant",  # the customs representative with mandate who filed, token « écriture »
    "autre_operateur",  # an operator of another company, token « écriture »
    "agent",  # an officer of the service in charge (read-only, as every officer's token)
    "non_certifie",  # a token whose user is no longer certified
)

# (method, path, the request written: « octroyee » (A), « incomplete » (B), « brouillon » (C), or None)
OPERATIONS = {
    "creer": ("POST", "/api/v1/demandes/", "brouillon"),
    "modifier": ("PATCH", "/api/v1/demandes/{pk}/", "incomplete"),
    "remplacer": ("PUT", "/api/v1/demandes/{pk}/", "brouillon"),
    "documents": ("GET", "/api/v1/demandes/{pk}/documents/", "incomplete"),
    "documents_ajouter": ("POST", "/api/v1/demandes/{pk}/documents/", "incomplete"),
    "document_supprimer": ("DELETE", "/api/v1/demandes/{pk}/documents/{document_pk}/", "incomplete"),
    "soumettre": ("POST", "/api/v1/demandes/{pk}/soumettre/", "brouillon"),
    "complement": ("POST", "/api/v1/demandes/{pk}/complement/", "incomplete"),
    "modification": ("POST", "/api/v1/demandes/{pk}/modification/", "octroyee"),
    "bureaux": ("GET", "/api/v1/bureaux/", None),
    "cadres": ("GET", "/api/v1/cadres/", None),
    "clients": ("GET", "/api/v1/clients/", None),
}
CORPS = {
    "creer": {},
    "modifier": {"telephone": "04 72 00 00 00"},
    "remplacer": {"telephone": "04 72 00 00 00"},
    "soumettre": {},
    "complement": {"complements": "Extrait Kbis joint."},
}

# Each tuple, in the order of ROLES.
MATRICE = {
    "creer": (401, 201, 403, 201, 201, 403, 401),
    # An « Incomplète » request is the holder's and its representative's to complete (guide §6.2).
    "modifier": (401, 200, 403, 200, 404, 403, 401),
    # A draft is the representative's: its holder does not see it before it is submitted.
    "remplacer": (401, 404, 403, 200, 404, 403, 401),
    "documents": (401, 200, 200, 200, 404, 403, 401),
    "documents_ajouter": (401, 201, 403, 201, 404, 403, 401),
    "document_supprimer": (401, 204, 403, 204, 404, 403, 401),
    "soumettre": (401, 404, 403, 200, 404, 403, 401),
    "complement": (401, 200, 403, 200, 404, 403, 401),
    "modification": (401, 201, 403, 201, 404, 403, 401),
    "bureaux": (401, 200, 200, 200, 200, 200, 401),
    "cadres": (401, 200, 200, 200, 200, 200, 401),
    # An officer has no clients: an operator's operation.
    "clients": (401, 200, 200, 200, 200, 403, 401),
}


def _jeton(user, portee=Portee.ECRITURE) -> str:
    return creer_jeton(user=user, nom="ERP", portee=portee)[1]


class Monde:
    def __init__(self):
        service = BureauDouaneFactory(nom="Bureau de Lyon")
        agent = UserFactory(service=service)
        representant = UserFactory(representant=True)
        clients = [MandatFactory(representant=representant.entreprise).represente for _ in range(3)]
        octroyee = soumise(demande_representee(representant, clients[0], bureau=service))
        incomplete = soumise(demande_representee(representant, clients[1], bureau=service))
        self.demandes = {
            "octroyee": services.octroyer(demande=octroyee, by=agent),
            "incomplete": services.demander_complement(demande=incomplete, by=agent, texte="Le Kbis."),
            "brouillon": demande_representee(representant, clients[2], bureau=service),
        }
        self.document = document(self.demandes["incomplete"])
        ancien = UserFactory(habilite=True, entreprise=clients[1])
        self.jetons = {"sans_jeton": None, "representant": _jeton(representant)}
        self.jetons["autre_operateur"] = _jeton(UserFactory(habilite=True))
        self.jetons["agent"] = _jeton(agent, Portee.LECTURE)
        self.jetons["non_certifie"] = _jeton(ancien)
        for cle, client in zip(("octroyee", "incomplete", "brouillon"), clients, strict=True):
            titulaire = UserFactory(habilite=True, entreprise=client)
            self.jetons[("titulaire", cle)] = _jeton(titulaire)
            self.jetons[("titulaire_lecture", cle)] = _jeton(titulaire, Portee.LECTURE)
        type(ancien).objects.filter(pk=ancien.pk).update(certifie_le=None)

    def jeton(self, role: str, operation: str):
        cle = OPERATIONS[operation][2] or "octroyee"
        return self.jetons.get((role, cle), self.jetons.get(role))

    def url(self, operation: str) -> str:
        _, chemin, cle = OPERATIONS[operation]
        pk = self.demandes[cle].pk if cle else 0
        return chemin.format(pk=pk, document_pk=self.document.pk)


@pytest.fixture(scope="module")
def monde(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield Monde()
        transaction.set_rollback(True)


def test_every_write_of_the_schema_has_its_row():
    chemins = {chemin.replace("{pk}", "{id}") for _, chemin, _ in OPERATIONS.values()}
    assert chemins - CHEMINS == CHEMINS_ECRITURE
    assert set(MATRICE) == set(OPERATIONS) and all(len(ligne) == len(ROLES) for ligne in MATRICE.values())


def _appel(client, operation: str, url: str, entetes: dict):
    methode = OPERATIONS[operation][0]
    if operation == "documents_ajouter":
        fichier = SimpleUploadedFile("fiche.pdf", fichiers.pdf_simple())
        return client.post(url, {"nom": "Fiche produit", "fichier": fichier}, headers=entetes)
    if methode in ("GET", "DELETE"):
        return getattr(client, methode.lower())(url, headers=entetes)
    return getattr(client, methode.lower())(
        url, CORPS.get(operation, {}), content_type="application/json", headers=entetes
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_matrice_ecriture(monde, client, operation, role):
    attendu = MATRICE[operation][ROLES.index(role)]
    valeur = monde.jeton(role, operation)
    entetes = {"Authorization": f"Bearer {valeur}"} if valeur else {}
    cle = OPERATIONS[operation][2]
    with transaction.atomic():
        avant = monde.demandes[cle].__class__.objects.get(pk=monde.demandes[cle].pk) if cle else None
        response = _appel(client, operation, monde.url(operation), entetes)
        apres = avant.__class__.objects.get(pk=avant.pk) if cle else None
        transaction.set_rollback(True)
    assert response.status_code == attendu, f"{operation} as {role}: {response.status_code}"
    if attendu >= 400:
        assert response["Content-Type"] == "application/problem+json"
        if cle:
            assert (apres.statut, apres.updated_at, apres.telephone) == (
                avant.statut,
                avant.updated_at,
                avant.telephone,
            ), "a refused write changes nothing"


def test_the_world_is_as_described(monde):
    assert monde.demandes["octroyee"].statut == "octroyee"
    assert monde.demandes["incomplete"].statut == "incomplete"
    assert monde.demandes["brouillon"].statut == "brouillon"
    assert monde.demandes["incomplete"].date_limite > timezone.now()
