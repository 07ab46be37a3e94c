"""A whole journey over the API, the officer working on the back-office pages: an operator's ERP creates a
draft, attaches a document, submits; the officer asks for information (back-office form); the ERP
completes and transmits the complement; the officer grants (back-office form); the ERP downloads the PDF
of the registration (202 while it is being rendered, then 200)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

import pytest

from rex import pdf, tasks
from rex.models import Demande, Statut
from tests import fichiers
from tests.api.conftest import FAUX_PDF, jeton
from tests.factories import CadrePreferentielFactory, PositionTarifaireFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_from_a_draft_to_the_registrations_pdf_over_the_api(
    client, service, agent, rendus, django_capture_on_commit_callbacks, mailoutbox, monkeypatch, settings
):
    operateur = UserFactory(habilite=True)
    entetes = {"Authorization": f"Bearer {jeton(operateur, ecriture=True)}"}

    def api(methode, url, corps=None, **kwargs):
        kwargs.setdefault("content_type", "application/json")
        kwargs["headers"] = {**entetes, **kwargs.get("headers", {})}
        return getattr(client, methode)(url, corps, **kwargs)

    # The reference data the ERP needs to fill the form.
    bureau = next(b for b in api("get", "/api/v1/bureaux/").json() if b["nom"] == service.nom)
    cadre = CadrePreferentielFactory()
    position = PositionTarifaireFactory()
    assert api("get", "/api/v1/cadres/").json()[0]["id"] == cadre.pk

    # 1. The draft, incomplete at first (no goods yet), then completed.
    creation = api(
        "post",
        "/api/v1/demandes/",
        {
            "bureau": bureau["id"],
            "telephone": "01 23 45 67 89",
            "activite": "production",
            "cadres": [cadre.pk],
            "contacts": [
                {
                    "nom": "Durand",
                    "prenom": "Claire",
                    "fonction": "Directrice export",
                    "telephone": "01 23 45 67 89",
                    "courriel": "claire.durand@exemple.fr",
                }
            ],
            "engagement": True,
            "engagement_nom": "Claire Durand",
            "engagement_fonction": "Directrice export",
            "engagement_lieu": "Lyon",
            "consentement_publication": True,
        },
        headers={"Idempotency-Key": "parcours-brouillon"},
    )
    assert creation.status_code == 201, creation.json()
    url = creation["Location"]
    pk = creation.json()["id"]
    incomplete = api("post", f"{url}soumettre/", {})
    assert incomplete.status_code == 400
    assert incomplete.json()["errors"] == {
        "marchandises": ["Indiquez au moins une marchandise (rubrique 5)."]
    }
    marchandises = {"marchandises": [{"code": position.code, "description": "Vins rouges"}]}
    assert api("patch", url, marchandises).status_code == 200

    # 2. A document, with the same checks as the page.
    ajout = client.post(
        f"{url}documents/",
        {"nom": "Fiche produit", "fichier": SimpleUploadedFile("fiche.pdf", fichiers.pdf_simple())},
        headers=entetes,
    )
    assert ajout.status_code == 201, ajout.json()

    # 3. Submitted: « En étude », a number, the confirmation e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        soumission = api("post", f"{url}soumettre/", {})
    assert soumission.status_code == 200, soumission.json()
    numero = soumission.json()["numero"]
    assert soumission.json()["statut"] == "en_etude" and numero.startswith("FR-REX-")
    assert any(numero in m.subject or numero in m.body for m in mailoutbox)

    # 4. The officer asks for information on the back-office page.
    back_office = Client()
    back_office.force_login(agent)
    response = back_office.post(
        reverse("agent:demander_complement", args=[pk]), {"texte": "Joignez l'extrait Kbis."}
    )
    assert response.status_code == 302
    lue = api("get", url).json()
    assert lue["statut"] == "incomplete" and lue["date_limite"] is not None
    assert lue["messages"][-1]["texte"] == "Joignez l'extrait Kbis."
    assert "completer" in [a["nom"] for a in lue["actions"]]

    # 5. The ERP completes: a document, a change, then « Transmettre le complément ».
    kbis = client.post(
        f"{url}documents/",
        {"nom": "Extrait Kbis", "fichier": SimpleUploadedFile("kbis.pdf", fichiers.pdf_simple(b"Kbis"))},
        headers=entetes,
    )
    assert kbis.status_code == 201
    assert api("patch", url, {"engagement_lieu": "Villeurbanne"}).status_code == 200
    complement = api("post", f"{url}complement/", {"complements": "Extrait Kbis joint."})
    assert complement.status_code == 200, complement.json()
    assert complement.json()["statut"] == "en_etude"
    assert api("patch", url, {"telephone": "04 72 00 00 00"}).status_code == 409

    # 6. The officer grants on the back-office page.
    response = back_office.post(reverse("agent:octroyer", args=[pk]), {"confirmation": "on"})
    assert response.status_code == 302
    demande = Demande.objects.get(pk=pk)
    assert demande.statut == Statut.OCTROYEE and demande.engagement_lieu == "Villeurbanne"
    assert demande.documents.count() == 2

    # 7. The PDF: 202 while a worker renders it (no worker here: the task is called below), then the file.
    settings.REX_PDF_ATTENTE_S = 0
    monkeypatch.setattr(pdf, "demander_generation", lambda *args, **kwargs: None)
    lue = api("get", url).json()
    assert lue["numero_rex"] == demande.numero_rex and lue["autorisation_pdf"]
    en_cours = client.get(lue["autorisation_pdf"], headers=entetes)
    assert en_cours.status_code == 202 and en_cours["Retry-After"]
    assert tasks.generer_autorisation(pk)
    pret = client.get(lue["autorisation_pdf"], headers=entetes)
    assert pret.status_code == 200 and pret["Content-Type"] == "application/pdf"
    assert b"".join(pret.streaming_content) == FAUX_PDF
