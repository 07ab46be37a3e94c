"""The read endpoints: the same requests, rows and actions as the portal's pages, at constant queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from rex import pdf, services
from rex.models import Evenement, Message, Statut
from tests.api.conftest import FAUX_PDF, document
from tests.factories import (
    ChapitreFactory,
    DemandeFactory,
    MandatFactory,
    PositionTarifaireFactory,
    UserFactory,
    demande_representee,
    deposer,
    soumise,
)

pytestmark = pytest.mark.django_db


def requetes(appel) -> tuple[int, object]:
    """(number of queries, response) of one call."""
    with CaptureQueriesContext(connection) as contexte:
        response = appel()
    return len(contexte.captured_queries), response


# ------------------------------------------------------------------ operators' list
def test_the_list_holds_the_companys_requests_only(api_de, deposee, titulaire, service):
    autre = deposer(service)
    response = api_de(titulaire).get("/api/v1/demandes/")
    assert response.status_code == 200
    ids = [d["id"] for d in response.json()["resultats"]]
    assert ids == [deposee.pk] and autre.pk not in ids
    ligne = response.json()["resultats"][0]
    assert ligne["numero"] == deposee.numero and ligne["statut"] == "en_etude"
    assert ligne["statut_libelle"] == "En étude"
    assert ligne["url"] == f"http://testserver/api/v1/demandes/{deposee.pk}/"


def test_the_list_gives_the_rex_number_and_its_validity(api_de, octroyee):
    ligne = api_de(octroyee.created_by).get("/api/v1/demandes/").json()["resultats"][0]
    assert ligne["numero_rex"] == octroyee.numero_rex and ligne["numero_rex"].startswith("FRREX")
    assert ligne["date_validite"] == octroyee.date_validite.isoformat()
    assert ligne["statut"] == "octroyee"


def test_the_list_filters_by_statut_and_q(api_de, titulaire, deposee):
    brouillon = DemandeFactory(created_by=titulaire)
    api = api_de(titulaire)
    assert {d["id"] for d in api.get("/api/v1/demandes/").json()["resultats"]} == {deposee.pk, brouillon.pk}
    filtree = api.get("/api/v1/demandes/", {"statut": "brouillon"}).json()["resultats"]
    assert [d["id"] for d in filtree] == [brouillon.pk]
    par_numero = api.get("/api/v1/demandes/", {"q": deposee.numero[:12]}).json()["resultats"]
    assert [d["id"] for d in par_numero] == [deposee.pk]


def test_a_representative_filters_by_client(api_de, representation, service):
    representant, client, demande = representation
    autre_client = MandatFactory(representant=representant.entreprise).represente
    autre = soumise(demande_representee(representant, autre_client, bureau=service))
    api = api_de(representant)
    tout = api.get("/api/v1/demandes/").json()["resultats"]
    assert {d["id"] for d in tout} == {demande.pk, autre.pk}
    filtree = api.get("/api/v1/demandes/", {"client": client.eori}).json()["resultats"]
    assert [d["id"] for d in filtree] == [demande.pk]
    assert filtree[0]["representant"]["eori"] == representant.entreprise.eori


def test_an_unknown_statut_is_a_400_problem(api_de, titulaire):
    response = api_de(titulaire).get("/api/v1/demandes/", {"statut": "perdue"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == ["statut"]


def test_the_list_costs_the_same_for_1_and_50_requests(api_de):
    user = UserFactory(habilite=True)
    DemandeFactory(created_by=user)
    api = api_de(user)
    api.get("/api/v1/demandes/")  # the last use, written once a minute
    une, response = requetes(lambda: api.get("/api/v1/demandes/", {"taille": 100}))
    assert len(response.json()["resultats"]) == 1
    DemandeFactory.create_batch(49, created_by=user)
    cinquante, response = requetes(lambda: api.get("/api/v1/demandes/", {"taille": 100}))
    assert len(response.json()["resultats"]) == 50
    assert cinquante == une <= 4


# ------------------------------------------------------------------ one request
def test_a_request_with_its_history_documents_thread_and_actions(api_de, deposee, titulaire, agent):
    piece = document(deposee)
    services.ecrire(demande=deposee, by=agent, texte="Votre demande est à l'étude.")
    response = api_de(titulaire).get(f"/api/v1/demandes/{deposee.pk}/")
    assert response.status_code == 200
    donnees = response.json()
    assert [e["kind"] for e in donnees["evenements"]] == ["soumission", "message"]
    assert donnees["messages"] == [
        {
            "id": Message.objects.get().pk,
            "created_at": donnees["messages"][0]["created_at"],
            "cote": "service",
            "texte": "Votre demande est à l'étude.",
        }
    ]
    assert donnees["documents"][0]["url"] == (
        f"http://testserver/api/v1/demandes/{deposee.pk}/documents/{piece.pk}/"
    )
    assert {a["nom"] for a in donnees["actions"]} == {"abandonner", "ecrire_operateur"}
    assert donnees["contacts"][0]["nom"] == "Durand"
    assert donnees["marchandises"] == [{"code": "2204", "description": "Vins rouges"}]
    assert donnees["autorisation_pdf"] is None


def test_another_companys_request_is_a_404(api_de, deposee):
    response = api_de(UserFactory(habilite=True)).get(f"/api/v1/demandes/{deposee.pk}/")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:soprano-rex:probleme:introuvable"


def test_a_request_costs_the_same_for_1_and_50_rows(api_de, deposee, titulaire, agent):
    api = api_de(titulaire)
    url = f"/api/v1/demandes/{deposee.pk}/"
    api.get(url)

    def ajouter(n):
        for _ in range(n):
            document(deposee)
        Message.objects.bulk_create(
            Message(demande=deposee, auteur=agent, cote=Message.Cote.SERVICE, texte="Bonjour")
            for _ in range(n)
        )
        Evenement.objects.bulk_create(
            Evenement(demande=deposee, acteur=agent, kind=Evenement.Kind.MESSAGE, commentaire="Bonjour")
            for _ in range(n)
        )

    ajouter(1)
    une, response = requetes(lambda: api.get(url))
    assert len(response.json()["messages"]) == 1
    ajouter(49)
    cinquante, response = requetes(lambda: api.get(url))
    assert len(response.json()["documents"]) == len(response.json()["messages"]) == 50
    assert cinquante == une


# ------------------------------------------------------------------ downloads
def test_download_a_document(api_de, deposee, titulaire):
    piece = document(deposee)
    response = api_de(titulaire).get(
        f"/api/v1/demandes/{deposee.pk}/documents/{piece.pk}/", headers={"Accept": "application/pdf"}
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"


def test_a_document_of_another_request_is_a_404(api_de, deposee, service):
    autre = deposer(service)
    piece = document(autre)
    response = api_de(deposee.created_by).get(f"/api/v1/demandes/{deposee.pk}/documents/{piece.pk}/")
    assert response.status_code == 404
    response = api_de(deposee.created_by).get(f"/api/v1/demandes/{autre.pk}/documents/{piece.pk}/")
    assert response.status_code == 404


def test_download_the_registration_pdf(api_de, octroyee, rendus):
    response = api_de(octroyee.created_by).get(
        f"/api/v1/demandes/{octroyee.pk}/autorisation.pdf", headers={"Accept": "application/pdf"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == FAUX_PDF
    detail = api_de(octroyee.created_by).get(f"/api/v1/demandes/{octroyee.pk}/").json()
    assert detail["autorisation_pdf"] == f"http://testserver/api/v1/demandes/{octroyee.pk}/autorisation.pdf"


def test_the_pdf_being_generated_is_a_202_with_retry_after(api_de, octroyee, rendus, monkeypatch, settings):
    settings.REX_PDF_ATTENTE_S = 0
    demandes = []
    monkeypatch.setattr(pdf, "demander_generation", lambda *args: demandes.append(args) or True)
    response = api_de(octroyee.created_by).get(f"/api/v1/demandes/{octroyee.pk}/autorisation.pdf")
    assert response.status_code == 202
    assert response["Retry-After"] == str(pdf.RAFRAICHIR_S)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:soprano-rex:probleme:generation-en-cours"
    assert len(demandes) == 1 and rendus == []


def test_the_pdf_of_a_request_not_granted_is_a_409(api_de, deposee, titulaire):
    response = api_de(titulaire).get(f"/api/v1/demandes/{deposee.pk}/autorisation.pdf")
    assert response.status_code == 409
    assert "octroyé" in response.json()["detail"]


# ------------------------------------------------------------------ nomenclature
def test_search_the_nomenclature(api_de, titulaire):
    PositionTarifaireFactory(chapitre=ChapitreFactory())
    api = api_de(titulaire)
    assert api.get("/api/v1/nomenclature/", {"q": "vins"}).json() == [
        {
            "code": "2204",
            "libelle": "Vins de raisins frais, y compris les vins enrichis en alcool",
            "kind": "position",
        }
    ]
    assert [r["code"] for r in api.get("/api/v1/nomenclature/", {"q": "22"}).json()] == ["22", "2204"]
    assert api.get("/api/v1/nomenclature/", {"q": "v"}).json() == []
    assert api.get("/api/v1/nomenclature/").status_code == 400


# ------------------------------------------------------------------ officers
def test_the_officers_queue_and_filters(api_de, agent, deposee, service):
    incomplete = services.demander_complement(demande=deposer(service), by=agent, texte="Les statuts.")
    deposer()  # another service's
    api = api_de(agent)
    tout = api.get("/api/v1/agent/file/").json()["resultats"]
    assert {d["id"] for d in tout} == {deposee.pk, incomplete.pk}
    assert tout[0]["url"].startswith("http://testserver/api/v1/agent/demandes/")
    filtree = api.get("/api/v1/agent/file/", {"statut": "incomplete"}).json()["resultats"]
    assert [d["id"] for d in filtree] == [incomplete.pk]
    par_echeance = api.get("/api/v1/agent/file/", {"tri": "echeance"}).json()["resultats"]
    assert [d["id"] for d in par_echeance] == [incomplete.pk, deposee.pk]
    assert api.get("/api/v1/agent/file/", {"agent": "quelquun"}).status_code == 400
    assert api.get("/api/v1/agent/file/", {"statut": Statut.BROUILLON}).status_code == 400


def test_the_queue_costs_the_same_for_1_and_50_requests(api_de, agent, service):
    deposer(service)
    api = api_de(agent)
    api.get("/api/v1/agent/file/")
    une, response = requetes(lambda: api.get("/api/v1/agent/file/", {"taille": 100}))
    assert len(response.json()["resultats"]) == 1
    for _ in range(49):
        deposer(service)
    cinquante, response = requetes(lambda: api.get("/api/v1/agent/file/", {"taille": 100}))
    assert len(response.json()["resultats"]) == 50
    assert cinquante == une


def test_an_officer_reads_a_request_of_his_service_only(api_de, agent, deposee):
    api = api_de(agent)
    response = api.get(f"/api/v1/agent/demandes/{deposee.pk}/")
    assert response.status_code == 200
    assert {a["nom"] for a in response.json()["actions"]} >= {"prendre_en_charge", "octroyer"}
    autre = deposer()
    assert api.get(f"/api/v1/agent/demandes/{autre.pk}/").status_code == 404


def test_the_back_office_is_not_shown_to_an_operator(api_de, titulaire, deposee):
    api = api_de(titulaire)
    assert api.get("/api/v1/agent/file/").status_code == 404
    assert api.get(f"/api/v1/agent/demandes/{deposee.pk}/").status_code == 404


def test_an_officer_uses_the_queue_not_the_operators_list(api_de, agent):
    response = api_de(agent).get("/api/v1/demandes/")
    assert response.status_code == 403
    assert "/api/v1/agent/file/" in response.json()["detail"]


def test_an_officers_request_costs_the_same_for_1_and_50_rows(api_de, agent, deposee):
    api = api_de(agent)
    url = f"/api/v1/agent/demandes/{deposee.pk}/"
    api.get(url)
    document(deposee)
    une, response = requetes(lambda: api.get(url))
    assert len(response.json()["documents"]) == 1
    for _ in range(49):
        document(deposee)
    Message.objects.bulk_create(
        Message(demande=deposee, auteur=agent, cote=Message.Cote.SERVICE, texte="Bonjour") for _ in range(50)
    )
    cinquante, response = requetes(lambda: api.get(url))
    assert len(response.json()["documents"]) == len(response.json()["messages"]) == 50
    assert cinquante == une


def test_the_other_reads_cost_a_few_queries(api_de, octroyee, rendus, django_assert_max_num_queries):
    piece = document(octroyee)
    PositionTarifaireFactory(chapitre=ChapitreFactory())
    api = api_de(octroyee.created_by)
    api.get("/api/v1/moi/")
    api.get(f"/api/v1/demandes/{octroyee.pk}/autorisation.pdf")  # rendered once (the task)
    for url, maximum in (
        ("/api/v1/moi/", 1),
        ("/api/v1/nomenclature/?q=vins", 3),
        (f"/api/v1/demandes/{octroyee.pk}/documents/{piece.pk}/", 3),
        (f"/api/v1/demandes/{octroyee.pk}/autorisation.pdf", 8),
    ):
        with django_assert_max_num_queries(maximum):
            response = api.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url


def test_answers_are_never_kept_by_a_shared_cache(api_de, titulaire):
    response = api_de(titulaire).get("/api/v1/demandes/")
    assert response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]
    erreur = api_de(None).get("/api/v1/demandes/")
    assert erreur["Cache-Control"] == "private, no-store"
