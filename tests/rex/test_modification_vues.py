"""« Demander des modifications de cet enregistrement » (guide §7.2) through the views: the button on a
granted registration, the form where only the courriel and rubriques 4, 5, 6 are editable, the
« Commentaire », the recap with the changes in orange, the submission, the versions after validation."""

import re

from django.urls import reverse

import pytest

from rex import services, validation
from rex.forms import ModificationForm
from rex.models import Demande, Statut
from tests.factories import CadrePreferentielFactory, DemandeFactory, UserFactory
from tests.pages import page

pytestmark = pytest.mark.django_db

LIBELLE = "Demander des modifications de cet enregistrement"


def statut(demande) -> str:
    return Demande.objects.values_list("statut", flat=True).get(pk=demande.pk)


@pytest.fixture
def enregistrement(client):
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    demande = services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    client.force_login(demande.created_by)
    return demande


def form_data(modification: Demande, **changes) -> dict:
    """What the browser posts back for the modification as stored, with `changes`."""
    stored = validation.verifier(modification, form_class=ModificationForm).form.data
    data = {key: stored.getlist(key) for key in stored}
    data.update(changes)
    return data


def demander(client, enregistrement) -> Demande:
    response = client.post(reverse("rex:demander_modification", args=[enregistrement.pk]))
    modification = Demande.objects.get(version_precedente=enregistrement, statut=Statut.BROUILLON)
    assert response.status_code == 302
    assert response["Location"] == reverse("rex:modification", args=[modification.pk])
    return modification


def recap_marks(html: str) -> set[str]:
    """The rubriques of the recap marked in orange."""
    marks = {f"rubrique-{n}" for n in re.findall(r'class="fr-h5 rex-modifie" id="recap-(\d)"', html)}
    if re.search(r'<dt>Courriel</dt>\s*<dd class="rex-modifie">', html):
        marks.add("courriel")
    return marks


def test_the_button_is_offered_on_a_granted_registration_only(client, enregistrement):
    html = page(client.get(reverse("rex:detail", args=[enregistrement.pk])))
    assert LIBELLE in html
    assert f'action="{reverse("rex:demander_modification", args=[enregistrement.pk])}"' in html

    autre = DemandeFactory(complete=True)
    autre = services.soumettre(demande=autre, by=autre.created_by)
    client.force_login(autre.created_by)
    assert LIBELLE not in page(client.get(reverse("rex:detail", args=[autre.pk])))
    response = client.post(reverse("rex:demander_modification", args=[autre.pk]))
    assert response.status_code == 302 and not Demande.objects.filter(version_precedente=autre).exists()


def test_the_form_shows_only_the_modifiable_fields_and_ignores_the_others(client, enregistrement):
    modification = demander(client, enregistrement)
    again = demander(client, enregistrement)
    assert again == modification, "the draft in progress is resumed"
    response = client.get(reverse("rex:modification", args=[modification.pk]))
    html = page(response)
    assert response.status_code == 200
    for label in ("Commentaire", "Continuer", "Retour", 'name="courriel"', 'name="cadres"', "contacts-0-nom"):
        assert label in html, label
    for champ in ("bureau", "telephone", "activite", "engagement_nom", "consentement_publication"):
        assert f'name="{champ}"' not in html, champ
    assert enregistrement.telephone in html, "the other rubriques are shown read-only"
    # The generic draft form never edits a modification.
    assert client.get(reverse("rex:formulaire", args=[modification.pk]))["Location"] == reverse(
        "rex:modification", args=[modification.pk]
    )
    assert client.get(reverse("rex:recapitulatif", args=[modification.pk]))["Location"] == reverse(
        "rex:recapitulatif_modification", args=[modification.pk]
    )
    response = client.post(
        reverse("rex:formulaire", args=[modification.pk]),
        form_data(modification, telephone="09 99 99 99 99", action="reprendre"),
    )
    assert response["Location"] == reverse("rex:modification", args=[modification.pk])

    response = client.post(
        reverse("rex:modification", args=[modification.pk]),
        form_data(
            modification,
            courriel="nouveau@exemple.fr",
            telephone="09 99 99 99 99",
            bureau=str(enregistrement.bureau_id + 1000),
            engagement_nom="Quelqu'un d'autre",
            commentaire="Nouvelle adresse.",
            action="continuer",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("rex:recapitulatif_modification", args=[modification.pk])
    modification.refresh_from_db()
    assert modification.courriel == "nouveau@exemple.fr"
    assert (modification.telephone, modification.bureau_id, modification.engagement_nom) == (
        enregistrement.telephone,
        enregistrement.bureau_id,
        enregistrement.engagement_nom,
    )


def test_continuer_needs_valid_data_and_the_commentaire(client, enregistrement):
    modification = demander(client, enregistrement)
    url = reverse("rex:modification", args=[modification.pk])
    response = client.post(url, form_data(modification, courriel="pas-un-courriel", action="continuer"))
    assert response["Location"] == f"{url}?valider=1#erreurs"
    html = page(client.get(response["Location"]))
    assert "Adresse électronique invalide" in html
    assert "La rubrique « Commentaire » est obligatoire" in html


def test_whole_flow_with_orange_marks_submission_and_versions(client, enregistrement, mailoutbox):
    modification = demander(client, enregistrement)
    url = reverse("rex:modification", args=[modification.pk])
    cadre = CadrePreferentielFactory()
    data = form_data(
        modification,
        **{
            "marchandises-0-description": "Vins rouges et rosés",
            "cadres": [str(c.pk) for c in enregistrement.cadres.all()] + [str(cadre.pk)],
            "commentaire": "Description des vins et nouveau cadre.",
            "action": "continuer",
        },
    )
    response = client.post(url, data)
    recap_url = reverse("rex:recapitulatif_modification", args=[modification.pk])
    assert response["Location"] == recap_url

    recap = client.get(recap_url)
    html = page(recap)
    assert recap.status_code == 200
    assert recap_marks(html) == {"rubrique-5", "rubrique-6"}
    assert '<tr class="rex-modifie">' in html and "Vins rouges et rosés" in html
    assert f'<li class="rex-modifie">{cadre.libelle}</li>' in html
    for label in ("Commentaire", "Soumettre la demande de modification", "Retour"):
        assert label in html, label
    assert "Description des vins et nouveau cadre." in html, "the comment typed on the form is carried"

    # The « Commentaire » is mandatory at submission.
    response = client.post(recap_url, {"commentaire": "  "})
    assert response.status_code == 422
    assert "La rubrique « Commentaire » est obligatoire" in page(response)
    assert statut(modification) == Statut.BROUILLON and statut(enregistrement) == Statut.OCTROYEE

    response = client.post(recap_url, {"commentaire": "Description des vins et nouveau cadre."}, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('rex:accueil')}?onglet=autorisations#autorisations"
    html = page(response)
    assert "« Mes autorisations »" in html and "« Modification demandée »" in html
    assert statut(modification) == Statut.EN_ETUDE
    assert statut(enregistrement) == Statut.MODIFICATION_DEMANDEE
    modification.refresh_from_db()
    # « Mes autorisations » holds the registration, « Mes demandes en cours » the modification.
    accueil = client.get(reverse("rex:accueil"))
    assert list(accueil.context["autorisations"]) == [Demande.objects.get(pk=enregistrement.pk)]
    assert modification in accueil.context["en_cours"]
    detail = page(client.get(reverse("rex:detail", args=[enregistrement.pk])))
    assert "Modification demandée" in detail and LIBELLE not in detail
    assert "Versions" in detail and reverse("rex:detail", args=[modification.pk]) in detail

    # The officer validates: the new version is the registration, the former one viewable.
    agent = UserFactory(service=modification.service)
    services.valider_modification(modification=modification, by=agent)
    html = page(client.get(reverse("rex:detail", args=[modification.pk])))
    assert "Versions" in html and "Version 1" in html and "Version 2" in html
    assert "Version antérieure" in html
    assert f'href="{reverse("rex:detail", args=[enregistrement.pk])}">Version 1</a>' in html
    assert recap_marks(html) == {"rubrique-5", "rubrique-6"}
    ancienne = client.get(reverse("rex:detail", args=[enregistrement.pk]))
    assert ancienne.status_code == 200
    html = page(ancienne)
    assert "Version antérieure" in html and LIBELLE not in html
    assert "Vins rouges et rosés" not in html, "the former version is kept as it was"
    assert reverse("rex:detail", args=[modification.pk]) in html


def test_courriel_change_is_marked_and_nothing_changed_is_refused(client, enregistrement):
    modification = demander(client, enregistrement)
    url = reverse("rex:modification", args=[modification.pk])
    recap_url = reverse("rex:recapitulatif_modification", args=[modification.pk])
    client.post(url, form_data(modification, commentaire="Rien.", action="continuer"))
    response = client.post(recap_url, {"commentaire": "Rien."})
    assert response["Location"] == url
    assert statut(modification) == Statut.BROUILLON
    assert "Aucune donnée n'a été modifiée" in page(client.get(url))

    client.post(
        url, form_data(modification, courriel="autre@exemple.fr", commentaire="x", action="continuer")
    )
    assert recap_marks(page(client.get(recap_url))) == {"courriel"}


def test_a_removed_contact_is_shown_struck_in_orange(client, enregistrement):
    modification = demander(client, enregistrement)
    modification.contacts.create(
        nom="Martin", prenom="Paul", fonction="Comptable", telephone="0102030405", courriel="paul@exemple.fr"
    )
    data = form_data(modification, commentaire="Départ de Mme Durand.", action="continuer")
    data["contacts-0-DELETE"] = "on"
    response = client.post(reverse("rex:modification", args=[modification.pk]), data)
    assert response["Location"] == reverse("rex:recapitulatif_modification", args=[modification.pk])
    html = page(client.get(response["Location"]))
    assert recap_marks(html) == {"rubrique-4"}
    assert "<del>Durand</del> (supprimé)" in html


def test_officer_sees_the_versions_too(client):
    from django.urls import reverse

    from rex import services
    from tests.factories import CadrePreferentielFactory, DemandeFactory, UserFactory

    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    agent = UserFactory(service=demande.service)
    enregistrement = services.octroyer(demande=demande, by=agent)
    brouillon = services.preparer_modification(enregistrement=enregistrement, by=demande.created_by)
    brouillon.cadres.add(CadrePreferentielFactory())
    modification = services.soumettre_modification(
        modification=brouillon, by=demande.created_by, commentaire="Nouveau cadre."
    )
    services.valider_modification(modification=modification, by=agent)
    client.force_login(agent)
    page = client.get(reverse("agent:detail", args=[modification.pk])).content.decode()
    assert "Versions" in page and reverse("agent:detail", args=[enregistrement.pk]) in page
    ancienne = client.get(reverse("agent:detail", args=[enregistrement.pk])).content.decode()
    assert "Version antérieure" in ancienne


def test_an_incomplete_modification_is_completed_like_a_request(client, enregistrement):
    """Guide §7.2: the officer may ask for information; the same §6.2 flow and 30-day rule apply."""
    modification = demander(client, enregistrement)
    client.post(
        reverse("rex:modification", args=[modification.pk]),
        form_data(
            modification, courriel="nouveau@exemple.fr", commentaire="Nouvelle adresse.", action="continuer"
        ),
    )
    client.post(
        reverse("rex:recapitulatif_modification", args=[modification.pk]),
        {"commentaire": "Nouvelle adresse."},
    )
    assert statut(modification) == Statut.EN_ETUDE
    agent = UserFactory(service=enregistrement.service)
    services.demander_complement(
        demande=Demande.objects.get(pk=modification.pk), by=agent, texte="Justifiez."
    )
    modification = Demande.objects.get(pk=modification.pk)
    assert modification.jours_restants() == 30
    response = client.post(
        reverse("rex:modification", args=[modification.pk]),
        form_data(modification, action="continuer"),
    )
    assert response["Location"] == reverse("rex:complement", args=[modification.pk])
    client.post(response["Location"], {"complements": "Attestation jointe."})
    assert statut(modification) == Statut.EN_ETUDE
    assert statut(enregistrement) == Statut.MODIFICATION_DEMANDEE


def test_the_modification_form_and_recap_list_the_registrations_documents(client):
    """Issue found in a browser: the recap said « Aucun document joint » and version 2 had none."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.fichiers import pdf_simple

    demande = DemandeFactory(complete=True)
    services.ajouter_document(
        demande=demande,
        by=demande.created_by,
        fichier=SimpleUploadedFile("kbis.pdf", pdf_simple(b"Kbis")),
        nom="Extrait Kbis",
    )
    demande = services.soumettre(demande=demande, by=demande.created_by)
    enregistrement = services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    client.force_login(enregistrement.created_by)
    modification = demander(client, enregistrement)
    formulaire = page(client.get(reverse("rex:modification", args=[modification.pk])))
    assert "Extrait Kbis" in formulaire and "Aucun document joint" not in formulaire
    client.post(
        reverse("rex:modification", args=[modification.pk]),
        form_data(
            modification, courriel="nouveau@exemple.fr", commentaire="Nouvelle adresse.", action="continuer"
        ),
    )
    recap = page(client.get(reverse("rex:recapitulatif_modification", args=[modification.pk])))
    assert "Extrait Kbis" in recap and "Aucun document joint" not in recap
