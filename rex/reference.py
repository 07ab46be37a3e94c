"""Seeds the reference data kept in the admin: départements, customs offices, preferential frameworks.

The JSON files under accounts/data/ and rex/data/ are a starting point; once loaded, the admin owns the
rows. ``load_reference_data`` runs on every ``make run``, so loading never overwrites what an admin typed:
it creates the missing rows and only fills fields that are still empty (a PAE address, an office code).
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


def _seed(model: type[models.Model], key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Creates missing rows and fills their empty text fields; returns every row by natural key.

    A constant number of queries whatever the number of rows (bulk_create sets the primary keys on
    PostgreSQL and SQLite >= 3.35).
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
    return existing | {getattr(obj, key): obj for obj in to_create}


@transaction.atomic
def load_departements() -> int:
    """Loads the 101 départements and the name of their PAE; returns the number in the file."""
    rows = _read(DEPARTEMENTS_FILE, "departements")
    _seed(Departement, "code", rows)
    return len(rows)


@transaction.atomic
def load_bureaux() -> int:
    """Loads the customs offices; an office gets its départements only while it covers none.

    So an admin who narrows an office's coverage is not overruled at the next ``make run``.
    """
    rows = _read(BUREAUX_FILE, "bureaux")
    bureaux = _seed(
        BureauDouane, "nom", [{k: v for k, v in r.items() if k != "departements"} for r in rows]
    )
    departements = dict(Departement.objects.values_list("code", "pk"))
    covered = set(
        BureauDouane.departements.through.objects.values_list("bureaudouane_id", flat=True)
    )
    links = [
        BureauDouane.departements.through(bureaudouane_id=bureau.pk, departement_id=departements[code])
        for row in rows
        if (bureau := bureaux[row["nom"]]).pk not in covered
        for code in row["departements"]
    ]
    BureauDouane.departements.through.objects.bulk_create(links)
    return len(rows)


@transaction.atomic
def load_cadres() -> int:
    """Loads the preferential frameworks of rubrique 6; order and activation stay the admin's."""
    rows = _read(CADRES_FILE, "cadres")
    _seed(CadrePreferentiel, "code", rows)
    return len(rows)
