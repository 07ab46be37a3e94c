"""Seeds the reference data kept in the admin: départements, customs offices, frameworks.

The JSON files under accounts/data/ and rex/data/ are a starting point; once loaded, the admin owns
the rows. ``load_reference_data`` runs on every ``make run``, so loading never overwrites what an
admin typed: it creates the missing rows and only fills text fields that are still empty (a PAE
address, an office code).
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction

from accounts.models import BureauDouane, Departement
from rex.models import CadrePreferentiel

DEPARTEMENTS_FILE = Path(settings.BASE_DIR) / "accounts" / "data" / "departements.json"
BUREAUX_FILE = Path(settings.BASE_DIR) / "accounts" / "data" / "bureaux.json"
CADRES_FILE = Path(settings.BASE_DIR) / "rex" / "data" / "cadres.json"


def _read(path: Path, key: str) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))[key]


def _seed(model: type[models.Model], key: str, rows: list[dict[str, Any]]) -> int:
    """Creates missing rows and fills their empty text fields; returns the number created.

    A constant number of queries whatever the number of rows.
    """
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    to_create, to_update, fields = [], [], set()
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            to_create.append(model(**row))
            continue
        blanks = {
            name: value
            for name, value in row.items()
            if isinstance(value, str) and value and getattr(obj, name) == ""
        }
        if blanks:
            for name, value in blanks.items():
                setattr(obj, name, value)
            fields.update(blanks)
            to_update.append(obj)
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields))
    return len(to_create)


@transaction.atomic
def load_departements() -> int:
    """Loads the 101 départements and the name of their PAE; returns the number created."""
    return _seed(Departement, "code", _read(DEPARTEMENTS_FILE, "departements"))


@transaction.atomic
def load_bureaux() -> int:
    """Loads the customs offices and their départements into an empty table; returns the number.

    Offices have no stable key until the admin types their official code (the name is editable), so
    the file only seeds a new database: afterwards, renaming an office or narrowing its coverage
    in the admin is never undone by the next ``make run``.
    """
    if BureauDouane.objects.exists():
        return 0
    rows = _read(BUREAUX_FILE, "bureaux")
    bureaux = BureauDouane.objects.bulk_create(
        BureauDouane(**{k: v for k, v in row.items() if k != "departements"}) for row in rows
    )
    departements = dict(Departement.objects.values_list("code", "pk"))
    link = BureauDouane.departements.through
    link.objects.bulk_create(
        link(bureaudouane_id=bureau.pk, departement_id=departements[code])
        for bureau, row in zip(bureaux, rows, strict=True)
        for code in row["departements"]
    )
    return len(bureaux)


@transaction.atomic
def load_cadres() -> int:
    """Loads the frameworks of rubrique 6; returns the number created.

    Their order and activation, set in the admin, are never touched again.
    """
    return _seed(CadrePreferentiel, "code", _read(CADRES_FILE, "cadres"))
