"""PDFs: well-formed, complete, not encrypted, without active content.

Every object pypdf can resolve is walked, those packed in object streams included: a raw byte search would
miss a name hidden in a compressed object stream, and would also match by chance in compressed data.
"""

import io
import logging

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from rex.documents.archives import est_une_archive
from rex.documents.formats import refus, refus_polyglotte

logger = logging.getLogger(__name__)

# Keys that carry scripts, triggers, attachments, forms run by the viewer, or multimedia players.
CLES_ACTIVES = frozenset(
    {"/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/XFA", "/RichMedia"}
    | {"/RichMediaContent", "/RichMediaSettings"}
)
# Names (values) of the same things, and of the actions that run a program, send data out, or open another
# file (GoToR to a network share leaks the Windows credentials).
NOMS_ACTIFS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR", "/RichMediaExecute"}
    | {"/Rendition", "/EmbeddedFile", "/FileAttachment", "/RichMedia"}
)
_ESPACES_PDF = b" \t\r\n\x00\x0c"
_PROFONDEUR_MAX = 256


def _refus_malforme(nom: str):
    return refus(
        nom,
        "n'est pas un PDF valide (fichier tronqué ou endommagé) : enregistrez-le ou imprimez-le de nouveau "
        "en PDF, puis joignez-le de nouveau.",
        code="pdf_invalide",
    )


def verifier_pdf(donnees: bytes, nom: str, type_mime: str = "application/pdf") -> None:
    if not donnees.startswith(b"%PDF-"):
        raise _refus_malforme(nom)
    fin = donnees.rfind(b"%%EOF")
    if fin < 0:
        raise _refus_malforme(nom)
    if donnees[fin + 5 :].strip(_ESPACES_PDF) or est_une_archive(donnees):
        raise refus_polyglotte(nom)
    try:
        lecteur = PdfReader(io.BytesIO(donnees), strict=True)
        chiffre = lecteur.is_encrypted
        if not chiffre:
            if len(lecteur.pages) == 0:
                raise ValueError("no page")
            actifs = _contenu_actif(lecteur)
    except Exception as exc:  # noqa: BLE001 - hostile input: whatever the parser chokes on is refused
        logger.info("PDF %r refused as malformed: %r", nom, exc)
        raise _refus_malforme(nom) from None
    if chiffre:
        raise refus(
            nom,
            "est protégé (chiffré) : joignez une version sans mot de passe ni protection.",
            code="chiffre",
        )
    if actifs:
        logger.warning("PDF %r refused for its active content: %s", nom, ", ".join(sorted(actifs)))
        raise refus(
            nom,
            "contient du contenu actif (JavaScript, lancement d'un programme, fichier joint, formulaire "
            "XFA ou multimédia), qui n'est pas accepté : imprimez-le en PDF depuis votre logiciel, puis "
            "joignez le nouveau fichier.",
            code="pdf_actif",
        )


def _objets(lecteur: PdfReader):
    """Every object of the cross-reference tables and of the object streams, and the trailer."""
    yield lecteur.trailer
    for generation, objets in list(lecteur.xref.items()):
        for numero in list(objets):
            yield lecteur.get_object(IndirectObject(numero, generation, lecteur))
    for numero in list(lecteur.xref_objStm):
        yield lecteur.get_object(IndirectObject(numero, 0, lecteur))


def _contenu_actif(lecteur: PdfReader) -> set[str]:
    """The active keys and names found, walking each object's direct content (references are visited as
    objects of their own)."""
    trouves: set[str] = set()
    for objet in _objets(lecteur):
        pile = [(objet, 0)]
        while pile:
            courant, profondeur = pile.pop()
            if profondeur > _PROFONDEUR_MAX:
                raise ValueError("objects nested too deep")
            if isinstance(courant, DictionaryObject):
                trouves.update(cle for cle in courant if cle in CLES_ACTIVES)
                pile.extend((valeur, profondeur + 1) for valeur in dict.values(courant))
            elif isinstance(courant, ArrayObject):
                pile.extend((valeur, profondeur + 1) for valeur in list.__iter__(courant))
            elif isinstance(courant, NameObject) and courant in NOMS_ACTIFS:
                trouves.add(courant)
    return trouves
