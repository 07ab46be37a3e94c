"""JPEG and PNG images: decoded in full by Pillow, within a pixel limit, and nothing after the image.

A few kilobytes of PNG can declare billions of pixels (a « pixel flood »): the size is read from the header
and refused before any decoding, the antivirus's included. The image is then decoded entirely, so that a
truncated file is refused rather than shown half grey. Bytes after the end of the image, or a ZIP archive
read from its end, make a file that is two things at once (a polyglot): refused.
"""

import io
import logging
import warnings

from PIL import Image

from rex.documents.archives import est_une_archive
from rex.documents.formats import refus, refus_polyglotte

logger = logging.getLogger(__name__)

PIXELS_MAX = 50_000_000
_PNG = b"\x89PNG\r\n\x1a\n"
_FORMATS_PILLOW = {"image/png": ["PNG"], "image/jpeg": ["JPEG", "MPO"]}


class _Tronquee(Exception):
    """The file ends before the image does, or its structure is broken."""


def _refus_trop_grande(nom: str):
    return refus(
        nom,
        f"est une image trop grande (plus de {PIXELS_MAX // 1_000_000} millions de pixels) : "
        "réduisez sa définition, puis joignez-la de nouveau.",
        code="image_trop_grande",
    )


def verifier_definition(donnees: bytes, nom: str) -> None:
    """Before the antivirus, which would decode a « pixel flood » too: the size a PNG or JPEG header declares
    (Pillow reads the header only, here). Anything else is left to the checks of its format."""
    if not donnees.startswith((_PNG, b"\xff\xd8")):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(donnees), formats=["PNG", "JPEG", "MPO"]) as image:
                largeur, hauteur = image.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refus_trop_grande(nom) from None
        except Exception:  # noqa: BLE001 - a broken header: verifier_image refuses it, with its message
            return
    if largeur * hauteur > PIXELS_MAX:
        raise _refus_trop_grande(nom)


def verifier_image(donnees: bytes, nom: str, type_mime: str) -> None:
    try:
        fin = _fin_png(donnees) if type_mime == "image/png" else _fin_jpeg(donnees, 0)
        reste = donnees[fin:]
        # JPEG: the extra images of the Multi-Picture Format (phones' depth or HDR maps) follow the first one.
        while reste and type_mime == "image/jpeg" and reste.startswith(b"\xff\xd8"):
            reste = reste[_fin_jpeg(reste, 0) :]
    except _Tronquee:
        raise _refus_tronquee(nom) from None
    if reste or est_une_archive(donnees):
        raise refus_polyglotte(nom)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(donnees), formats=_FORMATS_PILLOW[type_mime]) as image:
                largeur, hauteur = image.size
                trop_grande = largeur * hauteur > PIXELS_MAX
                if not trop_grande:
                    image.verify()  # PNG: every chunk's CRC
            if not trop_grande:
                with Image.open(io.BytesIO(donnees), formats=_FORMATS_PILLOW[type_mime]) as image:
                    image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            trop_grande = True
        except Exception as exc:  # noqa: BLE001 - hostile input: whatever the decoder chokes on is refused
            logger.info("Image %r refused as truncated or damaged: %r", nom, exc)
            raise _refus_tronquee(nom) from None
    if trop_grande:
        raise _refus_trop_grande(nom)


def _refus_tronquee(nom: str):
    return refus(
        nom,
        "est une image tronquée ou endommagée : enregistrez-la de nouveau, puis joignez-la de nouveau.",
        code="image_invalide",
    )


def _fin_png(donnees: bytes) -> int:
    """The offset just after the IEND chunk."""
    if not donnees.startswith(_PNG):
        raise _Tronquee
    position = len(_PNG)
    while True:
        if position + 8 > len(donnees):
            raise _Tronquee
        longueur = int.from_bytes(donnees[position : position + 4], "big")
        genre = donnees[position + 4 : position + 8]
        position += 12 + longueur  # length, type, data, CRC
        if position > len(donnees):
            raise _Tronquee
        if genre == b"IEND":
            return position


def _fin_jpeg(donnees: bytes, position: int) -> int:
    """The offset just after the EOI marker of the JPEG stream that starts at `position`."""
    if donnees[position : position + 2] != b"\xff\xd8":
        raise _Tronquee
    position += 2
    taille = len(donnees)
    while True:
        if position >= taille or donnees[position] != 0xFF:
            raise _Tronquee
        while position < taille and donnees[position] == 0xFF:  # fill bytes
            position += 1
        if position >= taille:
            raise _Tronquee
        marqueur = donnees[position]
        position += 1
        if marqueur == 0xD9:  # EOI
            return position
        if 0xD0 <= marqueur <= 0xD7 or marqueur == 0x01:  # no length
            continue
        if position + 2 > taille:
            raise _Tronquee
        longueur = int.from_bytes(donnees[position : position + 2], "big")
        if longueur < 2:
            raise _Tronquee
        position += longueur
        if (
            marqueur == 0xDA
        ):  # SOS: entropy-coded data up to the next marker other than RSTn or a stuffed 0xFF00
            while True:
                position = donnees.find(b"\xff", position)
                if position < 0 or position + 1 >= taille:
                    raise _Tronquee
                suivant = donnees[position + 1]
                if suivant == 0x00 or 0xD0 <= suivant <= 0xD7:
                    position += 2
                elif suivant == 0xFF:
                    position += 1
                else:
                    break
