"""Which changes make events, for whom: the holder's and the representative's addresses, never another
company's; the set-based automatic rejection writes them set-based too."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from rex import services as rex_services
from rex.models import Demande, Statut
from tests.factories import MandatFactory, UserFactory, demande_representee, deposer
from tests.webhooks.conftest import creer_endpoint
from webhooks import tasks
from webhooks.models import Livraison

pytestmark = pytest.mark.django_db
URL = "https://erp.exemple.fr/soprano"


def test_holder_and_representative_each_get_the_event_through_their_own_addresses(
    django_capture_on_commit_callbacks,
):
    transitaire = UserFactory(representant=True)
    client_entreprise = MandatFactory(representant=transitaire.entreprise).represente
    titulaire = UserFactory(habilite=True, entreprise=client_entreprise)
    a_titulaire = creer_endpoint(titulaire, URL)
    a_transitaire = creer_endpoint(transitaire, "https://transit.exemple.fr/hook")
    autre = creer_endpoint(UserFactory(habilite=True), "https://autre.exemple.fr/hook")
    with django_capture_on_commit_callbacks(execute=False):
        demande = rex_services.soumettre(
            demande=demande_representee(transitaire, client_entreprise), by=transitaire
        )
    lignes = Livraison.objects.filter(type="demande.statut_modifie")
    assert {ligne.endpoint_id for ligne in lignes} == {a_titulaire.pk, a_transitaire.pk}
    assert not Livraison.objects.filter(endpoint=autre).exists(), "never another company's"
    assert len({ligne.evenement for ligne in lignes}) == 1, "one event, delivered to each address"
    donnees = lignes[0].donnees
    assert (donnees["numero"], donnees["statut"], donnees["ancien_statut"]) == (
        demande.numero,
        "en_etude",
        "brouillon",
    )


def test_a_message_makes_an_event_for_the_addresses_that_subscribed(django_capture_on_commit_callbacks):
    demande = deposer()
    abonnee = creer_endpoint(demande.created_by, URL)
    creer_endpoint(demande.created_by, "https://statuts.exemple.fr/", message_recu=False)
    agent = UserFactory(service=demande.service)
    with django_capture_on_commit_callbacks(execute=False):
        rex_services.ecrire(demande=demande, by=agent, texte="Votre demande est à l'étude.")
    ligne = Livraison.objects.get()
    assert ligne.endpoint == abonnee and ligne.type == "demande.message_recu"
    message = ligne.donnees["message"]
    assert message["de"] == "service" and message["texte"] == "Votre demande est à l'étude."
    assert agent.last_name not in str(ligne.donnees), "the officer's name is not sent"


def test_asking_for_information_is_a_status_change_and_a_message(django_capture_on_commit_callbacks):
    demande = deposer()
    creer_endpoint(demande.created_by, URL)
    with django_capture_on_commit_callbacks(execute=False):
        rex_services.demander_complement(
            demande=demande, by=UserFactory(service=demande.service), texte="Joignez les statuts."
        )
    assert sorted(Livraison.objects.values_list("type", flat=True)) == [
        "demande.message_recu",
        "demande.statut_modifie",
    ]


def test_no_event_without_a_status_change_nor_for_a_draft(django_capture_on_commit_callbacks):
    demande = deposer()
    creer_endpoint(demande.created_by, URL)
    with django_capture_on_commit_callbacks(execute=False):
        rex_services.prendre_en_charge(demande=demande, by=UserFactory(service=demande.service))
        rex_services.creer_brouillon(by=demande.created_by)
    assert not Livraison.objects.exists()


def test_a_disabled_address_gets_nothing(django_capture_on_commit_callbacks):
    demande = deposer()
    endpoint = creer_endpoint(demande.created_by, URL)
    endpoint.actif = False
    endpoint.save()
    with django_capture_on_commit_callbacks(execute=False):
        rex_services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    assert not Livraison.objects.exists()


def incomplete(when: datetime.datetime) -> Demande:
    demande = deposer()
    agent = UserFactory(service=demande.service)
    demande = Demande.objects.get(pk=demande.pk)
    demande.demander_complement(by=agent, when=when)
    demande.save()
    return demande


def en_retard(n: int) -> list[Demande]:
    """`n` overdue requests, each with an address of its holder, half of them filed by a representative
    who has an address too."""
    demandes = []
    transitaire = UserFactory(representant=True)
    agent = UserFactory(agent=True)
    creer_endpoint(transitaire, "https://transit.exemple.fr/hook")
    for i in range(n):
        if i % 2:
            client_entreprise = MandatFactory(representant=transitaire.entreprise).represente
            demande = rex_services.soumettre(
                demande=demande_representee(transitaire, client_entreprise), by=transitaire
            )
            titulaire = UserFactory(habilite=True, entreprise=client_entreprise)
        else:
            demande = deposer()
            titulaire = demande.created_by
        creer_endpoint(titulaire, URL)
        demande = Demande.objects.get(pk=demande.pk)
        demande.demander_complement(by=agent, when=timezone.now() - datetime.timedelta(days=31))
        demande.save()
        demandes.append(demande)
    Livraison.objects.all().delete()
    return demandes


def rejeter() -> list:
    with CaptureQueriesContext(connection) as requetes:
        rex_services.rejeter_delais_depasses()
    return requetes.captured_queries


def test_the_automatic_rejection_writes_one_event_per_request_and_address_set_based():
    petit = en_retard(1)
    requetes_1 = rejeter()
    assert Livraison.objects.count() == 1
    Livraison.objects.all().delete()

    grand = en_retard(50)
    requetes_50 = rejeter()
    assert len(requetes_50) == len(requetes_1), "no query per request"
    lignes = Livraison.objects.all()
    assert lignes.count() == 50 + 25, "each holder's address, and the representative's for his 25"
    for demande in grand:
        a_recevoir = 2 if demande.representant_id else 1
        evenements = {ligne.evenement for ligne in lignes if ligne.donnees["numero"] == demande.numero}
        assert len(evenements) == 1, "one event per request"
        assert sum(1 for ligne in lignes if ligne.donnees["numero"] == demande.numero) == a_recevoir
    ligne = lignes.filter(donnees__numero=grand[0].numero).get()
    assert ligne.donnees == {
        "numero": grand[0].numero,
        "statut": "rejetee",
        "statut_libelle": "Rejetée",
        "ancien_statut": "incomplete",
        "numero_rex": None,
        "date_validite": None,
        "url": f"http://127.0.0.1:8000/soprano/rex/demandes/{grand[0].pk}/",
    }
    assert ligne.type == "demande.statut_modifie" and ligne.etat == Livraison.Etat.EN_ATTENTE
    assert petit[0].pk not in {d.pk for d in grand}


def test_without_a_broker_the_rejection_leaves_its_events_due_for_the_periodic_retry(recepteur):
    demande = incomplete(timezone.now() - datetime.timedelta(days=31))
    creer_endpoint(demande.created_by, recepteur.url)
    rex_services.rejeter_delais_depasses()
    assert Demande.objects.get(pk=demande.pk).statut == Statut.REJETEE
    assert recepteur.recus == [], "the batch job itself sends nothing"
    assert tasks.livrer_en_attente() == 1
    assert recepteur.recus[0].json["donnees"]["statut"] == "rejetee"
