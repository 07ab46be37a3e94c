"""A customs representative picks the client in « Raison sociale »; his own details fill rubrique 3."""

import datetime
from html import unescape

from django.urls import reverse
from django.utils import timezone

import pytest

from rex import services
from rex.models import Demande, Statut
from tests.factories import MandatFactory, UserFactory, demande_representee
from tests.rex.test_formulaire import complete_post, reference  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def transitaire(client):
    user = UserFactory(representant=True)
    client.force_login(user)
    return user


def test_only_clients_with_a_running_mandate_are_offered(client, transitaire):
    client_actif = MandatFactory(representant=transitaire.entreprise).represente
    expire = MandatFactory(
        representant=transitaire.entreprise,
        date_fin=timezone.localdate() - datetime.timedelta(days=1),
    ).represente
    page = unescape(client.get(reverse("rex:deposer")).content.decode())
    assert "Raison sociale" in page
    assert client_actif.raison_sociale in page
    assert expire.raison_sociale not in page
    assert transitaire.entreprise.raison_sociale in page, "rubrique 3: the representative"


def test_representative_files_for_a_client(client, transitaire, reference):  # noqa: F811
    represente = MandatFactory(representant=transitaire.entreprise).represente
    data = complete_post(
        reference["bureau"],
        reference["cadre"],
        titulaire=str(represente.pk),
        representant_telephone="01 40 00 00 00",
        representant_courriel="transit@exemple.fr",
    )
    response = client.post(reverse("rex:deposer"), data)
    demande = Demande.objects.get()
    assert response.url == reverse("rex:recapitulatif", args=[demande.pk])
    assert demande.titulaire == represente
    assert demande.representant == transitaire.entreprise
    client.post(response.url)
    demande = Demande.objects.get()
    assert demande.statut == Statut.EN_ETUDE
    assert demande.titulaire_eori == represente.eori


def test_representative_may_not_pick_a_company_without_mandate(client, transitaire, reference):  # noqa: F811
    autre = UserFactory(habilite=True).entreprise
    data = complete_post(
        reference["bureau"],
        reference["cadre"],
        titulaire=str(autre.pk),
        representant_telephone="01 40 00 00 00",
        representant_courriel="transit@exemple.fr",
        action="reprendre",
    )
    response = client.post(reverse("rex:deposer"), data)
    assert response.status_code == 422
    assert "Sélectionnez un choix valide" in unescape(response.content.decode())
    assert not Demande.objects.exists()


def test_client_with_a_rex_is_refused_with_the_guide_explanation(client, transitaire, reference):  # noqa: F811
    represente = MandatFactory(representant=transitaire.entreprise).represente
    existante = demande_representee(transitaire, represente)
    services.soumettre(demande=existante, by=transitaire)
    data = complete_post(
        reference["bureau"],
        reference["cadre"],
        titulaire=str(represente.pk),
        representant_telephone="01 40 00 00 00",
        representant_courriel="transit@exemple.fr",
    )
    response = client.post(reverse("rex:deposer"), data, follow=True)
    page = unescape(response.content.decode())
    assert "possède déjà un numéro REX en cours de validité" in page


def test_the_client_company_sees_the_submitted_request_not_the_draft(client, transitaire):
    represente = MandatFactory(representant=transitaire.entreprise).represente
    demande = demande_representee(transitaire, represente)
    membre = UserFactory(habilite=True, entreprise=represente)
    client.force_login(membre)
    assert client.get(reverse("rex:formulaire", args=[demande.pk])).status_code == 404
    services.soumettre(demande=demande, by=transitaire)
    assert client.get(reverse("rex:detail", args=[demande.pk])).status_code == 200


def _valeur(page: str, name: str) -> str:
    import re

    champ = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    valeur = re.search(r'value="([^"]*)"', champ)
    return valeur.group(1) if valeur else ""


def test_the_representatives_phone_is_pre_filled_like_his_email(client, transitaire):
    """Rubrique 3: both are required; the phone comes from the company's record kept by the PAE."""
    transitaire.entreprise.telephone = "04 91 00 00 00"
    transitaire.entreprise.save()
    page = client.get(reverse("rex:deposer")).content.decode()
    assert _valeur(page, "representant_telephone") == "04 91 00 00 00"
    assert _valeur(page, "representant_courriel") == transitaire.email


def test_without_a_phone_on_record_the_last_one_given_is_proposed(client, transitaire):
    represente = MandatFactory(representant=transitaire.entreprise).represente
    demande = demande_representee(transitaire, represente)
    Demande.objects.filter(pk=demande.pk).update(representant_telephone="04 91 12 34 56")
    page = client.get(reverse("rex:deposer")).content.decode()
    assert _valeur(page, "representant_telephone") == "04 91 12 34 56"


def test_an_operators_rubrique_2_phone_is_pre_filled_too(client):
    operateur = UserFactory(habilite=True)
    operateur.entreprise.telephone = "05 56 59 00 00"
    operateur.entreprise.save()
    client.force_login(operateur)
    page = client.get(reverse("rex:deposer")).content.decode()
    assert _valeur(page, "telephone") == "05 56 59 00 00"
