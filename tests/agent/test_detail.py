"""The request page of the back-office: its data, exactly the possible actions, and the thread."""

import re

from django.urls import reverse
from django.utils import timezone

import pytest

from rex import actions, services, views_agent
from rex.models import Demande, Message, Statut
from tests.pages import messages_de
from tests.pages import page as texte

pytestmark = pytest.mark.django_db


def page(client, demande):
    return client.get(reverse("agent:detail", args=[demande.pk]))


def boutons(response) -> list[str]:
    """The action buttons the page shows (the submit buttons of the action forms)."""
    contenu = texte(response).split('id="titre-actions"', 1)[1]
    return re.findall(r'<button type="submit" class="fr-btn[^"]*">([^<]+)</button>', contenu)


def test_page_shows_header_officer_data_history_and_thread(client_agent, deposee, agent):
    services.prendre_en_charge(demande=deposee, by=agent)
    services.ecrire(demande=deposee, by=deposee.created_by, texte="Une question sur le dossier.")
    response = page(client_agent, deposee)
    assert response.status_code == 200
    contenu = texte(response)
    for attendu in (
        f"Demande {deposee.numero}",
        "Service en charge",
        "Bureau de Lyon",
        "Agent en charge",
        "Paul Agent",
        "Rubrique n°5 – Marchandises",
        "Vins rouges",
        "Historique",
        "Prise en charge",
        "Fil de discussion",
        "Une question sur le dossier.",
        "Votre message",
    ):
        assert attendu in contenu, attendu


def test_incomplete_request_shows_its_deadline_and_days_left(client_agent, deposee, agent):
    demande = services.demander_complement(demande=deposee, by=agent, texte="Fiche produit ?")
    contenu = texte(page(client_agent, demande))
    assert "Date limite de réponse du demandeur" in contenu
    assert timezone.localtime(demande.date_limite).strftime("%d/%m/%Y") in contenu
    assert f"{demande.jours_restants()} jours restants" in contenu


def test_rejected_request_shows_the_reason(client_agent, deposee, agent):
    services.rejeter(demande=deposee, by=agent, motif="Relation préférentielle inexistante.")
    contenu = texte(page(client_agent, deposee))
    assert "Motif du rejet" in contenu and "Relation préférentielle inexistante." in contenu
    assert "Aucune action d'instruction n'est possible au statut « Rejetée »." in contenu


def _mettre_au_statut(demande, agent, statut):
    if statut == Statut.INCOMPLETE:
        services.demander_complement(demande=demande, by=agent, texte="Précisez.")
    elif statut == Statut.OCTROYEE:
        services.octroyer(demande=demande, by=agent)
    elif statut == Statut.REJETEE:
        services.rejeter(demande=demande, by=agent, motif="Irrecevable.")
    return Demande.objects.get(pk=demande.pk)


@pytest.mark.parametrize("statut", [Statut.EN_ETUDE, Statut.INCOMPLETE, Statut.OCTROYEE, Statut.REJETEE])
@pytest.mark.parametrize("pris_en_charge", [False, True])
def test_buttons_shown_are_exactly_the_possible_actions(client_agent, deposee, agent, statut, pris_en_charge):
    if pris_en_charge:
        services.prendre_en_charge(demande=deposee, by=agent)
    demande = _mettre_au_statut(deposee, agent, statut)
    response = page(client_agent, demande)
    possibles = [a.libelle for a in actions.actions_possibles(agent, demande) if a.nom != "ecrire_service"]
    attendus = possibles + (["Envoyer le message"] if actions.peut(agent, demande, "ecrire_service") else [])
    assert boutons(response) == attendus
    assert "Envoyer le message" in attendus, "the thread stays open at every stage (guide §6.1)"


def test_buttons_en_etude(client_agent, deposee):
    assert boutons(page(client_agent, deposee)) == [
        "Prendre en charge",
        "Réaffecter",
        "Demander des informations complémentaires",
        "Rejeter",
        "Octroyer",
        "Envoyer le message",
    ]


def test_every_service_action_of_the_registry_has_its_form_here():
    """A new service action in rex.actions must get its form and view in the back-office, or a page of its
    own (views_agent.PAGES).

    The thread has its own form; a paper draft is abandoned from the request form (rex:abandonner).
    """
    cote_service = {nom for nom, a in actions.ACTIONS.items() if a.cote == actions.SERVICE}
    hors_formulaires = {"ecrire_service", "abandonner_depot_papier", *views_agent.PAGES}
    assert cote_service - hors_formulaires == set(views_agent.FORMULAIRES)


# ------------------------------------------------------------------ « Fil de discussion »
def test_officer_writes_in_the_thread_and_the_operator_is_emailed(
    client_agent, deposee, agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_agent.post(
            reverse("agent:ecrire", args=[deposee.pk]), {"texte": "Merci de joindre vos statuts."}
        )
    assert response.status_code == 302
    assert response.url == reverse("agent:detail", args=[deposee.pk]) + "#fil"
    assert messages_de(response) == ["Votre message a été envoyé au demandeur."]
    message = Message.objects.get(demande=deposee)
    assert (message.auteur, message.cote, message.texte) == (
        agent,
        "service",
        "Merci de joindre vos statuts.",
    )
    assert [mail.to for mail in mailoutbox] == [[deposee.courriel]]
    assert mailoutbox[0].subject == f"SOPRANO-REX Nouveau message : {deposee.numero}"
    assert "Merci de joindre vos statuts." in mailoutbox[0].body
    assert Demande.objects.get(pk=deposee.pk).statut == Statut.EN_ETUDE
    assert "Merci de joindre vos statuts." in texte(page(client_agent, deposee))


def test_officer_writes_on_a_granted_request_too(client_agent, deposee, agent):
    services.octroyer(demande=deposee, by=agent)
    client_agent.post(reverse("agent:ecrire", args=[deposee.pk]), {"texte": "Bonne continuation."})
    assert Message.objects.filter(demande=deposee, texte="Bonne continuation.").exists()
    assert Demande.objects.get(pk=deposee.pk).statut == Statut.OCTROYEE


def test_a_nul_in_the_officers_message_is_refused_and_kept(client_agent, deposee):
    url = reverse("agent:ecrire", args=[deposee.pk])
    response = client_agent.post(url, {"texte": "Joindre\x00 les statuts."})
    assert response.status_code == 422
    assert messages_de(response) == [
        "Ce champ contient un caractère non autorisé (caractère nul, U+0000) : supprimez-le, par exemple en "
        "saisissant à nouveau le texte au lieu de le coller."
    ]
    assert "les statuts." in texte(response)
    assert not Message.objects.exists()


def test_empty_message_is_refused(client_agent, deposee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_agent.post(reverse("agent:ecrire", args=[deposee.pk]), {"texte": "   "})
    assert messages_de(response) == ["Le message ne peut pas être vide."]
    assert not Message.objects.exists() and mailoutbox == []
