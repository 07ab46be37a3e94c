"""The periodic jobs without a broker (`make run`): what Celery beat does in production.

Runs the automatic rejection and the outbox retry every `--intervalle` seconds, until stopped; the
reminders before the rejection from 08:00 (Paris) on, as beat's hourly 08:00–18:00 (each is sent
once: the later passes of the day find nothing); then the other apps' periodic retries, called by their
task's name (rex imports none of them).
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from celery import current_app

from rex import services, tasks

# The reminders go from this hour (Paris) on, as beat's daily schedule (rex migration 0013).
HEURE_RELANCES = 8
# The periodic retries of the other apps' outboxes: (task name, what the count means).
AUTRES_TACHES = (("webhooks.tasks.livrer_en_attente", "notification(s) technique(s) livrée(s)"),)


class Command(BaseCommand):
    help = (
        "Exécute les tâches périodiques (rejets automatiques, relances avant rejet, courriels et "
        "notifications techniques en attente) en boucle."
    )

    def add_arguments(self, parser):
        parser.add_argument("--intervalle", type=int, default=60, help="secondes entre deux passages")
        parser.add_argument("--une-fois", action="store_true", help="un seul passage, puis s'arrête")

    def handle(self, *args, intervalle: int, une_fois: bool, **options):
        while True:
            close_old_connections()
            rejetees = services.rejeter_delais_depasses()
            relancees = services.relancer_echeances() if timezone.localtime().hour >= HEURE_RELANCES else 0
            envoyes = tasks.renvoyer_courriels_en_attente()
            autres = [
                f", {nombre} {libelle}"
                for nom, libelle in AUTRES_TACHES
                if nom in current_app.tasks and (nombre := current_app.tasks[nom]())
            ]
            if rejetees or relancees or envoyes or autres or une_fois:
                self.stdout.write(
                    f"Planificateur : {rejetees} rejet(s) automatique(s), {relancees} relance(s), "
                    f"{envoyes} courriel(s) renvoyé(s)"
                    f"{''.join(autres)}."
                )
            if une_fois:
                return
            time.sleep(intervalle)
