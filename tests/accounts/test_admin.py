"""The PAE's admin: « Certifier » and « Habiliter » bulk actions, filters, search (SPEC §2)."""

from django.contrib.admin.models import LogEntry
from django.urls import reverse

import pytest

from accounts.models import DemandeHabilitation
from tests.accounts.helpers import messages_de, texte
from tests.factories import (
    DepartementFactory,
    EntrepriseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_user_changelist"


@pytest.fixture
def pae(client):
    user = UserFactory(username="pae", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _action(client, action, users, capture, url=CHANGELIST):
    with capture(execute=True):
        return client.post(reverse(url), {"action": action, "_selected_action": [u.pk for u in users]})


def test_changelist_offers_actions_by_their_french_names(client, pae):
    page = texte(client.get(reverse(CHANGELIST)))
    assert '<option value="certifier">Certifier</option>' in page
    assert '<option value="habiliter">Habiliter</option>' in page
    assert "Certifié" in page and "Habilité" in page


def test_certifier_action(client, pae, mailoutbox, django_capture_on_commit_callbacks):
    claire = UserFactory(username="claire", entreprise=EntrepriseFactory(), email="claire@exemple.fr")

    response = _action(client, "certifier", [claire], django_capture_on_commit_callbacks)

    assert response.status_code == 302
    claire.refresh_from_db()
    assert claire.certifie_le is not None and claire.habilite_le is None
    assert [m.to for m in mailoutbox] == [["claire@exemple.fr"]]
    assert "votre compte est certifié" in mailoutbox[0].subject
    assert "Demander mon habilitation" in mailoutbox[0].body
    assert "Comptes certifiés : claire." in messages_de(response)
    entry = LogEntry.objects.get(object_id=str(claire.pk))
    assert entry.user == pae and "certifié" in entry.change_message


def test_certifier_skips_accounts_without_entreprise(
    client, pae, mailoutbox, django_capture_on_commit_callbacks
):
    ok = UserFactory(username="claire", entreprise=EntrepriseFactory())
    sans = UserFactory(username="paul")
    agent = UserFactory(username="sophie", agent=True)

    response = _action(client, "certifier", [ok, sans, agent], django_capture_on_commit_callbacks)

    ok.refresh_from_db()
    sans.refresh_from_db()
    assert ok.certifie_le is not None
    assert sans.certifie_le is None
    avertissement = messages_de(response)[-1]
    assert "2 compte(s) ignoré(s)" in avertissement
    assert "« paul » n'est rattaché à aucune entreprise" in avertissement
    assert "« sophie »" in avertissement
    assert len(mailoutbox) == 1


def test_certifier_twice_changes_nothing(client, pae, mailoutbox, django_capture_on_commit_callbacks):
    claire = UserFactory(username="claire", certifie=True)
    before = claire.certifie_le
    response = _action(client, "certifier", [claire], django_capture_on_commit_callbacks)
    claire.refresh_from_db()
    assert claire.certifie_le == before
    assert mailoutbox == []
    assert "Déjà certifiés : claire." in messages_de(response)


def test_habiliter_action_requires_certification(client, pae, mailoutbox, django_capture_on_commit_callbacks):
    certifiee = UserFactory(username="claire", certifie=True, email="claire@exemple.fr")
    non_certifie = UserFactory(username="paul", entreprise=EntrepriseFactory())
    demande = DemandeHabilitation.objects.create(user=certifiee, departement=DepartementFactory())

    response = _action(client, "habiliter", [certifiee, non_certifie], django_capture_on_commit_callbacks)

    certifiee.refresh_from_db()
    non_certifie.refresh_from_db()
    demande.refresh_from_db()
    assert certifiee.habilite_le is not None
    assert non_certifie.habilite_le is None
    assert demande.traitee_le is not None
    assert [m.to for m in mailoutbox] == [["claire@exemple.fr"]]
    assert "vous êtes habilité" in mailoutbox[0].subject
    assert "« paul » n'est pas certifié" in messages_de(response)[-1]


def test_habiliter_from_demandes_habilitation(client, pae, mailoutbox, django_capture_on_commit_callbacks):
    claire = UserFactory(username="claire", certifie=True)
    demande = DemandeHabilitation.objects.create(user=claire, departement=DepartementFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_demandehabilitation_changelist"),
            {"action": "habiliter", "_selected_action": [demande.pk]},
        )

    assert response.status_code == 302
    claire.refresh_from_db()
    demande.refresh_from_db()
    assert claire.est_habilite
    assert demande.traitee_le is not None
    assert len(mailoutbox) == 1


def test_demandes_filter_traitee(client, pae):
    dep = DepartementFactory(code="33", nom="Gironde")
    DemandeHabilitation.objects.create(user=UserFactory(username="claire", certifie=True), departement=dep)
    traitee = DemandeHabilitation.objects.create(
        user=UserFactory(username="paul", certifie=True), departement=dep
    )
    traitee.traitee_le = traitee.created_at
    traitee.save()
    url = reverse("admin:accounts_demandehabilitation_changelist")
    page = texte(client.get(url, {"traitee": "non", "departement__id__exact": dep.pk}))
    assert "claire" in page and "paul" not in page


def test_user_filters_and_search(client, pae):
    UserFactory(
        username="claire",
        habilite=True,
        entreprise=EntrepriseFactory(raison_sociale="Vignobles Durand"),
    )
    UserFactory(username="paul")
    page = texte(client.get(reverse(CHANGELIST), {"habilite": "oui"}))
    assert "claire" in page and "paul" not in page
    page = texte(client.get(reverse(CHANGELIST), {"certifie": "non"}))
    assert "paul" in page and ">claire<" not in page
    page = texte(client.get(reverse(CHANGELIST), {"q": "Vignobles"}))
    assert ">claire<" in page and ">paul<" not in page


def test_user_change_form_keeps_dates_read_only(client, pae):
    claire = UserFactory(username="claire")
    page = texte(client.get(reverse("admin:accounts_user_change", args=[claire.pk])))
    assert 'name="certifie_le' not in page
    assert 'name="habilite_le' not in page
    assert 'name="entreprise"' in page


def test_user_add_form(client, pae):
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "nouvelle",
            "first_name": "Léa",
            "last_name": "Petit",
            "email": "lea@exemple.fr",
            "usable_password": "true",
            "password1": "Azerty-Soprano7",
            "password2": "Azerty-Soprano7",
        },
    )
    assert response.status_code == 302, texte(response)


def test_entreprise_admin_validates_eori_and_siret(client, pae):
    url = reverse("admin:accounts_entreprise_add")
    data = {
        "eori": "FR 73282932000075",
        "siret": "",
        "raison_sociale": "Essai",
        "adresse": "1 rue",
        "code_postal": "75001",
        "ville": "Paris",
        "pays": "FR",
        "mandats_representant-TOTAL_FORMS": "0",
        "mandats_representant-INITIAL_FORMS": "0",
    }
    page = texte(client.post(url, data))
    assert "clé de contrôle incorrecte" in page
    page = texte(client.post(url, {**data, "eori": "FR73282932000074", "siret": "44306184100047"}))
    assert "Le SIRET doit être celui du numéro EORI" in page
    response = client.post(url, {**data, "eori": "fr 73282932000074"})
    assert response.status_code == 302


def test_reference_data_admin_pages(client, pae):
    DepartementFactory()
    for name in (
        "admin:accounts_departement_changelist",
        "admin:accounts_bureaudouane_changelist",
        "admin:accounts_mandat_changelist",
        "admin:accounts_entreprise_changelist",
        "admin:accounts_demandehabilitation_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200
