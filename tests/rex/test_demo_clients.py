"""The demo representative's « Mes clients » (rex's load_demo_clients, run by load_demo): clients in
every situation, their requests filed and instructed through the services; a second run changes nothing."""

import io
from datetime import datetime, timedelta

from django.core.management import call_command
from django.urls import reverse

import pytest

from accounts.models import User
from rex.models import Courriel, Demande, Evenement
from tests.factories import BureauDouaneFactory, CadrePreferentielFactory, PositionTarifaireFactory

pytestmark = pytest.mark.django_db


def test_the_demo_representative_has_clients_in_every_situation(client):
    BureauDouaneFactory(nom="Bureau de Paris-Louvre")
    PositionTarifaireFactory()
    CadrePreferentielFactory()
    call_command("load_demo", stdout=io.StringIO())
    representant = User.objects.get(username="transitaire").entreprise
    des_clients = Demande.objects.filter(titulaire__mandats_represente__representant=representant)
    demandes = des_clients.count()
    tout = Demande.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert des_clients.count() == demandes == 8  # 7 clients with requests, two for the one filed again
    assert Demande.objects.count() == tout, "a second run changes nothing"
    assert not Courriel.objects.exists(), "the demo sends no e-mail"

    client.force_login(User.objects.get(username="transitaire"))
    response = client.get(reverse("rex:clients"))
    lignes = [
        (ligne.raison_sociale, ligne.mandat, ligne.statut_libelle, ligne.jours)
        for ligne in response.context["lignes"]
    ]
    assert lignes == [
        ("Huilerie du Luberon", "en cours", "Incomplète", "J-3"),
        ("Nougaterie de Montélimar", "en cours", "Incomplète", "J-18"),
        ("Conserverie Le Goff", "en cours", "En étude", ""),
        ("Faïencerie de Moustiers", "en cours", "En étude", ""),
        ("Tissages du Vercors", "en cours", "Brouillon", ""),
        ("Distillerie des Alpilles", "en cours", "Octroyée", ""),
        ("Verrerie de Biot", "terminé", "Octroyée", ""),
        ("Chocolaterie Bayonnaise", "en cours", "Aucune demande", ""),
        ("Coutellerie Laguiole Bessière", "en cours", "Aucune demande", ""),
        ("Santons d'Aubagne", "à venir", "Aucune demande", ""),
        ("Savonnerie de Provence", "en cours", "Aucune demande", ""),
    ]
    distillerie = response.context["lignes"][5]
    assert distillerie.numero_rex == "FRREX" + distillerie.eori
    # The history tells the same story as the request: asked 27 days ago, 3 days left.
    huilerie = Demande.objects.get(pk=response.context["lignes"][0].demande_pk)
    trace = Evenement.objects.get(demande=huilerie, kind=Evenement.Kind.DEMANDE_COMPLEMENT)
    assert datetime.fromisoformat(trace.payload["date_limite"]) == huilerie.date_limite
    assert abs(huilerie.date_limite - trace.created_at - timedelta(days=30)) < timedelta(minutes=1)
    rejetee = Demande.objects.get(titulaire__raison_sociale="Conserverie Le Goff", statut="rejetee")
    assert rejetee.evenements.filter(kind=Evenement.Kind.REJET).exists()
