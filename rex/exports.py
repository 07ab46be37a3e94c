"""« Exporter (CSV) » and « Exporter (XLSX) » of the officers' queue: the whole filtered queue, not a page.

Both read the queryset of rex.selectors.export_file by chunks (`.iterator`): one query, whatever the size,
and never the whole queue in memory.

- CSV: UTF-8 with a byte order mark and `;` as separator, the format French Excel opens as is (with `,`
  it puts every column in one); dates as text, « 30/11/2026 14:05 », in Europe/Paris. Streamed row by row.
- XLSX: an openpyxl write-only workbook (rows written to disk as they come), real date cells in
  Europe/Paris (Excel has no time zone), spooled to a temporary file then served.

Formula injection (CSV injection): a text that starts with = + - @, a tab or a carriage return would be
read as a formula by a spreadsheet. In the CSV it is prefixed with an apostrophe; in the XLSX it is
written as a string cell, which a spreadsheet never evaluates.
"""

import csv
from collections.abc import Iterator
from datetime import datetime
from tempfile import SpooledTemporaryFile
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from rex.models import Demande

PARIS = ZoneInfo("Europe/Paris")
TAILLE_LOT = 1000  # rows fetched at a time from the server-side cursor
EN_MEMOIRE = 5 * 1024 * 1024  # bytes of XLSX kept in memory before the temporary file goes to disk
DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")
SEPARATEUR = ";"
TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ENTETES = (
    "Numéro",
    "Statut",
    "Raison sociale",
    "EORI",
    "Agent en charge",
    "Soumise le",
    "Mise à jour le",
    "Date limite de réponse",
    "Service",
)
FORMAT_INSTANT = "%d/%m/%Y %H:%M"
FORMAT_DATE = "%d/%m/%Y"


def nom_fichier(extension: str) -> str:
    return f"file-des-demandes-{timezone.localdate(timezone.now(), PARIS):%Y-%m-%d}.{extension}"


def _paris(instant: datetime | None) -> datetime | None:
    return timezone.localtime(instant, PARIS) if instant else None


def _agent(demande: Demande) -> str:
    agent = demande.agent
    return (agent.get_full_name() or agent.username) if agent else ""


def valeurs(demande: Demande) -> tuple:
    """One row: texts, and the instants in Europe/Paris (the deadline as a day, as the queue shows it)."""
    limite = _paris(demande.date_limite)
    return (
        demande.numero or "",
        demande.get_statut_display(),
        demande.titulaire_raison_sociale,
        demande.titulaire_eori,
        _agent(demande),
        _paris(demande.soumise_le),
        _paris(demande.updated_at),
        limite.date() if limite else None,
        str(demande.service) if demande.service_id else "",
    )


def neutraliser(texte: str) -> str:
    """A text a spreadsheet would take for a formula, made inert by a leading apostrophe."""
    return f"'{texte}" if texte.startswith(DEBUTS_FORMULE) else texte


def _texte(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, datetime):
        return valeur.strftime(FORMAT_INSTANT)
    if hasattr(valeur, "strftime"):
        return valeur.strftime(FORMAT_DATE)
    return neutraliser(str(valeur))


class _Tampon:
    """csv.writer writes each row here and hands it back, for the streamed response."""

    def write(self, ligne: str) -> str:
        return ligne


def ecrire_csv(entetes, lignes) -> Iterator[str]:
    """CSV text for a spreadsheet in French, row by row (streamed): UTF-8 with its BOM, « ; » between
    cells. The rows come as text already made inert (neutraliser)."""
    ecrivain = csv.writer(_Tampon(), delimiter=SEPARATEUR)
    yield "\ufeff" + ecrivain.writerow(entetes)
    for ligne in lignes:
        yield ecrivain.writerow(ligne)


def flux_csv(demandes: QuerySet[Demande]) -> Iterator[str]:
    lignes = ([_texte(v) for v in valeurs(demande)] for demande in demandes.iterator(chunk_size=TAILLE_LOT))
    return ecrire_csv(ENTETES, lignes)


def _cellule(feuille, valeur) -> WriteOnlyCell:
    if isinstance(valeur, datetime):
        cellule = WriteOnlyCell(feuille, value=valeur.replace(tzinfo=None))
        cellule.number_format = "DD/MM/YYYY HH:MM"
    elif hasattr(valeur, "strftime"):
        cellule = WriteOnlyCell(feuille, value=valeur)
        cellule.number_format = "DD/MM/YYYY"
    else:
        texte = ILLEGAL_CHARACTERS_RE.sub("", valeur or "")
        cellule = WriteOnlyCell(feuille, value=texte)
        if texte:
            cellule.data_type = "s"  # never a formula, whatever it starts with
    return cellule


def classeur_xlsx(demandes: QuerySet[Demande]) -> SpooledTemporaryFile:
    """The workbook, rewound, in a temporary file (in memory up to EN_MEMOIRE)."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("File des demandes")
    feuille.freeze_panes = "A2"
    gras = Font(bold=True)
    entetes = []
    for entete in ENTETES:
        cellule = WriteOnlyCell(feuille, value=entete)
        cellule.font = gras
        entetes.append(cellule)
    feuille.append(entetes)
    for demande in demandes.iterator(chunk_size=TAILLE_LOT):
        feuille.append([_cellule(feuille, v) for v in valeurs(demande)])
    fichier = SpooledTemporaryFile(max_size=EN_MEMOIRE)  # noqa: SIM115 (FileResponse closes it)
    classeur.save(fichier)
    fichier.seek(0)
    return fichier
