"""Checks on uploaded documents: the type is read from the content, never from the extension."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat

import magic

# Detected type → what the user is told it is.
TYPES_ACCEPTES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/msword": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument texte",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument tableur",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument présentation",
}
# Office formats libmagic may report generically; their inner structure decides.
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE2_GENERIC = {"application/CDFV2", "application/x-ole-storage"}
_OLE2_MARKERS = {
    b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t": "application/msword",
    b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k": "application/vnd.ms-excel",
    b"P\x00o\x00w\x00e\x00r\x00P\x00o\x00i\x00n\x00t": "application/vnd.ms-powerpoint",
}


def detecter_type(fichier) -> str:
    """The MIME type of an uploaded file, from its bytes."""
    fichier.seek(0)
    head = fichier.read(8192)
    fichier.seek(0)
    detected = magic.from_buffer(head, mime=True)
    if detected in ("application/zip", "application/octet-stream") or detected.startswith(
        "application/vnd.openxmlformats"
    ):
        detected = _type_zip(fichier) or detected
    elif detected in _OLE2_GENERIC:
        fichier.seek(0)
        body = fichier.read(2 * 1024 * 1024)
        fichier.seek(0)
        detected = next((t for marker, t in _OLE2_MARKERS.items() if marker in body), detected)
    return detected


def _type_zip(fichier) -> str | None:
    try:
        with zipfile.ZipFile(fichier) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "ignore").strip()
                return mimetype if mimetype in TYPES_ACCEPTES else None
            if "[Content_Types].xml" in names:
                for prefix, mimetype in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return mimetype
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        fichier.seek(0)
    return None


def verifier_document(fichier) -> str:
    """Returns the detected type of an acceptable file; raises a French ValidationError otherwise."""
    maximum = settings.DOCUMENT_MAX_BYTES
    if fichier.size > maximum:
        raise ValidationError(
            f"Le fichier « {fichier.name} » est trop volumineux ({filesizeformat(fichier.size)}) : "
            f"la taille maximale est de {filesizeformat(maximum)}."
        )
    if fichier.size == 0:
        raise ValidationError(f"Le fichier « {fichier.name} » est vide.")
    detected = detecter_type(fichier)
    if detected not in TYPES_ACCEPTES:
        raise ValidationError(
            f"Le fichier « {fichier.name} » n'est pas d'un type accepté (son contenu est de type "
            f"« {detected} ») : joignez un PDF, une image JPEG ou PNG, ou un document bureautique "
            "(Word, Excel, PowerPoint, OpenDocument). L'extension du nom ne suffit pas : c'est le "
            "contenu du fichier qui est vérifié."
        )
    return detected


def servir_document(document) -> FileResponse:
    """The file as an attachment, with its detected type; callers have checked who may see it."""
    response = FileResponse(
        document.fichier.open("rb"),
        as_attachment=True,
        filename=document.nom_original,
        content_type=document.type_mime,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
