"""« Imprimer l'autorisation » (guide §7.1): the PDF of a registration, its cache, who may print it.

One real WeasyPrint render for the module (about a second); the other tests replace the renderer by a
counter, which is what the cache logic depends on.
"""

import datetime
import io
import re
import socket
from html import unescape
from urllib.parse import urlencode

from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils.html import strip_tags

import pytest
import segno
from pypdf import PdfReader

from rex import pdf, services, tasks
from rex.models import Demande, Statut
from rex.verification import code_verification
from tests.factories import (
    CadrePreferentielFactory,
    ChapitreFactory,
    DemandeFactory,
    MandatFactory,
    UserFactory,
    demande_representee,
)

FAUX_PDF = b"%PDF-1.7\n% rendu factice\n"


def octroyer(demande: Demande) -> Demande:
    demande = services.soumettre(demande=demande, by=demande.created_by)
    return services.octroyer(demande=demande, by=UserFactory(service=demande.service))


def texte(html: str) -> str:
    return " ".join(unescape(strip_tags(html)).split())


@pytest.fixture(scope="module")
def rendu(django_db_setup, django_db_blocker):
    """One real render: a granted registration with two goods rows (a heading, a whole chapter) and
    two frameworks; the data are rolled back, the PDF, its HTML and the expected values are kept."""
    with django_db_blocker.unblock(), transaction.atomic():
        demande = DemandeFactory(complete=True)
        ChapitreFactory(code="09", libelle="Café, thé, maté et épices")
        demande.marchandises.create(code="09", ordre=1, description="Thés verts en vrac")
        demande.cadres.add(CadrePreferentielFactory(libelle="Accord UE–Japon (APE)"))
        demande = octroyer(demande)
        contenu, html = pdf.rendre_autorisation(demande)
        attendu = {
            "numero_rex": demande.numero_rex,
            "numero": demande.numero,
            "eori": demande.titulaire_eori,
            "raison_sociale": demande.titulaire_raison_sociale,
            "service": demande.service.nom,
            "validite": demande.date_validite.strftime("%d/%m/%Y"),
            "enregistrement": demande.date_enregistrement.strftime("%d/%m/%Y"),
            "cadres": sorted(demande.cadres.values_list("libelle", flat=True)),
            "code": code_verification(demande.numero_rex, 1),
        }
        transaction.set_rollback(True)
    reader = PdfReader(io.BytesIO(contenu))
    return {
        "pdf": contenu,
        "html": html,
        "reader": reader,
        "texte": " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages),
        **attendu,
    }


@pytest.fixture(autouse=True)
def stockage(settings, tmp_path):
    """A storage of its own for each test (with SQLite, primary keys come back after a rollback)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


@pytest.fixture
def rendus(monkeypatch):
    """Replaces WeasyPrint by a counter of renders."""
    appels = []

    def rendre_pdf(html):
        appels.append(html)
        return FAUX_PDF

    monkeypatch.setattr(pdf, "rendre_pdf", rendre_pdf)
    return appels


@pytest.fixture
def octroyee(db):
    return octroyer(DemandeFactory(complete=True))


# ------------------------------------------------------------------ the document
def test_pdf_text_has_every_field_of_the_registration(rendu):
    t = rendu["texte"]
    for valeur in (
        "République française — Direction générale des douanes et droits indirects",
        "Enregistrement en qualité d'exportateur enregistré (REX)",
        rendu["numero_rex"],
        rendu["numero"],
        "Version 1",
        "Octroyée",
        rendu["enregistrement"],
        rendu["validite"],
        rendu["service"],
        rendu["eori"],
        rendu["raison_sociale"],
        "12 rue des Exportateurs, 69002 Lyon",
        "01 23 45 67 89",
        "export@exemple.fr",
        "Production",
        "claire.durand@exemple.fr",
        "Directrice export",
        "2204",
        "Vins de raisins frais",
        "Vins rouges",
        "09",
        "Café, thé, maté et épices",
        "Thés verts en vrac",
        *rendu["cadres"],
        "Oui",
        rendu["code"],
        "Page 1 sur 2",
        "Page 2 sur 2",
    ):
        assert valeur in t, valeur


def test_pdf_is_a4(rendu):
    boite = rendu["reader"].pages[0].mediabox
    assert (round(float(boite.width)), round(float(boite.height))) == (595, 842)
    assert rendu["reader"].metadata.title == f"Enregistrement REX {rendu['numero_rex']} — version 1"


def test_html_has_each_section_and_the_check_url_with_its_code(rendu):
    html = rendu["html"]
    sections = (
        "enregistrement verification exportateur representant contacts marchandises cadres consentement"
    )
    for section in sections.split():
        assert f'id="{section}"' in html, section
    t = texte(html)
    assert "Direction générale des douanes et droits indirects" in t
    assert "Sans objet : la demande a été déposée par l'exportateur lui-même." in t
    assert re.search(r"<td>\s*Oui\s*</td>", html)
    url = "http://127.0.0.1:8000/verifier/?" + urlencode(
        {"numero": rendu["numero_rex"], "code": rendu["code"]}
    )
    assert f'<a href="{url.replace("&", "&amp;")}">' in html
    assert re.search(
        r'<svg viewBox="0 0 \d+ \d+" class="qr"><title>Code QR de vérification</title><path', html
    )
    assert "http" not in html.replace(url.replace("&", "&amp;"), "")  # nothing else remote


def test_html_of_a_represented_revoked_registration(db):
    transitaire = UserFactory(representant=True)
    represente = MandatFactory(representant=transitaire.entreprise).represente
    demande = octroyer(demande_representee(transitaire, represente))
    Demande.objects.filter(pk=demande.pk).update(
        statut=Statut.REVOQUEE, revoquee_le=datetime.date(2025, 3, 1)
    )
    demande = Demande.objects.get(pk=demande.pk)
    t = texte(pdf.rendre_html(demande))
    assert "Enregistrement révoqué à compter du 01/03/2025" in t
    assert "Révoqué à compter du 01/03/2025" in t
    assert transitaire.entreprise.raison_sociale in t and transitaire.entreprise.eori in t
    assert "transit@exemple.fr" in t and "01 40 00 00 00" in t


def test_check_url_follows_site_url(octroyee, settings):
    settings.SITE_URL = "https://soprano.douane.gouv.fr/"
    code = code_verification(octroyee.numero_rex, octroyee.version)
    assert pdf.url_verification(octroyee) == (
        f"https://soprano.douane.gouv.fr/verifier/?numero={octroyee.numero_rex}&code={code}"
    )


def test_weasyprint_fetches_nothing(monkeypatch, caplog):
    connexions = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, adresse: connexions.append(adresse))
    contenu = pdf.rendre_pdf(
        '<img src="http://example.com/logo.png"><img src="file:///etc/hostname">'
        '<link rel="stylesheet" href="https://example.com/a.css"><p>Texte</p>'
    )
    assert contenu.startswith(b"%PDF") and connexions == []
    assert caplog.text.count("disallowed protocol") == 3


@pytest.mark.parametrize("statut", list(Statut))
def test_printable_only_as_a_registration(statut):
    demande = Demande(statut=statut, numero_rex="FRREXFR12345678901234")
    attendu = statut in (
        Statut.OCTROYEE,
        Statut.MODIFICATION_DEMANDEE,
        Statut.REVOQUEE,
        Statut.VERSION_ANTERIEURE,
    )
    assert pdf.imprimable(demande) is attendu
    assert (pdf.refus(demande) is None) is attendu


# ------------------------------------------------------------------ the cache and the task
def test_generer_renders_once_then_reuses_the_stored_file(octroyee, rendus):
    nom, contenu = pdf.generer(octroyee)
    assert contenu == FAUX_PDF and len(rendus) == 1
    assert nom.startswith(f"autorisations/{octroyee.pk}/autorisation-v1-")
    assert default_storage.open(nom).read() == FAUX_PDF
    assert pdf.generer(octroyee) == (nom, None)
    assert len(rendus) == 1


def test_a_change_of_the_data_renders_again_and_drops_the_stale_file(octroyee, rendus):
    ancien, _ = pdf.generer(octroyee)
    octroyee.contacts.update(telephone="09 99 99 99 99")
    nouveau, contenu = pdf.generer(octroyee)
    assert nouveau != ancien and contenu == FAUX_PDF and len(rendus) == 2
    assert default_storage.exists(nouveau) and not default_storage.exists(ancien)


def test_task_is_idempotent(octroyee, rendus):
    assert tasks.generer_autorisation(octroyee.pk) is True
    assert tasks.generer_autorisation(octroyee.pk) is False
    assert len(rendus) == 1


def test_task_does_nothing_before_the_grant_or_for_a_missing_request(db, rendus):
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    assert tasks.generer_autorisation(demande.pk) is False
    assert tasks.generer_autorisation(demande.pk + 1000) is False
    assert rendus == []


def test_programmer_generation_queues_the_task_after_commit(
    octroyee, rendus, settings, django_capture_on_commit_callbacks
):
    settings.REX_PDF_PREGENERER = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pdf.programmer_generation(octroyee)
        assert rendus == []
    assert len(callbacks) == 1 and len(rendus) == 1


def test_command_renders_the_missing_pdfs(octroyee, rendus):
    sortie = io.StringIO()
    call_command("generer_autorisations", stdout=sortie)
    call_command("generer_autorisations", stdout=sortie)
    assert sortie.getvalue().splitlines() == [
        "PDF d'autorisation générés : 1",
        "PDF d'autorisation générés : 0",
    ]


# ------------------------------------------------------------------ the views
def test_operator_gets_the_pdf_inline_rendered_once(client, octroyee, rendus):
    client.force_login(octroyee.created_by)
    url = reverse("rex:imprimer", args=[octroyee.pk])
    assert url == f"/soprano/rex/demandes/{octroyee.pk}/autorisation.pdf"
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'inline; filename="autorisation-{octroyee.numero_rex}-v1.pdf"'
        )
        assert b"".join(response.streaming_content) == FAUX_PDF
    assert len(rendus) == 1


def test_a_stored_pdf_is_served_without_rendering_anything(client, octroyee, rendus, monkeypatch):
    """A second download finds its file from the registration's data: neither WeasyPrint nor a template."""
    client.force_login(octroyee.created_by)
    url = reverse("rex:imprimer", args=[octroyee.pk])
    assert b"".join(client.get(url).streaming_content) == FAUX_PDF

    import weasyprint

    def interdit(*args, **kwargs):
        raise AssertionError("WeasyPrint appelé pour un PDF déjà enregistré")

    monkeypatch.setattr(weasyprint, "HTML", interdit)
    monkeypatch.setattr(segno, "make", interdit)
    gabarits = []

    def noter(sender, template, context, **kwargs):
        gabarits.append(template.name)

    template_rendered.connect(noter)
    try:
        response = client.get(url)
        contenu = b"".join(response.streaming_content)
    finally:
        template_rendered.disconnect(noter)
    assert response.status_code == 200 and contenu == FAUX_PDF
    assert gabarits == [] and len(rendus) == 1


def test_a_change_of_a_goods_label_or_a_framework_renders_again(octroyee, rendus):
    ancien, _ = pdf.generer(octroyee)
    octroyee.cadres.add(CadrePreferentielFactory(libelle="Accord UE–Canada (AECG)"))
    cadre, _ = pdf.generer(octroyee)
    assert cadre != ancien and len(rendus) == 2
    assert pdf.generer(octroyee) == (cadre, None) and len(rendus) == 2


def test_request_page_offers_the_print_button_once_granted(client, octroyee):
    client.force_login(octroyee.created_by)
    page = client.get(reverse("rex:detail", args=[octroyee.pk])).content.decode()
    assert f'href="{reverse("rex:imprimer", args=[octroyee.pk])}">Imprimer l\'autorisation</a>' in page


def test_refused_while_en_etude_with_a_message(client, db, rendus):
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    client.force_login(demande.created_by)
    response = client.get(reverse("rex:imprimer", args=[demande.pk]))
    assert response.status_code == 302 and response.url == reverse("rex:detail", args=[demande.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "L'autorisation ne peut être imprimée qu'une fois l'enregistrement REX octroyé : la demande est au "
        "statut « En étude »."
    ]
    assert rendus == []
    page = client.get(reverse("rex:detail", args=[demande.pk])).content.decode()
    assert "Imprimer l'autorisation" not in page


def test_officer_of_the_service_prints(client, octroyee, rendus):
    agent = UserFactory(service=octroyee.service)
    client.force_login(agent)
    page = client.get(reverse("agent:detail", args=[octroyee.pk])).content.decode()
    url = reverse("agent:imprimer", args=[octroyee.pk])
    assert f'href="{url}">Imprimer l\'autorisation</a>' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == FAUX_PDF


# ------------------------------------------------------------------ a web request never renders
@pytest.fixture
def sans_worker(settings):
    """Tasks published to a broker in memory that no worker reads (as when every PDF worker is busy);
    yields the publications of the render task, as Celery sends them (queue, arguments)."""
    from celery.signals import before_task_publish

    from soprano.celery import app as celery_app

    eager, url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://localhost/"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    settings.REX_PDF_ATTENTE_S = 0.3
    publications = []

    def noter(sender=None, routing_key=None, body=None, **kwargs):
        if sender == "rex.tasks.generer_autorisation":
            publications.append((routing_key, list(body[0])))

    before_task_publish.connect(noter)
    try:
        yield publications
    finally:
        before_task_publish.disconnect(noter)
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_without_a_worker_the_page_says_the_pdf_is_being_generated_and_renders_nothing(
    client, octroyee, rendus, sans_worker
):
    client.force_login(octroyee.created_by)
    url = reverse("rex:imprimer", args=[octroyee.pk])
    for _ in range(3):  # impatient clicks, or the page reloading itself
        response = client.get(url)
        assert response.status_code == 202
        assert response["Refresh"] == "3" and response["Cache-Control"] == "no-store"
        page = texte(response.content.decode())
        assert "Autorisation en cours de génération" in page
        assert f"Le PDF de l'autorisation {octroyee.numero_rex} est en cours de génération" in page
    assert rendus == [], "the web request rendered nothing"
    assert sans_worker == [("pdf", [octroyee.pk])], "one render asked for, on the pdf queue"

    tasks.generer_autorisation(octroyee.pk)  # what the worker does
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == FAUX_PDF
    assert len(rendus) == 1 and len(sans_worker) == 1


def test_the_officers_waiting_page_leads_back_to_the_back_office(client, octroyee, rendus, sans_worker):
    agent = UserFactory(service=octroyee.service)
    client.force_login(agent)
    response = client.get(reverse("agent:imprimer", args=[octroyee.pk]))
    assert response.status_code == 202
    assert f'href="{reverse("agent:detail", args=[octroyee.pk])}"' in response.content.decode()


def test_with_the_broker_down_the_page_waits_and_the_next_look_asks_again(client, octroyee, rendus, settings):
    from soprano.celery import app as celery_app

    settings.REX_PDF_ATTENTE_S = 0.2
    eager, url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        client.force_login(octroyee.created_by)
        response = client.get(reverse("rex:imprimer", args=[octroyee.pk]))
        assert response.status_code == 202 and rendus == []
        nom = pdf.nom_fichier(octroyee, pdf._donnees(octroyee))
        from django.core.cache import cache

        assert cache.get(f"rex:pdf:demande:{nom}") is None, "not marked as asked: the next look asks again"
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_tasks_go_to_their_queues():
    from soprano.celery import app as celery_app

    def file(nom):
        return celery_app.amqp.router.route({}, nom)["queue"].name

    assert file("rex.tasks.generer_autorisation") == "pdf"
    assert file("rex.tasks.envoyer_courriel") == "courriels"
    assert file("rex.tasks.envoyer_courriels") == "courriels"
    assert file("rex.tasks.renvoyer_courriels_en_attente") == "courriels"
    assert file("rex.tasks.rejeter_delais_depasses") == "defaut"
    for nom in ("generer_autorisation", "envoyer_courriel", "rejeter_delais_depasses"):
        tache = celery_app.tasks[f"rex.tasks.{nom}"]
        assert tache.acks_late and 0 < tache.soft_time_limit < tache.time_limit
