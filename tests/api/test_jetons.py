"""Personal API tokens: created, shown once, stored as a hash, expiring, revocable, their last use noted;
a token acts with its user's rights and stops when the user loses them."""

import hashlib
from datetime import timedelta
from io import StringIO

from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

import pytest

from api import services
from api.models import JetonApi, Portee
from tests.api.conftest import Api, jeton
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MOI = "/api/v1/moi/"


# ------------------------------------------------------------------ the service
def test_creer_jeton_stores_the_sha256_never_the_token():
    user = UserFactory(habilite=True)
    cree, valeur = services.creer_jeton(user=user, nom="  ERP   Lyon ", portee=Portee.ECRITURE, jours=30)
    cree.refresh_from_db()
    assert valeur.startswith("srex_") and len(valeur) > 40
    assert cree.hash == hashlib.sha256(valeur.encode()).hexdigest()
    assert cree.prefix == valeur[:12]
    assert cree.nom == "ERP Lyon"
    assert cree.expire_le == timezone.localdate() + timedelta(days=30)
    assert not JetonApi.objects.filter(hash=valeur).exists()
    assert valeur not in str(JetonApi.objects.values_list())


def test_default_validity_is_90_days_and_at_most_a_year():
    user = UserFactory(habilite=True)
    cree, _ = services.creer_jeton(user=user, nom="ERP")
    assert cree.expire_le == timezone.localdate() + timedelta(days=90)
    assert cree.portee == Portee.LECTURE
    with pytest.raises(services.JetonRefuse, match="entre 1 et 365"):
        services.creer_jeton(user=user, nom="ERP", jours=366)
    with pytest.raises(services.JetonRefuse, match="entre 1 et 365"):
        services.creer_jeton(user=user, nom="ERP", jours=0)


@pytest.mark.parametrize(
    "traits",
    [{}, {"certifie": True}, {"habilite": True, "is_active": False}],
    ids=["non_certifie", "non_habilite", "desactive"],
)
def test_creer_jeton_refused_without_the_rights(traits):
    with pytest.raises(services.JetonRefuse, match="réservés aux comptes certifiés"):
        services.creer_jeton(user=UserFactory(**traits), nom="ERP")


def test_an_officer_gets_read_only_tokens_only(agent):
    cree, _ = services.creer_jeton(user=agent, nom="Tableau de bord")
    assert cree.portee == Portee.LECTURE
    with pytest.raises(services.JetonRefuse, match="lecture seule"):
        services.creer_jeton(user=agent, nom="ERP", portee=Portee.ECRITURE)


# ------------------------------------------------------------------ authentication
def test_a_token_authenticates_its_user(client):
    user = UserFactory(habilite=True)
    response = Api(client, jeton(user)).get(MOI)
    assert response.status_code == 200
    assert response.json()["identifiant"] == user.username
    assert response.json()["jeton"]["portee"] == "lecture"


def test_an_expired_token_is_refused(client):
    user = UserFactory(habilite=True)
    valeur = jeton(user, jours=1)
    assert Api(client, valeur).get(MOI).status_code == 200
    JetonApi.objects.update(expire_le=timezone.localdate() - timedelta(days=1))
    response = Api(client, valeur).get(MOI)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "expiré" in response.json()["detail"]


def test_a_revoked_token_is_refused(client):
    user = UserFactory(habilite=True)
    valeur = jeton(user)
    services.revoquer_jeton(jeton=JetonApi.objects.get(), by=user)
    assert Api(client, valeur).get(MOI).status_code == 401


@pytest.mark.parametrize(
    "changement",
    [{"is_active": False}, {"habilite_le": None}, {"certifie_le": None}],
    ids=["desactive", "plus_habilite", "plus_certifie"],
)
def test_a_token_stops_when_its_user_loses_his_rights(client, changement):
    user = UserFactory(habilite=True)
    valeur = jeton(user)
    assert Api(client, valeur).get(MOI).status_code == 200
    type(user).objects.filter(pk=user.pk).update(**changement)
    assert Api(client, valeur).get(MOI).status_code == 401


@pytest.mark.parametrize(
    "entete",
    ["Bearer", "Bearer srex_inconnu", "Bearer srex_a srex_b", "Token srex_x", "Bearer pas-un-jeton"],
)
def test_a_bad_authorization_header_is_a_401_problem(client, entete):
    response = client.get(MOI, headers={"Authorization": entete})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["type"] == "urn:soprano-rex:probleme:authentification"


def test_a_session_is_not_enough(client):
    """Only tokens authenticate: a signed-in browser gets a 401 (no CSRF question on writes)."""
    client.force_login(UserFactory(habilite=True))
    assert client.get(MOI).status_code == 401


def test_the_last_use_is_written_at_most_once_a_minute(client, django_assert_num_queries):
    user = UserFactory(habilite=True)
    api = Api(client, jeton(user))
    assert JetonApi.objects.get().dernier_usage is None
    api.get(MOI)
    premier = JetonApi.objects.get().dernier_usage
    assert premier is not None
    api.get(MOI)
    assert JetonApi.objects.get().dernier_usage == premier  # within the minute: not written again
    JetonApi.objects.update(dernier_usage=premier - timedelta(minutes=2))
    api.get(MOI)
    assert JetonApi.objects.get().dernier_usage > premier


def test_noter_usage_writes_nothing_within_the_minute(django_assert_num_queries):
    user = UserFactory(habilite=True)
    cree, _ = services.creer_jeton(user=user, nom="ERP")
    maintenant = timezone.now()
    with django_assert_num_queries(1):
        services.noter_usage(cree, maintenant=maintenant)
    with django_assert_num_queries(0):
        services.noter_usage(cree, maintenant=maintenant + timedelta(seconds=59))


# ------------------------------------------------------------------ the command
def test_the_command_prints_a_working_token(client):
    user = UserFactory(habilite=True)
    sortie = StringIO()
    call_command(
        "api_token",
        user.username,
        "--ecriture",
        "--nom",
        "ERP Lyon",
        "--jours",
        "10",
        stdout=sortie,
        stderr=StringIO(),
    )
    valeur = sortie.getvalue().strip()
    cree = JetonApi.objects.get()
    assert (cree.nom, cree.portee, cree.user) == ("ERP Lyon", Portee.ECRITURE, user)
    assert cree.expire_le == timezone.localdate() + timedelta(days=10)
    assert cree.hash == hashlib.sha256(valeur.encode()).hexdigest()
    assert Api(client, valeur).get(MOI).json()["jeton"]["portee"] == "ecriture"


def test_the_command_refuses_an_unknown_or_uncertified_account():
    with pytest.raises(CommandError, match="Aucun compte"):
        call_command("api_token", "inconnu", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="certifiés"):
        call_command("api_token", UserFactory().username, stdout=StringIO(), stderr=StringIO())
    assert not JetonApi.objects.exists()


# ------------------------------------------------------------------ the page « Jetons d'accès »
PAGE = reverse("jetons:liste")


def test_the_page_creates_a_token_and_shows_it_once(client):
    user = UserFactory(habilite=True)
    client.force_login(user)
    response = client.post(PAGE, {"nom": "ERP Lyon", "portee": "ecriture", "jours": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    cree = JetonApi.objects.get()
    valeur = response.context["valeur"]
    assert cree.hash == hashlib.sha256(valeur.encode()).hexdigest()
    contenu = response.content.decode()
    assert valeur in contenu and "il ne sera plus jamais affiché" in contenu
    assert "Le jeton « ERP Lyon » a été créé." in contenu
    # Never again: the list shows the prefix only.
    suivante = client.get(PAGE).content.decode()
    assert valeur not in suivante and cree.prefix in suivante
    assert Api(client, valeur).get(MOI).status_code == 200


def test_the_page_lists_prefix_scope_expiry_and_last_use(client):
    user = UserFactory(habilite=True)
    cree, _ = services.creer_jeton(user=user, nom="ERP Lyon", jours=30)
    JetonApi.objects.update(dernier_usage=timezone.now())
    services.creer_jeton(user=UserFactory(habilite=True), nom="Celui d'un autre")
    client.force_login(user)
    contenu = client.get(PAGE).content.decode()
    assert cree.prefix in contenu and "Lecture seule" in contenu
    assert f"{cree.expire_le:%d/%m/%Y}" in contenu
    assert "Jamais" not in contenu
    assert "Celui d&#x27;un autre" not in contenu and "Celui d'un autre" not in contenu


def test_the_page_shows_the_errors_in_french(client):
    client.force_login(UserFactory(habilite=True))
    response = client.post(PAGE, {"nom": "", "portee": "lecture", "jours": "400"})
    assert response.status_code == 422
    contenu = response.content.decode()
    assert "Le nom du jeton est obligatoire." in contenu
    assert "La durée de validité est comprise entre 1 et 365 jours." in contenu
    assert not JetonApi.objects.exists()


def test_an_officer_is_offered_read_only_tokens(client, agent):
    client.force_login(agent)
    response = client.get(PAGE)
    assert [c for c, _ in response.context["form"].fields["portee"].choices] == ["lecture"]
    response = client.post(PAGE, {"nom": "File", "portee": "ecriture", "jours": "30"})
    assert response.status_code == 422
    assert not JetonApi.objects.exists()
    client.post(PAGE, {"nom": "File", "portee": "lecture", "jours": "30"})
    assert JetonApi.objects.get().user == agent


def test_revoking_a_token_stops_it(client):
    user = UserFactory(habilite=True)
    cree, valeur = services.creer_jeton(user=user, nom="ERP")
    client.force_login(user)
    response = client.post(reverse("jetons:revoquer", args=[cree.pk]), follow=True)
    assert "Le jeton « ERP » a été révoqué" in response.content.decode()
    cree.refresh_from_db()
    assert cree.revoque_le is not None
    client.logout()
    assert Api(client, valeur).get(MOI).status_code == 401


def test_another_users_token_cannot_be_revoked(client):
    cree, _ = services.creer_jeton(user=UserFactory(habilite=True), nom="ERP")
    client.force_login(UserFactory(habilite=True))
    assert client.post(reverse("jetons:revoquer", args=[cree.pk])).status_code == 404
    cree.refresh_from_db()
    assert cree.revoque_le is None


def test_an_account_not_habilitated_is_sent_to_its_next_step(client):
    client.force_login(UserFactory(certifie=True))
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:soprano_home")


def test_the_pae_revokes_a_token_in_the_admin(client):
    cree, valeur = services.creer_jeton(user=UserFactory(habilite=True), nom="ERP")
    pae = UserFactory(is_staff=True)
    pae.user_permissions.add(*Permission.objects.filter(codename__in=["view_jetonapi", "change_jetonapi"]))
    client.force_login(pae)
    liste = client.get(reverse("admin:api_jetonapi_changelist")).content.decode()
    assert cree.prefix in liste and valeur not in liste and cree.hash not in liste
    client.post(
        reverse("admin:api_jetonapi_changelist"),
        {"action": "revoquer", "_selected_action": [cree.pk]},
    )
    cree.refresh_from_db()
    assert cree.revoque_le is not None
    client.logout()
    assert Api(client, valeur).get(MOI).status_code == 401


def test_another_user_may_not_revoke_a_token():
    cree, _ = services.creer_jeton(user=UserFactory(habilite=True), nom="ERP")
    with pytest.raises(services.JetonRefuse):
        services.revoquer_jeton(jeton=cree, by=UserFactory(habilite=True))
