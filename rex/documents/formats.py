"""The accepted formats, written once, and the checks on the file's name.

Everything that lists what may be uploaded reads FORMATS: the form's help text and `accept` attribute, the
refusal messages, the match between the detected content and the extension.
"""

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError

PDF, IMAGE, OOXML, ODF, OLE2 = "pdf", "image", "ooxml", "odf", "ole2"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class Format:
    libelle: str  # what the user is told it is
    extensions: tuple[str, ...]
    famille: str  # which deep check reads it


# Detected MIME type → format. The order is the order shown to the user.
FORMATS = {
    "application/pdf": Format("PDF", (".pdf",), PDF),
    "image/jpeg": Format("JPEG", (".jpg", ".jpeg"), IMAGE),
    "image/png": Format("PNG", (".png",), IMAGE),
    "application/msword": Format("Word", (".doc",), OLE2),
    DOCX: Format("Word", (".docx",), OOXML),
    "application/vnd.ms-excel": Format("Excel", (".xls",), OLE2),
    XLSX: Format("Excel", (".xlsx",), OOXML),
    "application/vnd.ms-powerpoint": Format("PowerPoint", (".ppt",), OLE2),
    PPTX: Format("PowerPoint", (".pptx",), OOXML),
    "application/vnd.oasis.opendocument.text": Format("OpenDocument texte", (".odt",), ODF),
    "application/vnd.oasis.opendocument.spreadsheet": Format("OpenDocument tableur", (".ods",), ODF),
    "application/vnd.oasis.opendocument.presentation": Format("OpenDocument présentation", (".odp",), ODF),
}
EXTENSIONS_ACCEPTEES = tuple(extension for fmt in FORMATS.values() for extension in fmt.extensions)

# Extensions a stem may not hide (`x.php.jpg`): the accepted ones and those a server, a browser or a desktop
# would run or open as something else. Any other dotted part is a plain word (`rapport.v2.pdf`).
EXTENSIONS_CONNUES = frozenset(e.lstrip(".") for e in EXTENSIONS_ACCEPTEES) | {
    *("php", "php3", "php4", "php5", "php7", "phtml", "pht", "phar", "phps", "inc"),
    *("asp", "aspx", "ashx", "asmx", "asa", "cer", "jsp", "jspx", "cfm", "cgi", "pl", "py", "rb"),
    *("sh", "bash", "ps1", "psm1", "bat", "cmd", "com", "exe", "dll", "scr", "pif", "msi", "msp", "cpl"),
    *("vbs", "vbe", "js", "jse", "mjs", "wsf", "wsh", "hta", "jar", "lnk", "reg", "inf", "appx", "apk"),
    *("htm", "html", "xhtml", "shtml", "svg", "swf", "xml", "xsl", "rtf", "txt", "csv"),
    *("docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "dot", "xlt", "pot"),
    *("zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "iso", "img", "dmg", "cab"),
}

# Characters that make a name read differently from what it is: bidirectional controls
# (« rapport\u202efdp.exe » shows as « rapportexe.pdf ») and the Arabic letter mark. Control characters
# (category Cc) go as well.
_CARACTERES_BIDI = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
NOM_MAX = 255


def refus(nom: str, raison: str, *, code: str) -> ValidationError:
    """The refusal shown under the field: it names the file (escaped when rendered, like any user string)."""
    return ValidationError(f"Le fichier « {nom} » {raison}", code=code)


def refus_polyglotte(nom: str) -> ValidationError:
    """A file that is two things at once (an image or a PDF followed by an archive) is refused."""
    return refus(
        nom,
        "contient des données cachées après la fin du document (par exemple une archive) : il est refusé.",
        code="polyglotte",
    )


def taille_lisible(octets: int) -> str:
    """« 10 Mo », « 10,5 Mo », « 300 Ko »: the limits and the sizes in one French wording (Django's
    filesizeformat says « Mio »)."""
    for unite, facteur in (("Go", 1024**3), ("Mo", 1024**2), ("Ko", 1024)):
        if octets >= facteur:
            valeur = f"{octets / facteur:.1f}".removesuffix(".0").replace(".", ",")
            return f"{valeur}\u00a0{unite}"
    return f"{octets}\u00a0octets"


def libelles_acceptes() -> str:
    """« PDF (.pdf), JPEG (.jpg, .jpeg), … »: each label once, with its extensions."""
    par_libelle: dict[str, list[str]] = {}
    for fmt in FORMATS.values():
        par_libelle.setdefault(fmt.libelle, []).extend(fmt.extensions)
    return ", ".join(f"{libelle} ({', '.join(extensions)})" for libelle, extensions in par_libelle.items())


def nettoyer_nom(nom: str) -> str:
    """The name as stored and shown: without bidi or control characters, which are removed before any check
    so that the checks read what the user will see."""
    nom = "".join(c for c in nom if c not in _CARACTERES_BIDI and unicodedata.category(c) != "Cc")
    nom = unicodedata.normalize("NFC", nom)
    # Windows drops trailing dots and spaces: « x.exe. » would open as « x.exe ».
    while (court := nom.strip().rstrip(".")) != nom:
        nom = court
    return nom


def tronquer_nom(nom: str) -> str:
    """At most NOM_MAX characters, keeping the extension."""
    if len(nom) <= NOM_MAX:
        return nom
    radical, point, extension = nom.rpartition(".")
    return radical[: NOM_MAX - len(extension) - 1] + point + extension


def verifier_nom(nom: str) -> str:
    """Returns the extension (lower case, with its dot) of a name with exactly one accepted extension."""
    if not nom:
        raise ValidationError(
            "Le nom du fichier est vide ou illisible : renommez-le, puis joignez-le de nouveau.", code="nom"
        )
    radical, point, extension = nom.rpartition(".")
    extension = f".{extension.lower()}" if point else ""
    if extension not in EXTENSIONS_ACCEPTEES or not radical.strip(". "):
        raise refus(
            nom,
            "n'a pas une extension acceptée : les extensions acceptées sont "
            f"{', '.join(EXTENSIONS_ACCEPTEES)}.",
            code="extension",
        )
    cachees = [partie for partie in radical.split(".")[1:] if partie.strip().lower() in EXTENSIONS_CONNUES]
    if cachees:
        raise refus(
            nom,
            f"a plusieurs extensions (« .{cachees[0]} » avant « {extension} ») : renommez-le pour qu'il "
            "n'en ait qu'une, celle de son format.",
            code="extensions_multiples",
        )
    return extension


def verifier_extension(nom: str, extension: str, type_mime: str) -> None:
    """The extension must say what the content is: a PDF named `.docx` is refused."""
    fmt = FORMATS[type_mime]
    if extension not in fmt.extensions:
        raise refus(
            nom,
            f"est un fichier {fmt.libelle} mais son extension est « {extension} » : renommez-le avec "
            f"l'extension {' ou '.join(fmt.extensions)}, puis joignez-le de nouveau.",
            code="extension_incoherente",
        )
