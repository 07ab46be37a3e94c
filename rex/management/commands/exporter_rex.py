"""Export of every current registration for the EU REX database, public data only (guide §7.1)."""

from django.core.management.base import BaseCommand

from rex import publication


class Command(BaseCommand):
    help = (
        "Exporte les enregistrements REX en vigueur (données publiques selon le consentement) "
        "en JSON ou en CSV, vers la sortie standard ou un fichier."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=publication.FORMATS, default="json")
        parser.add_argument("--fichier", help="Chemin du fichier à écrire (sortie standard par défaut).")

    def handle(self, *args, format, fichier, **options):
        morceaux = publication.exporter(format)
        if not fichier:
            for morceau in morceaux:
                self.stdout.write(morceau, ending="")
            return
        with open(fichier, "w", encoding="utf-8", newline="") as sortie:
            sortie.writelines(morceaux)
        self.stderr.write(f"Export {format.upper()} écrit dans {fichier}")
