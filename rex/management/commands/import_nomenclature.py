"""``manage.py import_nomenclature [--file PATH]``: aligns chapters and headings on a file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rex.nomenclature import NomenclatureError, importer_nomenclature


class Command(BaseCommand):
    help = (
        "Importe les chapitres et positions SH4 en vigueur depuis l'export officiel de la "
        "nomenclature en français (format TARIC). Par défaut : le fichier mis en cache, "
        "téléchargé au premier usage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            help="Fichier xlsx publié par la Commission européenne (format TARIC).",
        )

    def handle(self, *args, file: Path | None = None, **options) -> None:
        if file is not None and not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            result = importer_nomenclature(path=file)
        except NomenclatureError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Nomenclature : {result.chapitres} chapitres, {result.positions} positions SH4 "
            f"({result.created} créés, {result.updated} modifiés, {result.deleted} supprimés)."
        )
