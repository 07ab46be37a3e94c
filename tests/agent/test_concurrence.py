"""Two officers press at the same moment (PostgreSQL row locks): one wins, the other reads why not."""

import threading

from django.contrib.messages import get_messages
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

import pytest

from rex.models import Demande, Evenement, Statut
from tests.factories import BureauDouaneFactory, UserFactory, deposer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"),
]


def poster_ensemble(envois):
    """Each (client, url, data) posted by its own thread and connection, all at the same moment."""
    barriere = threading.Barrier(len(envois))
    resultats: list = [None] * len(envois)

    def poster(i, client, url, data):
        try:
            barriere.wait()
            response = client.post(url, data)
            resultats[i] = [str(m) for m in get_messages(response.wsgi_request)]
        finally:
            close_old_connections()

    threads = [threading.Thread(target=poster, args=(i, *envoi)) for i, envoi in enumerate(envois)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return resultats


def test_grant_and_reject_at_once_only_one_wins():
    service = BureauDouaneFactory()
    demande = deposer(service)
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(UserFactory(service=service))
        clients.append(client)
    resultats = poster_ensemble(
        [
            (clients[0], reverse("agent:octroyer", args=[demande.pk]), {"confirmation": "on"}),
            (clients[1], reverse("agent:rejeter", args=[demande.pk]), {"motif": "Irrecevable."}),
        ]
    )
    statut = Demande.objects.get(pk=demande.pk).statut
    assert statut in (Statut.OCTROYEE, Statut.REJETEE)
    perdant = resultats[1] if statut == Statut.OCTROYEE else resultats[0]
    libelle, statut_lu = ("Rejeter", "Octroyée") if statut == Statut.OCTROYEE else ("Octroyer", "Rejetée")
    assert perdant == [f"Action « {libelle} » impossible : la demande est au statut « {statut_lu} »."]
    assert Evenement.objects.filter(demande=demande, kind__in=["octroi", "rejet"]).count() == 1
