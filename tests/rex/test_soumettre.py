"""« Soumettre ma demande »: En étude, a unique number, the confirmation e-mail after commit."""

import re
from html import unescape

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

import pytest

from rex import services
from rex.models import Courriel, Demande, Evenement, Statut
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_soumettre_gives_a_number_and_queues_the_email_after_commit(
    django_capture_on_commit_callbacks, mailoutbox
):
    demande = DemandeFactory(complete=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.soumettre(demande=demande, by=demande.created_by)
    demande.refresh_from_db()
    assert demande.statut == Statut.EN_ETUDE
    assert re.fullmatch(rf"FR-REX-{timezone.localdate().year}-\d{{5}}", demande.numero)
    assert demande.service == demande.bureau
    assert demande.titulaire_eori == demande.titulaire.eori
    event = Evenement.objects.get(demande=demande, kind="soumission")
    assert (event.statut_avant, event.statut_apres, event.acteur) == (
        "brouillon",
        "en_etude",
        demande.created_by,
    )
    assert mailoutbox == [], "nothing is sent before the commit"
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["export@exemple.fr"]
    assert demande.numero in mail.subject
    assert "Mes demandes en cours" in mail.body
    assert Courriel.objects.get().envoye_le is not None


def test_numbers_follow_each_other_in_the_year():
    numeros = []
    for _ in range(3):
        demande = DemandeFactory(complete=True)
        numeros.append(services.soumettre(demande=demande, by=demande.created_by).numero)
    suffixes = [int(n.rsplit("-", 1)[1]) for n in numeros]
    assert suffixes == [suffixes[0], suffixes[0] + 1, suffixes[0] + 2]
    assert len(set(numeros)) == 3


def test_soumettre_twice_is_refused_without_change():
    demande = DemandeFactory(complete=True)
    services.soumettre(demande=demande, by=demande.created_by)
    numero = Demande.objects.get(pk=demande.pk).numero
    with pytest.raises(services.ActionRefusee, match="déjà été soumise"):
        services.soumettre(demande=demande, by=demande.created_by)
    assert Demande.objects.get(pk=demande.pk).numero == numero
    assert Evenement.objects.filter(kind="soumission").count() == 1


def test_soumettre_incomplete_draft_is_refused():
    demande = DemandeFactory()
    with pytest.raises(services.ActionRefusee, match="incomplète"):
        services.soumettre(demande=demande, by=demande.created_by)
    assert Demande.objects.get(pk=demande.pk).statut == Statut.BROUILLON


def test_one_rex_per_eori_is_refused_at_submission():
    first = DemandeFactory(complete=True)
    services.soumettre(demande=first, by=first.created_by)
    second = DemandeFactory(complete=True, created_by=first.created_by)
    with pytest.raises(services.ActionRefusee, match="déjà un numéro REX"):
        services.soumettre(demande=second, by=second.created_by)
    assert Demande.objects.get(pk=second.pk).statut == Statut.BROUILLON


def test_one_rex_per_eori_is_refused_when_the_form_is_validated(client):
    first = DemandeFactory(complete=True)
    services.soumettre(demande=first, by=first.created_by)
    second = DemandeFactory(complete=True, created_by=first.created_by)
    client.force_login(first.created_by)
    response = client.post(reverse("rex:recapitulatif", args=[second.pk]), follow=True)
    page = unescape(response.content.decode())
    assert "possède déjà un numéro REX en cours de validité" in page
    assert Demande.objects.get(pk=second.pk).statut == Statut.BROUILLON


def test_one_rex_per_eori_is_enforced_by_the_database():
    first = DemandeFactory(complete=True)
    services.soumettre(demande=first, by=first.created_by)
    second = DemandeFactory(complete=True, created_by=first.created_by)
    with pytest.raises(IntegrityError), transaction.atomic():
        Demande.objects.filter(pk=second.pk).update(statut=Statut.EN_ETUDE)


def test_a_rejected_eori_may_file_again():
    first = DemandeFactory(complete=True)
    services.soumettre(demande=first, by=first.created_by)
    Demande.objects.filter(pk=first.pk).update(statut=Statut.REJETEE)
    second = DemandeFactory(complete=True, created_by=first.created_by)
    assert services.soumettre(demande=second, by=second.created_by).statut == Statut.EN_ETUDE


def test_submission_journey_through_the_views(client, mailoutbox, django_capture_on_commit_callbacks):
    demande = DemandeFactory(complete=True)
    client.force_login(demande.created_by)
    recap = client.get(reverse("rex:recapitulatif", args=[demande.pk]))
    assert "Soumettre ma demande" in unescape(recap.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rex:recapitulatif", args=[demande.pk]))
    demande.refresh_from_db()
    assert response.url == reverse("rex:confirmation", args=[demande.pk])
    confirmation = unescape(client.get(response.url).content.decode())
    assert demande.numero in confirmation and "Mes demandes en cours" in confirmation
    accueil = unescape(client.get(reverse("rex:accueil")).content.decode())
    assert demande.numero in accueil
    assert len(mailoutbox) == 1
    # A second click on « Soumettre ma demande » changes nothing.
    again = client.post(reverse("rex:recapitulatif", args=[demande.pk]))
    assert again.url == reverse("rex:detail", args=[demande.pk])
    assert Evenement.objects.filter(kind="soumission").count() == 1


def test_officers_never_see_operator_pages(client):
    agent = UserFactory(agent=True)
    client.force_login(agent)
    response = client.get(reverse("rex:accueil"))
    assert response.status_code == 302
    assert response.url == reverse("agent:file")
