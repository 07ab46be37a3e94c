"""Hostile files sent through « Gérer les documents de la demande », as an attacker would: each is refused
with its French message, and leaves nothing behind, neither a file in storage nor a Document row. Ordinary
files of every accepted kind go through and come back byte for byte.

The antivirus is the real clamd the session started (tests/conftest.py), on the project's signatures.
"""

import copy
import zipfile
from functools import partial
from html import unescape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

import pytest

from rex import services
from rex.documents import EXTENSIONS_ACCEPTEES
from rex.documents.antivirus import EICAR
from rex.documents.formats import DOCX, XLSX
from rex.models import Document
from tests import fichiers
from tests.factories import DemandeFactory

pytestmark = pytest.mark.django_db

DIX_MO = 10 * 1024 * 1024


@pytest.fixture
def brouillon(client):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.created_by)
    return demande


@pytest.fixture
def stockage(settings, tmp_path):
    """The private storage, in a directory of this test's own, to see every file written there."""
    storages = copy.deepcopy(settings.STORAGES)
    storages["default"]["OPTIONS"]["location"] = str(tmp_path)
    settings.STORAGES = storages
    return tmp_path


def fichiers_stockes(dossier):
    return sorted(p for p in dossier.rglob("*") if p.is_file())


def envoyer(client, demande, nom, contenu):
    return client.post(
        reverse("rex:documents", args=[demande.pk]),
        {"fichier": SimpleUploadedFile(nom, contenu), "nom": "Pièce jointe"},
        follow=True,
    )


def polyglotte_jpeg_zip():
    return fichiers.image("JPEG") + fichiers.archive({"shell.php": b"<?php system($_GET['c']); ?>"})


def pdf_puis_zip():
    return fichiers.pdf_simple() + fichiers.archive({"payload.exe": b"MZ" + b"\x00" * 64})


CATALOGUE_FICHIER_JOINT = (
    b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(facture.exe) << /Type /Filespec "
    b"/F (facture.exe) >>] >> >> >>"
)
# Additional actions « before closing »: even a harmless GoTo is a trigger the viewer runs on its own.
CATALOGUE_ACTIONS_AUTO = b"<< /Type /Catalog /Pages 2 0 R /AA << /WC << /S /GoTo /D [3 0 R /Fit] >> >> >>"
CATALOGUE_XFA = b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XFA (<xdp:xdp/>) >> >>"

VIRUS = "contient un virus ou un logiciel malveillant"
MACROS = "contient des macros, qui ne sont pas acceptées"
BOMBE = "bombe de décompression"
PDF_INVALIDE = "n'est pas un PDF valide (fichier tronqué ou endommagé)"
ACTIF = "contient du contenu actif"
POLYGLOTTE = "contient des données cachées après la fin du document"

HOSTILES = [
    pytest.param("eicar.pdf", lambda: EICAR, VIRUS, id="eicar-fichier"),
    pytest.param("statuts.docx", lambda: fichiers.docx(texte=EICAR), VIRUS, id="eicar-dans-un-docx"),
    pytest.param("fiche.pdf", fichiers.pdf_eicar, VIRUS, id="eicar-dans-un-pdf"),
    pytest.param("statuts.docx", fichiers.docx_macros, MACROS, id="docx-vbaproject"),
    pytest.param(
        "statuts.docx", partial(fichiers.docx, principal=fichiers.DOCM_PRINCIPAL), MACROS, id="docm-renomme"
    ),
    pytest.param(
        "statuts.odt", partial(fichiers.odt, Basic__Standard__Module1_xml=b"<x/>"), MACROS, id="odt-basic"
    ),
    pytest.param("ancien.doc", partial(fichiers.doc, Macros__VBA__dir=b"\x01"), MACROS, id="doc-vba"),
    pytest.param(
        "ancien.xls", partial(fichiers.xls, fichiers.feuille(b"Macro1", 1)), MACROS, id="xls-macro-excel4"
    ),
    pytest.param("ancien.ppt", fichiers.ppt_macros, MACROS, id="ppt-vba"),
    pytest.param(
        "statuts.docx", fichiers.bombe_zip, "dépasserait 100\u00a0Mo une fois décompressé", id="bombe-200-mo"
    ),
    pytest.param(
        "statuts.docx",
        partial(fichiers.bombe_zip, 50 * 1024 * 1024),
        "se décompresse en plus de 100 fois sa taille",
        id="bombe-taux",
    ),
    pytest.param(
        "statuts.docx",
        fichiers.zip_aux_mille_entrees,
        "est une archive de plus de 1\u00a0000 éléments",
        id="entrees",
    ),
    pytest.param(
        "statuts.docx",
        lambda: fichiers.archive({"word/document.xml": fichiers.document_word()}),
        "n'est pas un document Word valide",
        id="zip-qui-n-est-pas-un-docx",
    ),
    pytest.param(
        "statuts.docx",
        lambda: fichiers.archive(
            {"[Content_Types].xml": fichiers.types_de_contenu(fichiers.DOCX_PRINCIPAL), "_rels/.rels": b""}
        ),
        "n'est pas un document Word valide",
        id="docx-sans-document",
    ),
    pytest.param(
        "statuts.docx",
        fichiers.docx_milliard_de_rires,
        "n'est pas un document Word valide",
        id="docx-doctype",
    ),
    pytest.param("fiche.pdf", lambda: fichiers.pdf_simple()[:-40], PDF_INVALIDE, id="pdf-tronque"),
    pytest.param("fiche.pdf", lambda: b"%PDF-1.4\n%%EOF\n", PDF_INVALIDE, id="pdf-sans-structure"),
    pytest.param("fiche.pdf", fichiers.pdf_chiffre, "est protégé (chiffré)", id="pdf-chiffre"),
    pytest.param("fiche.pdf", fichiers.pdf_open_action_javascript, ACTIF, id="pdf-openaction-javascript"),
    pytest.param("fiche.pdf", fichiers.pdf_launch, ACTIF, id="pdf-launch"),
    pytest.param("fiche.pdf", fichiers.pdf_javascript_dans_un_flux_d_objets, ACTIF, id="pdf-js-flux-objets"),
    pytest.param(
        "fiche.pdf",
        partial(fichiers.pdf_simple, catalogue=CATALOGUE_FICHIER_JOINT),
        ACTIF,
        id="pdf-fichier-joint",
    ),
    pytest.param(
        "fiche.pdf",
        partial(fichiers.pdf_simple, catalogue=CATALOGUE_ACTIONS_AUTO),
        ACTIF,
        id="pdf-actions-auto",
    ),
    pytest.param("fiche.pdf", partial(fichiers.pdf_simple, catalogue=CATALOGUE_XFA), ACTIF, id="pdf-xfa"),
    pytest.param("fiche.pdf", pdf_puis_zip, POLYGLOTTE, id="pdf-puis-zip"),
    pytest.param("photo.png", fichiers.png_inondation, "est une image trop grande", id="png-inondation"),
    pytest.param(
        "photo.png",
        lambda: fichiers.image("PNG", 640, 480)[:-200],
        "est une image tronquée",
        id="png-tronque",
    ),
    pytest.param("photo.jpg", polyglotte_jpeg_zip, POLYGLOTTE, id="jpeg-zip"),
    pytest.param(
        "x.php.jpg", partial(fichiers.image, "JPEG"), "a plusieurs extensions", id="double-extension"
    ),
    pytest.param("fiche.pdf", lambda: b"%PDF-1.4\n" + b"0" * DIX_MO, "est trop volumineux", id="trop-gros"),
    pytest.param("fiche.pdf", lambda: b"", "est vide", id="vide"),
    pytest.param(
        "fiche.docx",
        fichiers.pdf_simple,
        "est un fichier PDF mais son extension est « .docx »",
        id="pdf-docx",
    ),
    pytest.param("programme.exe", lambda: b"MZ" + b"\x00" * 64, "n'a pas une extension acceptée", id="exe"),
    pytest.param(
        "archive.pdf",
        lambda: fichiers.archive({"a.txt": b"bonjour"}),
        "n'est pas d'un type accepté",
        id="zip-pdf",
    ),
]


@pytest.mark.parametrize(("nom", "fabrique", "message"), HOSTILES)
def test_hostile_file_is_refused_and_leaves_nothing(client, brouillon, stockage, nom, fabrique, message):
    response = envoyer(client, brouillon, nom, fabrique())
    page = unescape(response.content.decode())
    assert response.status_code == 422
    assert f"Le fichier « {nom} » " in page and message in page
    assert not Document.objects.exists()
    assert fichiers_stockes(stockage) == []


def test_bidi_override_is_removed_before_the_extension_is_read(client, brouillon, stockage):
    """« rapport\u202efdp.exe » shows as « rapportexe.pdf »: without the control it is plainly an .exe."""
    response = envoyer(client, brouillon, "rapport\u202efdp.exe", b"MZ" + b"\x00" * 64)
    page = unescape(response.content.decode())
    assert "Le fichier « rapportfdp.exe » n'a pas une extension acceptée" in page
    assert "\u202e" not in page
    assert not Document.objects.exists() and fichiers_stockes(stockage) == []


def test_bidi_and_control_characters_are_not_stored(client, brouillon, stockage):
    envoyer(client, brouillon, "fac\u202etu\u2066r\u200fe\x07.pdf", fichiers.pdf_simple())
    document = Document.objects.get()
    assert document.nom_original == "facture.pdf"
    page = client.get(reverse("rex:documents", args=[brouillon.pk])).content.decode()
    assert "facture.pdf" in page


def test_the_users_file_name_is_escaped_in_the_refusal(client, brouillon, stockage):
    response = envoyer(client, brouillon, "<img src=x onerror=alert(1)>.exe", b"MZ" + b"\x00" * 64)
    contenu = response.content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;.exe" in contenu
    assert "<img src=x" not in contenu


def test_a_dot_in_the_name_is_not_an_extension(client, brouillon, stockage):
    envoyer(client, brouillon, "rapport.v2.pdf", fichiers.pdf_simple())
    assert Document.objects.get().nom_original == "rapport.v2.pdf"


def pdf_weasyprint():
    return fichiers.pdf_weasyprint()


ORDINAIRES = [
    pytest.param("fiche.pdf", fichiers.pdf_simple, "application/pdf", id="pdf"),
    pytest.param("attestation.pdf", pdf_weasyprint, "application/pdf", id="pdf-weasyprint"),
    pytest.param("photo.jpg", partial(fichiers.image, "JPEG"), "image/jpeg", id="jpeg"),
    pytest.param("photo.jpeg", partial(fichiers.image, "JPEG", 1600, 1200), "image/jpeg", id="jpeg-grand"),
    pytest.param("plan.png", partial(fichiers.image, "PNG"), "image/png", id="png"),
    pytest.param("statuts.docx", fichiers.docx, DOCX, id="docx"),
    pytest.param("tableau.xlsx", fichiers.xlsx, XLSX, id="xlsx"),
    pytest.param("kbis.odt", fichiers.odt, fichiers.ODT, id="odt"),
    pytest.param("ancien.doc", fichiers.doc, "application/msword", id="doc"),
    pytest.param(
        "ancien.xls",
        partial(fichiers.xls, fichiers.feuille(b"Feuil1", 0)),
        "application/vnd.ms-excel",
        id="xls",
    ),
]


@pytest.mark.parametrize(("nom", "fabrique", "type_mime"), ORDINAIRES)
def test_ordinary_file_is_accepted_and_downloaded_unchanged(
    client, brouillon, stockage, nom, fabrique, type_mime
):
    contenu = fabrique()
    response = envoyer(client, brouillon, nom, contenu)
    assert "Le document « Pièce jointe » a été ajouté." in unescape(response.content.decode())
    document = Document.objects.get()
    assert (document.nom_original, document.type_mime, document.taille) == (nom, type_mime, len(contenu))
    assert len(fichiers_stockes(stockage)) == 1
    telechargement = client.get(reverse("rex:document", args=[brouillon.pk, document.pk]))
    assert b"".join(telechargement.streaming_content) == contenu
    assert telechargement["Content-Type"] == type_mime


def test_a_failed_database_write_leaves_no_file(brouillon, stockage, monkeypatch):
    def echec(self, *args, **kwargs):
        raise DatabaseError("disque plein")

    monkeypatch.setattr(Document, "save", echec)
    with pytest.raises(DatabaseError):
        services.ajouter_document(
            demande=brouillon,
            by=brouillon.created_by,
            fichier=SimpleUploadedFile("fiche.pdf", fichiers.pdf_simple()),
            nom="Fiche produit",
        )
    assert fichiers_stockes(stockage) == []


def test_the_form_lists_the_accepted_types_and_size_from_their_one_definition(client, brouillon, settings):
    settings.DOCUMENT_MAX_BYTES = 4 * 1024 * 1024
    page = unescape(client.get(reverse("rex:documents", args=[brouillon.pk])).content.decode())
    assert "Taille maximale : 4\u00a0Mo." in page
    assert "PDF (.pdf), JPEG (.jpg, .jpeg), PNG (.png), Word (.doc, .docx), Excel (.xls, .xlsx)" in page
    assert f'accept="{",".join(EXTENSIONS_ACCEPTEES)}"' in page


def test_bomb_is_refused_from_the_central_directory_without_inflating(
    client, brouillon, stockage, monkeypatch
):
    """Nothing is decompressed to find out: reading a member would fail this test."""

    def interdit(*args, **kwargs):
        raise AssertionError("a member was decompressed")

    contenu = fichiers.bombe_zip()
    monkeypatch.setattr(zipfile.ZipFile, "open", interdit)
    response = envoyer(client, brouillon, "statuts.docx", contenu)
    assert "bombe de décompression" in unescape(response.content.decode())
    assert not Document.objects.exists()
