"""Renders the PDF of every registration that has none stored yet (after a deployment, or by hand)."""

from django.core.management.base import BaseCommand

from rex import pdf
from rex.models import STATUTS_IMPRIMABLES, Demande


class Command(BaseCommand):
    help = "Pré-génère le PDF « Imprimer l'autorisation » des enregistrements REX qui n'en ont pas encore."

    def handle(self, *args, **options):
        demandes = Demande.objects.filter(statut__in=STATUTS_IMPRIMABLES).exclude(numero_rex="")
        total = sum(pdf.pregenerer(pk) for pk in demandes.values_list("pk", flat=True).iterator())
        self.stdout.write(f"PDF d'autorisation générés : {total}")
