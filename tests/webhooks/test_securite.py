"""SSRF: in production settings, nothing is posted to a private, loopback or link-local address, even
when a public-looking name resolves to one at delivery time; a broker outage never fails an action."""

import datetime
import socket
import ssl
import subprocess
from io import StringIO

from django.core.checks import run_checks
from django.core.management import call_command
from django.utils import timezone

import pytest
from django_celery_beat.models import PeriodicTask

from rex import services as rex_services
from soprano.celery import app as celery_app
from tests.factories import UserFactory, deposer
from tests.webhooks.conftest import Recepteur, creer_endpoint
from webhooks import livraison, tasks
from webhooks.models import Endpoint, Livraison, Tentative

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.WEBHOOKS_AUTORISER_HTTP = False


def test_production_refuses_http_and_localhost(production):
    assert "https://" in livraison.refus_url("http://127.0.0.1:8080/")
    assert livraison.refus_url("https://erp.exemple.fr/") == ""
    for url in ("https://127.0.0.1/", "https://10.0.0.8/", "https://192.168.1.1/", "https://[fd00::1]/"):
        assert "Internet" in livraison.refus_url(url), url


def test_the_tests_setting_allows_http_to_localhost_only(settings):
    settings.WEBHOOKS_AUTORISER_HTTP = True
    assert livraison.refus_url("http://127.0.0.1:8080/") == ""
    assert "https://" in livraison.refus_url("http://erp.exemple.fr/")


@pytest.mark.parametrize("ip", ["127.0.0.1", "10.0.0.5", "169.254.169.254", "::1", "::ffff:192.168.0.1"])
def test_a_name_resolving_to_a_private_address_is_refused_at_delivery(
    production, monkeypatch, recepteur_production, ip, django_capture_on_commit_callbacks
):
    famille = socket.AF_INET6 if ":" in ip else socket.AF_INET
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(famille, socket.SOCK_STREAM, 6, "", (ip, 443))]
    )
    demande = deposer()
    creer_endpoint(demande.created_by, "https://erp.exemple.fr/soprano")
    with django_capture_on_commit_callbacks(execute=True):
        rex_services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    tentative = Tentative.objects.get()
    assert not tentative.reussie and tentative.statut_http is None
    assert tentative.erreur == f"Adresse non publique refusée : {ip}"
    assert recepteur_production.recus == []


@pytest.fixture
def recepteur_production():
    """A receiver that must receive nothing (production settings refuse its address)."""
    with Recepteur() as r:
        yield r


def test_an_address_registered_under_debug_is_refused_in_production(
    production, recepteur_production, django_capture_on_commit_callbacks
):
    demande = deposer()
    endpoint = creer_endpoint(demande.created_by, "https://erp.exemple.fr/")
    Endpoint.objects.filter(pk=endpoint.pk).update(url=recepteur_production.url)
    with django_capture_on_commit_callbacks(execute=True):
        rex_services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    assert "https://" in Tentative.objects.get().erreur
    assert recepteur_production.recus == []


@pytest.fixture
def broker_down():
    """Celery publishes to a closed port, as when Redis is down (tests/rex/test_courriels.py)."""
    eager, url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_a_broker_outage_never_fails_the_action_and_the_delivery_goes_later(
    broker_down, recepteur, client, django_capture_on_commit_callbacks
):
    demande = deposer()
    creer_endpoint(demande.created_by, recepteur.url)
    client.force_login(demande.created_by)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/soprano/rex/demandes/{demande.pk}/ecrire/", {"texte": "Où en est-on ?"})
    assert response.status_code == 302 and len(callbacks) >= 1
    ligne = Livraison.objects.get()
    assert ligne.etat == Livraison.Etat.EN_ATTENTE and recepteur.recus == []

    assert tasks.livrer_en_attente() == 0, "published a minute ago at most: left to the broker"
    Livraison.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    assert tasks.livrer_en_attente() == 1
    assert recepteur.recus[0].json["donnees"]["message"]["texte"] == "Où en est-on ?"


@pytest.mark.django_db(transaction=True)
def test_the_planner_delivers_what_waits(recepteur):
    """`planificateur` (no broker) runs the webhooks retry too, by its task's name."""
    demande = deposer()
    endpoint = creer_endpoint(demande.created_by, recepteur.url)
    Livraison.objects.create(endpoint=endpoint, type="ping", prochain_essai_le=timezone.now())
    sortie = StringIO()
    call_command("planificateur", "--une-fois", stdout=sortie)
    assert "1 notification(s) technique(s) livrée(s)" in sortie.getvalue()
    assert len(recepteur.recus) == 1


def test_the_schedule_and_the_queue(settings):
    task = PeriodicTask.objects.get(task="webhooks.tasks.livrer_en_attente")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "minutes"
    purge = PeriodicTask.objects.get(task="webhooks.tasks.purger")
    assert purge.enabled and purge.interval.every == 1 and purge.interval.period == "days"
    for nom in ("webhooks.tasks.livrer", "webhooks.tasks.livrer_en_attente", "webhooks.tasks.purger"):
        assert settings.CELERY_TASK_ROUTES[nom] == {"queue": "defaut"}
        tache = celery_app.tasks[nom]
        assert tache.acks_late and tache.soft_time_limit < tache.time_limit
        if nom != "webhooks.tasks.purger":
            assert datetime.timedelta(seconds=tache.time_limit) < livraison.BAIL, "a row's lease outlives it"


@pytest.fixture
def recepteur_https(http_local, tmp_path, settings):
    """A TLS receiver on 127.0.0.1 with a certificate for erp.exemple.test, trusted by the delivery."""
    certificat, cle = tmp_path / "cert.pem", tmp_path / "cle.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(cle), "-out", str(certificat), "-subj", "/CN=erp.exemple.test",
            "-addext", "subjectAltName=DNS:erp.exemple.test",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    settings.WEBHOOKS_CA_BUNDLE = str(certificat)
    with Recepteur() as recepteur:
        contexte = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        contexte.load_cert_chain(certificat, cle)
        recepteur.serveur.socket = contexte.wrap_socket(recepteur.serveur.socket, server_side=True)
        yield recepteur


def test_the_connection_goes_to_the_address_checked_and_the_certificate_to_the_name(
    recepteur_https, monkeypatch, django_capture_on_commit_callbacks
):
    """DNS rebinding: the name resolves to the checked address once; a second lookup (which would answer
    another address) never happens. The certificate is checked against the URL's host name."""
    reponses = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]])
    resolution = socket.getaddrinfo

    def getaddrinfo(hote, *args, **kwargs):
        if hote == "erp.exemple.test":
            return next(reponses, [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.255.255.1", 443))])
        return resolution(hote, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    demande = deposer()
    creer_endpoint(demande.created_by, f"https://erp.exemple.test:{recepteur_https.port}/soprano")
    with django_capture_on_commit_callbacks(execute=True):
        rex_services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    tentative = Tentative.objects.get()
    assert (tentative.statut_http, tentative.erreur) == (200, "")
    [recu] = recepteur_https.recus
    assert recu.entetes["Host"] == f"erp.exemple.test:{recepteur_https.port}"


def test_a_certificate_for_another_name_is_refused(
    recepteur_https, monkeypatch, django_capture_on_commit_callbacks
):
    resolution = socket.getaddrinfo

    def getaddrinfo(hote, *args, **kwargs):
        if hote == "autre.exemple.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]
        return resolution(hote, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    demande = deposer()
    creer_endpoint(demande.created_by, f"https://autre.exemple.test:{recepteur_https.port}/soprano")
    with django_capture_on_commit_callbacks(execute=True):
        rex_services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    tentative = Tentative.objects.get()
    assert not tentative.reussie and tentative.erreur == "Connexion impossible : SSLError"
    assert recepteur_https.recus == []


def test_the_purge_keeps_the_pending_and_the_recent_deliveries():
    demande = deposer()
    endpoint = creer_endpoint(demande.created_by, "https://erp.exemple.fr/")
    ancien = timezone.now() - datetime.timedelta(days=31)
    vieilles = [
        Livraison.objects.create(endpoint=endpoint, type="ping", etat=etat, created_at=ancien)
        for etat in (Livraison.Etat.LIVREE, Livraison.Etat.ECHEC, Livraison.Etat.EN_ATTENTE)
    ]
    Tentative.objects.create(livraison=vieilles[0], endpoint=endpoint, numero=1, statut_http=200)
    recente = Livraison.objects.create(endpoint=endpoint, type="ping", etat=Livraison.Etat.LIVREE)
    assert tasks.purger() == 2
    assert set(Livraison.objects.values_list("pk", flat=True)) == {vieilles[2].pk, recente.pk}
    assert not Tentative.objects.exists()


def test_the_deployment_check_refuses_http_in_production(settings):
    settings.DEBUG = False
    settings.WEBHOOKS_AUTORISER_HTTP = True
    assert [e.id for e in run_checks(include_deployment_checks=True) if e.id.startswith("webhooks.")] == [
        "webhooks.E001"
    ]
    settings.WEBHOOKS_AUTORISER_HTTP = False
    assert not [e for e in run_checks(include_deployment_checks=True) if e.id.startswith("webhooks.")]
