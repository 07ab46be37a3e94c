"""The request page at volume (issue 9), on the operator's side: at most 8 SQL queries, as many for a
request with 1 contact, goods row, document, message and event as for one with 500 of each; the rows all
shown, in their order."""

from django.urls import reverse

import pytest

from rex import services
from tests.agent.conftest import deposer, texte
from tests.agent.volume import garnir, requetes
from tests.factories import (
    BureauDouaneFactory,
    CadrePreferentielFactory,
    MandatFactory,
    UserFactory,
    demande_representee,
)

pytestmark = pytest.mark.django_db

REQUETES_MAX = 8


@pytest.fixture
def situations():
    """A request of each kind the operator's page shows differently, with the rows to multiply."""
    service = BureauDouaneFactory()
    agent = UserFactory(service=service)
    en_etude = deposer(service)
    incomplete = services.demander_complement(demande=deposer(service), by=agent, texte="Statuts ?")
    enregistrement = services.octroyer(demande=deposer(service), by=agent)
    brouillon = services.preparer_modification(enregistrement=enregistrement, by=enregistrement.created_by)
    brouillon.cadres.add(CadrePreferentielFactory(libelle="Accord UE–Viêt Nam"))
    modification = services.soumettre_modification(
        modification=brouillon, by=enregistrement.created_by, commentaire="Nouveau cadre."
    )
    return {
        "en_etude": (en_etude, [en_etude]),
        "incomplete": (incomplete, [incomplete]),
        "modification": (modification, [modification, enregistrement]),
        "modification_demandee": (enregistrement, [enregistrement, modification]),
    }


@pytest.mark.parametrize("situation", ["en_etude", "incomplete", "modification", "modification_demandee"])
def test_operator_page_has_at_most_8_queries_for_1_or_500_rows(
    client, situations, situation, django_assert_max_num_queries
):
    demande, garnies = situations[situation]
    client.force_login(demande.created_by)
    url = reverse("rex:detail", args=[demande.pk])
    une = requetes(client, url)
    for autre in garnies:
        garnir(autre, 500)
    client.get(url)
    with django_assert_max_num_queries(REQUETES_MAX):
        assert client.get(url).status_code == 200
    assert requetes(client, url) == une


def test_operator_page_shows_every_row_in_order(client):
    demande = deposer()
    garnir(demande, 500)
    client.force_login(demande.created_by)
    contenu = texte(client.get(reverse("rex:detail", args=[demande.pk])))
    for attendu in ("Nom 0", "Nom 499", "Vins 499", "Pièce 499", "piece-499.pdf"):
        assert attendu in contenu, attendu
    assert contenu.index("Message 0<") < contenu.index("Message 1<") < contenu.index("Message 499<")
    assert contenu.index("Événement 0") < contenu.index("Événement 499")


def test_the_recap_of_a_modification_marks_what_changed(client, situations):
    modification, _ = situations["modification"]
    client.force_login(modification.created_by)
    page = client.get(reverse("rex:detail", args=[modification.pk]))
    assert page.context["modifie"]["cadres"] is True
    assert page.context["modifie"]["contacts"] is False
    assert [c.libelle for c in page.context["cadres"] if c.modifie] == ["Accord UE–Viêt Nam"]


def test_someone_elses_request_is_not_found(client, situations):
    demande, _ = situations["en_etude"]
    client.force_login(UserFactory(habilite=True))
    assert client.get(reverse("rex:detail", args=[demande.pk])).status_code == 404


def test_a_representative_sees_the_actions_of_his_side(client):
    """The operator's company is read with the request (holder or representative), not again."""
    transitaire = UserFactory(representant=True)
    client_entreprise = MandatFactory(representant=transitaire.entreprise).represente
    demande = services.soumettre(demande=demande_representee(transitaire, client_entreprise), by=transitaire)
    client.force_login(transitaire)
    page = client.get(reverse("rex:detail", args=[demande.pk]))
    noms = [action.nom for action, _ in page.context["autres_actions"]]
    assert "dupliquer" in noms, "a customs representative may duplicate (guide 6.3)"
