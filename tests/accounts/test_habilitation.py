"""« Demander mon habilitation » from the services catalogue (guide §3.2.3.1)."""

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

import pytest

from accounts import services
from accounts.models import DemandeHabilitation
from tests.accounts.helpers import messages_de, texte
from tests.factories import DepartementFactory, UserFactory

pytestmark = pytest.mark.django_db

SOPRANO = "Demande d'autorisation douanière et fiscale (SOPRANO)"


def _demander(client, departement, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:demander_habilitation"), {"departement": departement.pk})


# Catalogue and search ----------------------------------------------------------------------------


def test_catalogue_search_bar(client):
    page = texte(client.get(reverse("accounts:services")))
    assert '<label class="fr-label" for="q">Rechercher un service</label>' in page
    assert ">Rechercher</button>" in page
    assert "Services en ligne" in page
    assert SOPRANO in page


@pytest.mark.parametrize("q", ["Soprano", "soprano", "autorisation douanière", "DOUANIERE", "rex"])
def test_search_finds_soprano(client, q):
    page = texte(client.get(reverse("accounts:services"), {"q": q}))
    assert SOPRANO in page
    assert f"1 service pour la recherche « {q} »" in page


def test_search_without_result(client):
    page = texte(client.get(reverse("accounts:services"), {"q": "tabac"}))
    assert SOPRANO not in page
    assert "Aucun service en ligne ne correspond à votre recherche." in page


def test_catalogue_anonymous_is_invited_to_log_in(client):
    page = texte(client.get(reverse("accounts:services"), {"q": "Soprano"}))
    assert "Se connecter" in page
    assert "Votre département" not in page


def test_catalogue_not_certified_explains_certification(client):
    client.force_login(UserFactory())
    page = texte(client.get(reverse("accounts:services"), {"q": "Soprano"}))
    assert "Votre compte n'a pas la certification « Opérateur douane »" in page
    assert "Envoyer la demande" not in page


def test_catalogue_certified_shows_button_and_form_at_bottom(client):
    DepartementFactory(code="33", nom="Gironde")
    client.force_login(UserFactory(certifie=True))
    page = texte(client.get(reverse("accounts:services"), {"q": "Soprano"}))
    assert 'href="#demande-habilitation">Demander mon habilitation</a>' in page
    assert 'id="demande-habilitation"' in page
    assert page.index("Demander mon habilitation") < page.index('id="demande-habilitation"')
    assert '<label for="id_departement" class="fr-label">' in page
    assert "Votre département" in page
    assert "33 – Gironde" in page
    assert "Envoyer la demande" in page


def test_catalogue_habilitated_gives_access(client):
    client.force_login(UserFactory(habilite=True))
    page = texte(client.get(reverse("accounts:services"), {"q": "Soprano"}))
    assert "Accéder au service en ligne" in page
    assert f'href="{reverse("accounts:soprano_home")}"' in page
    assert "Demander mon habilitation" not in page
    assert "Envoyer la demande" not in page


# Request -----------------------------------------------------------------------------------------


def test_request_recorded_and_mailed_to_pae(client, mailoutbox, django_capture_on_commit_callbacks):
    departement = DepartementFactory(
        code="33",
        nom="Gironde",
        pae_nom="PAE de Bordeaux",
        pae_courriel="pae-bordeaux@douane.example",
    )
    user = UserFactory(certifie=True, email="claire@exemple.fr")
    client.force_login(user)

    response = _demander(client, departement, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:services") + "#demande-habilitation"
    demande = DemandeHabilitation.objects.get(user=user)
    assert demande.departement == departement and demande.traitee_le is None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["pae-bordeaux@douane.example"]
    assert "claire@exemple.fr" in mail.body
    assert user.entreprise.eori in mail.subject
    assert user.entreprise.raison_sociale in mail.body
    assert f"/admin/accounts/demandehabilitation/{demande.pk}/change/" in mail.body
    assert (
        "envoyée au pôle d'action économique (PAE) du département 33 – Gironde (PAE de Bordeaux)."
        in messages_de(response)[0]
    )

    page = texte(client.get(response["Location"]))
    assert "Votre demande d'habilitation est en cours de traitement" in page
    assert "Envoyer la demande" not in page


def test_request_not_duplicated_while_pending(client, mailoutbox, django_capture_on_commit_callbacks):
    departement = DepartementFactory()
    user = UserFactory(certifie=True)
    client.force_login(user)
    _demander(client, departement, django_capture_on_commit_callbacks)

    response = _demander(client, DepartementFactory(code="75"), django_capture_on_commit_callbacks)

    assert DemandeHabilitation.objects.filter(user=user).count() == 1
    assert len(mailoutbox) == 1
    assert "déjà une demande d'habilitation en cours" in messages_de(response)[-1]


def test_request_without_pae_address_goes_to_the_pae_staff_of_the_administration(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """No PAE address known for the département (the demo's 33): the request is routed to the staff
    accounts that handle habilitation requests in the admin, never left unread."""
    permission = Permission.objects.get(codename="change_demandehabilitation")
    pae = Group.objects.create(name="PAE")
    pae.permissions.add(permission)
    par_groupe = UserFactory(is_staff=True, email="pae-national@douane.example")
    par_groupe.groups.add(pae)
    direct = UserFactory(is_staff=True, email="pae-direct@douane.example")
    direct.user_permissions.add(permission)
    UserFactory(is_staff=True, is_superuser=True, email="admin@douane.example")
    UserFactory(is_staff=True, email="autre-staff@douane.example")  # no such permission
    inactif = UserFactory(is_staff=True, is_active=False, email="ancien-pae@douane.example")
    inactif.user_permissions.add(permission)
    departement = DepartementFactory(pae_courriel="")
    user = UserFactory(certifie=True)
    client.force_login(user)

    response = _demander(client, departement, django_capture_on_commit_callbacks)

    demande = DemandeHabilitation.objects.get(user=user, departement=departement)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "admin@douane.example",
        "pae-direct@douane.example",
        "pae-national@douane.example",
    ]
    corps = mailoutbox[0].body
    assert "Aucune adresse de PAE n'est connue pour ce département" in corps
    assert f"/admin/accounts/demandehabilitation/{demande.pk}/change/" in corps
    assert "sera traitée par le pôle d'action économique (PAE) compétent" in messages_de(response)[0]


def test_the_admin_lists_the_pending_habilitation_requests(client):
    en_attente = services.demander_habilitation(
        user=UserFactory(certifie=True, username="enattente"), departement=DepartementFactory()
    )[0]
    traitee = services.demander_habilitation(
        user=UserFactory(certifie=True, username="traitee"), departement=DepartementFactory()
    )[0]
    services.habiliter(user=traitee.user, by=UserFactory(is_staff=True, is_superuser=True))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = texte(client.get(reverse("admin:accounts_demandehabilitation_changelist"), {"traitee": "non"}))
    assert en_attente.user.username in page and "traitee (" not in page


def test_request_without_departement_shows_error(client):
    DepartementFactory()
    client.force_login(UserFactory(certifie=True))
    response = client.post(reverse("accounts:demander_habilitation"), {"departement": ""})
    assert response.status_code == 200
    page = texte(response)
    assert 'href="#id_departement"' in page
    assert "Sélectionnez votre département." in page
    assert not DemandeHabilitation.objects.exists()


def test_service_refuses_officer():
    with pytest.raises(services.HabilitationImpossible):
        services.demander_habilitation(user=UserFactory(agent=True), departement=DepartementFactory())
