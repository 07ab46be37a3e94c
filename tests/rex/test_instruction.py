"""The instruction services: each locks, checks, transitions, writes its history event and its e-mails."""

import datetime

from django.utils import timezone

import pytest

from rex import services
from rex.models import Courriel, Demande, Evenement, Message, Statut
from tests.factories import BureauDouaneFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demander_complement_sets_30_days_and_writes_thread_history_and_email(deposee, agent):
    before = timezone.now()
    demande = services.demander_complement(demande=deposee, by=agent, texte="Joindre la fiche produit.")
    assert demande.statut == Statut.INCOMPLETE
    assert before + datetime.timedelta(days=30) <= demande.date_limite
    assert demande.date_limite <= timezone.now() + datetime.timedelta(days=30)
    assert Message.objects.get(demande=demande).texte == "Joindre la fiche produit."
    event = Evenement.objects.get(kind="demande_complement")
    assert (event.statut_avant, event.statut_apres, event.acteur) == ("en_etude", "incomplete", agent)
    courriel = Courriel.objects.get(sujet="SOPRANO-REX Demande incomplète")
    assert "Sans action de votre part avant un délai de 30 jours" in courriel.texte
    assert courriel.destinataire == demande.courriel


def test_transmettre_complement_needs_the_explanation_and_goes_back_en_etude(deposee, agent):
    demande = services.demander_complement(demande=deposee, by=agent, texte="Précisez.")
    with pytest.raises(services.ActionRefusee, match="Compléments apportés à la demande"):
        services.transmettre_complement(demande=demande, by=demande.created_by, complements=" ")
    assert Demande.objects.get(pk=demande.pk).statut == Statut.INCOMPLETE
    demande = services.transmettre_complement(
        demande=demande, by=demande.created_by, complements="Fiche jointe."
    )
    assert demande.statut == Statut.EN_ETUDE and demande.date_limite is None


def test_octroyer_gives_frrex_eori_and_validity_from_the_complete_request(deposee, agent):
    demande = services.octroyer(demande=deposee, by=agent)
    assert demande.statut == Statut.OCTROYEE
    assert demande.numero_rex == f"FRREX{demande.titulaire_eori}"
    assert demande.date_validite == timezone.localdate(demande.complete_le)
    assert demande.date_enregistrement == timezone.localdate()
    assert Courriel.objects.filter(sujet__contains=demande.numero_rex).exists()


def test_rejeter_needs_a_reason(deposee, agent):
    with pytest.raises(services.ActionRefusee, match="motif"):
        services.rejeter(demande=deposee, by=agent, motif="")
    demande = services.rejeter(demande=deposee, by=agent, motif="Cadre préférentiel inexistant.")
    assert demande.statut == Statut.REJETEE and demande.motif_rejet


def test_reaffecter_moves_the_file_to_the_new_service(deposee, agent):
    nouveau = BureauDouaneFactory(courriel="nouveau@douane.example")
    demande = services.reaffecter(
        demande=deposee, by=agent, service=nouveau, commentaire="Justificatifs détenus à Lyon."
    )
    assert demande.service == nouveau and demande.agent is None
    with pytest.raises(services.ActionRefusee, match="pas accès"):
        services.octroyer(demande=demande, by=agent)
    assert Courriel.objects.filter(destinataire="nouveau@douane.example").exists()


def test_officer_of_another_service_and_operators_are_refused(deposee):
    autre = UserFactory(agent=True)
    with pytest.raises(services.ActionRefusee, match="pas accès"):
        services.octroyer(demande=deposee, by=autre)
    with pytest.raises(services.ActionRefusee, match="pas accès"):
        services.octroyer(demande=deposee, by=deposee.created_by)
    assert Demande.objects.get(pk=deposee.pk).statut == Statut.EN_ETUDE


def test_abandon_of_a_filed_request_leaves_only_an_anonymous_trace(deposee):
    numero, service = deposee.numero, deposee.service
    services.abandonner(demande=deposee, by=deposee.created_by, commentaire="Plus utile.")
    assert not Demande.objects.filter(pk=deposee.pk).exists()
    trace = Evenement.objects.get(kind="abandon")
    assert (trace.numero_demande, trace.service, trace.demande, trace.acteur) == (
        numero,
        service,
        None,
        None,
    )


def test_dupliquer_after_a_rejection(deposee, agent):
    services.rejeter(demande=deposee, by=agent, motif="Incomplet.")
    copie = services.dupliquer(demande=deposee, by=deposee.created_by)
    assert copie.statut == Statut.BROUILLON and copie.titulaire == deposee.titulaire
    assert copie.contacts.count() == 1 and copie.marchandises.count() == 1
    assert list(copie.cadres.all()) == list(deposee.cadres.all())


def test_dupliquer_refused_while_the_request_runs(deposee):
    with pytest.raises(services.ActionRefusee, match="point 6.3"):
        services.dupliquer(demande=deposee, by=deposee.created_by)


def test_thread_messages_go_to_the_other_side(deposee, agent):
    services.prendre_en_charge(demande=deposee, by=agent)
    services.ecrire(demande=deposee, by=deposee.created_by, texte="Bonjour, une question.")
    assert Courriel.objects.filter(destinataire=agent.email).exists()
    services.ecrire(demande=deposee, by=agent, texte="Réponse.")
    assert Courriel.objects.filter(destinataire=deposee.courriel, sujet__contains="message").exists()
    assert Demande.objects.get(pk=deposee.pk).statut == Statut.EN_ETUDE


def test_thirty_days_are_shown_right_after_the_request(deposee, agent):
    demande = services.demander_complement(demande=deposee, by=agent, texte="?")
    assert demande.jours_restants() == 30
