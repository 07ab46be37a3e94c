"""Writes the project's own ClamAV signature database (EICAR), for the tests and a clamd without internet."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from rex.documents import antivirus

DOSSIER_PAR_DEFAUT = Path(settings.BASE_DIR) / "var" / "clamav"


class Command(BaseCommand):
    help = (
        "Écrit la base de signatures ClamAV du projet (fichier de test EICAR) dans var/clamav/, "
        "à donner à clamd (DatabaseDirectory) pour les tests."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossier", type=Path, default=DOSSIER_PAR_DEFAUT)

    def handle(self, *args, dossier: Path, **options):
        for chemin in antivirus.ecrire_signatures(dossier):
            self.stdout.write(f"Signatures écrites : {chemin}")
