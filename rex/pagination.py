"""Keyset pagination (« pagination par curseur »): a page starts right after the last row of the previous
one, found through an index, whatever its depth; never an OFFSET, which reads and drops every row before.

An order is one segment or more, each a set of rows (its filter) sorted on keys of the same kind; the
whole order lists the segments one after the other. The officers' queue sorted by deadline has two: the
requests with a deadline (by deadline, then last update), then those without (by last update). A cursor
names a row's segment and that row's keys, « e.1735686000000000.1735600000000000.42 »: the next page is
what comes after it in its segment, then in the following segments. The keys end with the primary key,
so the order is total: rows inserted meanwhile never shift a page (no row skipped or shown twice).

A cursor that cannot be read (forged, truncated, from another order) is ignored: the first page.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import F, Model, Q, QuerySet

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECONDE = timedelta(microseconds=1)
ENTIER_MAX = 2**63 - 1  # a bigint column
CHIFFRES = re.compile(r"[0-9]{1,19}")
NOM = re.compile(r"[a-z]{1,10}")


@dataclass(frozen=True)
class Segment:
    """Rows that compare on the same keys: `cles` like order_by() ("-updated_at", "-pk"), the last one
    unique; `filtre` selects them in SQL and `contient` tells, in Python, whether a row is one of them."""

    nom: str
    cles: tuple[str, ...]
    filtre: Q = Q()
    contient: Callable[[Model], bool] = lambda ligne: True

    def _cles(self, arriere: bool):
        for cle in self.cles:
            yield cle.lstrip("-"), cle.startswith("-") != arriere  # (field, descending)

    def ordre(self, *, arriere: bool = False) -> list:
        return [F(nom).desc() if desc else F(nom).asc() for nom, desc in self._cles(arriere)]

    def au_dela(self, valeurs: tuple, *, arriere: bool = False) -> Q:
        """The rows strictly after `valeurs` in this order (before them when `arriere`).

        The lexicographic comparison is an OR; the range on the first key, redundant, is what an index
        scan starts from (the OR only drops the rows tied with the cursor on that key).
        """
        cles = list(self._cles(arriere))
        premier, desc = cles[0]
        strict, egal = Q(pk__in=[]), Q()
        for (nom, desc_cle), valeur in zip(cles, valeurs, strict=True):
            strict |= egal & Q(**{f"{nom}__{'lt' if desc_cle else 'gt'}": valeur})
            egal &= Q(**{nom: valeur})
        return Q(**{f"{premier}__{'lte' if desc else 'gte'}": valeurs[0]}) & strict


@dataclass(frozen=True)
class Ordre:
    """Segments one after the other; `complet`: the same order in one order_by(), for the first page."""

    segments: tuple[Segment, ...]
    complet: tuple

    def curseur(self, ligne: Model) -> str:
        segment = next(s for s in self.segments if s.contient(ligne))
        valeurs = (getattr(ligne, nom) for nom, _ in segment._cles(False))
        return ".".join([segment.nom, *(_encoder(valeur) for valeur in valeurs)])

    def lire(self, texte: str, modele: type[Model]) -> tuple[int, tuple] | None:
        """(segment's rank, keys) of a cursor; None when it is not one of this order."""
        parties = (texte or "").split(".")
        rangs = {segment.nom: rang for rang, segment in enumerate(self.segments)}
        if len(parties) < 2 or not NOM.fullmatch(parties[0]) or parties[0] not in rangs:
            return None
        rang = rangs[parties[0]]
        champs = [nom for nom, _ in self.segments[rang]._cles(False)]
        if len(parties) != len(champs) + 1:
            return None
        valeurs = []
        for nom, texte_valeur in zip(champs, parties[1:], strict=True):
            valeur = _decoder(modele, nom, texte_valeur)
            if valeur is None:
                return None
            valeurs.append(valeur)
        return rang, tuple(valeurs)


def _encoder(valeur) -> str:
    if isinstance(valeur, datetime):
        return str((valeur - EPOCH) // MICROSECONDE)
    return str(int(valeur))


def _decoder(modele: type[Model], nom: str, texte: str):
    if not CHIFFRES.fullmatch(texte):
        return None
    nombre = int(texte)
    champ = modele._meta.pk if nom == "pk" else modele._meta.get_field(nom)
    if champ.get_internal_type() == "DateTimeField":
        try:
            return EPOCH + nombre * MICROSECONDE
        except OverflowError:
            return None
    if champ.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField"):
        return nombre if 1 <= nombre <= ENTIER_MAX else None
    raise ValueError(f"No cursor encoding for {nom} ({champ.get_internal_type()})")


@dataclass
class Page:
    """The rows of a page and the cursors of its neighbours (empty: there is none that way)."""

    lignes: list
    suivante: str = ""
    precedente: str = ""

    def __iter__(self):
        return iter(self.lignes)

    def __len__(self):
        return len(self.lignes)


def _suite(demandes: QuerySet, ordre: Ordre, rang: int, valeurs: tuple, nombre: int, *, arriere: bool):
    """Up to `nombre` rows after the cursor (before it, nearest first, when `arriere`): the rest of its
    segment, then the next segments from their start (the previous ones from their end)."""
    segment = ordre.segments[rang]
    lignes = list(
        demandes.filter(segment.filtre, segment.au_dela(valeurs, arriere=arriere)).order_by(
            *segment.ordre(arriere=arriere)
        )[:nombre]
    )
    pas = -1 if arriere else 1
    rang += pas
    while len(lignes) < nombre and 0 <= rang < len(ordre.segments):
        segment = ordre.segments[rang]
        lignes += demandes.filter(segment.filtre).order_by(*segment.ordre(arriere=arriere))[
            : nombre - len(lignes)
        ]
        rang += pas
    return lignes


def paginer(demandes: QuerySet, ordre: Ordre, *, apres: str = "", avant: str = "", par_page: int) -> Page:
    """The page after the cursor `apres`, or before the cursor `avant`, or else the first page.

    One query per page (two at the boundary between two segments). Past the end (the rows after a
    cursor were deleted meanwhile) or back before the start, the first page is shown.
    """
    modele = demandes.model
    if (curseur := ordre.lire(apres, modele)) is not None:
        lignes = _suite(demandes, ordre, *curseur, par_page + 1, arriere=False)
        if lignes:
            return _page(ordre, lignes[:par_page], suivante=len(lignes) > par_page, precedente=True)
    elif (curseur := ordre.lire(avant, modele)) is not None:
        lignes = _suite(demandes, ordre, *curseur, par_page + 1, arriere=True)
        if len(lignes) >= par_page:
            # Exactly a page before the cursor: it is the first page.
            return _page(ordre, lignes[:par_page][::-1], suivante=True, precedente=len(lignes) > par_page)
    lignes = list(demandes.order_by(*ordre.complet)[: par_page + 1])
    return _page(ordre, lignes[:par_page], suivante=len(lignes) > par_page, precedente=False)


def _page(ordre: Ordre, lignes: list, *, suivante: bool, precedente: bool) -> Page:
    return Page(
        lignes,
        suivante=ordre.curseur(lignes[-1]) if suivante and lignes else "",
        precedente=ordre.curseur(lignes[0]) if precedente and lignes else "",
    )
