"""Automatic rejection every 15 minutes, scheduled in the database (django-celery-beat)."""

from django.db import migrations


def planifier(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    quart_heure, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.update_or_create(
        name="Rejeter les demandes incomplètes après 30 jours",
        defaults={"task": "rex.tasks.rejeter_delais_depasses", "interval": quart_heure},
    )


def deplanifier(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="rex.tasks.rejeter_delais_depasses"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("rex", "0003_instruction"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(planifier, deplanifier)]
