"""The automatic rejection job, as a command (cron, or by hand): the same service as the Celery task."""

from django.core.management.base import BaseCommand

from rex import services


class Command(BaseCommand):
    help = "Rejette les demandes incomplètes dont le délai de 30 jours est dépassé."

    def handle(self, *args, **options):
        total = services.rejeter_delais_depasses()
        self.stdout.write(f"Demandes rejetées automatiquement : {total}")
