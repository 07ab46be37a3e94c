"""Office documents: what they are, and whether they carry macros.

OOXML (.docx, .xlsx, .pptx) and OpenDocument files are ZIP archives whose structure says what they are;
legacy Word, Excel and PowerPoint files are OLE2 containers, read with olefile. Macros are refused in every
one of them: they are the usual way an office document runs code.
"""

import io
import struct
import zipfile
from xml.parsers import expat

import olefile

from rex.documents.archives import lire_membre
from rex.documents.formats import DOCX, FORMATS, ODF, PPTX, XLSX, refus

# The main part each OOXML format must have, and its macro-enabled twin (.docm, .xlsm, .pptm).
PARTIES_PRINCIPALES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
PARTIES_PRINCIPALES_MACROS = {
    DOCX: "application/vnd.ms-word.document.macroEnabled.main+xml",
    XLSX: "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    PPTX: "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
}
_TYPE_DE_PARTIE = {
    partie: type_mime
    for parties in (PARTIES_PRINCIPALES, PARTIES_PRINCIPALES_MACROS)
    for type_mime, partie in parties.items()
}
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_TYPES_DE_CONTENU_MAX = 1024 * 1024
# Content types and part names that carry VBA or Excel 4.0 macros.
_MARQUES_MACROS_OOXML = ("macroenabled", "vbaproject", "macrosheet", "vbadata")
# OpenDocument: StarBasic and script folders, at the top or in an embedded object.
_DOSSIERS_MACROS_ODF = {"basic", "scripts"}
# OLE2 storages that hold a VBA project (Word: Macros/VBA, Excel: _VBA_PROJECT_CUR/VBA).
_STOCKAGES_VBA = {"macros", "vba", "_vba_project_cur", "_vba_project"}
_FLUX_PRINCIPAL_OLE2 = {
    "application/msword": ("WordDocument",),
    "application/vnd.ms-excel": ("Workbook", "Book"),
    "application/vnd.ms-powerpoint": ("PowerPoint Document",),
}


class _Invalide(Exception):
    """The structure is not that of the format: refused as such, whatever the parser said."""


# What reading a broken or lying archive may raise: KeyError for a member it lacks, RuntimeError for an
# encrypted member, NotImplementedError for an unknown compression method.
_ERREURS_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    ValueError,
    EOFError,
    KeyError,
    RuntimeError,
    _Invalide,
)


def _refus_macros(nom: str, type_mime: str):
    fmt = FORMATS[type_mime]
    return refus(
        nom,
        "contient des macros, qui ne sont pas acceptées : enregistrez-le sans macros (au format "
        f"{fmt.extensions[-1]}) ou en PDF, puis joignez-le de nouveau.",
        code="macros",
    )


def _refus_invalide(nom: str, type_mime: str):
    return refus(
        nom,
        f"n'est pas un document {FORMATS[type_mime].libelle} valide : enregistrez-le de nouveau depuis votre "
        "logiciel, ou en PDF, puis joignez-le de nouveau.",
        code="bureautique_invalide",
    )


# ------------------------------------------------------------------ detection
def type_archive(donnees: bytes) -> str | None:
    """The format an OOXML or OpenDocument archive declares, from its structure (not from libmagic, which
    only looks at the first entries). A macro-enabled OOXML file is reported as its plain twin, so that it is
    refused for its macros rather than for its type."""
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as archive:
            noms = set(archive.namelist())
            if "mimetype" in noms:
                mimetype = (lire_membre(archive, "mimetype", 200) or b"").decode("ascii", "replace").strip()
                fmt = FORMATS.get(mimetype)
                return mimetype if fmt and fmt.famille == ODF else None
            if "[Content_Types].xml" in noms:
                surcharges, _ = _types_de_contenu(archive)
                return next((_TYPE_DE_PARTIE[t] for t in surcharges.values() if t in _TYPE_DE_PARTIE), None)
    except _ERREURS_ZIP:
        return None
    return None


def _types_de_contenu(archive: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    """`[Content_Types].xml`: part name (lower case, no leading slash) → type, and extension → type.

    Read with expat, which stops at a DOCTYPE, whatever the encoding: without one there are no entities to
    expand (« billion laughs ») nor to fetch.
    """
    contenu = lire_membre(archive, "[Content_Types].xml", _TYPES_DE_CONTENU_MAX)
    if contenu is None:
        raise _Invalide
    surcharges: dict[str, str] = {}
    defauts: dict[str, str] = {}

    def element(nom: str, attributs: dict[str, str]) -> None:
        if nom == f"{_CT} Override":
            surcharges[attributs.get("PartName", "").lstrip("/").lower()] = attributs.get("ContentType", "")
        elif nom == f"{_CT} Default":
            defauts[attributs.get("Extension", "").lower()] = attributs.get("ContentType", "")

    def doctype(*args) -> None:
        raise _Invalide

    lecteur = expat.ParserCreate(namespace_separator=" ")
    lecteur.StartElementHandler = element
    lecteur.StartDoctypeDeclHandler = doctype
    lecteur.EntityDeclHandler = doctype
    try:
        lecteur.Parse(contenu, True)
    except expat.ExpatError as exc:
        raise _Invalide from exc
    return surcharges, defauts


# ------------------------------------------------------------------ OOXML and OpenDocument
def verifier_ooxml(donnees: bytes, nom: str, type_mime: str) -> None:
    """A real OOXML package of the declared kind (content types, relationships, main part), without macros."""
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as archive:
            noms = {n.lower() for n in archive.namelist()}
            surcharges, defauts = _types_de_contenu(archive)
    except _ERREURS_ZIP:
        raise _refus_invalide(nom, type_mime) from None
    marques = [*noms, *surcharges.values(), *defauts.values()]
    if any(marque in texte.lower() for texte in marques for marque in _MARQUES_MACROS_OOXML):
        raise _refus_macros(nom, type_mime)
    principale = PARTIES_PRINCIPALES[type_mime]
    if "_rels/.rels" not in noms or not any(
        partie in noms for partie, type_partie in surcharges.items() if type_partie == principale
    ):
        raise _refus_invalide(nom, type_mime)


def verifier_odf(donnees: bytes, nom: str, type_mime: str) -> None:
    """An OpenDocument package (`mimetype` first and stored, manifest, content), without Basic or scripts."""
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as archive:
            entrees = archive.infolist()
            premiere = entrees[0] if entrees else None
            mimetype = (
                lire_membre(archive, "mimetype", 200)
                if premiere
                and premiere.filename == "mimetype"
                and premiere.compress_type == zipfile.ZIP_STORED
                else None
            )
    except _ERREURS_ZIP:
        raise _refus_invalide(nom, type_mime) from None
    noms = [entree.filename for entree in entrees]
    for chemin in noms:
        dossiers = chemin.rstrip("/").split("/")[: -1 if not chemin.endswith("/") else None]
        if any(dossier.lower() in _DOSSIERS_MACROS_ODF for dossier in dossiers):
            raise _refus_macros(nom, type_mime)
    if (
        mimetype is None
        or mimetype.decode("ascii", "replace").strip() != type_mime
        or not {"META-INF/manifest.xml", "content.xml"} <= set(noms)
    ):
        raise _refus_invalide(nom, type_mime)


# ------------------------------------------------------------------ legacy OLE2 (.doc, .xls, .ppt)
def verifier_ole2(donnees: bytes, nom: str, type_mime: str) -> None:
    """A legacy Office file with its main stream, without a VBA project or Excel 4.0 macro sheets."""
    if not olefile.isOleFile(data=donnees):
        raise _refus_invalide(nom, type_mime)
    try:
        with olefile.OleFileIO(io.BytesIO(donnees)) as ole:
            chemins = ole.listdir(streams=True, storages=True)
            if any(partie.lower() in _STOCKAGES_VBA for chemin in chemins for partie in chemin):
                raise _refus_macros(nom, type_mime)
            flux = next((f for f in _FLUX_PRINCIPAL_OLE2[type_mime] if ole.exists(f)), None)
            if flux is None:
                raise _Invalide
            contenu = ole.openstream(flux).read()
    except (OSError, ValueError, struct.error, IndexError, _Invalide):
        raise _refus_invalide(nom, type_mime) from None
    if type_mime == "application/vnd.ms-excel" and _classeur_a_des_macros(contenu, nom):
        raise _refus_macros(nom, type_mime)
    if type_mime == "application/vnd.ms-powerpoint" and _presentation_a_des_macros(contenu):
        raise _refus_macros(nom, type_mime)


def _classeur_a_des_macros(workbook: bytes, nom: str) -> bool:
    """Excel 97-2003: a BoundSheet8 record for an Excel 4.0 macro sheet or a VBA module (the sheets of the
    globals substream, which ends at the first EOF record). An encrypted workbook cannot be checked."""
    position = 0
    while position + 4 <= len(workbook):
        genre, longueur = struct.unpack_from("<HH", workbook, position)
        donnees = workbook[position + 4 : position + 4 + longueur]
        if genre == 0x002F:  # FilePass: the rest is encrypted
            raise refus(
                nom,
                "est protégé par un mot de passe : joignez une version sans protection.",
                code="chiffre",
            )
        if genre == 0x0085 and len(donnees) >= 6 and donnees[5] in (0x01, 0x06):  # BoundSheet8.dt
            return True
        if genre == 0x000A:  # EOF
            return False
        position += 4 + longueur
    return False


def _presentation_a_des_macros(document: bytes) -> bool:
    """PowerPoint 97-2003 keeps its VBA project inside the « PowerPoint Document » stream, not in a storage:
    a VBAInfoContainer (0x03FF) among the children of the DocumentContainer (0x03E8)."""
    position = 0
    while position + 8 <= len(document):
        _, genre, longueur = struct.unpack_from("<HHI", document, position)
        if genre == 0x03E8:
            enfant, fin = position + 8, min(position + 8 + longueur, len(document))
            while enfant + 8 <= fin:
                _, genre_enfant, longueur_enfant = struct.unpack_from("<HHI", document, enfant)
                if genre_enfant == 0x03FF:
                    return True
                enfant += 8 + longueur_enfant
        position += 8 + longueur
    return False
