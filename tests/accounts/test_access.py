"""The portal decorators the REX views use (accounts.access)."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404, HttpResponse
from django.test import RequestFactory

import pytest

from accounts import access
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _vue(request):
    return HttpResponse("ok")


def _appeler(decorateur, user):
    request = RequestFactory().get("/soprano/rex/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return decorateur(_vue)(request), request


@pytest.mark.parametrize("decorateur", [access.operateur_habilite_required, access.agent_required])
def test_anonymous_goes_to_login(decorateur):
    response, _ = _appeler(decorateur, AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == "/compte/connexion/?next=/soprano/rex/"


def test_operateur_habilite_required_lets_habilitated_operator_in():
    response, _ = _appeler(access.operateur_habilite_required, UserFactory(habilite=True))
    assert response.content == b"ok"


def test_operateur_habilite_required_lets_representative_in():
    response, _ = _appeler(access.operateur_habilite_required, UserFactory(representant=True))
    assert response.content == b"ok"


def test_operateur_habilite_required_sends_officer_to_back_office():
    response, request = _appeler(access.operateur_habilite_required, UserFactory(agent=True))
    assert response["Location"] == "/agent/"
    assert [str(m) for m in request._messages] == [access.MESSAGE_AGENT]


def test_operateur_habilite_required_not_certified_goes_to_dashboard():
    response, request = _appeler(access.operateur_habilite_required, UserFactory())
    assert response["Location"] == "/tableau-de-bord/"
    assert [str(m) for m in request._messages] == [access.MESSAGE_NON_CERTIFIE]


def test_operateur_habilite_required_not_habilitated_goes_to_soprano_home():
    response, request = _appeler(access.operateur_habilite_required, UserFactory(certifie=True))
    assert response["Location"] == "/soprano/"
    assert [str(m) for m in request._messages] == [access.MESSAGE_NON_HABILITE]


def test_agent_required_lets_officer_in():
    response, _ = _appeler(access.agent_required, UserFactory(agent=True))
    assert response.content == b"ok"


@pytest.mark.parametrize("traits", [{}, {"habilite": True}, {"is_staff": True}])
def test_agent_required_is_404_for_everyone_else(traits):
    with pytest.raises(Http404):
        _appeler(access.agent_required, UserFactory(**traits))


def test_predicates():
    assert access.peut_acceder_soprano(UserFactory(habilite=True))
    assert not access.peut_acceder_soprano(UserFactory(certifie=True))
    assert not access.peut_acceder_soprano(AnonymousUser())
    assert access.peut_demander_habilitation(UserFactory(certifie=True))
    assert not access.peut_demander_habilitation(UserFactory(habilite=True))
    assert not access.peut_demander_habilitation(UserFactory())
    assert access.est_agent(UserFactory(agent=True))
