"""The outbox: a broker outage never turns a committed submission into an error, nor loses its e-mail."""

import datetime

from django.utils import timezone

import pytest

from rex import services, tasks
from rex.models import Courriel, Statut
from soprano.celery import app as celery_app
from tests.factories import DemandeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    """Celery publishes to a closed port, as when Redis is down."""
    eager, url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    _drop_connections()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, url
        _drop_connections()


def _drop_connections():
    """Celery keeps its broker connections in pools: new ones are made from the new URL."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_submission_succeeds_when_the_broker_is_down_and_the_email_goes_later(
    broker_down, django_capture_on_commit_callbacks, mailoutbox
):
    demande = DemandeFactory(complete=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.soumettre(demande=demande, by=demande.created_by)
    assert demande.__class__.objects.get(pk=demande.pk).statut == Statut.EN_ETUDE
    courriel = Courriel.objects.get()
    assert courriel.envoye_le is None and mailoutbox == []

    Courriel.objects.update(created_at=courriel.created_at.replace(year=2000))
    assert tasks.renvoyer_courriels_en_attente() == 1
    assert len(mailoutbox) == 1 and demande.courriel in mailoutbox[0].to
    assert tasks.renvoyer_courriels_en_attente() == 0, "sent once"


def test_the_submission_view_answers_normally_when_the_broker_is_down(
    broker_down, client, django_capture_on_commit_callbacks
):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.created_by)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/soprano/rex/demandes/{demande.pk}/recapitulatif/")
    assert len(callbacks) == 1, "the publication was attempted"
    assert response.status_code == 302 and "confirmation" in response.url
    assert Courriel.objects.get().envoye_le is None


def test_asking_for_information_and_granting_succeed_when_the_broker_is_down(
    broker_down, django_capture_on_commit_callbacks, mailoutbox
):
    from tests.factories import UserFactory

    demande = DemandeFactory(complete=True)
    with django_capture_on_commit_callbacks(execute=True):
        demande = services.soumettre(demande=demande, by=demande.created_by)
        agent = UserFactory(service=demande.service)
        demande = services.demander_complement(demande=demande, by=agent, texte="Précisez.")
        demande = services.transmettre_complement(
            demande=demande, by=demande.created_by, complements="Voici."
        )
        demande = services.octroyer(demande=demande, by=agent)
    assert demande.statut == Statut.OCTROYEE
    attente = Courriel.objects.filter(envoye_le__isnull=True)
    assert attente.count() >= 4 and mailoutbox == []
    attente.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert tasks.renvoyer_courriels_en_attente() == Courriel.objects.count()
    sujets = " ".join(m.subject for m in mailoutbox)
    assert "Demande incomplète" in sujets and demande.numero_rex in sujets
