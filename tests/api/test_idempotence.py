"""`Idempotency-Key`: the first answer replayed, a different body refused, only successes remembered.

The decorator is tested on a view of its own (the next create endpoint uses it the same way), then on
the message endpoint."""

import itertools
from datetime import timedelta

from django.utils import timezone

import pytest
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from api.idempotence import idempotent
from api.models import ReponseIdempotente
from rex.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPTEUR = itertools.count(1)


class Creation(APIView):
    """Creates a numbered thing; fails when asked to."""

    permission_classes = [IsAuthenticated]
    throttle_classes = []
    crees: list = []

    @idempotent
    def post(self, request):
        if request.data.get("echec"):
            return Response({"detail": "refusé"}, status=400)
        if request.data.get("panne"):
            raise RuntimeError("panne")
        numero = next(COMPTEUR)
        self.crees.append(numero)
        return Response({"numero": numero}, status=201, headers={"Location": f"/choses/{numero}/"})


def appeler(user, corps: dict, cle: str | None = "cle-1", path: str = "/choses/"):
    entetes = {"HTTP_IDEMPOTENCY_KEY": cle} if cle is not None else {}
    requete = APIRequestFactory().post(path, corps, format="json", **entetes)
    force_authenticate(requete, user=user)
    response = Creation.as_view()(requete)
    if hasattr(response, "render"):
        response.render()
    return response


@pytest.fixture(autouse=True)
def _vide():
    Creation.crees.clear()


def test_the_same_key_replays_the_first_answer():
    user = UserFactory(habilite=True)
    premiere = appeler(user, {"nom": "a"})
    seconde = appeler(user, {"nom": "a"})
    assert premiere.status_code == seconde.status_code == 201
    assert seconde.content == premiere.content
    assert seconde["Location"] == premiere["Location"]
    assert seconde["Idempotent-Replayed"] == "true" and not premiere.has_header("Idempotent-Replayed")
    assert len(Creation.crees) == 1


def test_the_same_key_with_another_body_is_a_422():
    user = UserFactory(habilite=True)
    appeler(user, {"nom": "a"})
    response = appeler(user, {"nom": "b"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert len(Creation.crees) == 1


def test_the_same_key_on_another_url_is_a_422():
    user = UserFactory(habilite=True)
    appeler(user, {"nom": "a"})
    assert appeler(user, {"nom": "a"}, path="/autres/").status_code == 422


def test_keys_belong_to_their_user():
    appeler(UserFactory(habilite=True), {"nom": "a"})
    response = appeler(UserFactory(habilite=True), {"nom": "a"})
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert len(Creation.crees) == 2


def test_without_a_key_each_request_creates():
    user = UserFactory(habilite=True)
    appeler(user, {"nom": "a"}, cle=None)
    appeler(user, {"nom": "a"}, cle=None)
    assert len(Creation.crees) == 2 and not ReponseIdempotente.objects.exists()


def test_an_error_is_not_remembered():
    user = UserFactory(habilite=True)
    assert appeler(user, {"echec": True}).status_code == 400
    assert appeler(user, {"panne": True}, cle="cle-2").status_code == 500
    assert not ReponseIdempotente.objects.exists()
    assert appeler(user, {"nom": "a"}).status_code == 201


def test_a_request_still_being_processed_is_a_409():
    user = UserFactory(habilite=True)
    premiere = appeler(user, {"nom": "a"})
    ReponseIdempotente.objects.update(statut=None)
    response = appeler(user, {"nom": "a"})
    assert premiere.status_code == 201 and response.status_code == 409
    assert response["Retry-After"] == "1"


@pytest.mark.parametrize("cle", ["", "x" * 256, "clé"])
def test_an_invalid_key_is_a_400(cle):
    response = appeler(UserFactory(habilite=True), {"nom": "a"}, cle=cle)
    assert response.status_code == 400
    assert list(response.data["errors"]) == ["Idempotency-Key"]
    assert not Creation.crees


def test_a_message_sent_twice_with_the_same_key_is_written_once(api_de, deposee, titulaire, mailoutbox):
    api = api_de(titulaire, ecriture=True)
    url = f"/api/v1/demandes/{deposee.pk}/messages/"
    entetes = {"Idempotency-Key": "3f1c2a9e-message-1"}
    premiere = api.post(url, {"texte": "Les statuts sont joints."}, headers=entetes)
    seconde = api.post(url, {"texte": "Les statuts sont joints."}, headers=entetes)
    assert premiere.status_code == seconde.status_code == 201
    assert seconde.json() == premiere.json()
    assert seconde["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(demande=deposee).count() == 1
    autre = api.post(url, {"texte": "Autre chose."}, headers=entetes)
    assert autre.status_code == 422
    assert Message.objects.filter(demande=deposee).count() == 1


def test_a_first_request_lost_long_ago_frees_its_key():
    user = UserFactory(habilite=True)
    appeler(user, {"nom": "a"})
    ReponseIdempotente.objects.update(statut=None, created_at=timezone.now() - timedelta(minutes=6))
    response = appeler(user, {"nom": "a"})
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert len(Creation.crees) == 2


def test_a_key_is_remembered_24_hours():
    user = UserFactory(habilite=True)
    appeler(user, {"nom": "a"})
    ReponseIdempotente.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert appeler(user, {"nom": "b"}).status_code == 201
