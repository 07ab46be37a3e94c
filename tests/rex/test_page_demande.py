"""The request page (guide §6) and the REX home: status, number, service, deadline and days left,
reason of a rejection, the registration, « Autres actions » exactly as the registry allows."""

import datetime
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from rex import actions, services
from rex.models import Demande
from tests.factories import MandatFactory, UserFactory, demande_representee

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def delai(demande: Demande) -> str:
    jours = demande.jours_restants()
    date = timezone.localtime(demande.date_limite).strftime("%d/%m/%Y")
    return f"Vous disposez de {jours} jour{'s' if jours > 1 else ''} pour répondre, jusqu'au {date}"


@pytest.fixture
def demande(client, deposee):
    client.force_login(deposee.created_by)
    return deposee


def autres_actions(html: str) -> str:
    return html.split('id="autres-actions"')[1].split("</section>")[0]


def test_en_etude_shows_number_status_service_and_exactly_the_allowed_actions(client, demande):
    html = page(client.get(reverse("rex:detail", args=[demande.pk])))
    for texte in (demande.numero, "En étude", str(demande.service), "Historique", "Fil de discussion"):
        assert texte in html, texte
    assert "Rubrique n°5 – Marchandises" in html and "Vins rouges" in html
    libelles = [
        a.libelle
        for a in actions.actions_possibles(demande.created_by, demande)
        if a.nom != "ecrire_operateur"
    ]
    assert libelles == ["Abandonner la demande"]
    panneau = autres_actions(html)
    assert "Abandonner la demande" in panneau
    assert "Compléter la demande" not in panneau and "Dupliquer" not in panneau
    assert "Vous disposez de" not in html


def test_incomplete_shows_the_deadline_and_days_left_on_the_page_and_the_home(client, demande, agent):
    demande = services.demander_complement(demande=demande, by=agent, texte="Joignez un Kbis.")
    detail = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert delai(demande) in detail
    assert "Joignez un Kbis." in detail
    panneau = autres_actions(detail)
    assert "Compléter la demande" in panneau and "Abandonner la demande" in panneau
    accueil = page(client.get(reverse("rex:accueil")))
    assert delai(demande) in accueil


def test_days_left_follow_the_clock(client, demande, agent):
    demande = services.demander_complement(demande=demande, by=agent, texte="?")
    # Noon in Paris, five days from today: five calendar days left whatever the hour now.
    midi = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    Demande.objects.filter(pk=demande.pk).update(date_limite=midi + datetime.timedelta(days=5))
    demande.refresh_from_db()
    assert demande.jours_restants() == 5
    assert delai(demande) in page(client.get(reverse("rex:accueil")))
    assert "Vous disposez de 5 jours pour répondre" in page(
        client.get(reverse("rex:detail", args=[demande.pk]))
    )


def test_rejected_shows_the_reason(client, demande, agent):
    services.rejeter(
        demande=demande, by=agent, motif="Le cadre préférentiel indiqué n'utilise pas le système REX."
    )
    html = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert "Votre demande a été rejetée" in html
    assert "Le cadre préférentiel indiqué n'utilise pas le système REX." in html
    assert "Dupliquer" in autres_actions(html)


def test_granted_shows_the_rex_number_and_dates(client, demande, agent):
    demande = services.octroyer(demande=demande, by=agent)
    html = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert demande.numero_rex in html
    assert "Valable à partir du" in html and f"{demande.date_validite:%d/%m/%Y}" in html
    # Guide §7.1: once granted, the only other action of the holder is « Imprimer l'autorisation ».
    assert autres_actions(html).count('<a class="fr-btn') == 1
    assert f'href="{reverse("rex:imprimer", args=[demande.pk])}">Imprimer l\'autorisation</a>' in html


def test_rex_home_stays_constant_with_incomplete_requests(client):
    transitaire = UserFactory(representant=True)
    client.force_login(transitaire)

    def deposer(n):
        for _ in range(n):
            represente = MandatFactory(representant=transitaire.entreprise).represente
            demande = services.soumettre(demande=demande_representee(transitaire, represente), by=transitaire)
            services.demander_complement(demande=demande, by=UserFactory(service=demande.service), texte="?")

    def compter():
        with CaptureQueriesContext(connection) as ctx:
            html = page(client.get(reverse("rex:accueil")))
        return len(ctx.captured_queries), html.count("Vous disposez de")

    deposer(2)
    small, lignes = compter()
    assert lignes == 2
    deposer(6)
    assert compter() == (small, 8)
