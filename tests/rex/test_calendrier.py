"""« Calendrier des échéances »: the page that (re)generates the secret address, and the iCalendar feed
behind it, parsed back with icalendar."""

import datetime
import hashlib
import re
import zoneinfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from icalendar import Calendar

from accounts.models import CalendrierEcheances
from accounts.services import generer_calendrier
from rex import selectors, services
from rex.models import Demande
from tests.agent.volume import file_de
from tests.factories import DemandeFactory, MandatFactory, UserFactory, demande_representee

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = datetime.UTC
SECRET = re.compile(r"http://[^/]+/calendrier/([A-Za-z0-9_-]{43})\.ics")


def incomplete(date_limite: datetime.datetime, demande: Demande | None = None, agent=None) -> Demande:
    """A request (filed by its holder, unless given) submitted and made « Incomplète », deadline set."""
    if demande is None:
        demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    agent = agent or UserFactory(service=demande.service)
    services.demander_complement(demande=demande, by=agent, texte="?")
    Demande.objects.filter(pk=demande.pk).update(date_limite=date_limite)
    return Demande.objects.get(pk=demande.pk)


def flux(client, secret: str):
    return client.get(reverse("public:calendrier", args=[secret]))


def evenements(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


# ------------------------------------------------------------------ the page
def test_generate_shows_the_address_once_and_stores_only_its_hash(client):
    user = UserFactory(habilite=True)
    client.force_login(user)
    page = client.get(reverse("accounts:calendrier"))
    assert page.status_code == 200
    assert "Vous n'avez encore généré aucune adresse." in page.content.decode()
    assert "Générer l'adresse" in page.content.decode()

    response = client.post(reverse("accounts:calendrier"))
    assert response.status_code == 200
    (secret,) = SECRET.findall(response.content.decode())
    assert "elle ne sera plus jamais affichée" in response.content.decode()
    stocke = CalendrierEcheances.objects.get(user=user)
    assert stocke.hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(list(CalendrierEcheances.objects.values_list()))

    apres = client.get(reverse("accounts:calendrier")).content.decode()
    assert not SECRET.findall(apres), "shown once"
    assert "Régénérer l'adresse" in apres and "Adresse générée le" in apres


def test_regenerating_makes_the_old_address_a_404(client):
    user = UserFactory(habilite=True)
    client.force_login(user)
    (ancien,) = SECRET.findall(client.post(reverse("accounts:calendrier")).content.decode())
    assert flux(client, ancien).status_code == 200
    (nouveau,) = SECRET.findall(client.post(reverse("accounts:calendrier")).content.decode())
    assert nouveau != ancien
    assert CalendrierEcheances.objects.filter(user=user).count() == 1
    client.logout()
    assert flux(client, nouveau).status_code == 200
    refus = flux(client, ancien)
    assert refus.status_code == 404
    assert ancien not in refus.content.decode()


@pytest.mark.parametrize(
    "secret",
    ["x", "A" * 43, "A" * 64, "A" * 5000, "%00", "é" * 43, "../../etc/passwd", "\u202e" + "A" * 42],
)
def test_a_wrong_secret_is_a_bare_404(client, secret):
    generer_calendrier(user=UserFactory(habilite=True))
    response = client.get(f"/calendrier/{secret}.ics")
    assert response.status_code == 404
    assert "text/calendar" not in response["Content-Type"]


def test_an_account_no_longer_allowed_gets_a_404(client):
    user = UserFactory(habilite=True)
    secret = generer_calendrier(user=user)
    assert flux(client, secret).status_code == 200
    user.is_active = False
    user.save()
    assert flux(client, secret).status_code == 404
    user.is_active, user.habilite_le = True, None
    user.save()
    assert flux(client, secret).status_code == 404


# ------------------------------------------------------------------ the feed
def test_the_feed_lists_the_operator_deadlines_and_no_one_else(client):
    transitaire = UserFactory(representant=True)
    client_represente = MandatFactory(representant=transitaire.entreprise).represente
    # His company's own request, and one he filed for his client.
    propre = incomplete(
        datetime.datetime(2026, 3, 30, 0, 30, tzinfo=PARIS),
        DemandeFactory(complete=True, created_by=transitaire),
    )
    pour_client = incomplete(
        datetime.datetime(2026, 10, 26, 0, 30, tzinfo=PARIS),
        demande_representee(transitaire, client_represente),
    )
    # Another company's request; one of his clients' not « Incomplète ».
    autre = incomplete(datetime.datetime(2026, 5, 1, 12, 0, tzinfo=PARIS))
    en_etude = services.soumettre(
        demande=demande_representee(
            transitaire, MandatFactory(representant=transitaire.entreprise).represente
        ),
        by=transitaire,
    )
    secret = generer_calendrier(user=transitaire)

    response = flux(client, secret)
    assert response["Cache-Control"] == "private, no-store"
    events = evenements(response)
    assert [str(e["summary"]) for e in events] == [
        f"Date limite de réponse — {propre.numero}",
        f"Date limite de réponse — {pour_client.numero}",
    ]
    assert autre.numero not in response.content.decode() and en_etude.numero not in response.content.decode()
    debuts = [e.decoded("dtstart") for e in events]
    assert debuts == [
        datetime.datetime(2026, 3, 29, 22, 30, tzinfo=UTC),
        datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC),
    ]
    # The deadline's Unix time: 2026-03-29T22:30Z and 2026-10-25T23:30Z; the domain of SITE_URL.
    assert [str(e["uid"]) for e in events] == [
        f"echeance-{propre.pk}-1774823400@127.0.0.1",
        f"echeance-{pour_client.pk}-1792971000@127.0.0.1",
    ]
    assert str(events[0]["url"]).endswith(f"/soprano/rex/demandes/{propre.pk}/")
    (alarme,) = events[0].walk("VALARM")
    assert alarme.decoded("trigger") == -datetime.timedelta(days=3)
    assert str(alarme["action"]) == "DISPLAY"
    # Stable: the same UIDs on the next poll.
    assert [str(e["uid"]) for e in evenements(flux(client, secret))] == [str(e["uid"]) for e in events]


def test_a_new_deadline_is_a_new_event(client):
    demande = incomplete(datetime.datetime(2026, 6, 1, 10, 0, tzinfo=PARIS))
    secret = generer_calendrier(user=demande.created_by)
    (avant,) = evenements(flux(client, secret))
    Demande.objects.filter(pk=demande.pk).update(
        date_limite=datetime.datetime(2026, 7, 1, 10, 0, tzinfo=PARIS)
    )
    (apres,) = evenements(flux(client, secret))
    assert str(avant["uid"]) != str(apres["uid"])
    assert apres.decoded("dtstart") == datetime.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def test_an_officer_sees_the_requests_in_his_charge_only(client):
    demande = incomplete(datetime.datetime(2026, 6, 1, 10, 0, tzinfo=PARIS))
    agent = UserFactory(service=demande.service)
    collegue = UserFactory(service=demande.service)
    Demande.objects.filter(pk=demande.pk).update(agent=agent)
    autre = incomplete(datetime.datetime(2026, 6, 2, 10, 0, tzinfo=PARIS))
    Demande.objects.filter(pk=autre.pk).update(agent=UserFactory(service=autre.service))
    (event,) = evenements(flux(client, generer_calendrier(user=agent)))
    assert str(event["summary"]) == f"Date limite de réponse — {demande.numero}"
    assert str(event["url"]).endswith(f"/agent/demandes/{demande.pk}/")
    assert evenements(flux(client, generer_calendrier(user=collegue))) == []


def test_the_feed_is_bounded_nearest_deadlines_first(client, monkeypatch):
    transitaire = UserFactory(representant=True)
    demandes = {
        jour: incomplete(
            datetime.datetime(2026, 6, jour, 10, 0, tzinfo=PARIS),
            demande_representee(transitaire, MandatFactory(representant=transitaire.entreprise).represente),
        )
        for jour in (3, 1, 2)
    }
    monkeypatch.setattr(selectors, "LIMITE_CALENDRIER", 2)
    events = evenements(flux(client, generer_calendrier(user=transitaire)))
    assert [str(e["summary"]) for e in events] == [
        f"Date limite de réponse — {demandes[1].numero}",
        f"Date limite de réponse — {demandes[2].numero}",
    ]


@pytest.mark.parametrize("nombre", [1, 500])
def test_the_feed_has_the_same_queries_for_1_or_500_requests(client, nombre):
    """An officer with 1 or 500 requests in his service's queue (every sixth « Incomplète » and his)."""
    agent = UserFactory(agent=True)
    file_de(agent.service, 6 * nombre, agent=agent)
    secret = generer_calendrier(user=agent)
    with CaptureQueriesContext(connection) as requetes:
        events = evenements(flux(client, secret))
    assert len(events) == nombre
    # The secret's row with its user (and company), the deadlines.
    assert len(requetes.captured_queries) == 2, [q["sql"] for q in requetes.captured_queries]


def test_the_administrator_deleting_an_address_turns_it_off(client):
    """A leaked address: the PAE deletes it in the admin (only its fingerprint is listed), it answers 404."""
    operateur = UserFactory(habilite=True)
    secret = generer_calendrier(user=operateur)
    assert flux(client, secret).status_code == 200
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    abonnement = CalendrierEcheances.objects.get(user=operateur)
    liste = client.get(reverse("admin:accounts_calendrierecheances_changelist")).content.decode()
    assert operateur.username in liste and secret not in liste and abonnement.hash not in liste
    reponse = client.post(
        reverse("admin:accounts_calendrierecheances_delete", args=[abonnement.pk]), {"post": "yes"}
    )
    assert reponse.status_code == 302
    client.logout()
    assert flux(client, secret).status_code == 404
