"""Checks on uploaded documents, against hostile files: the type is read from the content, never trusted from
the name, and every file is scanned for malware before anything is stored.

The order is cheap first: the name (cleaned of bidi and control characters, then one accepted extension)
and the size; the limits of a ZIP archive from its central directory and the pixel count an image header
declares, so that a bomb never reaches a decompressor or a decoder (clamd's included); the antivirus, on
the raw bytes, before any deep parser reads them; then the type, its match with the extension, and the
deep check of its format.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, Http404

import magic

from rex.documents import antivirus, archives
from rex.documents.bureautique import type_archive, verifier_odf, verifier_ole2, verifier_ooxml
from rex.documents.formats import (
    EXTENSIONS_ACCEPTEES,
    FORMATS,
    IMAGE,
    ODF,
    OLE2,
    OOXML,
    PDF,
    libelles_acceptes,
    nettoyer_nom,
    refus,
    taille_lisible,
    tronquer_nom,
    verifier_extension,
    verifier_nom,
)
from rex.documents.images import verifier_definition, verifier_image
from rex.documents.pdf import verifier_pdf

logger = logging.getLogger(__name__)

__all__ = [
    "EXTENSIONS_ACCEPTEES",
    "FORMATS",
    "DocumentVerifie",
    "aide_formulaire",
    "detecter_type",
    "servir_document",
    "verifier_document",
]

_VERIFICATIONS = {
    PDF: verifier_pdf,
    IMAGE: verifier_image,
    OOXML: verifier_ooxml,
    ODF: verifier_odf,
    OLE2: verifier_ole2,
}
_ZIP_GENERIQUE = {"application/zip", "application/octet-stream"}
_OLE2_GENERIQUE = {"application/CDFV2", "application/x-ole-storage"}
_OLE2_MARQUES = {
    "WordDocument".encode("utf-16-le"): "application/msword",
    "Workbook".encode("utf-16-le"): "application/vnd.ms-excel",
    "PowerPoint".encode("utf-16-le"): "application/vnd.ms-powerpoint",
}


@dataclass(frozen=True)
class DocumentVerifie:
    nom: str  # the original name as stored and shown: no bidi or control characters, at most 255 characters
    type_mime: str


def aide_formulaire() -> str:
    """The help text of the upload field, from FORMATS and DOCUMENT_MAX_BYTES."""
    return (
        f"Taille maximale : {taille_lisible(settings.DOCUMENT_MAX_BYTES)}. "
        f"Formats acceptés : {libelles_acceptes()}. Les fichiers contenant des macros ne sont pas acceptés."
    )


def detecter_type(donnees: bytes) -> str:
    """The MIME type of a file, from its bytes: libmagic, then the structure of office formats."""
    detecte = magic.from_buffer(donnees[:8192], mime=True)
    if (
        detecte in _ZIP_GENERIQUE
        or detecte.startswith("application/vnd.openxmlformats")
        or detecte.startswith("application/vnd.oasis.opendocument")
    ):
        return type_archive(donnees) or detecte
    if detecte in _OLE2_GENERIQUE:
        debut = donnees[: 2 * 1024 * 1024]
        return next((t for marque, t in _OLE2_MARQUES.items() if marque in debut), detecte)
    return detecte


def verifier_document(fichier) -> DocumentVerifie:
    """The cleaned name and detected type of an acceptable file; raises a French ValidationError otherwise.

    Nothing is written anywhere: the caller stores the file only once this has returned.
    Side effect: the file's bytes go to clamd (CLAMAV_URL).
    """
    nom = nettoyer_nom(fichier.name or "")
    extension = verifier_nom(nom)
    maximum = settings.DOCUMENT_MAX_BYTES
    if fichier.size > maximum:
        raise refus(
            nom,
            f"est trop volumineux ({taille_lisible(fichier.size)}) : la taille maximale est de "
            f"{taille_lisible(maximum)}.",
            code="taille",
        )
    if fichier.size == 0:
        raise refus(nom, "est vide.", code="vide")
    fichier.seek(0)
    donnees = fichier.read()
    fichier.seek(0)
    # Bombs first, from what the file declares: the antivirus would inflate or decode them.
    if archives.est_une_archive(donnees):
        archives.verifier_limites(donnees, nom)
    verifier_definition(donnees, nom)
    antivirus.analyser(donnees, nom)
    type_mime = detecter_type(donnees)
    fmt = FORMATS.get(type_mime)
    if fmt is None:
        raise refus(
            nom,
            f"n'est pas d'un type accepté (son contenu est de type « {type_mime} ») : les formats acceptés "
            f"sont {libelles_acceptes()}. L'extension du nom ne suffit pas : c'est le contenu du fichier qui "
            "est vérifié.",
            code="type",
        )
    verifier_extension(nom, extension, type_mime)
    _VERIFICATIONS[fmt.famille](donnees, nom, type_mime)
    return DocumentVerifie(nom=tronquer_nom(nom), type_mime=type_mime)


def servir_document(document) -> FileResponse:
    """The file as an attachment, with its detected type; callers have checked who may see it.

    A file missing from the storage (lost, or being restored) is a 404, logged, not a server error.
    """
    try:
        fichier = document.fichier.open("rb")
    except FileNotFoundError as exc:
        logger.error(
            "Document %s : fichier %s introuvable dans le stockage", document.pk, document.fichier.name
        )
        raise Http404("Ce document n'est plus disponible.") from exc
    response = FileResponse(
        fichier,
        as_attachment=True,
        filename=document.nom_original,
        content_type=document.type_mime,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
