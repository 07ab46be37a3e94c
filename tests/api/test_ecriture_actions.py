"""The API's other writes: documents (the page's upload checks), the complement (guide §6.2), the
modification of a registration (§7.2); the reference lists; constant queries of the lists."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import encode_multipart
from django.test.utils import CaptureQueriesContext

import pytest

from rex import services
from rex.models import Demande, Document, Message, Statut
from tests import fichiers
from tests.api.conftest import document, jeton
from tests.factories import (
    BureauDouaneFactory,
    CadrePreferentielFactory,
    DemandeFactory,
    MandatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def entetes(valeur: str, **autres) -> dict:
    return {"Authorization": f"Bearer {valeur}", **autres}


def televerser(client, demande, valeur, nom_fichier="fiche.pdf", contenu=None, nom="Fiche produit", **autres):
    donnees = {"nom": nom}
    if nom_fichier is not None:
        donnees["fichier"] = SimpleUploadedFile(nom_fichier, contenu or fichiers.pdf_simple())
    return client.post(
        f"/api/v1/demandes/{demande.pk}/documents/", donnees, headers=entetes(valeur, **autres)
    )


def json(client, methode, url, valeur, corps=None):
    return getattr(client, methode)(url, corps, content_type="application/json", headers=entetes(valeur))


@pytest.fixture
def brouillon():
    return DemandeFactory(complete=True)


# ------------------------------------------------------------------ documents
def test_a_document_is_added_and_listed(client, brouillon):
    valeur = jeton(brouillon.created_by, ecriture=True)
    response = televerser(client, brouillon, valeur)
    assert response.status_code == 201, response.json()
    document_ajoute = Document.objects.get()
    assert document_ajoute.nom == "Fiche produit" and document_ajoute.type_mime == "application/pdf"
    url = f"http://testserver/api/v1/demandes/{brouillon.pk}/documents/{document_ajoute.pk}/"
    assert response["Location"] == url == response.json()["url"]
    liste = client.get(f"/api/v1/demandes/{brouillon.pk}/documents/", headers=entetes(valeur))
    assert [d["id"] for d in liste.json()] == [document_ajoute.pk]
    telechargement = client.get(url, headers=entetes(valeur))
    assert b"".join(telechargement.streaming_content) == fichiers.pdf_simple()


def test_a_program_disguised_as_a_pdf_gets_the_pages_message(client, brouillon):
    response = televerser(client, brouillon, jeton(brouillon.created_by, ecriture=True), "facture.pdf", EXE)
    assert response.status_code == 400
    message = response.json()["errors"]["fichier"][0]
    assert "facture.pdf" in message and "n'est pas d'un type accepté" in message
    assert not Document.objects.exists()


def test_a_document_needs_a_file_and_a_name(client, brouillon):
    response = televerser(client, brouillon, jeton(brouillon.created_by, ecriture=True), None, nom="")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"fichier", "nom"}
    assert not Document.objects.exists()


def test_the_same_upload_sent_twice_with_its_key_adds_one_document(client, brouillon):
    valeur = jeton(brouillon.created_by, ecriture=True)
    premiere = televerser(client, brouillon, valeur, **{"Idempotency-Key": "doc-1"})
    seconde = televerser(client, brouillon, valeur, **{"Idempotency-Key": "doc-1"})
    assert premiere.status_code == seconde.status_code == 201
    assert seconde["Idempotent-Replayed"] == "true" and seconde.json() == premiere.json()
    assert Document.objects.count() == 1
    autre = televerser(client, brouillon, valeur, nom="Autre nom", **{"Idempotency-Key": "doc-1"})
    assert autre.status_code == 422


def test_a_document_is_deleted_while_the_request_is_editable(client, brouillon):
    valeur = jeton(brouillon.created_by, ecriture=True)
    piece = document(brouillon)
    response = client.delete(
        f"/api/v1/demandes/{brouillon.pk}/documents/{piece.pk}/", headers=entetes(valeur)
    )
    assert response.status_code == 204 and not Document.objects.exists()


def test_the_documents_of_a_submitted_request_stay(client, deposee):
    valeur = jeton(deposee.created_by, ecriture=True)
    piece = document(deposee)
    suppression = client.delete(
        f"/api/v1/demandes/{deposee.pk}/documents/{piece.pk}/", headers=entetes(valeur)
    )
    assert suppression.status_code == 409
    assert suppression.json()["detail"] == "Les documents de cette demande ne peuvent plus être modifiés."
    ajout = televerser(client, deposee, valeur)
    assert ajout.status_code == 409
    assert Document.objects.count() == 1


def test_documents_of_another_company_are_a_404_and_a_read_only_token_a_403(client, brouillon):
    piece = document(brouillon)
    url = f"/api/v1/demandes/{brouillon.pk}/documents/{piece.pk}/"
    autre = jeton(UserFactory(habilite=True), ecriture=True)
    assert client.delete(url, headers=entetes(autre)).status_code == 404
    assert televerser(client, brouillon, autre).status_code == 404
    lecture = jeton(brouillon.created_by)
    assert client.delete(url, headers=entetes(lecture)).status_code == 403
    assert televerser(client, brouillon, lecture).status_code == 403
    assert client.get(url, headers=entetes(lecture)).status_code == 200
    assert Document.objects.count() == 1


# ------------------------------------------------------------------ complement (guide §6.2)
@pytest.fixture
def incomplete(deposee, agent):
    return services.demander_complement(demande=deposee, by=agent, texte="Joignez l'extrait Kbis.")


def test_an_incomplete_request_is_completed_and_transmitted(client, incomplete):
    valeur = jeton(incomplete.created_by, ecriture=True)
    modifiee = json(
        client, "patch", f"/api/v1/demandes/{incomplete.pk}/", valeur, {"activite": "commercialisation"}
    )
    assert modifiee.status_code == 200, modifiee.json()
    assert televerser(client, incomplete, valeur, nom="Extrait Kbis").status_code == 201
    url = f"/api/v1/demandes/{incomplete.pk}/complement/"
    response = json(client, "post", url, valeur, {"complements": "Extrait Kbis joint."})
    assert response.status_code == 200, response.json()
    assert response.json()["statut"] == "en_etude"
    incomplete.refresh_from_db()
    assert incomplete.statut == Statut.EN_ETUDE and incomplete.activite == "commercialisation"
    assert Message.objects.filter(demande=incomplete, texte="Extrait Kbis joint.").exists()
    again = json(client, "post", url, valeur, {"complements": "Encore."})
    assert again.status_code == 409


def test_the_complement_needs_its_explanation(client, incomplete):
    valeur = jeton(incomplete.created_by, ecriture=True)
    response = json(
        client, "post", f"/api/v1/demandes/{incomplete.pk}/complement/", valeur, {"complements": " "}
    )
    assert response.status_code == 400
    assert response.json()["errors"]["complements"] == [
        "La case « Compléments apportés à la demande » est obligatoire."
    ]
    incomplete.refresh_from_db()
    assert incomplete.statut == Statut.INCOMPLETE


def test_a_complement_still_incomplete_gets_the_strict_errors(client, incomplete):
    valeur = jeton(incomplete.created_by, ecriture=True)
    json(client, "patch", f"/api/v1/demandes/{incomplete.pk}/", valeur, {"telephone": "12"})
    response = json(
        client, "post", f"/api/v1/demandes/{incomplete.pk}/complement/", valeur, {"complements": "Ok"}
    )
    assert response.status_code == 400
    assert response.json()["errors"]["telephone"][0].startswith("Numéro de téléphone invalide")


def test_the_complement_of_a_request_being_studied_is_a_409(client, deposee):
    valeur = jeton(deposee.created_by, ecriture=True)
    response = json(
        client, "post", f"/api/v1/demandes/{deposee.pk}/complement/", valeur, {"complements": "x"}
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Action « Compléter la demande » impossible")


# ------------------------------------------------------------------ modification (guide §7.2)
def test_a_registration_is_modified_over_the_api(client, octroyee):
    valeur = jeton(octroyee.created_by, ecriture=True)
    response = json(client, "post", f"/api/v1/demandes/{octroyee.pk}/modification/", valeur)
    assert response.status_code == 201, response.json()
    modification = Demande.objects.get(version_precedente=octroyee)
    assert response.json()["id"] == modification.pk and response.json()["est_modification"]
    reprise = json(client, "post", f"/api/v1/demandes/{octroyee.pk}/modification/", valeur)
    assert reprise.status_code == 200 and reprise.json()["id"] == modification.pk
    url = f"/api/v1/demandes/{modification.pk}/"
    fixe = json(client, "patch", url, valeur, {"telephone": "0102030405"})
    assert fixe.status_code == 400
    assert "guide, point 7.2" in fixe.json()["errors"]["telephone"][0]
    assert json(client, "patch", url, valeur, {"courriel": "nouveau@exemple.fr"}).status_code == 200
    sans = json(client, "post", f"{url}soumettre/", valeur, {})
    assert sans.status_code == 400
    assert sans.json()["errors"]["commentaire"] == ["Le commentaire est obligatoire."]
    soumise = json(client, "post", f"{url}soumettre/", valeur, {"commentaire": "Nouveau courriel."})
    assert soumise.status_code == 200, soumise.json()
    octroyee.refresh_from_db()
    modification.refresh_from_db()
    assert modification.statut == Statut.EN_ETUDE
    assert octroyee.statut == Statut.MODIFICATION_DEMANDEE


def test_a_request_not_granted_cannot_be_modified(client, deposee):
    valeur = jeton(deposee.created_by, ecriture=True)
    response = json(client, "post", f"/api/v1/demandes/{deposee.pk}/modification/", valeur)
    assert response.status_code == 409
    assert not Demande.objects.filter(version_precedente=deposee).exists()


# ------------------------------------------------------------------ reference data
def test_the_reference_lists(api_de, service):
    BureauDouaneFactory(actif=False)
    cadre = CadrePreferentielFactory()
    representant = UserFactory(representant=True)
    client_represente = MandatFactory(representant=representant.entreprise).represente
    bureaux = api_de(representant).get("/api/v1/bureaux/").json()
    assert [b["id"] for b in bureaux] == [service.pk]
    assert api_de(representant).get("/api/v1/cadres/").json() == [
        {"id": cadre.pk, "code": cadre.code, "libelle": cadre.libelle}
    ]
    assert api_de(representant).get("/api/v1/clients/").json() == [
        {
            "id": client_represente.pk,
            "raison_sociale": client_represente.raison_sociale,
            "eori": client_represente.eori,
        }
    ]
    assert api_de(UserFactory(habilite=True)).get("/api/v1/clients/").json() == []


def test_an_officer_reads_the_offices_but_has_no_clients(api_de, agent):
    assert api_de(agent).get("/api/v1/bureaux/").status_code == 200
    assert api_de(agent).get("/api/v1/clients/").status_code == 403


# ------------------------------------------------------------------ constant queries
def requetes(appel) -> int:
    with CaptureQueriesContext(connection) as contexte:
        response = appel()
    assert response.status_code == 200
    return len(contexte.captured_queries)


def test_the_lists_read_in_constant_queries(api_de, client, brouillon):
    representant = UserFactory(representant=True)
    valeur = jeton(brouillon.created_by)
    api = api_de(representant)

    def mesures():
        return (
            requetes(
                lambda: client.get(f"/api/v1/demandes/{brouillon.pk}/documents/", headers=entetes(valeur))
            ),
            requetes(lambda: api.get("/api/v1/bureaux/")),
            requetes(lambda: api.get("/api/v1/cadres/")),
            requetes(lambda: api.get("/api/v1/clients/")),
        )

    document(brouillon)
    BureauDouaneFactory()
    CadrePreferentielFactory()
    MandatFactory(representant=representant.entreprise)
    mesures()  # a token's first use records it
    une = mesures()
    for _ in range(19):
        document(brouillon)
        BureauDouaneFactory()
        CadrePreferentielFactory()
        MandatFactory(representant=representant.entreprise)
    assert mesures() == une


@pytest.mark.parametrize(
    ("nom_fichier", "fabrique", "message"),
    [
        ("fiche.pdf", fichiers.pdf_open_action_javascript, "contenu actif"),
        ("fiche.pdf", fichiers.pdf_eicar, "virus"),
        ("fiche.docx", fichiers.pdf_simple, "est un fichier PDF mais son extension est « .docx »"),
        ("programme.exe", lambda: b"MZ" + b"\x00" * 64, "n'a pas une extension acceptée"),
    ],
)
def test_hostile_files_are_refused_with_the_pages_messages(client, brouillon, nom_fichier, fabrique, message):
    valeur = jeton(brouillon.created_by, ecriture=True)
    response = televerser(client, brouillon, valeur, nom_fichier, fabrique())
    assert response.status_code == 400
    erreur = response.json()["errors"]["fichier"][0]
    assert f"Le fichier « {nom_fichier} »" in erreur and message in erreur
    assert not Document.objects.exists()


def test_an_upload_sent_again_with_another_multipart_boundary_is_recognised(client, brouillon):
    """curl -F draws a new boundary for each send: the key's fingerprint covers the fields and the file."""
    valeur = jeton(brouillon.created_by, ecriture=True)
    reponses = []
    for limite in ("premiere-limite", "seconde-limite"):
        corps = encode_multipart(
            limite,
            {"nom": "Fiche produit", "fichier": SimpleUploadedFile("fiche.pdf", fichiers.pdf_simple())},
        )
        reponses.append(
            client.post(
                f"/api/v1/demandes/{brouillon.pk}/documents/",
                corps,
                content_type=f"multipart/form-data; boundary={limite}",
                headers=entetes(valeur, **{"Idempotency-Key": "televersement"}),
            )
        )
    assert [r.status_code for r in reponses] == [201, 201]
    assert reponses[1]["Idempotent-Replayed"] == "true"
    assert Document.objects.count() == 1


def test_the_holder_of_an_incomplete_request_stays_fixed(client, incomplete):
    valeur = jeton(incomplete.created_by, ecriture=True)
    autre = UserFactory(habilite=True).entreprise
    response = json(client, "patch", f"/api/v1/demandes/{incomplete.pk}/", valeur, {"titulaire": autre.pk})
    assert response.status_code == 400
    assert response.json()["errors"]["titulaire"] == [
        "Ce champ ne peut pas être renseigné pour cette demande."
    ]


def test_a_representatives_draft_needs_its_client_to_be_submitted(api_de, client):
    representant = UserFactory(representant=True)
    valeur = jeton(representant, ecriture=True)
    creation = api_de(representant, ecriture=True).post("/api/v1/demandes/", {})
    assert creation.status_code == 201
    response = json(client, "post", f"/api/v1/demandes/{creation.json()['id']}/soumettre/", valeur, {})
    assert response.status_code == 400
    assert response.json()["errors"]["titulaire"] == ["Ce champ est obligatoire."]
