"""The files the upload tests send, built in code: ordinary documents, and hostile ones.

No binary fixture is committed: each builder writes the smallest real file of its kind (a PDF with its
cross-reference table, a PNG through Pillow, a DOCX package by hand…) and the hostile variants change
exactly one thing in it.
"""

import io
import struct
import zipfile
import zlib

from PIL import Image

from rex.documents.antivirus import EICAR

# ------------------------------------------------------------------ PDF
CATALOGUE = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>"
)
POLICE = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def flux(contenu: bytes, dictionnaire: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(contenu), dictionnaire, contenu)


def pdf(objets: list[bytes], *, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A PDF 1.4 of these objects (numbered from 1), with a valid cross-reference table."""
    contenu = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    positions = []
    for numero, objet in enumerate(objets, start=1):
        positions.append(len(contenu))
        contenu += b"%d 0 obj\n%s\nendobj\n" % (numero, objet)
    xref = len(contenu)
    contenu += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1)
    contenu += b"".join(b"%010d 00000 n \n" % position for position in positions)
    contenu += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objets) + 1, trailer, xref)
    return bytes(contenu)


def pdf_simple(texte: bytes = b"Fiche produit - vins rouges", *, catalogue: bytes = CATALOGUE) -> bytes:
    contenu = b"BT /F1 18 Tf 72 760 Td (%s) Tj ET" % texte
    return pdf([catalogue, PAGES, PAGE, flux(contenu), POLICE])


def pdf_eicar() -> bytes:
    """EICAR in a comment of an uncompressed content stream: a valid PDF that clamd must report."""
    return pdf([CATALOGUE, PAGES, PAGE, flux(b"BT /F1 18 Tf 72 760 Td (Bonjour) Tj ET\n%" + EICAR), POLICE])


def pdf_open_action_javascript() -> bytes:
    return pdf_simple(
        catalogue=b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    )


def pdf_launch() -> bytes:
    return pdf_simple(
        catalogue=b"<< /Type /Catalog /Pages 2 0 R "
        b"/OpenAction << /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >> >>"
    )


def pdf_javascript_dans_un_flux_d_objets() -> bytes:
    """A PDF 1.5 whose JavaScript action sits, compressed, in an object stream: the name `/JavaScript` (spelt
    with a `#61` escape, too) is nowhere in the raw bytes."""
    action = b"<< /Type /Action /S /J#61vaScript /JS (app.alert(1)) >>"
    objets_compresses = {6: action}
    en_tete = b" ".join(b"%d %d" % (numero, 0) for numero in objets_compresses)
    corps = en_tete + b"\n" + action
    objstm = zlib.compress(corps)
    objets = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        2: PAGES,
        3: PAGE,
        4: flux(b"BT /F1 18 Tf 72 760 Td (Bonjour) Tj ET"),
        5: POLICE,
        7: flux(objstm, b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode " % (len(en_tete) + 1)),
    }
    contenu = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    positions = {}
    for numero, objet in objets.items():
        positions[numero] = len(contenu)
        contenu += b"%d 0 obj\n%s\nendobj\n" % (numero, objet)
    position_xref = len(contenu)
    lignes = []
    for numero in range(9):
        if numero == 0:
            lignes.append(struct.pack(">BIH", 0, 0, 0xFFFF))
        elif numero == 6:
            lignes.append(struct.pack(">BIH", 2, 7, 0))
        elif numero == 8:
            lignes.append(struct.pack(">BIH", 1, position_xref, 0))
        else:
            lignes.append(struct.pack(">BIH", 1, positions[numero], 0))
    table = b"".join(lignes)
    contenu += b"8 0 obj\n%s\nendobj\n" % flux(table, b"/Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R ")
    contenu += b"startxref\n%d\n%%%%EOF\n" % position_xref
    return bytes(contenu)


def pdf_chiffre() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_simple())))
    writer.encrypt("secret", algorithm="RC4-128")
    sortie = io.BytesIO()
    writer.write(sortie)
    return sortie.getvalue()


def pdf_weasyprint() -> bytes:
    """A PDF as a real producer writes it (compressed streams, fonts, object streams when it likes)."""
    from weasyprint import HTML

    return HTML(string="<h1>Fiche produit</h1><p>Vins rouges, AOC Bordeaux.</p>").write_pdf()


# ------------------------------------------------------------------ images
def image(format: str, largeur: int = 64, hauteur: int = 48) -> bytes:
    sortie = io.BytesIO()
    Image.new("RGB", (largeur, hauteur), (200, 30, 60)).save(sortie, format=format)
    return sortie.getvalue()


def _chunk(genre: bytes, donnees: bytes) -> bytes:
    return struct.pack(">I", len(donnees)) + genre + donnees + struct.pack(">I", zlib.crc32(genre + donnees))


def png_inondation(cote: int = 20_000) -> bytes:
    """A « pixel flood »: 400 million pixels (1 bit each) in a few kilobytes, every row of zeros."""
    ligne = b"\x00" * (1 + (cote + 7) // 8)
    compresseur = zlib.compressobj(9)
    idat = b"".join(compresseur.compress(ligne) for _ in range(cote)) + compresseur.flush()
    ihdr = struct.pack(">IIBBBBB", cote, cote, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


# ------------------------------------------------------------------ ZIP, OOXML, OpenDocument
def archive(membres: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", compression) as zip_:
        for nom, contenu in membres.items():
            zip_.writestr(nom, contenu)
    return sortie.getvalue()


def types_de_contenu(principal: str, *surcharges: tuple[str, str]) -> bytes:
    lignes = "".join(f'<Override PartName="{partie}" ContentType="{genre}"/>' for partie, genre in surcharges)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{principal}"/>{lignes}</Types>'
    ).encode()


RELATIONS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCX_PRINCIPAL = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_PRINCIPAL = "application/vnd.ms-word.document.macroEnabled.main+xml"


def document_word(texte: bytes = b"Statuts de la societe") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>" % texte
    )


def docx(
    *, principal: str = DOCX_PRINCIPAL, texte: bytes = b"Statuts de la societe", **autres: bytes
) -> bytes:
    """A minimal valid DOCX package; `autres` adds members (`word/vbaProject.bin`…)."""
    membres = {
        "[Content_Types].xml": types_de_contenu(principal),
        "_rels/.rels": RELATIONS,
        "word/document.xml": document_word(texte),
    }
    membres.update({nom.replace("__", "/"): contenu for nom, contenu in autres.items()})
    return archive(membres)


def docx_milliard_de_rires() -> bytes:
    """Entities in a DOCTYPE (« billion laughs »), in UTF-16: a byte search for `<!DOCTYPE` would miss it."""
    types = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&b;</Types>'
    ).encode("utf-16")
    return archive(
        {"[Content_Types].xml": types, "_rels/.rels": RELATIONS, "word/document.xml": document_word()}
    )


def docx_macros() -> bytes:
    return docx(word__vbaProject_bin=b"\xcc\x61" + b'Attribute VB_Name = "ThisDocument"' * 4)


def xlsx() -> bytes:
    from openpyxl import Workbook

    classeur = Workbook()
    feuille = classeur.active
    feuille.append(["Position SH4", "Désignation"])
    feuille.append(["2204", "Vins de raisins frais"])
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


ODT = "application/vnd.oasis.opendocument.text"


def odt(**autres: bytes) -> bytes:
    """A minimal OpenDocument text: `mimetype` first and stored, as the specification wants."""
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as zip_:
        zip_.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        zip_.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        zip_.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
            "<office:body><office:text><text:p>Extrait Kbis</text:p></office:text></office:body>"
            "</office:document-content>",
        )
        for nom, contenu in autres.items():
            zip_.writestr(nom.replace("__", "/"), contenu)
    return sortie.getvalue()


def bombe_zip(taille: int = 200 * 1024 * 1024, *, nom: str = "word/document.xml") -> bytes:
    """A valid-looking DOCX with one member of `taille` zero bytes, compressed as it is written (never held in
    memory whole): a few hundred kilobytes for 200 MB."""
    sortie = io.BytesIO()
    bloc = b"\x00" * (1024 * 1024)
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as zip_:
        zip_.writestr("[Content_Types].xml", types_de_contenu(DOCX_PRINCIPAL))
        zip_.writestr("_rels/.rels", RELATIONS)
        with zip_.open(nom, "w", force_zip64=True) as membre:
            for _ in range(taille // len(bloc)):
                membre.write(bloc)
    return sortie.getvalue()


def zip_aux_mille_entrees(entrees: int = 1500) -> bytes:
    membres = {"[Content_Types].xml": types_de_contenu(DOCX_PRINCIPAL), "_rels/.rels": RELATIONS}
    membres["word/document.xml"] = document_word()
    membres.update({f"word/media/image{i}.xml": b"<x/>" for i in range(entrees)})
    return archive(membres)


# ------------------------------------------------------------------ legacy Office (OLE2 / CFB)
_SECTEUR = 512
_FIN_DE_CHAINE, _SECTEUR_FAT, _LIBRE = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole2(flux_: dict[str, bytes]) -> bytes:
    """A Compound File (version 3) holding these streams (`"Macros/VBA/dir"` creates the storages on the way).

    Each stream is padded to 4096 bytes, so that none goes to the mini stream: enough for olefile and
    libmagic, which is all a test needs.
    """
    # Directory: 0 = root; storages and streams in order of appearance.
    entrees = [{"nom": "Root Entry", "genre": 5, "enfants": [], "donnees": b""}]
    index = {"": 0}
    for chemin, contenu in flux_.items():
        parent = ""
        parties = chemin.split("/")
        for profondeur, partie in enumerate(parties):
            cle = "/".join(parties[: profondeur + 1])
            if cle not in index:
                est_flux = profondeur == len(parties) - 1
                index[cle] = len(entrees)
                entrees.append(
                    {
                        "nom": partie,
                        "genre": 2 if est_flux else 1,
                        "enfants": [],
                        "donnees": contenu.ljust(4096, b"\x00") if est_flux else b"",
                    }
                )
                entrees[index[parent]]["enfants"].append(index[cle])
            parent = cle
    secteurs_repertoire = (len(entrees) + 3) // 4
    secteurs_flux = [len(e["donnees"]) // _SECTEUR for e in entrees]
    total = secteurs_repertoire + sum(secteurs_flux)
    secteurs_fat = 1
    while secteurs_fat * 128 < total + secteurs_fat:
        secteurs_fat += 1
    fat = [_SECTEUR_FAT] * secteurs_fat
    debut_repertoire = len(fat)
    fat += [*range(debut_repertoire + 1, debut_repertoire + secteurs_repertoire), _FIN_DE_CHAINE]
    for entree, nombre in zip(entrees, secteurs_flux, strict=True):
        entree["debut"] = len(fat) if nombre else _FIN_DE_CHAINE
        if nombre:
            fat += [*range(len(fat) + 1, len(fat) + nombre), _FIN_DE_CHAINE]
    fat += [_LIBRE] * (secteurs_fat * 128 - len(fat))

    # Siblings as a chain of right links under each storage's first child.
    for entree in entrees:
        entree.setdefault("droite", _LIBRE)
        entree["enfant"] = entree["enfants"][0] if entree["enfants"] else _LIBRE
        for gauche, droite in zip(entree["enfants"], entree["enfants"][1:], strict=False):
            entrees[gauche]["droite"] = droite
    repertoire = b""
    for entree in entrees:
        nom = entree["nom"].encode("utf-16-le") + b"\x00\x00"
        repertoire += nom.ljust(64, b"\x00") + struct.pack(
            "<HBBIII16sIQQIQ",
            len(nom),
            entree["genre"],
            1,
            _LIBRE,
            entree.get("droite", _LIBRE),
            entree["enfant"],
            b"\x00" * 16,
            0,
            0,
            0,
            entree["debut"],
            len(entree["donnees"]),
        )
    repertoire = repertoire.ljust(secteurs_repertoire * _SECTEUR, b"\x00")
    difat = list(range(secteurs_fat)) + [_LIBRE] * (109 - secteurs_fat)
    en_tete = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\x00" * 16
        + struct.pack("<HHHHH6sIIII", 0x3E, 3, 0xFFFE, 9, 6, b"", 0, secteurs_fat, debut_repertoire, 0)
        + struct.pack("<IIIII", 0x1000, _FIN_DE_CHAINE, 0, _FIN_DE_CHAINE, 0)
        + struct.pack("<109I", *difat)
    )
    corps = struct.pack(f"<{len(fat)}I", *fat) + repertoire + b"".join(e["donnees"] for e in entrees)
    return en_tete + corps


def biff(*enregistrements: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack("<HH", genre, len(donnees)) + donnees for genre, donnees in enregistrements)


def feuille(nom: bytes, genre_de_feuille: int) -> tuple[int, bytes]:
    """A BoundSheet8 record: 0 = worksheet, 1 = Excel 4.0 macro sheet."""
    return 0x0085, struct.pack("<IBBBB", 0, 0, genre_de_feuille, len(nom), 0) + nom


def xls(*feuilles: tuple[int, bytes]) -> bytes:
    bof = (0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
    return ole2({"Workbook": biff(bof, *feuilles, (0x000A, b""))})


def doc(**autres: bytes) -> bytes:
    return ole2(
        {
            "WordDocument": b"\xec\xa5\xc1\x00" + b"\x00" * 60,
            **{k.replace("__", "/"): v for k, v in autres.items()},
        }
    )


def ppt_macros() -> bytes:
    vba_info = struct.pack("<HHI", 0x000F, 0x03FF, 0)
    document = struct.pack("<HHI", 0x000F, 0x03E8, len(vba_info)) + vba_info
    return ole2({"PowerPoint Document": document, "Current User": b"\x00" * 20})
