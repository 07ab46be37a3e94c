"""``manage.py load_reference_data``: départements, customs offices, frameworks and HS nomenclature.

Run by ``make run`` and the tests: idempotent, and quick when everything is already loaded. Every
file it reads ships with the code (the nomenclature: ``rex/data/nomenclature_sh.json``): no network.
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import BureauDouane, Departement
from rex.models import CadrePreferentiel
from rex.nomenclature import NomenclatureError, importer_nomenclature
from rex.reference import load_bureaux, load_cadres, load_departements


class Command(BaseCommand):
    help = (
        "Charge les données de référence : départements et PAE, bureaux de douane, cadres "
        "préférentiels et nomenclature SH (fichier de données fourni avec le service, sans accès au "
        "réseau)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-nomenclature",
            action="store_true",
            help="Ne pas importer la nomenclature.",
        )

    def handle(self, *args, skip_nomenclature: bool = False, **options) -> None:
        started = time.monotonic()
        for label, load, model in (
            ("Départements", load_departements, Departement),
            ("Bureaux de douane", load_bureaux, BureauDouane),
            ("Cadres préférentiels", load_cadres, CadrePreferentiel),
        ):
            created = load()
            self.stdout.write(f"{label} : {model.objects.count()} ({created} créés)")
        if not skip_nomenclature:
            try:
                result = importer_nomenclature()
            except NomenclatureError as error:
                raise CommandError(str(error)) from error
            detail = "inchangée"
            if not result.unchanged:
                detail = f"{result.created} créés, {result.updated} modifiés, "
                detail += f"{result.deleted} supprimés"
            export = ""
            if result.date_export:
                export = f" (export de la Commission du {result.date_export:%d/%m/%Y})"
            self.stdout.write(
                f"Nomenclature{export} : {result.chapitres} chapitres, {result.positions} positions SH4 "
                f"({detail})"
            )
        self.stdout.write(f"Données de référence chargées en {time.monotonic() - started:.2f} s.")
