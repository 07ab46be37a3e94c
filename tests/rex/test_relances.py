"""Reminders 10 and 3 days before the automatic rejection: Paris calendar days across clock changes,
catch-up, never twice (run twice, run concurrently), a new deadline's own reminders, recipients, history,
outbox rows rendered by the workers, constant queries."""

import datetime
import io
import threading
import zoneinfo

from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest
from django_celery_beat.models import PeriodicTask

from rex import services, tasks
from rex.models import Courriel, Demande, Evenement, RelanceEcheance, Statut
from rex.services import relances as relances_service
from tests.factories import DemandeFactory, MandatFactory, UserFactory, demande_representee
from webhooks import services as services_webhooks
from webhooks.models import Livraison

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = datetime.UTC


def incomplete(date_limite: datetime.datetime, **kwargs) -> Demande:
    """A submitted request made « Incomplète » by its service, its deadline then set to `date_limite`;
    the outbox emptied of the submission's and the request for information's e-mails."""
    demande = DemandeFactory(complete=True, **kwargs)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    services.demander_complement(demande=demande, by=UserFactory(service=demande.service), texte="?")
    Demande.objects.filter(pk=demande.pk).update(date_limite=date_limite)
    Courriel.objects.all().delete()
    return Demande.objects.get(pk=demande.pk)


def relances(demande) -> list[int]:
    return list(
        RelanceEcheance.objects.filter(demande=demande)
        .order_by("created_at", "pk")
        .values_list("palier", flat=True)
    )


def historique(demande) -> list[str]:
    return list(
        Evenement.objects.filter(demande=demande, kind=Evenement.Kind.RELANCE)
        .order_by("created_at", "pk")
        .values_list("commentaire", flat=True)
    )


# ------------------------------------------------------------------ calendar days in Paris
def test_march_clock_change_a_deadline_at_0030_the_day_after():
    """Summer time starts on Sunday 29 March 2026. A deadline on Monday 30 March at 00:30 in Paris is
    29 March 22:30 UTC: counted in UTC it would be a day earlier."""
    limite = datetime.datetime(2026, 3, 30, 0, 30, tzinfo=PARIS)
    assert limite.astimezone(UTC) == datetime.datetime(2026, 3, 29, 22, 30, tzinfo=UTC)
    demande = incomplete(limite)
    # 19 March, 23:59 in Paris: 11 days left, nothing.
    assert services.relancer_echeances(now=datetime.datetime(2026, 3, 19, 23, 59, tzinfo=PARIS)) == 0
    # 20 March, 00:00 in Paris (19 March 23:00 UTC): 10 days left.
    assert services.relancer_echeances(now=datetime.datetime(2026, 3, 19, 23, 0, tzinfo=UTC)) == 1
    assert relances(demande) == [10]
    # 26 March, 23:30 in Paris (22:30 UTC): 4 days left (counted on UTC dates, 29 - 26, it would be 3).
    assert services.relancer_echeances(now=datetime.datetime(2026, 3, 26, 22, 30, tzinfo=UTC)) == 0
    # 27 March, 00:00 in Paris (26 March 23:00 UTC, winter time): 3 days left.
    assert services.relancer_echeances(now=datetime.datetime(2026, 3, 26, 23, 0, tzinfo=UTC)) == 1
    assert relances(demande) == [10, 3]
    assert historique(demande) == [
        "Courriel envoyé 10 jours avant le rejet automatique (date limite : 30/03/2026 à 00:30)",
        "Courriel envoyé 3 jours avant le rejet automatique (date limite : 30/03/2026 à 00:30)",
    ]


def test_october_clock_change_a_deadline_at_0030_the_day_after():
    """Winter time starts on Sunday 25 October 2026. A deadline on Monday 26 October at 00:30 in Paris is
    25 October 23:30 UTC; ten days of 24 hours before it would be 16 October 01:30 in Paris."""
    limite = datetime.datetime(2026, 10, 26, 0, 30, tzinfo=PARIS)
    assert limite.astimezone(UTC) == datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC)
    demande = incomplete(limite)
    # 15 October, 23:59 in Paris (21:59 UTC, summer time): 11 days left.
    assert services.relancer_echeances(now=datetime.datetime(2026, 10, 15, 21, 59, tzinfo=UTC)) == 0
    # 16 October, 00:00 in Paris (15 October 22:00 UTC): 10 days left, from midnight.
    assert services.relancer_echeances(now=datetime.datetime(2026, 10, 15, 22, 0, tzinfo=UTC)) == 1
    # 22 October, 23:59 in Paris: 4 days left; 23 October, 00:00 (22 October 22:00 UTC): 3 days.
    assert services.relancer_echeances(now=datetime.datetime(2026, 10, 22, 21, 59, tzinfo=UTC)) == 0
    assert services.relancer_echeances(now=datetime.datetime(2026, 10, 22, 22, 0, tzinfo=UTC)) == 1
    assert relances(demande) == [10, 3]
    # The day of the deadline, and after it: nothing more (the rejection's job takes over).
    assert services.relancer_echeances(now=datetime.datetime(2026, 10, 26, 0, 10, tzinfo=PARIS)) == 0
    assert services.relancer_echeances(now=datetime.datetime(2026, 10, 26, 0, 31, tzinfo=PARIS)) == 0
    assert len(historique(demande)) == 2


# ------------------------------------------------------------------ catch-up, never twice
def test_missed_days_are_caught_up_with_the_reminder_not_yet_sent():
    limite = datetime.datetime(2026, 6, 30, 18, 0, tzinfo=PARIS)
    demande = incomplete(limite)
    # The job did not run from 20 to 23 June: on the 24th (6 days left), the 10-day reminder goes.
    assert services.relancer_echeances(now=datetime.datetime(2026, 6, 24, 8, 0, tzinfo=PARIS)) == 1
    assert relances(demande) == [10]
    assert historique(demande) == [
        "Courriel envoyé 6 jours avant le rejet automatique (date limite : 30/06/2026 à 18:00)"
    ]
    # Missed again from the 27th: on the 29th (1 day left) the 3-day one.
    assert services.relancer_echeances(now=datetime.datetime(2026, 6, 29, 8, 0, tzinfo=PARIS)) == 1
    assert relances(demande) == [10, 3]
    assert historique(demande)[-1] == (
        "Courriel envoyé 1 jour avant le rejet automatique (date limite : 30/06/2026 à 18:00)"
    )


def test_both_thresholds_missed_only_the_three_day_reminder_goes():
    demande = incomplete(datetime.datetime(2026, 6, 30, 18, 0, tzinfo=PARIS))
    assert services.relancer_echeances(now=datetime.datetime(2026, 6, 28, 8, 0, tzinfo=PARIS)) == 1
    assert relances(demande) == [3]
    # Later runs that day and the next days send nothing more, the 10-day one included.
    for jour in (28, 29, 30):
        assert services.relancer_echeances(now=datetime.datetime(2026, 6, jour, 9, 0, tzinfo=PARIS)) == 0
    assert relances(demande) == [3]
    assert Courriel.objects.filter(demande=demande).count() == 1


def test_a_second_run_sends_nothing():
    now = datetime.datetime(2026, 6, 20, 8, 0, tzinfo=PARIS)
    demandes = [incomplete(now + datetime.timedelta(days=d)) for d in (2, 5, 9)]
    loin = incomplete(now + datetime.timedelta(days=15))
    assert services.relancer_echeances(now=now, taille_lot=2) == 3
    assert services.relancer_echeances(now=now) == 0
    assert services.relancer_echeances(now=now + datetime.timedelta(hours=10)) == 0
    assert [relances(d) for d in demandes] == [[3], [10], [10]]
    assert relances(loin) == []
    assert Evenement.objects.filter(kind=Evenement.Kind.RELANCE).count() == 3
    assert Courriel.objects.filter(modele="rex/relance").count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
def test_concurrent_runs_send_each_reminder_once():
    """A run holds its batch (rows locked, reminders written, not committed); a second run meanwhile
    skips the locked requests; once the first commits, a third finds nothing."""
    now = datetime.datetime(2026, 6, 20, 8, 0, tzinfo=PARIS)
    demande = incomplete(now + datetime.timedelta(days=2))
    resultats = {}

    def autre_run():
        try:
            resultats["pendant"] = services.relancer_echeances(now=now)
        finally:
            connection.close()

    with transaction.atomic():
        assert services.relancer_echeances(now=now) == 1
        fil = threading.Thread(target=autre_run)
        fil.start()
        fil.join()
    assert resultats["pendant"] == 0
    assert services.relancer_echeances(now=now) == 0
    assert relances(demande) == [3]
    assert len(historique(demande)) == 1


def test_the_unique_constraint_drops_a_reminder_already_recorded():
    """Two runs that both selected the request (the second before the first committed): the reminder is
    recorded by one of them only, and only that one writes the history and the e-mails."""
    now = datetime.datetime(2026, 6, 20, 8, 0, tzinfo=PARIS)
    demande = incomplete(now + datetime.timedelta(days=2))
    assert relances_service._enregistrer([demande.pk], 3, now) == [demande.pk]
    assert relances_service._enregistrer([demande.pk], 3, now) == []
    assert RelanceEcheance.objects.filter(demande=demande).count() == 1


def test_a_new_deadline_after_a_complement_gets_new_reminders():
    premiere = timezone.now() + datetime.timedelta(days=2)
    demande = incomplete(premiere)
    assert services.relancer_echeances() == 1
    assert relances(demande) == [3]
    # The operator answers; the service asks again: a new deadline, 30 days from now.
    demande = services.transmettre_complement(demande=demande, by=demande.created_by, complements="Voici.")
    assert services.relancer_echeances() == 0
    demande = services.demander_complement(
        demande=Demande.objects.get(pk=demande.pk), by=UserFactory(service=demande.service), texte="Encore ?"
    )
    nouvelle = Demande.objects.get(pk=demande.pk).date_limite
    assert services.relancer_echeances(now=nouvelle - datetime.timedelta(days=9)) == 1
    assert services.relancer_echeances(now=nouvelle - datetime.timedelta(days=2)) == 1
    assert relances(demande) == [3, 10, 3]
    assert set(RelanceEcheance.objects.filter(demande=demande).values_list("date_limite", "palier")) == {
        (premiere, 3),
        (nouvelle, 10),
        (nouvelle, 3),
    }


def test_only_incomplete_requests_are_reminded():
    now = timezone.now()
    demande = incomplete(now + datetime.timedelta(days=2))
    services.rejeter(demande=demande, by=UserFactory(service=demande.service), motif="Hors délai.")
    assert Demande.objects.get(pk=demande.pk).statut == Statut.REJETEE
    assert services.relancer_echeances(now=now) == 0


# ------------------------------------------------------------------ recipients, e-mails, history
def representee(transitaire, date_limite, **kwargs) -> Demande:
    """A request filed by `transitaire` for a client under mandate, made « Incomplète »."""
    client = MandatFactory(representant=transitaire.entreprise).represente
    demande = services.soumettre(demande=demande_representee(transitaire, client), by=transitaire)
    services.demander_complement(demande=demande, by=UserFactory(service=demande.service), texte="?")
    Demande.objects.filter(pk=demande.pk).update(date_limite=date_limite, **kwargs)
    return demande


def test_recipients_are_the_holder_contact_and_the_representative_who_filed():
    transitaire = UserFactory(representant=True, email="compte.transit@exemple.fr")
    now = datetime.datetime(2026, 6, 20, 8, 0, tzinfo=PARIS)
    limite = now + datetime.timedelta(days=2)
    # demande_representee's rubrique 3 address is transit@exemple.fr.
    representee_ = representee(transitaire, limite, courriel="client@exemple.fr")
    # No rubrique 3 address: the representative's account's.
    sans_adresse = representee(transitaire, limite, courriel="autre@exemple.fr", representant_courriel="")
    # The same address in both rubriques (case aside): one e-mail.
    meme = representee(transitaire, limite, courriel="Transit@exemple.fr")
    directe = incomplete(limite, courriel="titulaire@exemple.fr")
    Courriel.objects.all().delete()

    assert services.relancer_echeances(now=now) == 4

    def adresses(demande):
        return sorted(
            Courriel.objects.filter(demande=demande, modele="rex/relance").values_list(
                "destinataire", flat=True
            )
        )

    assert adresses(representee_) == ["client@exemple.fr", "transit@exemple.fr"]
    assert adresses(sans_adresse) == ["autre@exemple.fr", "compte.transit@exemple.fr"]
    assert adresses(directe) == ["titulaire@exemple.fr"]
    assert adresses(meme) == ["Transit@exemple.fr"]


def test_history_rows_and_outbox_rows_rendered_by_the_workers(mailoutbox):
    limite = datetime.datetime(2026, 3, 30, 0, 30, tzinfo=PARIS)
    demande = incomplete(limite, courriel="export@exemple.fr")
    now = datetime.datetime(2026, 3, 27, 9, 0, tzinfo=PARIS)
    assert services.relancer_echeances(now=now) == 1

    evenement = Evenement.objects.get(demande=demande, kind=Evenement.Kind.RELANCE)
    assert (evenement.statut_avant, evenement.statut_apres, evenement.acteur) == (
        "incomplete",
        "incomplete",
        None,
    )
    assert evenement.get_kind_display() == "Relance avant rejet automatique"
    assert (
        evenement.commentaire
        == "Courriel envoyé 3 jours avant le rejet automatique (date limite : 30/03/2026 à 00:30)"
    )
    assert evenement.payload == {"palier": 3, "date_limite": "2026-03-29T22:30:00+00:00"}
    assert evenement.numero_demande == demande.numero and evenement.service_id == demande.service_id

    courriel = Courriel.objects.get(demande=demande)
    assert (courriel.destinataire, courriel.modele, courriel.sujet, courriel.envoye_le) == (
        "export@exemple.fr",
        "rex/relance",
        "",
        None,
    )
    assert courriel.contexte == {"jours": 3, "date_limite": "30/03/2026 à 00:30"}
    # The workers' path (no broker here: the periodic retry renders and sends it).
    assert tasks.renvoyer_courriels_en_attente() == 1
    (message,) = mailoutbox
    assert message.to == ["export@exemple.fr"]
    assert message.subject == (
        f"SOPRANO-REX Demande incomplète : plus que 3 jours avant le rejet automatique de la demande "
        f"{demande.numero}"
    )
    assert "Date limite de réponse : 30/03/2026 à 00:30 (heure de Paris), dans 3 jours." in message.body
    assert f"/soprano/rex/demandes/{demande.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "<strong>30/03/2026 à 00:30</strong>" in html and "dans 3 jours" in html
    assert demande.numero in html


def test_no_webhook_for_a_reminder():
    """A reminder changes no status: the technical notifications send nothing."""
    demande = incomplete(timezone.now() + datetime.timedelta(days=2))
    services_webhooks.creer(
        by=demande.created_by, url="https://erp.exemple.fr/", statut_modifie=True, message_recu=True
    )
    Livraison.objects.all().delete()
    assert services.relancer_echeances() == 1
    assert Livraison.objects.count() == 0


def test_queries_do_not_grow_with_the_number_of_reminders():
    now = datetime.datetime(2026, 6, 20, 8, 0, tzinfo=PARIS)
    incomplete(now + datetime.timedelta(days=2))
    incomplete(now + datetime.timedelta(days=8))
    with CaptureQueriesContext(connection) as petit:
        assert services.relancer_echeances(now=now) == 2
    for jours in (1, 2, 3, 5, 6, 7, 8, 9, 10, 2, 9, 4):
        incomplete(now + datetime.timedelta(days=jours))
    with CaptureQueriesContext(connection) as grand:
        assert services.relancer_echeances(now=now) == 12
    assert len(grand.captured_queries) == len(petit.captured_queries)


def test_the_command_and_the_task():
    now = timezone.now()
    incomplete(now + datetime.timedelta(days=2))
    sortie = io.StringIO()
    call_command("relances_echeances", stdout=sortie)
    assert sortie.getvalue().strip() == "Demandes relancées : 1"
    incomplete(now + datetime.timedelta(days=5))
    assert tasks.relancer_echeances() == 1


def test_scheduled_every_hour_from_eight_to_six_paris_time():
    tache = PeriodicTask.objects.get(task="rex.tasks.relancer_echeances")
    assert tache.enabled and tache.interval is None
    crontab = tache.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, str(crontab.timezone)) == (
        "0",
        "8-18",
        "*",
        "Europe/Paris",
    )
