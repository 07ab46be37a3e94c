"""A real Celery worker with beat on Redis rejects an overdue request on the database schedule."""

import datetime
import time

from django.utils import timezone

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from rex import services
from rex.models import Demande, Evenement, Statut
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.worker


def test_beat_rejects_an_overdue_request(celery_worker):
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    agent = UserFactory(service=demande.service)
    services.demander_complement(demande=demande, by=agent, texte="Précisez.")
    Demande.objects.filter(pk=demande.pk).update(date_limite=timezone.now() - datetime.timedelta(minutes=1))
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name="Rejeter les demandes incomplètes après 30 jours",
        defaults={"task": "rex.tasks.rejeter_delais_depasses", "interval": every_second},
    )

    deadline = time.monotonic() + 45
    while Demande.objects.get(pk=demande.pk).statut != Statut.REJETEE:
        if time.monotonic() > deadline:
            pytest.fail(f"Beat did not reject the request in 45 s.\n{celery_worker.log()[-3000:]}")
        time.sleep(0.5)
    assert Evenement.objects.filter(demande=demande, kind="rejet_automatique").count() == 1
    assert "rex.tasks.rejeter_delais_depasses" in celery_worker.log()
