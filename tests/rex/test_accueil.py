"""The REX home (guide §3.5): its four tables tell screen readers what they hold."""

import re

from django.urls import reverse

import pytest

from rex import services
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_table_caption_names_the_list_and_its_count_never_the_empty_text(client):
    operateur = UserFactory(habilite=True)
    DemandeFactory(complete=True, created_by=operateur)
    soumise = DemandeFactory(
        complete=True, created_by=UserFactory(habilite=True, entreprise=operateur.entreprise)
    )
    services.soumettre(demande=soumise, by=soumise.created_by)
    client.force_login(operateur)
    page = client.get(reverse("rex:accueil")).content.decode()
    legendes = [" ".join(c.split()) for c in re.findall(r"<caption>(.*?)</caption>", page, flags=re.S)]
    assert legendes == ["Mes demandes en cours (1)", "Mes brouillons (1)"]
    for vide in ("Aucune demande en cours.", "Aucun brouillon."):
        assert vide not in page
    # The lists that are empty say so in a paragraph, not in a table.
    assert "<p>Aucune autorisation.</p>" in page and "<p>Aucune demande rejetée.</p>" in page
