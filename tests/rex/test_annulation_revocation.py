"""Cancelling a revocation (guide §7.3) once the holder has filed again: refused in French, not a crash.

Found by the random walk of tests/rex/test_etats_aleatoires.py: after a revocation the holder may file a
new request (guide §7.3); cancelling the revocation would then give the EORI two current requests, which
the database refuses (« un_rex_actif_par_eori »).
"""

import datetime

from django.contrib.messages import constants, get_messages

import pytest

from rex import services
from rex.models import Demande, Evenement, Statut
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def revoquee():
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    agent = UserFactory(service=demande.service)
    services.octroyer(demande=demande, by=agent)
    aujourd_hui = datetime.date.today()
    services.revoquer(
        demande=demande,
        by=agent,
        motif="89-3-c",
        a_compter_du=aujourd_hui,
        droit_entendu_le=aujourd_hui - datetime.timedelta(days=15),
    )
    return Demande.objects.get(pk=demande.pk), agent


def test_cancel_refused_once_the_holder_filed_a_new_request():
    enregistrement, agent = revoquee()
    nouvelle = DemandeFactory(
        complete=True, created_by=enregistrement.created_by, bureau=enregistrement.bureau
    )
    services.soumettre(demande=nouvelle, by=enregistrement.created_by)
    evenements = Evenement.objects.count()

    with pytest.raises(services.ActionRefusee, match="nouvelle demande"):
        services.annuler_revocation(demande=enregistrement, by=agent)

    assert Demande.objects.get(pk=enregistrement.pk).statut == Statut.REVOQUEE
    assert Demande.objects.get(pk=nouvelle.pk).statut == Statut.EN_ETUDE
    assert Evenement.objects.count() == evenements


def test_cancel_refused_on_the_page_with_the_reason(client):
    enregistrement, agent = revoquee()
    nouvelle = DemandeFactory(
        complete=True, created_by=enregistrement.created_by, bureau=enregistrement.bureau
    )
    services.soumettre(demande=nouvelle, by=enregistrement.created_by)
    client.force_login(agent)

    response = client.post(f"/agent/demandes/{enregistrement.pk}/annuler-revocation/", {"commentaire": ""})

    assert response.status_code == 302
    erreurs = [m.message for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]
    assert len(erreurs) == 1 and "nouvelle demande" in erreurs[0]
    assert Demande.objects.get(pk=enregistrement.pk).statut == Statut.REVOQUEE


def test_cancel_still_possible_while_the_holder_has_only_a_draft():
    enregistrement, agent = revoquee()
    DemandeFactory(complete=True, created_by=enregistrement.created_by, bureau=enregistrement.bureau)

    services.annuler_revocation(demande=enregistrement, by=agent)

    assert Demande.objects.get(pk=enregistrement.pk).statut == Statut.OCTROYEE
