"""Every error is an RFC 9457 problem (application/problem+json), in French; the limit per token."""

from django.core.signals import got_request_exception

import pytest
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db

CHAMPS = {"type", "title", "status", "detail", "instance"}


def est_un_probleme(response, status: int, kind: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    corps = response.json()
    assert set(corps) >= CHAMPS
    assert corps["status"] == status and corps["type"] == f"urn:soprano-rex:probleme:{kind}"
    assert corps["instance"] == response.wsgi_request.path
    return corps


def test_400_names_each_invalid_field(api_de, deposee, titulaire):
    response = api_de(titulaire, ecriture=True).post(
        f"/api/v1/demandes/{deposee.pk}/messages/", {"texte": ""}
    )
    corps = est_un_probleme(response, 400, "requete-invalide")
    assert corps["errors"] == {"texte": ["Ce champ ne peut être vide."]}
    assert corps["title"] == "Requête invalide"


def test_400_on_a_body_that_is_not_json(api_de, deposee, titulaire):
    response = api_de(titulaire, ecriture=True).post(
        f"/api/v1/demandes/{deposee.pk}/messages/", "{pas du json", content_type="application/json"
    )
    est_un_probleme(response, 400, "requete-invalide")


def test_401_without_a_token(client):
    corps = est_un_probleme(client.get("/api/v1/demandes/"), 401, "authentification")
    assert corps["title"] == "Authentification requise"


def test_403_a_read_only_token_on_a_write(api_de, deposee, titulaire):
    response = api_de(titulaire).post(f"/api/v1/demandes/{deposee.pk}/messages/", {"texte": "Bonjour"})
    corps = est_un_probleme(response, 403, "acces-refuse")
    assert "lecture seule" in corps["detail"]


def test_404_another_companys_request_and_unknown_paths(api_de, deposee):
    api = api_de(UserFactory(habilite=True))
    est_un_probleme(api.get(f"/api/v1/demandes/{deposee.pk}/"), 404, "introuvable")
    est_un_probleme(api.get("/api/v1/demandes/999999/"), 404, "introuvable")
    est_un_probleme(api.get("/api/v1/inconnu/"), 404, "introuvable")
    est_un_probleme(api.post("/api/v1/inconnu/", {}), 404, "introuvable")
    est_un_probleme(api.get("/api/v1/demandes/abc/"), 404, "introuvable")


def test_405_the_wrong_method(api_de, titulaire):
    api = api_de(titulaire, ecriture=True)
    corps = est_un_probleme(api.post("/api/v1/moi/", {}), 405, "methode")
    assert "POST" in corps["detail"]
    est_un_probleme(
        api.client.delete("/api/v1/moi/", headers={"Authorization": f"Bearer {api.valeur}"}), 405, "methode"
    )


def test_409_a_message_on_an_abandoned_request(api_de, titulaire):
    brouillon = DemandeFactory(created_by=titulaire)
    response = api_de(titulaire, ecriture=True).post(
        f"/api/v1/demandes/{brouillon.pk}/messages/", {"texte": "Bonjour"}
    )
    corps = est_un_probleme(response, 409, "conflit")
    assert "Brouillon" in corps["detail"]


def test_429_past_the_limit_per_token_with_retry_after(api_de, titulaire, settings):
    settings.LIMITES = {**settings.LIMITES, "api": "2/m"}
    api = api_de(titulaire)
    assert [api.get("/api/v1/moi/").status_code for _ in range(2)] == [200, 200]
    response = api.get("/api/v1/moi/")
    corps = est_un_probleme(response, 429, "limite")
    assert 0 < int(response["Retry-After"]) <= 60
    assert corps["title"] == "Trop de requêtes"
    # Another token counts its own requests.
    assert api_de(titulaire).get("/api/v1/moi/").status_code == 200


class Panne(APIView):
    """A view that fails: what an unexpected error becomes."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get(self, request):
        raise RuntimeError("détail interne à ne pas montrer")


def test_500_is_a_problem_reported_like_any_server_error():
    signaux = []

    def noter(sender, request=None, **kwargs):
        signaux.append(request)

    got_request_exception.connect(noter)
    try:
        response = Panne.as_view()(APIRequestFactory().get("/api/v1/panne/"))
        response.render()
    finally:
        got_request_exception.disconnect(noter)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.data["type"] == "urn:soprano-rex:probleme:erreur-interne"
    assert "détail interne" not in response.content.decode()
    assert len(signaux) == 1 and signaux[0].path == "/api/v1/panne/"


def test_406_when_json_is_not_accepted(api_de, titulaire):
    response = api_de(titulaire).get("/api/v1/moi/", headers={"Accept": "text/html"})
    est_un_probleme(response, 406, "format")


def test_415_a_body_that_is_not_json(api_de, deposee, titulaire):
    response = api_de(titulaire, ecriture=True).post(
        f"/api/v1/demandes/{deposee.pk}/messages/",
        "texte=Bonjour",
        content_type="application/x-www-form-urlencoded",
    )
    est_un_probleme(response, 415, "type-contenu")
