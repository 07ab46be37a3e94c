"""The nightly job's e-mails: written to the outbox with the status changes, unrendered (recipient,
template, context); rendered and sent later by the workers, in batches over one connection to the mail
server; without a broker, by the planner's next pass. The e-mails are the ones the job sent before."""

import datetime
import io
from types import SimpleNamespace

from django.core.management import call_command
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

import pytest
from celery import current_app

from rex import emails, services, tasks
from rex.models import Courriel, Demande
from tests.backends import ConnexionsComptees
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db
COMPTEES = "tests.backends.ConnexionsComptees"
PARTIEL = "tests.backends.RefusPartiel"


def en_retard(courriel: str = "export@exemple.fr") -> Demande:
    demande = DemandeFactory(complete=True, courriel=courriel)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    services.demander_complement(demande=demande, by=UserFactory(service=demande.service), texte="Précisez.")
    Demande.objects.filter(pk=demande.pk).update(date_limite=timezone.now() - datetime.timedelta(days=1))
    Courriel.objects.all().delete()  # the e-mails of the submission and of the request for information
    return Demande.objects.get(pk=demande.pk)


@pytest.fixture
def connexions(settings):
    settings.EMAIL_BACKEND = COMPTEES
    ConnexionsComptees.ouvertures = ConnexionsComptees.hors_connexion = 0
    return ConnexionsComptees


@pytest.fixture
def gabarits():
    rendus = []

    def noter(sender, template, context, **kwargs):
        rendus.append(template.name)

    template_rendered.connect(noter)
    yield rendus
    template_rendered.disconnect(noter)


def test_the_job_writes_unrendered_outbox_rows_and_sends_nothing_itself(
    mailoutbox, gabarits, django_capture_on_commit_callbacks
):
    demande = en_retard()
    gabarits.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.rejeter_delais_depasses() == 1
    assert callbacks == [], "no broker: nothing published, the planner sends"
    courriel = Courriel.objects.get()
    assert (courriel.destinataire, courriel.modele, courriel.contexte, courriel.demande_id) == (
        "export@exemple.fr",
        "rex/rejet_automatique",
        {},
        demande.pk,
    )
    assert (courriel.sujet, courriel.texte, courriel.html, courriel.envoye_le) == ("", "", "", None)
    assert courriel.prochain_essai_le <= timezone.now(), "due at once"
    assert mailoutbox == [] and gabarits == []


def test_the_planner_sends_the_same_email_as_before(mailoutbox, settings):
    settings.SITE_URL = "https://soprano.exemple.fr"
    demande = en_retard()
    # What the job wrote before: the e-mail rendered with the request, at once.
    avant = emails._rendre(
        destinataire=demande.courriel, modele="rex/rejet_automatique", contexte={}, demande=demande
    )
    services.rejeter_delais_depasses()
    assert mailoutbox == []
    assert tasks.renvoyer_courriels_en_attente() == 1  # the planner's next pass

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["export@exemple.fr"]
    assert message.subject == f"SOPRANO-REX Demande rejetée automatiquement : {demande.numero}"
    assert (
        f"Votre demande d'enregistrement REX {demande.numero} était incomplète et aucune réponse n'a été "
        "apportée dans le délai de 30 jours : elle a été automatiquement rejetée par SOPRANO."
    ) in message.body
    assert "« Mes demandes rejetées »" in message.body
    assert f"https://soprano.exemple.fr{reverse('rex:detail', args=[demande.pk])}" in message.body
    html, type_html = message.alternatives[0]
    assert type_html == "text/html" and f"<strong>{demande.numero}</strong>" in html
    assert (message.subject, message.body, html) == (avant.sujet, avant.texte, avant.html)

    courriel = Courriel.objects.get()
    assert courriel.envoye_le is not None and courriel.tentatives == 1
    assert (courriel.sujet, courriel.texte, courriel.html) == (avant.sujet, avant.texte, avant.html)


def test_without_a_broker_the_planner_sends_every_email_over_one_connection_per_batch(
    connexions, mailoutbox, monkeypatch
):
    monkeypatch.setattr(emails, "TAILLE_ENVOI", 2)
    demandes = [en_retard(f"export{n}@exemple.fr") for n in range(5)]
    services.rejeter_delais_depasses()
    assert mailoutbox == [] and connexions.ouvertures == 0

    assert tasks.renvoyer_courriels_en_attente() == 5
    assert sorted(m.to[0] for m in mailoutbox) == [f"export{n}@exemple.fr" for n in range(5)]
    assert {m.subject.rsplit(" ", 1)[1] for m in mailoutbox} == {d.numero for d in demandes}
    assert connexions.ouvertures == 3 and connexions.hors_connexion == 0
    assert tasks.renvoyer_courriels_en_attente() == 0, "sent once"


def test_with_a_broker_the_job_publishes_one_sending_task_per_batch(
    connexions, mailoutbox, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with Redis
    monkeypatch.setattr(emails, "TAILLE_ENVOI", 2)
    publies = []

    def signature(nom, args):
        # Celery's publication, replaced: what would go to the broker is recorded, then run in-process.
        def delay():
            publies.append(list(args[0]))
            return current_app.tasks[nom](*args)

        return SimpleNamespace(delay=delay)

    monkeypatch.setattr(emails, "signature", signature)
    for n in range(3):
        en_retard(f"export{n}@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        services.rejeter_delais_depasses()
        assert mailoutbox == []
    assert [len(ids) for ids in publies] == [2, 1]
    assert len(mailoutbox) == 3 and connexions.ouvertures == 2 and connexions.hors_connexion == 0
    assert not Courriel.objects.filter(envoye_le__isnull=True).exists()


def test_a_refused_address_is_recorded_on_its_row_and_the_others_go(settings, mailoutbox):
    settings.EMAIL_BACKEND = PARTIEL
    refusee = en_retard("inconnu@exemple.invalid")
    acceptee = en_retard("export@exemple.fr")
    services.rejeter_delais_depasses()
    assert tasks.renvoyer_courriels_en_attente() == 1
    assert [m.to for m in mailoutbox] == [["export@exemple.fr"]]

    echec = Courriel.objects.get(demande=refusee)
    assert echec.envoye_le is None and echec.tentatives == 1
    assert "SMTPRecipientsRefused" in echec.derniere_erreur and "Adresse inconnue" in echec.derniere_erreur
    attendu = timezone.now() + datetime.timedelta(minutes=1)
    assert abs((echec.prochain_essai_le - attendu).total_seconds()) < 30
    assert echec.sujet == f"SOPRANO-REX Demande rejetée automatiquement : {refusee.numero}", (
        "rendered once, shown in « Courriels en échec »"
    )
    assert Courriel.objects.get(demande=acceptee).envoye_le is not None
    assert tasks.renvoyer_courriels_en_attente() == 0, "not retried before its next attempt"


@pytest.mark.django_db(transaction=True)
def test_the_planner_rejects_then_sends_the_emails_in_the_same_pass(connexions, mailoutbox):
    """`planificateur` (no broker): one pass runs the job, then sends what it queued."""
    demande = en_retard()
    mailoutbox.clear()
    connexions.ouvertures = 0
    sortie = io.StringIO()
    call_command("planificateur", "--une-fois", stdout=sortie)
    assert sortie.getvalue().strip() == (
        "Planificateur : 1 rejet(s) automatique(s), 0 relance(s), 1 courriel(s) renvoyé(s)."
    )
    assert Demande.objects.get(pk=demande.pk).statut == "rejetee"
    assert [m.subject for m in mailoutbox] == [
        f"SOPRANO-REX Demande rejetée automatiquement : {demande.numero}"
    ]
    assert connexions.ouvertures == 1
