"""`load_demo` and `demo_logins`."""

import io

from django.conf import settings
from django.core.management import CommandError, call_command

import pytest

from accounts.management.commands.load_demo import DEMO_PASSWORD, ENTREPRISES
from accounts.models import Entreprise, Mandat, User
from accounts.validators import validate_eori
from rex.management.commands.load_demo_historique import NOMBRE
from tests.factories import BureauDouaneFactory

pytestmark = pytest.mark.django_db


def test_load_demo_needs_reference_data():
    with pytest.raises(CommandError, match="load_reference_data"):
        call_command("load_demo", stdout=io.StringIO())


def test_load_demo_creates_every_account_and_is_idempotent(mailoutbox):
    BureauDouaneFactory(nom="Bureau de Lyon")
    paris = BureauDouaneFactory(nom="Bureau de Paris-Louvre")

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())

    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["operateur", "transitaire", "nouveau", "agent", "cheffe", "admin"]
        )
    }
    assert len(users) == 6
    assert all(u.check_password(DEMO_PASSWORD) and u.is_active for u in users.values())
    assert users["operateur"].est_habilite and not users["operateur"].est_representant
    assert users["transitaire"].est_habilite and users["transitaire"].est_representant
    assert users["nouveau"].est_certifie and not users["nouveau"].est_habilite
    assert users["agent"].service == paris and users["agent"].est_agent and not users["agent"].is_staff
    assert users["cheffe"].service == paris and users["cheffe"].is_staff and not users["cheffe"].is_superuser
    assert users["admin"].is_superuser and users["admin"].is_staff
    clients = Mandat.objects.en_cours().filter(representant=users["transitaire"].entreprise)
    # Two clients, and those of « Mes clients » (rex's load_demo_clients): 7 running mandates of 9.
    assert clients.count() == 2 + 7
    assert not User.objects.filter(entreprise__in=[m.represente for m in clients]).exists()
    for entreprise in Entreprise.objects.all():
        validate_eori(entreprise.eori)
        assert entreprise.siret == entreprise.eori[2:]
    # The demo companies, the representative's clients (rex: load_demo_clients) and the fictitious
    # companies of the service's history (rex: load_demo_historique).
    assert Entreprise.objects.filter(eori__in=[e["eori"] for e in ENTREPRISES.values()]).count() == 5
    assert Entreprise.objects.count() == 5 + 9 + NOMBRE
    assert mailoutbox == []


def test_demo_logins_prints_table():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    texte = out.getvalue()
    assert f"{settings.SITE_URL}/admin/" in texte
    assert DEMO_PASSWORD in texte
    for username in ("operateur", "transitaire", "nouveau", "agent", "cheffe", "admin"):
        assert username in texte
