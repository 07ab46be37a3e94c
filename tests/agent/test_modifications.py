"""A registration's modification in the back-office (guide §7.2): the queue shows it as a modification of
its registration, the registration's page leads to it, and its page shows the changes in orange."""

import re
from html import unescape

from django.urls import reverse
from django.utils.html import strip_tags

import pytest

from rex import services
from tests.factories import CadrePreferentielFactory, DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def modification():
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    enregistrement = services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    brouillon = services.preparer_modification(enregistrement=enregistrement, by=enregistrement.created_by)
    brouillon.courriel = "nouvelle-adresse@exemple.fr"
    brouillon.save()
    brouillon.cadres.add(CadrePreferentielFactory(libelle="Accord UE–Viêt Nam"))
    return services.soumettre_modification(
        modification=brouillon, by=enregistrement.created_by, commentaire="Nouvelle adresse, nouveau cadre."
    )


@pytest.fixture
def client_service(client, modification):
    client.force_login(UserFactory(service=modification.service))
    return client


def lire(response) -> str:
    """The page's text as read (tags removed)."""
    return " ".join(unescape(strip_tags(response.content.decode())).split())


def test_the_modification_filter_leads_to_the_modification_being_instructed(client_service, modification):
    enregistrement = modification.version_precedente
    page = client_service.get(reverse("agent:file"), {"statut": "modification_demandee"})
    html = page.content.decode()
    assert enregistrement.numero in html
    lien = reverse("agent:detail", args=[modification.pk])
    assert re.search(rf'Modification en cours :\s*<a href="{lien}">{modification.numero}</a>', html)


def test_the_queue_shows_a_modification_as_the_modification_of_its_registration(client_service, modification):
    texte = lire(client_service.get(reverse("agent:file"), {"statut": "en_etude"}))
    assert modification.numero in texte
    assert f"Modification de l'enregistrement {modification.version_precedente.numero_rex}" in texte


def test_the_registrations_page_links_to_the_modification_in_progress(client_service, modification):
    enregistrement = modification.version_precedente
    response = client_service.get(reverse("agent:detail", args=[enregistrement.pk]))
    texte = lire(response)
    assert "La demande de modification de cet enregistrement est en cours d'instruction" in texte
    assert "Aucune action d'instruction n'est possible" not in texte
    assert f"Les actions d'instruction se font sur la demande de modification {modification.numero}" in texte
    assert f'href="{reverse("agent:detail", args=[modification.pk])}"' in response.content.decode()


def test_the_officer_sees_the_changes_in_orange(client_service, modification):
    html = client_service.get(reverse("agent:detail", args=[modification.pk])).content.decode()
    assert 'apparaissent <span class="rex-modifie">en orange</span>' in " ".join(html.split())
    assert re.search(r'<dt>Courriel</dt>\s*<dd class="rex-modifie">', html)
    assert re.search(r'<li class="rex-modifie">\s*Accord UE–Viêt Nam', html)
    assert 'class="fr-h5 rex-modifie" id="recap-6"' in html
    assert 'class="fr-h5 rex-modifie" id="recap-4"' not in html, "contacts unchanged"
    texte = lire(client_service.get(reverse("agent:detail", args=[modification.pk])))
    assert (
        f"Demande de modification de l'enregistrement {modification.version_precedente.numero_rex}" in texte
    )


def test_the_holder_sees_the_modification_in_progress_from_the_registration(client, modification):
    enregistrement = modification.version_precedente
    client.force_login(enregistrement.created_by)
    response = client.get(reverse("rex:detail", args=[enregistrement.pk]))
    assert "La demande de modification de cet enregistrement est en cours d'instruction" in lire(response)
    assert f'href="{reverse("rex:detail", args=[modification.pk])}"' in response.content.decode()
