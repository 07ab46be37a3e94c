import os

from celery import Celery

# Request ids carried into the tasks, and settings.LOGGING kept in workers and beat (signal receivers).
from soprano import journaux  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soprano.settings.base")

app = Celery("soprano")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
