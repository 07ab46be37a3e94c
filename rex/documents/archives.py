"""Limits on ZIP archives (OOXML and OpenDocument files are ZIP archives), read from the central directory.

A zip bomb is refused from what the archive declares, before anything is decompressed: not by us, and not by
the antivirus, which would otherwise inflate it to find out.
"""

import io
import zipfile

from rex.documents.formats import refus, taille_lisible

TAILLE_DECOMPRESSEE_MAX = 100 * 1024 * 1024
TAUX_COMPRESSION_MAX = 100
ENTREES_MAX = 1000
_ENTREES_MAX_TEXTE = f"{ENTREES_MAX:,}".replace(",", "\u00a0")  # « 1 000 »


def est_une_archive(donnees: bytes) -> bool:
    """True when a ZIP reader would open the file, whatever it starts with (a ZIP may follow an image)."""
    return zipfile.is_zipfile(io.BytesIO(donnees))


def verifier_limites(donnees: bytes, nom: str) -> None:
    """Refuses too many entries, too many bytes once inflated, or an abnormal compression ratio."""
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as archive:
            entrees = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return  # not readable as an archive: the format checks refuse it with their own message
    if len(entrees) > ENTREES_MAX:
        raise refus(
            nom,
            f"est une archive de plus de {_ENTREES_MAX_TEXTE} éléments : elle est refusée par précaution.",
            code="archive_entrees",
        )
    total = sum(entree.file_size for entree in entrees)
    if total > TAILLE_DECOMPRESSEE_MAX:
        raise refus(
            nom,
            f"dépasserait {taille_lisible(TAILLE_DECOMPRESSEE_MAX)} une fois décompressé : il est refusé "
            "par précaution (« bombe de décompression »).",
            code="archive_taille",
        )
    if total > TAUX_COMPRESSION_MAX * max(len(donnees), 1):
        raise refus(
            nom,
            f"se décompresse en plus de {TAUX_COMPRESSION_MAX} fois sa taille, ce qu'aucun document "
            "ordinaire ne fait : il est refusé par précaution (« bombe de décompression »).",
            code="archive_taux",
        )


def lire_membre(archive: zipfile.ZipFile, nom_membre: str, maximum: int) -> bytes | None:
    """At most `maximum` bytes of one member, or None when it is bigger: what a member declares is not
    trusted, the reading itself stops."""
    with archive.open(nom_membre) as membre:
        contenu = membre.read(maximum + 1)
    return None if len(contenu) > maximum else contenu
