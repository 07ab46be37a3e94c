"""« Imprimer l'autorisation » (guide §7.1): the PDF of a REX registration, rendered by WeasyPrint.

Rendering takes about a second, so the PDF is stored (default storage: private, no public URL) under a
name made of the request, its version and a fingerprint of what the document shows (the version's data,
its contacts, goods and frameworks, the template and the style sheet), computed without rendering: any
change gives a new file, an unchanged registration is rendered once and a stored one is served as is.
`rex.tasks.generer_autorisation` pre-renders it after commit. A web request never renders it: when the file
is not there yet, the view asks a worker for it (once, whatever the number of clicks), waits a few seconds,
and otherwise answers a page « en cours de génération » that reloads itself. Without a broker (embedded
default), the task runs in-process, so the file is there when the view looks again.
"""

import functools
import hashlib
import json
import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.urls import reverse

import segno
from celery import signature

from rex.models import STATUTS_IMPRIMABLES, Chapitre, Demande, PositionTarifaire, Statut
from rex.verification import code_verification

logger = logging.getLogger(__name__)

CSS = "css/autorisation.css"
DOSSIER = "autorisations"


def imprimable(demande: Demande) -> bool:
    """Whether « Imprimer l'autorisation » is offered (views and templates)."""
    return demande.statut in STATUTS_IMPRIMABLES and bool(demande.numero_rex)


def refus(demande: Demande) -> str | None:
    """None when the registration may be printed; otherwise why not, in French."""
    if imprimable(demande):
        return None
    return (
        "L'autorisation ne peut être imprimée qu'une fois l'enregistrement REX octroyé : la demande est au "
        f"statut « {demande.get_statut_display()} »."
    )


def url_verification(demande: Demande) -> str:
    """The public check page (`public:verifier`) prefilled with the REX number and the code."""
    query = urlencode(
        {"numero": demande.numero_rex, "code": code_verification(demande.numero_rex, demande.version)}
    )
    return f"{settings.SITE_URL.rstrip('/')}/verifier/?{query}"


def nom_telechargement(demande: Demande) -> str:
    return f"autorisation-{demande.numero_rex}-v{demande.version}.pdf"


def _css() -> str:
    chemin = finders.find(CSS)
    if not chemin:
        raise FileNotFoundError(f"Feuille de style introuvable : {CSS}")
    with open(chemin, encoding="utf-8") as fichier:
        return fichier.read()


def _marchandises(demande: Demande) -> list[dict[str, str]]:
    """Goods rows with the official label of their heading (SH4) or chapter: two queries."""
    lignes = list(demande.marchandises.all())
    codes = {ligne.code for ligne in lignes}
    libelles = dict(PositionTarifaire.objects.filter(code__in=codes).values_list("code", "libelle"))
    libelles |= dict(Chapitre.objects.filter(code__in=codes).values_list("code", "libelle"))
    return [
        {"code": ligne.code, "libelle": libelles.get(ligne.code, ""), "description": ligne.description}
        for ligne in lignes
    ]


GABARIT = "rex/pdf/autorisation.html"
# Fields that change without changing the document.
CHAMPS_HORS_DOCUMENT = {"updated_at"}


def _donnees(demande: Demande) -> dict:
    """What the document shows beyond the request's own fields: three queries, nothing rendered."""
    return {
        "contacts": list(demande.contacts.all()),
        "marchandises": _marchandises(demande),
        "cadres": list(demande.cadres.all()),
        "engagement": ", ".join(
            filter(None, [demande.engagement_nom, demande.engagement_fonction, demande.engagement_lieu])
        ),
        "code_verification": code_verification(demande.numero_rex, demande.version),
        "url_verification": url_verification(demande),
    }


def _champs(objet) -> dict | None:
    if objet is None:
        return None
    return {
        champ.attname: getattr(objet, champ.attname)
        for champ in objet._meta.concrete_fields
        if champ.attname not in CHAMPS_HORS_DOCUMENT
    }


@functools.cache
def _empreinte_gabarit() -> str:
    """The template's and the style sheet's sources (read once per process)."""
    with open(get_template(GABARIT).origin.name, "rb") as fichier:
        source = fichier.read()
    return hashlib.sha256(source + _css().encode()).hexdigest()


def empreinte(demande: Demande, donnees: dict) -> str:
    """A hash of everything the document shows, computed from the data (no HTML, no QR code)."""
    contenu = {
        "demande": _champs(demande),
        "service": _champs(demande.service),
        "representant": _champs(demande.representant),
        "contacts": [_champs(contact) for contact in donnees["contacts"]],
        "marchandises": donnees["marchandises"],
        "cadres": [_champs(cadre) for cadre in donnees["cadres"]],
        "verification": [donnees["code_verification"], donnees["url_verification"]],
        "gabarit": _empreinte_gabarit(),
    }
    return hashlib.sha256(json.dumps(contenu, sort_keys=True, default=str).encode()).hexdigest()[:20]


def rendre_html(demande: Demande, donnees: dict | None = None) -> str:
    """The document as HTML (no remote resource: CSS inlined, QR code as inline SVG)."""
    donnees = donnees if donnees is not None else _donnees(demande)
    qr = segno.make(donnees["url_verification"], error="m", micro=False)
    return render_to_string(
        GABARIT,
        {
            "demande": demande,
            "statuts": Statut,
            **donnees,
            "qr_svg": qr.svg_inline(
                scale=1,
                border=2,
                svgclass="qr",
                lineclass=None,
                omitsize=True,
                title="Code QR de vérification",
            ),
            "css": _css(),
        },
    )


def rendre_pdf(html: str) -> bytes:
    """HTML → PDF. WeasyPrint is imported here: heavy, and only the PDF needs it.

    Nothing is fetched: only `data:` URLs are allowed (no network, no file read through the HTML).
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=2, allow_redirects=False)
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def rendre_autorisation(demande: Demande) -> tuple[bytes, str]:
    """(PDF bytes, HTML): the HTML is returned so that tests can assert on it."""
    html = rendre_html(demande)
    return rendre_pdf(html), html


def nom_fichier(demande: Demande, donnees: dict) -> str:
    """Storage name: one per request, version and content (a change of data or template → new file)."""
    return f"{DOSSIER}/{demande.pk}/autorisation-v{demande.version}-{empreinte(demande, donnees)}.pdf"


def generer(demande: Demande) -> tuple[str, bytes | None]:
    """Stores the PDF unless it is already there (idempotent).

    Returns its storage name, and the bytes when it was rendered now (None when it was there).
    Side effect: older files of the same request (stale content) are deleted.
    """
    donnees = _donnees(demande)
    nom = nom_fichier(demande, donnees)
    if default_storage.exists(nom):
        return nom, None
    contenu = rendre_pdf(rendre_html(demande, donnees))
    if not default_storage.exists(nom):  # another worker may have been faster
        enregistre = default_storage.save(nom, ContentFile(contenu))
        if enregistre != nom:  # lost a race: keep one file
            default_storage.delete(enregistre)
    _supprimer_anciens(demande, garder=nom)
    return nom, contenu


def _supprimer_anciens(demande: Demande, *, garder: str) -> None:
    dossier = f"{DOSSIER}/{demande.pk}"
    try:
        _, fichiers = default_storage.listdir(dossier)
    except FileNotFoundError:
        return
    for fichier in fichiers:
        nom = f"{dossier}/{fichier}"
        if nom != garder:
            default_storage.delete(nom)


def pregenerer(demande_id: int) -> bool:
    """The task's work: True when a PDF was rendered, False when there was nothing to do."""
    demande = Demande.objects.select_related("service", "representant").filter(pk=demande_id).first()
    if demande is None or not imprimable(demande):
        return False
    _, rendu = generer(demande)
    return rendu is not None


def programmer_generation(demande: Demande) -> None:
    """For the services that grant or change a registration: pre-render the PDF after commit.

    A broker outage is not an error: the PDF is rendered on the first « Imprimer l'autorisation ».
    Off when settings.REX_PDF_PREGENERER is False (tests: a render takes about a second).
    """
    if not getattr(settings, "REX_PDF_PREGENERER", True):
        return
    demande_id = demande.pk

    def publier():
        try:
            signature("rex.tasks.generer_autorisation", args=(demande_id,)).delay()
        except Exception:  # noqa: BLE001 - any broker failure: rendered on demand instead
            logger.warning("PDF de l'autorisation %s non programmé (broker indisponible)", demande_id)

    transaction.on_commit(publier)


# How long a view waits for a worker's render before answering « en cours de génération » (a render takes
# about a second), how often it looks, and how long one request for a render stands before it may be sent
# again (a worker lost with its task).
ATTENTE_S = 4.0
INTERVALLE_S = 0.25
DEMANDE_EN_COURS_S = 60
RAFRAICHIR_S = 3


def demander_generation(demande_id: int, nom: str) -> bool:
    """Asks a worker to render the file `nom`, unless that was asked less than a minute ago (double clicks,
    several officers, the waiting page's reloads). True when the task was published (or, without a broker,
    ran); a broker outage is logged and the next look asks again."""
    cle = f"rex:pdf:demande:{nom}"
    if not cache.add(cle, 1, timeout=DEMANDE_EN_COURS_S):
        return False
    try:
        signature("rex.tasks.generer_autorisation", args=(demande_id,)).delay()
    except Exception:  # noqa: BLE001 - any broker failure: asked again at the next look
        cache.delete(cle)
        logger.warning("PDF de l'autorisation %s non programmé (broker indisponible)", demande_id)
        return False
    return True


def attendre(nom: str, secondes: float) -> bool:
    """Whether the file `nom` is stored within `secondes` (looked for every INTERVALLE_S)."""
    limite = time.monotonic() + secondes
    while not default_storage.exists(nom):
        if time.monotonic() >= limite:
            return False
        time.sleep(INTERVALLE_S)
    return True


def _page_attente(request: HttpRequest, demande: Demande) -> HttpResponse:
    response = render(
        request,
        "rex/autorisation_en_cours.html",
        {
            "demande": demande,
            "rafraichir_s": RAFRAICHIR_S,
            "retour_url": reverse(f"{request.resolver_match.namespace}:detail", args=[demande.pk]),
            "title": "Autorisation en cours de génération",
        },
        status=202,
    )
    response["Refresh"] = str(RAFRAICHIR_S)
    response["Cache-Control"] = "no-store"
    return response


def ouvrir_autorisation(demande: Demande):
    """The stored PDF, opened; None while it is not stored yet: a worker is asked for it (once) and this
    waits a little first. Callers check who may see it (the portal's view, the API)."""
    nom = nom_fichier(demande, _donnees(demande))
    if not default_storage.exists(nom):
        demander_generation(demande.pk, nom)
        if not attendre(nom, getattr(settings, "REX_PDF_ATTENTE_S", ATTENTE_S)):
            return None
    try:
        return default_storage.open(nom, "rb")
    except FileNotFoundError:  # replaced by a newer render in between: the next look finds that one
        return None


def reponse_autorisation(demande: Demande, fichier) -> FileResponse:
    """The PDF inline, never cached by a shared cache."""
    response = FileResponse(
        fichier, as_attachment=False, filename=nom_telechargement(demande), content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def servir_autorisation(request: HttpRequest, demande: Demande) -> HttpResponse:
    """The stored PDF, inline. Not stored yet: a worker is asked for it and the view waits a little, then
    answers the waiting page (202), which reloads itself. Callers check who may see it."""
    fichier = ouvrir_autorisation(demande)
    if fichier is None:
        return _page_attente(request, demande)
    return reponse_autorisation(demande, fichier)
