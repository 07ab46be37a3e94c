"""The service's queue: counts, filters, search, sort, pagination, constant number of queries."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from rex import selectors, services
from rex.models import Demande, Statut
from tests.agent.conftest import deposer, texte
from tests.factories import EntrepriseFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("agent:file")


def numeros(response) -> list[str]:
    return [demande.numero for demande in response.context["page_obj"]]


def fixer_echeance(demande, jours: float) -> None:
    """Moves the 30-day deadline of an « Incomplète » request (the clock is not what is tested)."""
    Demande.objects.filter(pk=demande.pk).update(date_limite=timezone.now() + datetime.timedelta(days=jours))


@pytest.fixture
def file_variee(service, agent, collegue):
    """One request per situation of the queue."""
    libre = deposer(service)
    a_moi = services.prendre_en_charge(demande=deposer(service), by=agent)
    au_collegue = services.prendre_en_charge(demande=deposer(service), by=collegue)
    incomplete = services.demander_complement(demande=deposer(service), by=agent, texte="Fiche produit ?")
    depassee = services.demander_complement(demande=deposer(service), by=agent, texte="Statuts ?")
    fixer_echeance(incomplete, 5)
    fixer_echeance(depassee, -1)
    octroyee = services.octroyer(demande=deposer(service), by=agent)
    return {
        "libre": libre,
        "a_moi": a_moi,
        "au_collegue": au_collegue,
        "incomplete": incomplete,
        "depassee": depassee,
        "octroyee": octroyee,
    }


def test_queue_lists_the_service_requests_with_their_columns(client_agent, file_variee):
    response = client_agent.get(URL)
    assert response.status_code == 200
    assert len(numeros(response)) == 6
    page = texte(response)
    incomplete = Demande.objects.get(pk=file_variee["incomplete"].pk)
    for attendu in (incomplete.numero, incomplete.titulaire_raison_sociale, incomplete.titulaire_eori):
        assert attendu in page
    assert "Incomplète" in page and "Paul Agent" in page and "Marie Collègue" in page
    assert timezone.localtime(incomplete.date_limite).strftime("%d/%m/%Y") in page
    assert f"{incomplete.jours_restants()} jours restants" in page
    assert "Délai dépassé" in page
    assert "Non attribuée" in page


def test_queue_counts_per_status_in_one_query(client_agent, file_variee, agent):
    with CaptureQueriesContext(connection) as queries:
        compteurs = selectors.compteurs_agent(agent)
    assert len(queries) == 1
    assert compteurs[Statut.EN_ETUDE] == 3
    assert compteurs[Statut.INCOMPLETE] == 2
    assert compteurs[Statut.OCTROYEE] == 1
    assert compteurs[Statut.REJETEE] == 0
    page = texte(client_agent.get(URL))
    assert "En étude : 3" in page and "Incomplète : 2" in page and "Octroyée : 1" in page
    assert "Demandes du service par statut (6)" in page


def test_filter_by_status(client_agent, file_variee):
    response = client_agent.get(URL, {"statut": "incomplete"})
    assert set(numeros(response)) == {file_variee["incomplete"].numero, file_variee["depassee"].numero}
    response = client_agent.get(URL, {"statut": "octroyee"})
    assert numeros(response) == [file_variee["octroyee"].numero]


@pytest.mark.parametrize(
    ("valeur", "attendus"),
    [
        ("moi", {"a_moi"}),
        ("aucun", {"libre", "incomplete", "depassee", "octroyee"}),
    ],
)
def test_filter_by_officer(client_agent, file_variee, valeur, attendus):
    response = client_agent.get(URL, {"agent": valeur})
    assert set(numeros(response)) == {file_variee[cle].numero for cle in attendus}


def test_filter_by_a_colleague(client_agent, file_variee, collegue):
    response = client_agent.get(URL, {"agent": collegue.pk})
    assert numeros(response) == [file_variee["au_collegue"].numero]
    assert "Marie Collègue" in texte(response)


def test_an_officer_of_another_service_is_not_a_filter_choice(client_agent, file_variee):
    etranger = UserFactory(agent=True)
    response = client_agent.get(URL, {"agent": etranger.pk})
    assert response.context["form"].errors["agent"]
    assert len(numeros(response)) == 6, "an invalid filter is ignored"


@pytest.mark.parametrize(("valeur", "attendu"), [("depassee", "depassee"), ("proche", "incomplete")])
def test_filter_by_deadline(client_agent, file_variee, valeur, attendu):
    response = client_agent.get(URL, {"echeance": valeur})
    assert numeros(response) == [file_variee[attendu].numero]


def test_deadline_beyond_7_days_is_not_near(client_agent, file_variee):
    fixer_echeance(file_variee["incomplete"], 20)
    assert numeros(client_agent.get(URL, {"echeance": "proche"})) == []


def test_search_by_number_eori_and_name(client_agent, service):
    cible = deposer(
        service,
        created_by=UserFactory(habilite=True, entreprise=EntrepriseFactory(raison_sociale="Vins Carré")),
    )
    autre = deposer(service)
    assert numeros(client_agent.get(URL, {"q": cible.numero})) == [cible.numero]
    assert numeros(client_agent.get(URL, {"q": cible.titulaire_eori.lower()})) == [cible.numero]
    assert numeros(client_agent.get(URL, {"q": "  carré "})) == [cible.numero]
    assert numeros(client_agent.get(URL, {"q": "introuvable"})) == []
    assert "Aucune demande ne correspond" in texte(client_agent.get(URL, {"q": "introuvable"}))
    assert set(numeros(client_agent.get(URL, {"q": ""}))) == {cible.numero, autre.numero}


def test_the_count_of_a_search_is_good_french(client_agent, service):
    """« 1 demande correspond », « 2 demandes correspondent » (not « correspondantent »)."""
    for nom in ("Vins Carré", "Vins Durand"):
        deposer(
            service, created_by=UserFactory(habilite=True, entreprise=EntrepriseFactory(raison_sociale=nom))
        )
    assert "2 demandes correspondent à votre recherche" in " ".join(
        texte(client_agent.get(URL, {"q": "vins"})).split()
    )
    assert "1 demande correspond à votre recherche" in " ".join(
        texte(client_agent.get(URL, {"q": "carré"})).split()
    )


def test_default_sort_is_last_update_first(client_agent, file_variee):
    services.ecrire(demande=file_variee["libre"], by=file_variee["libre"].created_by, texte="Bonjour.")
    assert numeros(client_agent.get(URL))[0] == file_variee["libre"].numero


def test_sort_by_deadline_puts_the_nearest_first(client_agent, file_variee):
    response = client_agent.get(URL, {"tri": "echeance"})
    rows = numeros(response)
    assert rows[:2] == [file_variee["depassee"].numero, file_variee["incomplete"].numero]
    assert len(rows) == 6


def test_pagination_25_per_page(client_agent, service):
    demandes = [deposer(service) for _ in range(26)]
    premiere = client_agent.get(URL)
    assert len(numeros(premiere)) == 25
    assert 'class="fr-pagination"' in premiere.content.decode()
    # « Suivant »: the next page starts after the last row of this one (keyset pagination).
    seconde = client_agent.get(premiere.context["liens"]["suivante"])
    assert numeros(seconde) == [demandes[0].numero]
    assert not seconde.context["liens"]["suivante"], "the last page"
    retour = client_agent.get(seconde.context["liens"]["precedente"])
    assert numeros(retour) == numeros(premiere)


def test_pagination_keeps_the_filters(client_agent, service):
    for _ in range(26):
        deposer(service)
    page = texte(client_agent.get(URL, {"statut": "en_etude"}))
    assert re.search(r'href="/agent/\?statut=en_etude&apres=m\.[0-9]+\.[0-9]+"', page)


def test_number_of_queries_does_not_grow_with_the_rows(client_agent, service, agent):
    def requetes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client_agent.get(URL, {"tri": "echeance"}).status_code == 200
        return len(queries)

    for _ in range(3):
        services.prendre_en_charge(demande=deposer(service), by=agent)
    peu = requetes()
    for _ in range(12):
        services.demander_complement(demande=deposer(service), by=agent, texte="Précisez.")
    assert len(numeros(client_agent.get(URL))) == 15
    assert requetes() == peu


def test_service_history_lists_abandoned_requests(client_agent, service):
    abandonnee = deposer(service)
    numero = abandonnee.numero
    services.abandonner(demande=abandonnee, by=abandonnee.created_by, commentaire="Projet arrêté.")
    ailleurs = deposer()
    services.abandonner(demande=ailleurs, by=ailleurs.created_by, commentaire="Autre service.")
    response = client_agent.get(reverse("agent:historique"))
    page = texte(response)
    assert numero in page and "Projet arrêté." in page and "En étude" in page
    assert ailleurs.numero not in page and "Autre service." not in page
    assert reverse("agent:historique") in texte(client_agent.get(URL))
