"""The admin keeps the nomenclature searchable: libelle_recherche follows the label it edits."""

from django.urls import reverse

import pytest

from rex.models import Chapitre, PositionTarifaire
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_saving_a_heading_recomputes_its_search_label(admin_client):
    chapitre = Chapitre.objects.create(code="09", libelle="CAFÉ", libelle_recherche="cafe")
    position = PositionTarifaire.objects.create(
        code="0901", chapitre=chapitre, libelle="Café", libelle_recherche="cafe"
    )

    response = admin_client.post(
        reverse("admin:rex_positiontarifaire_change", args=[position.pk]),
        {"code": "0901", "chapitre": chapitre.pk, "libelle": "Café, même torréfié ou décaféiné"},
    )

    assert response.status_code == 302
    position.refresh_from_db()
    assert position.libelle_recherche == "cafe meme torrefie ou decafeine"


def test_admin_search_ignores_accents(admin_client):
    Chapitre.objects.create(code="09", libelle="CAFÉ, THÉ", libelle_recherche="cafe the")
    Chapitre.objects.create(code="22", libelle="BOISSONS", libelle_recherche="boissons")

    response = admin_client.get(reverse("admin:rex_chapitre_changelist"), {"q": "Thé"})

    assert [c.code for c in response.context["cl"].result_list] == ["09"]
