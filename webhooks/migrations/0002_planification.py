"""The periodic retry of the webhooks outbox, every minute, and its nightly purge (django-celery-beat)."""

from django.db import migrations

TACHES = {
    "webhooks.tasks.livrer_en_attente": ("Livrer les notifications techniques en attente", "minutes"),
    "webhooks.tasks.purger": ("Purger les livraisons de notifications techniques anciennes", "days"),
}


def planifier(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for tache, (nom, periode) in TACHES.items():
        intervalle, _ = IntervalSchedule.objects.get_or_create(every=1, period=periode)
        PeriodicTask.objects.update_or_create(name=nom, defaults={"task": tache, "interval": intervalle})


def deplanifier(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=list(TACHES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(planifier, deplanifier)]
