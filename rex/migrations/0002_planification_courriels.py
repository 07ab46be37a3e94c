"""The periodic schedule lives in the database (django-celery-beat): the outbox retry, every minute."""

from django.db import migrations


def planifier(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    chaque_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name="Renvoyer les courriels en attente",
        defaults={"task": "rex.tasks.renvoyer_courriels_en_attente", "interval": chaque_minute},
    )


def deplanifier(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="rex.tasks.renvoyer_courriels_en_attente"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rex", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(planifier, deplanifier)]
