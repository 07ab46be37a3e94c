"""The admin: addresses disabled through the service, deliveries read-only, the secret never shown."""

from django.urls import reverse

import pytest

from tests.factories import UserFactory
from tests.webhooks.conftest import creer_endpoint
from webhooks import services
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


def test_the_admin_disables_an_address_and_never_shows_its_secret(client):
    endpoint = creer_endpoint(UserFactory(habilite=True), "https://erp.exemple.fr/")
    livraison = services.tester(endpoint=endpoint, by=endpoint.created_by)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page
    page = client.get(reverse("admin:webhooks_livraison_change", args=[livraison.pk])).content.decode()
    assert endpoint.secret not in page and 'name="_save"' not in page
    response = client.post(
        reverse("admin:webhooks_endpoint_changelist"),
        {"action": "desactiver", "_selected_action": [endpoint.pk]},
    )
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert not endpoint.actif and endpoint.motif_desactivation.startswith("Désactivée par")
