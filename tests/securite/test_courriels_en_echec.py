"""The outbox when the mail server refuses: each attempt and its error are kept (in their own transaction),
attempts are spaced by an exponential back-off and stop after the cap, and the admin lists the failures
(« Courriels en échec ») with a « Renvoyer » action."""

import datetime
import html

from django.urls import reverse
from django.utils import timezone

import pytest

from rex import emails, tasks
from rex.models import Courriel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

REFUS = "tests.backends.RefusBackend"


def programmer(destinataire="inconnu@exemple.fr") -> Courriel:
    contexte = {"prenom": "Claire", "entreprise": "Exportations Dupont", "lien": "https://exemple.fr/"}
    return emails.programmer_courriel(
        destinataire=destinataire, modele="accounts/certification", contexte=contexte
    )


@pytest.fixture
def refus(settings):
    settings.EMAIL_BACKEND = REFUS


def avancer(minutes: float):
    """Moves the outbox's clock: the rows look as if written (and failed) `minutes` earlier."""
    decalage = datetime.timedelta(minutes=minutes)
    for courriel in Courriel.objects.all():
        Courriel.objects.filter(pk=courriel.pk).update(
            created_at=courriel.created_at - decalage,
            prochain_essai_le=courriel.prochain_essai_le and courriel.prochain_essai_le - decalage,
        )


def test_a_refused_email_keeps_its_attempt_and_error_even_though_the_send_raised(refus):
    courriel = programmer()  # the task ran after commit and failed
    courriel.refresh_from_db()
    assert courriel.envoye_le is None
    assert courriel.tentatives == 1
    assert (
        "SMTPRecipientsRefused" in courriel.derniere_erreur and "Adresse inconnue" in courriel.derniere_erreur
    )
    attendu = timezone.now() + datetime.timedelta(minutes=1)
    assert abs((courriel.prochain_essai_le - attendu).total_seconds()) < 30


def test_attempts_are_spaced_by_an_exponential_back_off(refus):
    courriel = programmer()
    assert tasks.renvoyer_courriels_en_attente() == 0
    assert Courriel.objects.get().tentatives == 1, "not retried before its next attempt"
    ecarts = []
    for _ in range(5):
        avant = Courriel.objects.get()
        avancer((avant.prochain_essai_le - timezone.now()).total_seconds() / 60 + 0.1)
        tasks.renvoyer_courriels_en_attente()
        apres = Courriel.objects.get(pk=courriel.pk)
        ecarts.append(round((apres.prochain_essai_le - timezone.now()).total_seconds() / 60))
    assert ecarts == [2, 4, 8, 16, 32]
    assert Courriel.objects.get().tentatives == 6


def test_sending_stops_after_the_cap(refus):
    programmer()
    Courriel.objects.update(tentatives=emails.MAX_TENTATIVES - 1, prochain_essai_le=timezone.now())
    with pytest.raises(emails.EnvoiImpossible):
        emails.envoyer(Courriel.objects.get().pk)
    assert Courriel.objects.get().tentatives == emails.MAX_TENTATIVES
    Courriel.objects.update(prochain_essai_le=timezone.now() - datetime.timedelta(days=1))
    assert emails.courriels_en_attente() == []
    assert emails.envoyer(Courriel.objects.get().pk) is False
    assert Courriel.objects.get().tentatives == emails.MAX_TENTATIVES


def test_the_admin_lists_failed_emails_and_sends_them_again(client, settings, mailoutbox):
    settings.EMAIL_BACKEND = REFUS
    echec = programmer("inconnu@exemple.fr")
    Courriel.objects.filter(pk=echec.pk).update(tentatives=emails.MAX_TENTATIVES)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    envoye = programmer("connu@exemple.fr")
    assert Courriel.objects.get(pk=envoye.pk).envoye_le is not None

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    liste = reverse("admin:rex_courrielenechec_changelist")
    page = html.unescape(client.get(liste).content.decode())
    assert "Courriels en échec" in page or "courriels en échec" in page
    assert "inconnu@exemple.fr" in page and "Abandonné" in page
    assert "connu@exemple.fr" not in page.replace("inconnu@exemple.fr", "")

    response = client.post(liste, {"action": "renvoyer", "_selected_action": [echec.pk]}, follow=True)
    assert "1 courriel(s) remis en file d'envoi." in html.unescape(response.content.decode())
    echec = Courriel.objects.get(pk=echec.pk)
    assert echec.envoye_le is not None and echec.tentatives == 1
    assert [m.to for m in mailoutbox if "inconnu@exemple.fr" in m.to] == [["inconnu@exemple.fr"]]


def test_renvoyer_needs_the_change_permission(client, settings):
    settings.EMAIL_BACKEND = REFUS
    echec = programmer()
    from django.contrib.auth.models import Permission

    lecteur = UserFactory(is_staff=True)
    lecteur.user_permissions.add(Permission.objects.get(codename="view_courrielenechec"))
    client.force_login(lecteur)
    liste = reverse("admin:rex_courrielenechec_changelist")
    assert client.get(liste).status_code == 200
    client.post(liste, {"action": "renvoyer", "_selected_action": [echec.pk]})
    assert Courriel.objects.get(pk=echec.pk).tentatives == 1
