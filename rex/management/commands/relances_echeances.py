"""The reminders before the automatic rejection, as a command (cron, or by hand): the same service as the
Celery task."""

from django.core.management.base import BaseCommand

from rex import services


class Command(BaseCommand):
    help = (
        "Relance par courriel les demandes incomplètes 10 jours et 3 jours avant leur rejet automatique "
        "(chaque relance une seule fois par date limite)."
    )

    def handle(self, *args, **options):
        total = services.relancer_echeances()
        self.stdout.write(f"Demandes relancées : {total}")
