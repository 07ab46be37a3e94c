"""« Notifications techniques »: register an address, see its secret once, its log, test, disable, delete."""

import html

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from tests.factories import UserFactory
from tests.webhooks.conftest import SECRET, creer_endpoint, creer_par_la_page
from webhooks.models import Endpoint, Livraison, Tentative

pytestmark = pytest.mark.django_db
LISTE = reverse("webhooks:liste")


def action(client, endpoint, nom):
    return client.post(reverse("webhooks:action", args=[endpoint.pk]), {"action": nom})


@pytest.fixture
def operateur(client):
    user = UserFactory(habilite=True)
    client.force_login(user)
    return user


def test_register_an_address_and_see_its_secret_once(client, operateur):
    response = client.post(
        LISTE, {"url": "https://erp.exemple.fr/soprano", "libelle": "ERP", "statut_modifie": "on"}
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response.url == reverse("webhooks:detail", args=[endpoint.pk])
    assert (endpoint.entreprise, endpoint.created_by) == (operateur.entreprise, operateur)
    assert endpoint.statut_modifie and not endpoint.message_recu
    page = html.unescape(client.get(response.url).content.decode())
    assert SECRET.search(page).group(1) == endpoint.secret
    assert "L'adresse de notification a été enregistrée." in page
    again = html.unescape(client.get(response.url).content.decode())
    assert endpoint.secret not in again and "Secret de signature" not in again
    assert endpoint.secret not in html.unescape(client.get(LISTE).content.decode())


@pytest.mark.parametrize(
    ("url", "erreur"),
    [
        ("http://erp.exemple.fr/soprano", "https://"),
        ("http://127.0.0.1:8080/hook", "https://"),
        ("https://localhost/hook", "accessible depuis Internet"),
        ("https://10.1.2.3/hook", "accessible depuis Internet"),
        ("https://169.254.169.254/latest/meta-data", "accessible depuis Internet"),
        ("https://[::1]/hook", "accessible depuis Internet"),
        ("https://user:motdepasse@erp.exemple.fr/", "ni identifiant ni mot de passe"),
    ],
)
def test_the_form_refuses_what_production_refuses(client, operateur, url, erreur):
    response = client.post(LISTE, {"url": url, "statut_modifie": "on"})
    assert response.status_code == 422
    assert erreur in html.unescape(response.content.decode())
    assert not Endpoint.objects.exists()


def test_the_form_wants_at_least_one_event(client, operateur):
    response = client.post(LISTE, {"url": "https://erp.exemple.fr/"})
    assert response.status_code == 422
    assert "Choisissez au moins un type d'événement." in html.unescape(response.content.decode())


def test_another_companys_address_is_a_404(client, operateur):
    autre = creer_endpoint(UserFactory(habilite=True), "https://autre.exemple.fr/")
    assert client.get(reverse("webhooks:detail", args=[autre.pk])).status_code == 404
    for nom in ("tester", "desactiver", "supprimer"):
        assert action(client, autre, nom).status_code == 404
    assert Endpoint.objects.get().actif and not Livraison.objects.exists()
    assert "autre.exemple.fr" not in html.unescape(client.get(LISTE).content.decode())


def test_a_colleague_of_the_same_company_manages_it_too(client, operateur):
    endpoint = creer_endpoint(UserFactory(habilite=True, entreprise=operateur.entreprise), "https://a.fr/")
    assert client.get(reverse("webhooks:detail", args=[endpoint.pk])).status_code == 200


def test_tester_delivers_a_ping_through_the_same_path(
    client, operateur, recepteur, django_capture_on_commit_callbacks
):
    endpoint, secret = creer_par_la_page(client, recepteur.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = action(client, endpoint, "tester")
    assert response.status_code == 302
    [recu] = recepteur.recus
    assert recu.entetes["X-Soprano-Event"] == "ping" and recu.json["type"] == "ping"
    assert recu.signature_valide(secret)
    page = html.unescape(client.get(response.url).content.decode())
    assert "Un événement de test (ping) a été envoyé" in page
    assert "ping" in page and "200" in page  # the log


def test_a_failed_ping_is_tried_once_and_counts_for_nothing(
    client, operateur, recepteur, django_capture_on_commit_callbacks
):
    endpoint, _ = creer_par_la_page(client, recepteur.url)
    recepteur.reponses.append(500)
    with django_capture_on_commit_callbacks(execute=True):
        action(client, endpoint, "tester")
    ligne = Livraison.objects.get()
    assert ligne.etat == Livraison.Etat.ECHEC and ligne.prochain_essai_le is None
    endpoint.refresh_from_db()
    assert endpoint.echecs_consecutifs == 0
    page = client.get(reverse("webhooks:detail", args=[endpoint.pk]))
    assert "Réponse HTTP 500" in html.unescape(page.content.decode())


def test_disable_enable_and_delete(client, operateur):
    endpoint = creer_endpoint(operateur, "https://erp.exemple.fr/")
    response = action(client, endpoint, "desactiver")
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.actif and endpoint.desactive_le is not None
    assert "Réactiver" in html.unescape(client.get(response.url).content.decode())
    action(client, endpoint, "reactiver")
    endpoint.refresh_from_db()
    assert endpoint.actif and endpoint.echecs_consecutifs == 0
    response = action(client, endpoint, "supprimer")
    assert response.status_code == 302 and response.url == LISTE
    assert not Endpoint.objects.exists()


def test_an_unknown_action_changes_nothing(client, operateur):
    endpoint = creer_endpoint(operateur, "https://erp.exemple.fr/")
    response = action(client, endpoint, "toutcasser")
    assert response.status_code == 302
    assert Endpoint.objects.get().actif
    assert "Cette action n'est pas reconnue" in html.unescape(client.get(response.url).content.decode())


def test_officers_and_uncertified_users_do_not_reach_the_page(client):
    client.force_login(UserFactory(agent=True))
    assert client.get(LISTE).url == reverse("agent:file")
    client.force_login(UserFactory())
    assert client.get(LISTE).url == reverse("accounts:dashboard")


def _requetes(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _tentatives(endpoint, n):
    for i in range(n):
        ligne = Livraison.objects.create(endpoint=endpoint, type="ping", donnees={"numero": f"N{i}"})
        Tentative.objects.create(livraison=ligne, endpoint=endpoint, numero=1, statut_http=500, erreur="x")


def test_the_pages_queries_do_not_grow(client, operateur):
    endpoint = creer_endpoint(operateur, "https://erp.exemple.fr/")
    _tentatives(endpoint, 1)
    detail = reverse("webhooks:detail", args=[endpoint.pk])
    petit_detail, petite_liste = _requetes(client, detail), _requetes(client, LISTE)
    _tentatives(endpoint, 30)
    for i in range(8):
        creer_endpoint(operateur, f"https://erp{i}.exemple.fr/")
    assert _requetes(client, detail) == petit_detail
    assert _requetes(client, LISTE) == petite_liste
    assert html.unescape(client.get(detail).content.decode()).count("<tr>") == 1 + 31


def test_a_company_has_ten_addresses_at_most(client, operateur):
    for i in range(10):
        creer_endpoint(operateur, f"https://erp{i}.exemple.fr/")
    response = client.post(LISTE, {"url": "https://erp.exemple.fr/", "statut_modifie": "on"})
    assert response.status_code == 422
    assert "déjà 10 adresses" in html.unescape(response.content.decode())
    assert Endpoint.objects.count() == 10


def test_the_dashboard_and_the_menu_lead_to_the_page(client, operateur):
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert page.count(f'href="{LISTE}"') == 2
