"""The API's writes on a draft: created and edited through the portal's own forms (same rules, same French
messages, keyed by JSON path), only while the request may be edited, and once per Idempotency-Key."""

import pytest

from rex.models import Contact, Demande, Evenement, LigneMarchandise, Statut
from rex.regles import message_lignes_max
from tests.api.conftest import jeton
from tests.factories import (
    CadrePreferentielFactory,
    DemandeFactory,
    MandatFactory,
    PositionTarifaireFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TELEPHONE_INVALIDE = (
    "Numéro de téléphone invalide : saisissez de 8 à 15 chiffres, par exemple 01 23 45 67 89 ou "
    "+33 1 23 45 67 89."
)


def corps_complet(bureau, cadre, position) -> dict:
    return {
        "bureau": bureau.pk,
        "telephone": "01 23 45 67 89",
        "courriel": "export@exemple.fr",
        "activite": "production",
        "cadres": [cadre.pk],
        "contacts": [
            {
                "nom": "Durand",
                "prenom": "Claire",
                "fonction": "Directrice export",
                "telephone": "01 23 45 67 89",
                "fax": "",
                "courriel": "claire.durand@exemple.fr",
            }
        ],
        "marchandises": [{"code": position.code, "description": "Vins rouges"}],
        "engagement": True,
        "engagement_nom": "Claire Durand",
        "engagement_fonction": "Directrice export",
        "engagement_lieu": "Lyon",
        "consentement_publication": True,
    }


@pytest.fixture
def referentiel(service):
    return service, CadrePreferentielFactory(), PositionTarifaireFactory()


@pytest.fixture
def operateur():
    return UserFactory(habilite=True)


def ecrire(client, methode: str, url: str, valeur: str, corps=None, **entetes):
    return getattr(client, methode)(
        url,
        corps,
        content_type="application/json",
        headers={"Authorization": f"Bearer {valeur}", **entetes},
    )


# ------------------------------------------------------------------ creation
def test_a_draft_is_created_with_the_seven_rubriques(api_de, operateur, referentiel):
    bureau, cadre, position = referentiel
    response = api_de(operateur, ecriture=True).post("/api/v1/demandes/", corps_complet(*referentiel))
    assert response.status_code == 201, response.json()
    demande = Demande.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/demandes/{demande.pk}/"
    corps = response.json()
    assert corps["statut"] == "brouillon" and corps["id"] == demande.pk
    assert corps["contacts"][0]["courriel"] == "claire.durand@exemple.fr"
    assert corps["marchandises"] == [{"code": position.code, "description": "Vins rouges"}]
    assert [c["code"] for c in corps["cadres"]] == [cadre.code]
    assert demande.titulaire == operateur.entreprise and demande.bureau == bureau
    assert demande.consentement_publication is True and demande.engagement is True
    assert demande.evenements.get().kind == Evenement.Kind.CREATION


def test_an_empty_body_gives_the_draft_the_form_prefills(api_de, operateur):
    response = api_de(operateur, ecriture=True).post("/api/v1/demandes/", {})
    assert response.status_code == 201
    assert response.json()["courriel"] == operateur.email
    assert Demande.objects.get().created_by == operateur


def test_a_read_only_token_creates_nothing(api_de, operateur):
    response = api_de(operateur).post("/api/v1/demandes/", {})
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert "lecture seule" in response.json()["detail"]
    assert not Demande.objects.exists()


def test_an_officer_creates_no_draft(api_de, agent):
    response = api_de(agent).post("/api/v1/demandes/", {})
    assert response.status_code == 403 and not Demande.objects.exists()


def test_a_draft_is_saved_incomplete_as_with_reprendre_plus_tard(api_de, operateur):
    """Only lengths, choices and characters are checked on a draft: the format of a phone waits for the
    submission, as on the page."""
    response = api_de(operateur, ecriture=True).post("/api/v1/demandes/", {"telephone": "12"})
    assert response.status_code == 201 and Demande.objects.get().telephone == "12"


@pytest.mark.parametrize(
    ("corps", "chemin", "message"),
    [
        ({"bureau": 999999}, "bureau", "Sélectionnez un choix valide"),
        ({"cadres": [999999]}, "cadres", "Sélectionnez un choix valide"),
        ({"activite": "pirate"}, "activite", "n'est pas un choix valide"),
        ({"telephone": "01 23\x00"}, "telephone", ""),
        ({"contacts": [{"nom": "x" * 300}]}, "contacts[0].nom", "300"),
        ({"contacts": [{"nom": "Durand"}, {"courriel": ["a"]}]}, "contacts[1].courriel", ""),
        ({"marchandises": "2204"}, "marchandises", ""),
        ({"engagement": "peut-être"}, "engagement", ""),
        ({"titulaire": 1}, "titulaire", "ne peut pas être renseigné"),
    ],
)
def test_invalid_values_are_a_400_keyed_by_json_path(api_de, operateur, corps, chemin, message):
    response = api_de(operateur, ecriture=True).post("/api/v1/demandes/", corps)
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    erreurs = response.json()["errors"]
    assert chemin in erreurs, erreurs
    assert any(message in m for m in erreurs[chemin])
    assert not Demande.objects.exists()


def test_more_rows_than_the_page_allows_get_the_pages_message(api_de, operateur):
    contacts = [{"nom": f"Nom {n}"} for n in range(21)]
    response = api_de(operateur, ecriture=True).post("/api/v1/demandes/", {"contacts": contacts})
    assert response.status_code == 400
    assert response.json()["errors"]["contacts"] == [message_lignes_max("contacts")]


def test_a_representative_files_for_a_client_under_mandate(api_de, referentiel):
    representant = UserFactory(representant=True)
    client = MandatFactory(representant=representant.entreprise).represente
    corps = {
        **corps_complet(*referentiel),
        "titulaire": client.pk,
        "representant_telephone": "01 40 00 00 00",
        "representant_courriel": "transit@exemple.fr",
    }
    response = api_de(representant, ecriture=True).post("/api/v1/demandes/", corps)
    assert response.status_code == 201, response.json()
    demande = Demande.objects.get()
    assert demande.titulaire == client and demande.representant == representant.entreprise
    assert response.json()["titulaire"]["eori"] == client.eori


def test_a_representative_cannot_file_for_a_company_without_mandate(api_de):
    representant = UserFactory(representant=True)
    autre = UserFactory(habilite=True).entreprise
    response = api_de(representant, ecriture=True).post("/api/v1/demandes/", {"titulaire": autre.pk})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.json()["errors"]["titulaire"][0]
    assert not Demande.objects.exists()


# ------------------------------------------------------------------ idempotence
def test_the_same_key_twice_creates_one_draft(api_de, operateur, referentiel):
    api = api_de(operateur, ecriture=True)
    corps = corps_complet(*referentiel)
    premiere = api.post("/api/v1/demandes/", corps, headers={"Idempotency-Key": "brouillon-1"})
    seconde = api.post("/api/v1/demandes/", corps, headers={"Idempotency-Key": "brouillon-1"})
    assert premiere.status_code == seconde.status_code == 201
    assert seconde["Idempotent-Replayed"] == "true"
    assert seconde.json() == premiere.json() and seconde["Location"] == premiere["Location"]
    assert Demande.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(api_de, operateur):
    api = api_de(operateur, ecriture=True)
    api.post("/api/v1/demandes/", {"telephone": "01"}, headers={"Idempotency-Key": "k"})
    response = api.post("/api/v1/demandes/", {"telephone": "02"}, headers={"Idempotency-Key": "k"})
    assert response.status_code == 422 and Demande.objects.count() == 1


# ------------------------------------------------------------------ update
@pytest.fixture
def brouillon(referentiel):
    return DemandeFactory(complete=True, bureau=referentiel[0])


def test_patch_keeps_the_fields_it_does_not_send(client, brouillon):
    contacts = list(brouillon.contacts.values_list("pk", flat=True))
    response = ecrire(
        client, "patch", f"/api/v1/demandes/{brouillon.pk}/", jeton(brouillon.created_by, ecriture=True),
        {"telephone": "04 72 00 00 00"},
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    brouillon.refresh_from_db()
    assert brouillon.telephone == "04 72 00 00 00" and brouillon.courriel == "export@exemple.fr"
    assert brouillon.engagement and brouillon.cadres.count() == 1
    assert list(brouillon.contacts.values_list("pk", flat=True)) == contacts
    assert response.json()["telephone"] == "04 72 00 00 00"


def test_patch_replaces_every_row_of_a_rubrique_sent(client, brouillon):
    valeur = jeton(brouillon.created_by, ecriture=True)
    lignes = [{"nom": "Martin", "prenom": "Paul"}, {"nom": "Petit", "prenom": "Anne"}]
    response = ecrire(client, "patch", f"/api/v1/demandes/{brouillon.pk}/", valeur, {"contacts": lignes})
    assert response.status_code == 200, response.json()
    assert list(brouillon.contacts.values_list("nom", "prenom", "courriel")) == [
        ("Martin", "Paul", ""),
        ("Petit", "Anne", ""),
    ]
    response = ecrire(client, "patch", f"/api/v1/demandes/{brouillon.pk}/", valeur, {"marchandises": []})
    assert response.status_code == 200
    assert not LigneMarchandise.objects.filter(demande=brouillon).exists()
    assert Contact.objects.filter(demande=brouillon).count() == 2


def test_put_empties_what_it_does_not_send(client, brouillon):
    valeur = jeton(brouillon.created_by, ecriture=True)
    response = ecrire(client, "put", f"/api/v1/demandes/{brouillon.pk}/", valeur, {"telephone": "0102030405"})
    assert response.status_code == 200, response.json()
    brouillon.refresh_from_db()
    assert brouillon.telephone == "0102030405" and brouillon.courriel == "" and brouillon.bureau is None
    assert not brouillon.contacts.exists() and not brouillon.cadres.exists()


def test_a_submitted_request_is_no_longer_edited(client, deposee):
    valeur = jeton(deposee.created_by, ecriture=True)
    response = ecrire(client, "patch", f"/api/v1/demandes/{deposee.pk}/", valeur, {"telephone": "0102030405"})
    assert response.status_code == 409
    assert "« En étude »" in response.json()["detail"]
    deposee.refresh_from_db()
    assert deposee.telephone == "01 23 45 67 89"


def test_another_companys_draft_is_a_404(client, brouillon):
    valeur = jeton(UserFactory(habilite=True), ecriture=True)
    response = ecrire(
        client, "patch", f"/api/v1/demandes/{brouillon.pk}/", valeur, {"telephone": "0102030405"}
    )
    assert response.status_code == 404


def test_a_read_only_token_edits_nothing(client, brouillon):
    valeur = jeton(brouillon.created_by)
    response = ecrire(
        client, "patch", f"/api/v1/demandes/{brouillon.pk}/", valeur, {"telephone": "0102030405"}
    )
    assert response.status_code == 403


# ------------------------------------------------------------------ submission
def test_an_incomplete_draft_gets_the_strict_errors_of_the_page(api_de, client, brouillon):
    valeur = jeton(brouillon.created_by, ecriture=True)
    ecrire(
        client, "patch", f"/api/v1/demandes/{brouillon.pk}/", valeur,
        {"telephone": "12", "contacts": [{"nom": "Durand", "courriel": "pas-une-adresse"}]},
    )  # fmt: skip
    response = ecrire(client, "post", f"/api/v1/demandes/{brouillon.pk}/soumettre/", valeur, {})
    assert response.status_code == 400
    corps = response.json()
    assert corps["detail"] == "Votre demande est incomplète : complétez les champs indiqués."
    assert corps["errors"]["telephone"] == [TELEPHONE_INVALIDE]
    assert corps["errors"]["contacts[0].courriel"] == [
        "Adresse électronique invalide : elle doit être de la forme nom@domaine.fr."
    ]
    assert corps["errors"]["contacts[0].prenom"] == ["Ce champ est obligatoire."]
    brouillon.refresh_from_db()
    assert brouillon.statut == Statut.BROUILLON


def test_a_complete_draft_is_submitted(client, brouillon, django_capture_on_commit_callbacks, mailoutbox):
    valeur = jeton(brouillon.created_by, ecriture=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = ecrire(client, "post", f"/api/v1/demandes/{brouillon.pk}/soumettre/", valeur, {})
    assert response.status_code == 200, response.json()
    assert response.json()["statut"] == "en_etude" and response.json()["numero"].startswith("FR-REX-")
    brouillon.refresh_from_db()
    assert brouillon.statut == Statut.EN_ETUDE
    assert [m.to for m in mailoutbox] == [["export@exemple.fr"]]
    again = ecrire(client, "post", f"/api/v1/demandes/{brouillon.pk}/soumettre/", valeur, {})
    assert again.status_code == 409
    assert again.json()["detail"] == f"Cette demande a déjà été soumise (numéro {brouillon.numero})."


@pytest.mark.parametrize(
    ("corps", "chemin", "message"),
    [
        ({"telephone": 123456789}, "telephone", "Indiquez une chaîne de caractères."),
        ({"bureau": "3"}, "bureau", "Indiquez un nombre entier."),
        ({"cadres": [True]}, "cadres", "Indiquez un nombre entier."),
        ({"engagement": "true"}, "engagement", "Indiquez true ou false."),
        ({"consentement_publication": 1}, "consentement_publication", "Indiquez true ou false."),
    ],
)
def test_a_value_of_another_json_type_than_the_schema_says_is_refused(
    api_de, operateur, corps, chemin, message
):
    """The schema says string, integer, boolean: DRF's lenient conversions (12 → "12", "3" → 3, "true" →
    True) would accept what a client reading the schema knows is wrong."""
    reponse = api_de(operateur, ecriture=True).post("/api/v1/demandes/", corps)
    assert reponse.status_code == 400
    erreurs = reponse.json()["errors"]
    assert any(message in messages for cle, messages in erreurs.items() if cle.startswith(chemin)), erreurs
    assert not Demande.objects.exists()
