"""The demo data (`load_demo`) give the « Tableau de bord du service » a year of history to show."""

import io

from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

import pytest

from accounts.models import User
from rex.models import Demande, Evenement, Statut
from tests.factories import BureauDouaneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    BureauDouaneFactory(nom="Bureau de Paris-Louvre")
    call_command("load_demo", stdout=io.StringIO())
    return User.objects.get(username="agent")


def test_the_demo_service_has_a_year_of_history(client, demo):
    demandes = Demande.objects.filter(service=demo.service)
    assert demandes.count() == 160
    assert (
        demandes.filter(statut=Statut.OCTROYEE).exists() and demandes.filter(statut=Statut.REJETEE).exists()
    )
    # Some went through « Incomplète » twice; some were rejected automatically.
    deux_fois = [
        pk
        for pk, n in Evenement.objects.filter(kind=Evenement.Kind.DEMANDE_COMPLEMENT)
        .values_list("demande")
        .annotate(n=Count("*"))
        if n == 2
    ]
    assert deux_fois
    assert Evenement.objects.filter(kind=Evenement.Kind.REJET_AUTOMATIQUE).exists()
    client.force_login(demo)
    reponse = client.get(reverse("agent:tableau_de_bord"))
    assert reponse.status_code == 200
    mois = [nombre for _, nombre in reponse.context["mois"]]
    assert sum(1 for nombre in mois if nombre) >= 10, mois
    durees = reponse.context["durees"]
    assert durees.nombre >= 50 and durees.attente.p90 > 0
    assert durees.total.mediane > durees.service.mediane
    assert reponse.context["echeances_proches"] >= 5
    assert sum(1 for ligne in reponse.context["agents"] if ligne["decisions"] or ligne["en_charge"]) == 4


def test_a_second_run_adds_nothing(demo):
    avant = (Demande.objects.count(), Evenement.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Demande.objects.count(), Evenement.objects.count()) == avant


def test_the_demo_officer_may_instruct_a_request_of_the_history(client, demo):
    demande = Demande.objects.filter(service=demo.service, statut=Statut.EN_ETUDE).first()
    client.force_login(demo)
    reponse = client.get(reverse("agent:detail", args=[demande.pk]))
    assert reponse.status_code == 200
    assert demande.titulaire.raison_sociale in reponse.content.decode()
    assert demo.has_perm("rex.instruire_demande", demande)
    assert not User.objects.get(username="operateur").has_perm("rex.suivre_demande", demande)
