"""The request page at volume (issue 9), on the officer's side: at most 8 SQL queries, as many for a request
with 1 contact, goods row, document, message and event as for one with 500 of each; the rows all shown,
in their order."""

from django.urls import reverse

import pytest

from rex import permissions, services
from tests.agent.conftest import deposer, texte
from tests.agent.volume import garnir, requetes
from tests.factories import CadrePreferentielFactory, DemandeFactory

pytestmark = pytest.mark.django_db

REQUETES_MAX = 8


def modification_de(enregistrement):
    brouillon = services.preparer_modification(enregistrement=enregistrement, by=enregistrement.created_by)
    brouillon.cadres.add(CadrePreferentielFactory(libelle="Accord UE–Viêt Nam"))
    return services.soumettre_modification(
        modification=brouillon, by=enregistrement.created_by, commentaire="Nouveau cadre."
    )


@pytest.fixture
def situations(service, agent):
    """A request of each kind the officer's page shows differently, keyed by the page to measure."""
    en_etude = deposer(service)
    incomplete = services.demander_complement(demande=deposer(service), by=agent, texte="Statuts ?")
    enregistrement = services.octroyer(demande=deposer(service), by=agent)
    modification = modification_de(enregistrement)
    return {
        "en_etude": (en_etude, [en_etude]),
        "incomplete": (incomplete, [incomplete]),
        "modification": (modification, [modification, enregistrement]),
        "modification_demandee": (enregistrement, [enregistrement, modification]),
    }


@pytest.mark.parametrize("situation", ["en_etude", "incomplete", "modification", "modification_demandee"])
def test_officer_page_has_at_most_8_queries_for_1_or_500_rows(
    client_agent, situations, situation, django_assert_max_num_queries
):
    demande, garnies = situations[situation]
    url = reverse("agent:detail", args=[demande.pk])
    une = requetes(client_agent, url)
    for autre in garnies:
        garnir(autre, 500)
    client_agent.get(url)
    with django_assert_max_num_queries(REQUETES_MAX):
        assert client_agent.get(url).status_code == 200
    assert requetes(client_agent, url) == une


def test_officer_page_shows_every_row_in_order(client_agent, service):
    demande = deposer(service)
    garnir(demande, 500)
    contenu = texte(client_agent.get(reverse("agent:detail", args=[demande.pk])))
    for attendu in ("Nom 0", "Nom 499", "Vins 499", "Pièce 499", "piece-499.pdf"):
        assert attendu in contenu, attendu
    assert contenu.index("Message 0<") < contenu.index("Message 1<") < contenu.index("Message 499<")
    assert contenu.index("Événement 0") < contenu.index("Événement 499")
    assert contenu.index("Nom 2<") < contenu.index("Nom 10<"), "contacts in their order, not as text"


def test_the_versions_and_the_modification_in_progress_come_with_the_request(client_agent, service, agent):
    enregistrement = services.octroyer(demande=deposer(service), by=agent)
    modification = modification_de(enregistrement)
    page = client_agent.get(reverse("agent:detail", args=[enregistrement.pk]))
    assert page.context["modification_en_cours"] == modification
    assert [v.pk for v in page.context["versions"]] == [enregistrement.pk, modification.pk]
    page = client_agent.get(reverse("agent:detail", args=[modification.pk]))
    assert [v.pk for v in page.context["versions"]] == [enregistrement.pk, modification.pk]
    assert "Accord UE–Viêt Nam" in texte(page)


def test_another_services_request_is_not_found(client_agent):
    ailleurs = services.soumettre(demande=(d := DemandeFactory(complete=True)), by=d.created_by)
    assert client_agent.get(reverse("agent:detail", args=[ailleurs.pk])).status_code == 404


def test_an_officer_whose_service_lost_the_permission_sees_no_action(client_agent, deposee):
    """The buttons come from the permission read with the request (not from the queryset's scope)."""
    permissions.retirer_instruction(deposee, deposee.service_id)
    page = client_agent.get(reverse("agent:detail", args=[deposee.pk]))
    assert page.status_code == 200
    assert page.context["actions_agent"] == [] and not page.context["peut_ecrire"]
