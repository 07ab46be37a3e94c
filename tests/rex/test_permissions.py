"""Object permissions (django-guardian): given to company and service groups, moved on reassignment."""

import pytest
from guardian.core import ObjectPermissionChecker

from accounts.groupes import synchroniser_groupes
from rex import actions, services
from tests.factories import BureauDouaneFactory, EntrepriseFactory, UserFactory

pytestmark = pytest.mark.django_db


def perms(user, demande) -> set[str]:
    return set(ObjectPermissionChecker(user).get_perms(demande))


def test_holder_company_follows_and_service_instructs(deposee):
    collegue = UserFactory(habilite=True, entreprise=deposee.titulaire)
    agent = UserFactory(service=deposee.service)
    assert perms(collegue, deposee) == {"suivre_demande"}
    assert perms(agent, deposee) == {"instruire_demande"}
    assert perms(UserFactory(habilite=True), deposee) == set()
    assert perms(UserFactory(agent=True), deposee) == set()


def test_reassigning_moves_the_officers_permissions(deposee):
    ancien = UserFactory(service=deposee.service)
    nouveau_service = BureauDouaneFactory()
    nouveau = UserFactory(service=nouveau_service)
    services.reaffecter(demande=deposee, by=ancien, service=nouveau_service, commentaire="Lyon.")
    assert perms(ancien, deposee) == set()
    assert perms(nouveau, deposee) == {"instruire_demande"}
    assert actions.actions_possibles(ancien, deposee) == []
    assert "octroyer" in {a.nom for a in actions.actions_possibles(nouveau, deposee)}


def test_a_draft_belongs_to_its_author_side_only(client):
    transitaire = UserFactory(representant=True)
    client_entreprise = EntrepriseFactory()
    brouillon = services.creer_brouillon(by=transitaire)
    brouillon.titulaire = client_entreprise
    brouillon.save()
    membre_client = UserFactory(habilite=True, entreprise=client_entreprise)
    assert perms(transitaire, brouillon) == {"suivre_demande"}
    assert perms(membre_client, brouillon) == set()


def test_access_follows_the_account_when_the_pae_changes_its_company(deposee):
    user = UserFactory(habilite=True, entreprise=deposee.titulaire)
    assert actions.cote_de(user, deposee) == actions.OPERATEUR
    user.entreprise = EntrepriseFactory()
    user.save()
    synchroniser_groupes(user)
    user = type(user).objects.get(pk=user.pk)
    assert actions.cote_de(user, deposee) is None


def test_permissions_disappear_with_an_abandoned_request(deposee):
    from rex.models import DemandeGroupePermission

    assert DemandeGroupePermission.objects.filter(content_object=deposee).exists()
    services.abandonner(demande=deposee, by=deposee.created_by)
    assert not DemandeGroupePermission.objects.exists()


def test_synchroniser_permissions_restores_access_after_an_upgrade(deposee, capsys):
    from django.core.management import call_command

    from rex.models import DemandeGroupePermission

    agent = UserFactory(service=deposee.service)
    DemandeGroupePermission.objects.all().delete()
    agent.groups.clear()
    assert actions.cote_de(agent, deposee) is None
    call_command("synchroniser_permissions")
    assert "Permissions recalculées" in capsys.readouterr().out
    assert actions.cote_de(agent, deposee) == actions.SERVICE
    assert actions.cote_de(deposee.created_by, deposee) == actions.OPERATEUR
