"""Automatic rejection after 30 days (guide §6.2): boundaries, catch-up, idempotence, daylight saving."""

import datetime
import zoneinfo

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from rex import services
from rex.models import Courriel, Demande, Evenement, Statut
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def incomplete(when: datetime.datetime) -> Demande:
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    agent = UserFactory(service=demande.service)
    demande = Demande.objects.get(pk=demande.pk)
    demande.demander_complement(by=agent, when=when)
    demande.save()
    return demande


def statut(demande) -> str:
    return Demande.objects.values_list("statut", flat=True).get(pk=demande.pk)


def test_deadline_minus_a_minute_kept_plus_a_minute_rejected():
    debut = timezone.now() - datetime.timedelta(days=40)
    demande = incomplete(debut)
    limite = demande.date_limite
    assert services.rejeter_delais_depasses(now=limite - datetime.timedelta(minutes=1)) == 0
    assert statut(demande) == Statut.INCOMPLETE
    assert services.rejeter_delais_depasses(now=limite + datetime.timedelta(minutes=1)) == 1
    assert statut(demande) == Statut.REJETEE
    event = Evenement.objects.get(demande=demande, kind="rejet_automatique")
    assert (event.statut_avant, event.statut_apres, event.acteur) == ("incomplete", "rejetee", None)
    assert Courriel.objects.filter(demande=demande, modele="rex/rejet_automatique").count() == 1


def test_missed_runs_are_caught_up_and_a_second_run_changes_nothing():
    now = timezone.now()
    anciennes = [incomplete(now - datetime.timedelta(days=d)) for d in (31, 45, 90)]
    recente = incomplete(now - datetime.timedelta(days=10))
    assert services.rejeter_delais_depasses(now=now, taille_lot=2) == 3
    assert all(statut(d) == Statut.REJETEE for d in anciennes)
    assert statut(recente) == Statut.INCOMPLETE
    events = Evenement.objects.filter(kind="rejet_automatique").count()
    assert services.rejeter_delais_depasses(now=now) == 0
    assert Evenement.objects.filter(kind="rejet_automatique").count() == events == 3


def test_queries_do_not_grow_with_the_number_of_overdue_requests():
    now = timezone.now()
    for _ in range(3):
        incomplete(now - datetime.timedelta(days=31))
    with CaptureQueriesContext(connection) as small:
        services.rejeter_delais_depasses(now=now)
    for _ in range(12):
        incomplete(now - datetime.timedelta(days=31))
    with CaptureQueriesContext(connection) as big:
        services.rejeter_delais_depasses(now=now)
    assert len(big.captured_queries) == len(small.captured_queries)


def test_deadline_keeps_the_paris_hour_across_daylight_saving():
    # 10 March 2026, 10:00 in Paris (winter time, UTC+1); summer time starts on 29 March.
    debut = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
    demande = incomplete(debut)
    limite = timezone.localtime(demande.date_limite, PARIS)
    assert (limite.date(), limite.hour, limite.minute) == (datetime.date(2026, 4, 9), 10, 0)
    assert limite.utcoffset() == datetime.timedelta(hours=2)
    juste_avant = datetime.datetime(2026, 4, 9, 9, 59, tzinfo=PARIS)
    juste_apres = datetime.datetime(2026, 4, 9, 10, 1, tzinfo=PARIS)
    assert services.rejeter_delais_depasses(now=juste_avant) == 0
    assert services.rejeter_delais_depasses(now=juste_apres) == 1


def test_deadline_across_the_autumn_change():
    debut = datetime.datetime(2026, 10, 10, 23, 30, tzinfo=PARIS)  # summer time, UTC+2
    limite = timezone.localtime(incomplete(debut).date_limite, PARIS)
    assert (limite.date(), limite.hour, limite.minute) == (datetime.date(2026, 11, 9), 23, 30)
    assert limite.utcoffset() == datetime.timedelta(hours=1)


def test_an_answered_request_is_not_rejected():
    demande = incomplete(timezone.now() - datetime.timedelta(days=20))
    services.transmettre_complement(demande=demande, by=demande.created_by, complements="Voici.")
    assert services.rejeter_delais_depasses(now=timezone.now() + datetime.timedelta(days=60)) == 0
    assert statut(demande) == Statut.EN_ETUDE


def test_the_same_job_as_a_management_command(capsys):
    demande = incomplete(timezone.now() - datetime.timedelta(days=31))
    call_command("rejets_automatiques")
    assert "Demandes rejetées automatiquement : 1" in capsys.readouterr().out
    assert statut(demande) == Statut.REJETEE


def test_the_schedule_lives_in_the_database():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="rex.tasks.rejeter_delais_depasses")
    assert task.enabled and task.interval is not None
