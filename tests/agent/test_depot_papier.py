"""« Déposer une demande pour un opérateur » (guide §5, « À noter »): a customs service files, from the
paper form (annex 22-06 bis) completed and signed by the operator, through the operators' own form."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

import pytest
from guardian.core import ObjectPermissionChecker

from rex import actions, services
from rex.models import Demande, Evenement, Statut
from tests import fichiers
from tests.factories import (
    BureauDouaneFactory,
    CadrePreferentielFactory,
    EntrepriseFactory,
    PositionTarifaireFactory,
    UserFactory,
    deposer,
    depot_papier,
)
from tests.pages import messages_de
from tests.pages import page as texte
from tests.rex.test_formulaire import complete_post, management

pytestmark = pytest.mark.django_db

URL = reverse("agent:deposer_papier")
ATTESTATION = "J'atteste disposer du formulaire papier (annexe 22-06 bis) complété et signé par l'opérateur"
COMMENTAIRE = "Dépôt par le service sur formulaire papier (annexe 22-06 bis)"
MENTION = "Déposée par le service sur formulaire papier"
PDF = fichiers.pdf_simple()


@pytest.fixture
def titulaire():
    return EntrepriseFactory(raison_sociale="Coopérative des Monts")


@pytest.fixture
def membre(titulaire):
    """A user of the holder's company, who will follow the request once submitted."""
    return UserFactory(habilite=True, entreprise=titulaire)


@pytest.fixture
def brouillon(agent, titulaire):
    return depot_papier(agent, titulaire)


def perms(user, demande) -> set[str]:
    return set(ObjectPermissionChecker(user).get_perms(demande))


# ------------------------------------------------------------------ the whole filing, through the views
def test_officer_files_a_paper_form_through_the_operators_form(
    client_agent, agent, service, titulaire, membre, mailoutbox, django_capture_on_commit_callbacks
):
    cadre, _ = CadrePreferentielFactory(), PositionTarifaireFactory()
    page_file = texte(client_agent.get(reverse("agent:file")))
    assert "Déposer une demande pour un opérateur" in page_file

    page = client_agent.get(URL)
    assert page.status_code == 200
    assert ATTESTATION in texte(page) and "annexe 22-06 bis" in texte(page)

    # Find the operator by his EORI (typed as on paper) and attest the signed paper form.
    eori_saisi = f"{titulaire.eori[:2].lower()} {titulaire.eori[2:]}"
    response = client_agent.post(URL, {"eori": eori_saisi, "attestation": "on"})
    demande = Demande.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("rex:formulaire", args=[demande.pk])
    assert (demande.statut, demande.depot_papier, demande.created_by, demande.titulaire, demande.bureau) == (
        Statut.BROUILLON,
        True,
        agent,
        titulaire,
        service,
    )
    creation = Evenement.objects.get(demande=demande, kind=Evenement.Kind.CREATION)
    assert (creation.acteur, creation.payload, creation.commentaire) == (
        agent,
        {"depot_papier": True},
        COMMENTAIRE,
    )

    formulaire = client_agent.get(response.url)
    assert formulaire.status_code == 200
    html = texte(formulaire)
    for label in (
        "Dépôt par le service sur formulaire papier",
        titulaire.eori,
        titulaire.raison_sociale,
        "Reprendre plus tard",
        "Valider et passer à l'étape suivante",
        "Gérer les documents de la demande",
    ):
        assert label in html, label
    assert "Avertissement" not in html, "the operator's warning is not addressed to the officer"

    # « Valider » on an incomplete form points at the missing fields, as for an operator.
    url_formulaire = reverse("rex:formulaire", args=[demande.pk])
    incomplet = {**management("contacts", 1), **management("marchandises", 1), "action": "valider"}
    response = client_agent.post(url_formulaire, incomplet)
    assert response.url == f"{url_formulaire}?valider=1#erreurs"
    erreurs = texte(client_agent.get(response.url))
    assert "Votre formulaire ne peut pas être validé" in erreurs
    assert "Ce champ est obligatoire." in erreurs
    assert "Vous devez cocher « Je m'engage à souscrire »" in erreurs

    # The scanned paper form is attached through « Gérer les documents de la demande ».
    response = client_agent.post(
        reverse("rex:documents", args=[demande.pk]),
        {"nom": "Formulaire papier signé", "fichier": SimpleUploadedFile("annexe.pdf", PDF)},
    )
    assert response.status_code == 302
    document = demande.documents.get()
    assert client_agent.get(reverse("rex:document", args=[demande.pk, document.pk])).status_code == 200

    # « Reprendre plus tard »: the draft waits in the queue page's paper section.
    response = client_agent.post(
        url_formulaire, {**incomplet, "telephone": "05 56 00 00 00", "action": "reprendre"}
    )
    assert response.url == reverse("agent:file") + "#depots-papier"
    assert "Dépôts papier en cours (brouillons)" in messages_de(response)[-1]
    page_file = texte(client_agent.get(reverse("agent:file")))
    assert "Dépôts papier en cours (brouillons)" in page_file and f"Brouillon n° {demande.pk}" in page_file

    donnees = complete_post(service, cadre, courriel="cooperative@exemple.fr")
    response = client_agent.post(url_formulaire, donnees)
    assert response.url == reverse("rex:recapitulatif", args=[demande.pk])
    recap = client_agent.get(response.url)
    assert recap.status_code == 200
    assert "Soumettre ma demande" in texte(recap) and "annexe 22-06 bis" in texte(recap)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_agent.post(reverse("rex:recapitulatif", args=[demande.pk]))
    demande = Demande.objects.get(pk=demande.pk)
    assert response.url == reverse("agent:detail", args=[demande.pk])
    assert demande.statut == Statut.EN_ETUDE
    assert re.fullmatch(rf"FR-REX-{timezone.localdate().year}-\d{{5}}", demande.numero)
    assert (demande.depot_papier, demande.service, demande.titulaire_eori) == (True, service, titulaire.eori)
    assert messages_de(response) == [
        f"La demande {demande.numero} a été déposée pour le compte de Coopérative des Monts et transmise au "
        f"service « {service} » au statut « En étude ». Un courriel de confirmation a été envoyé à l'adresse "
        "cooperative@exemple.fr (rubrique n°2)."
    ]
    soumission = Evenement.objects.get(demande=demande, kind=Evenement.Kind.SOUMISSION)
    assert (soumission.acteur, soumission.payload, soumission.commentaire) == (
        agent,
        {"depot_papier": True},
        COMMENTAIRE,
    )
    assert [mail.to for mail in mailoutbox] == [["cooperative@exemple.fr"]]
    assert demande.numero in mailoutbox[0].subject
    assert "formulaire papier (annexe 22-06 bis) que vous avez complété et signé" in mailoutbox[0].body

    assert MENTION in texte(client_agent.get(reverse("agent:detail", args=[demande.pk])))
    assert "Dépôts papier en cours" not in texte(client_agent.get(reverse("agent:file")))

    # The holder's company now follows it like any request it filed itself.
    client_agent.force_login(membre)
    accueil = client_agent.get(reverse("rex:accueil"))
    assert [d.numero for d in accueil.context["en_cours"]] == [demande.numero]
    page_operateur = texte(client_agent.get(reverse("rex:detail", args=[demande.pk])))
    assert MENTION in page_operateur and "Formulaire papier signé" in page_operateur


# ------------------------------------------------------------------ the officers' page
def test_refused_without_the_attestation(client_agent, titulaire):
    response = client_agent.post(URL, {"eori": titulaire.eori})
    assert response.status_code == 422
    assert "Cochez la case : le dépôt par le service se fonde sur le formulaire papier" in texte(response)
    assert not Demande.objects.exists()


def test_unknown_eori_asks_the_pae_to_create_the_company(client_agent):
    eori = EntrepriseFactory.build().eori  # valid, but not registered
    response = client_agent.post(URL, {"eori": eori, "attestation": "on"})
    assert response.status_code == 422
    assert (
        f"Aucune entreprise n'est enregistrée sous le numéro EORI {eori} : le pôle d'action économique (PAE) "
        "doit d'abord la créer dans l'administration de SOPRANO."
    ) in texte(response)
    assert not Demande.objects.exists()


def test_invalid_eori_gets_the_eori_rule(client_agent):
    response = client_agent.post(URL, {"eori": "FR12345678901234", "attestation": "on"})
    assert response.status_code == 422
    assert "Le SIRET contenu dans ce numéro EORI n'est pas valide" in texte(response)
    assert not Demande.objects.exists()


def test_eori_with_an_active_request_is_refused(client_agent, service):
    existante = deposer(service)
    response = client_agent.post(URL, {"eori": existante.titulaire.eori, "attestation": "on"})
    assert response.status_code == 422
    assert "possède déjà un numéro REX en cours de validité ou a déjà déposé une demande" in texte(response)
    assert "(guide, point 5.1)" in texte(response)
    assert Demande.objects.count() == 1


# ------------------------------------------------------------------ who reaches the paper draft
def urls_brouillon(demande) -> list[str]:
    return [
        reverse("rex:formulaire", args=[demande.pk]),
        reverse("rex:recapitulatif", args=[demande.pk]),
        reverse("rex:documents", args=[demande.pk]),
        reverse("rex:abandonner", args=[demande.pk]),
    ]


def test_officer_of_another_service_gets_404_on_the_paper_draft(client, brouillon):
    autre = UserFactory(agent=True)
    client.force_login(autre)
    for url in urls_brouillon(brouillon):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "reprendre"}).status_code == 404, url
    assert f"Brouillon n° {brouillon.pk}" not in texte(client.get(reverse("agent:file")))
    assert perms(autre, brouillon) == set()
    with pytest.raises(services.ActionRefusee):
        services.soumettre(demande=brouillon, by=autre)
    assert Demande.objects.get(pk=brouillon.pk).statut == Statut.BROUILLON


def test_a_colleague_of_the_same_service_continues_the_draft(client, brouillon, collegue):
    client.force_login(collegue)
    assert client.get(reverse("rex:formulaire", args=[brouillon.pk])).status_code == 200
    assert f"Brouillon n° {brouillon.pk}" in texte(client.get(reverse("agent:file")))


def test_the_holder_company_cannot_see_the_paper_draft_before_submission(client, brouillon, membre):
    client.force_login(membre)
    for url in urls_brouillon(brouillon):
        assert client.get(url).status_code == 404, url
    accueil = client.get(reverse("rex:accueil"))
    assert list(accueil.context["brouillons"]) == [] and list(accueil.context["en_cours"]) == []
    assert perms(membre, brouillon) == set()
    assert actions.cote_de(membre, brouillon) is None
    with pytest.raises(services.ActionRefusee, match="Seul le service"):
        services.soumettre(demande=brouillon, by=membre)


def test_officer_abandons_his_paper_draft(client_agent, brouillon):
    page = client_agent.get(reverse("rex:abandonner", args=[brouillon.pk]))
    assert "Le dépôt sur formulaire papier pour Coopérative des Monts" in texte(page)
    response = client_agent.post(reverse("rex:abandonner", args=[brouillon.pk]))
    assert response.url == reverse("agent:file") + "#depots-papier"
    assert not Demande.objects.exists()
    assert not Evenement.objects.exists(), "a draft leaves nothing"


# ------------------------------------------------------------------ the service
def test_creer_depot_papier_is_for_officers_only(titulaire, membre):
    with pytest.raises(services.ActionRefusee, match="Seul un agent des douanes"):
        services.creer_depot_papier(by=membre, titulaire=titulaire)
    assert not Demande.objects.exists()


def test_permissions_of_a_paper_draft_then_of_the_submitted_request(brouillon, agent, membre, service):
    assert perms(agent, brouillon) == {"instruire_demande"}
    assert perms(membre, brouillon) == set()
    services.soumettre(demande=brouillon, by=agent)
    demande = Demande.objects.get(pk=brouillon.pk)
    assert perms(agent, demande) == {"instruire_demande"}
    assert perms(membre, demande) == {"suivre_demande"}


def test_submitted_to_the_office_of_rubrique_1_the_filing_service_hands_it_over(
    client_agent, brouillon, agent, membre
):
    competent = BureauDouaneFactory(nom="Bureau de Bordeaux")
    Demande.objects.filter(pk=brouillon.pk).update(bureau=competent)
    response = client_agent.post(reverse("rex:recapitulatif", args=[brouillon.pk]))
    demande = Demande.objects.get(pk=brouillon.pk)
    assert (demande.statut, demande.service) == (Statut.EN_ETUDE, competent)
    assert response.url == reverse("agent:file"), "the request has left the filing service"
    assert "transmise au service « Bureau de Bordeaux »" in messages_de(response)[0]
    assert perms(agent, demande) == set()
    assert perms(UserFactory(service=competent), demande) == {"instruire_demande"}
    assert perms(membre, demande) == {"suivre_demande"}


def test_the_grant_email_goes_to_rubrique_2_not_to_the_officer_who_keyed_it_in(
    brouillon, agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        demande = services.soumettre(demande=brouillon, by=agent)
        services.octroyer(demande=demande, by=agent)
    assert [mail.to for mail in mailoutbox] == [["export@exemple.fr"], ["export@exemple.fr"]]
