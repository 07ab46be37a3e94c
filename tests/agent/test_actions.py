"""Each instruction action through its view: success, refusal in the wrong status, missing text."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

import pytest

from rex import services, views_agent
from rex.models import Courriel, Demande, Evenement, Message, Statut
from tests.factories import BureauDouaneFactory
from tests.pages import messages_de
from tests.pages import page as texte

pytestmark = pytest.mark.django_db


def url(nom, demande):
    return reverse(f"agent:{nom}", args=[demande.pk])


def recharger(demande) -> Demande:
    return Demande.objects.get(pk=demande.pk)


def etat(demande) -> tuple:
    """What an action may change: compared before and after a refused one."""
    demande = recharger(demande)
    return (
        demande.statut,
        demande.service_id,
        demande.agent_id,
        demande.motif_rejet,
        demande.numero_rex,
        demande.evenements.count(),
        demande.messages.count(),
        Courriel.objects.count(),
    )


# ------------------------------------------------------------------ success
def test_prendre_en_charge(client_agent, deposee, agent):
    response = client_agent.post(url("prendre_en_charge", deposee))
    assert response.status_code == 302 and response.url == reverse("agent:detail", args=[deposee.pk])
    assert recharger(deposee).agent == agent
    assert Evenement.objects.filter(demande=deposee, kind="prise_en_charge", acteur=agent).exists()
    assert messages_de(response) == [f"Vous avez pris en charge la demande {deposee.numero}."]


def test_prendre_en_charge_a_second_time_is_refused(client_agent, deposee, agent):
    services.prendre_en_charge(demande=deposee, by=agent)
    avant = etat(deposee)
    response = client_agent.post(url("prendre_en_charge", deposee))
    assert messages_de(response) == ["Vous avez déjà pris en charge cette demande."]
    assert etat(deposee) == avant


def test_reaffecter_sends_the_file_to_another_service_and_back_to_the_queue(client_agent, deposee, agent):
    nouveau = BureauDouaneFactory(nom="Bureau de Marseille", courriel="marseille@douane.example")
    response = client_agent.post(
        url("reaffecter", deposee), {"service": nouveau.pk, "commentaire": "Siège à Marseille."}
    )
    assert response.status_code == 302 and response.url == reverse("agent:file")
    demande = recharger(deposee)
    assert (demande.service, demande.agent) == (nouveau, None)
    event = Evenement.objects.get(demande=deposee, kind="reaffectation")
    assert (event.acteur, event.commentaire) == (agent, "Siège à Marseille.")
    assert Courriel.objects.filter(destinataire="marseille@douane.example").exists()
    assert "réaffectée au service « Bureau de Marseille »" in messages_de(response)[0]
    assert client_agent.get(reverse("agent:detail", args=[deposee.pk])).status_code == 404


def test_reaffecter_offers_only_the_other_active_services(client_agent, deposee):
    actif = BureauDouaneFactory(nom="Bureau actif")
    inactif = BureauDouaneFactory(nom="Bureau fermé", actif=False)
    items = client_agent.get(reverse("agent:detail", args=[deposee.pk])).context["actions_agent"]
    form = next(item["form"] for item in items if item["action"].nom == "reaffecter")
    choix = set(form.fields["service"].queryset)
    assert actif in choix and inactif not in choix and deposee.service not in choix


def test_demander_complement(client_agent, deposee, agent):
    response = client_agent.post(url("demander_complement", deposee), {"texte": "Joindre la fiche produit."})
    assert response.status_code == 302
    demande = recharger(deposee)
    assert demande.statut == Statut.INCOMPLETE
    assert demande.date_limite > timezone.now() + datetime.timedelta(days=29)
    assert Message.objects.get(demande=demande).texte == "Joindre la fiche produit."
    assert Evenement.objects.filter(demande=demande, kind="demande_complement", acteur=agent).exists()
    assert Courriel.objects.filter(sujet="SOPRANO-REX Demande incomplète").exists()
    attendu = timezone.localtime(demande.date_limite).strftime("%d/%m/%Y")
    assert messages_de(response) == [
        f"La demande {demande.numero} est passée au statut « Incomplète » : le demandeur a jusqu'au "
        f"{attendu} pour répondre."
    ]


def test_rejeter(client_agent, deposee, agent):
    response = client_agent.post(url("rejeter", deposee), {"motif": "Relation préférentielle inexistante."})
    assert response.status_code == 302
    demande = recharger(deposee)
    assert (demande.statut, demande.motif_rejet) == (Statut.REJETEE, "Relation préférentielle inexistante.")
    event = Evenement.objects.get(demande=demande, kind="rejet")
    assert (event.acteur, event.statut_avant, event.statut_apres) == (agent, "en_etude", "rejetee")
    assert Courriel.objects.filter(destinataire=demande.courriel, texte__contains="inexistante").exists()
    assert "a été rejetée" in messages_de(response)[0]


def test_rejeter_an_incomplete_request(client_agent, deposee, agent):
    services.demander_complement(demande=deposee, by=agent, texte="Précisez.")
    client_agent.post(url("rejeter", deposee), {"motif": "Pièces non fournies."})
    assert (recharger(deposee).statut, recharger(deposee).date_limite) == (Statut.REJETEE, None)


def test_octroyer_with_the_default_validity_date(client_agent, deposee, agent):
    response = client_agent.post(url("octroyer", deposee), {"date_validite": "", "confirmation": "on"})
    assert response.status_code == 302
    demande = recharger(deposee)
    assert demande.statut == Statut.OCTROYEE
    assert demande.numero_rex == f"FRREX{demande.titulaire_eori}"
    assert demande.date_validite == timezone.localdate(demande.complete_le)
    assert Evenement.objects.filter(demande=demande, kind="octroi", acteur=agent).exists()
    assert Courriel.objects.filter(sujet__contains=demande.numero_rex).exists()
    assert messages_de(response) == [
        f"L'enregistrement REX {demande.numero_rex} est octroyé, valable à partir du "
        f"{demande.date_validite:%d/%m/%Y} ; le demandeur en est informé par courriel."
    ]


def test_octroyer_with_a_chosen_validity_date(client_agent, deposee):
    client_agent.post(url("octroyer", deposee), {"date_validite": "2025-03-15", "confirmation": "on"})
    assert recharger(deposee).date_validite == datetime.date(2025, 3, 15)


def test_octroyer_form_shows_the_date_the_complete_request_was_received(client_agent, deposee):
    page = texte(client_agent.get(reverse("agent:detail", args=[deposee.pk])))
    attendu = timezone.localdate(deposee.complete_le).isoformat()
    assert f'name="date_validite" value="{attendu}"' in page
    assert '<label for="id_octroyer_date_validite" class="fr-label">' in page
    assert "Valable à partir du" in page
    confirmation = f"Je confirme l'octroi du numéro REX FRREX{deposee.titulaire_eori}"
    assert f"{confirmation} à {deposee.titulaire_raison_sociale}" in page


# ------------------------------------------------------------------ refused in this status
@pytest.mark.parametrize(
    ("nom", "donnees", "libelle"),
    [
        ("demander_complement", {"texte": "Encore ?"}, "Demander des informations complémentaires"),
        ("rejeter", {"motif": "Trop tard."}, "Rejeter"),
        ("octroyer", {"confirmation": "on"}, "Octroyer"),
        ("reaffecter", {"commentaire": "Ailleurs."}, "Réaffecter"),
        ("prendre_en_charge", {}, "Prendre en charge"),
    ],
)
def test_actions_refused_on_a_granted_request(client_agent, deposee, agent, nom, donnees, libelle):
    services.octroyer(demande=deposee, by=agent)
    if nom == "reaffecter":
        donnees["service"] = BureauDouaneFactory().pk
    avant = etat(deposee)
    response = client_agent.post(url(nom, deposee), donnees)
    assert response.status_code == 302 and response.url == reverse("agent:detail", args=[deposee.pk])
    assert messages_de(response) == [
        f"Action « {libelle} » impossible : la demande est au statut « Octroyée »."
    ]
    assert etat(deposee) == avant


def test_octroyer_refused_when_incomplete(client_agent, deposee, agent):
    services.demander_complement(demande=deposee, by=agent, texte="Précisez.")
    avant = etat(deposee)
    response = client_agent.post(url("octroyer", deposee), {"confirmation": "on"})
    assert messages_de(response) == [
        "Action « Octroyer » impossible : la demande est au statut « Incomplète »."
    ]
    assert etat(deposee) == avant


def test_demander_complement_refused_when_already_incomplete(client_agent, deposee, agent):
    services.demander_complement(demande=deposee, by=agent, texte="Précisez.")
    avant = etat(deposee)
    response = client_agent.post(url("demander_complement", deposee), {"texte": "Encore."})
    assert "impossible : la demande est au statut « Incomplète »" in messages_de(response)[0]
    assert etat(deposee) == avant


def test_the_slower_officer_gets_the_refusal_of_the_locked_service(
    client_agent, deposee, collegue, monkeypatch
):
    """Both officers loaded the request « En étude »; the colleague grants first. The view's own check
    runs on the stale copy and passes: the service, under the row lock, refuses in French."""
    perimee = recharger(deposee)
    services.octroyer(demande=deposee, by=collegue)
    monkeypatch.setattr(views_agent, "_demande", lambda request, pk: perimee)
    avant = etat(deposee)
    response = client_agent.post(url("rejeter", deposee), {"motif": "Irrecevable."})
    assert response.status_code == 302 and response.url == reverse("agent:detail", args=[deposee.pk])
    assert messages_de(response) == ["Action « Rejeter » impossible : la demande est au statut « Octroyée »."]
    assert etat(deposee) == avant


def test_refusal_after_the_request_left_the_service_goes_back_to_the_queue(
    client_agent, deposee, collegue, monkeypatch
):
    perimee = recharger(deposee)
    services.reaffecter(demande=deposee, by=collegue, service=BureauDouaneFactory(), commentaire="Lyon.")
    monkeypatch.setattr(views_agent, "_demande", lambda request, pk: perimee)
    response = client_agent.post(url("octroyer", deposee), {"confirmation": "on"})
    assert response.url == reverse("agent:file")
    assert messages_de(response) == ["Vous n'avez pas accès à cette action sur cette demande."]
    assert recharger(deposee).statut == Statut.EN_ETUDE


# ------------------------------------------------------------------ missing required input
@pytest.mark.parametrize(
    ("nom", "donnees", "erreur"),
    [
        ("demander_complement", {"texte": "   "}, "Précisez les informations complémentaires demandées."),
        ("rejeter", {"motif": ""}, "Le motif du rejet est obligatoire."),
        ("reaffecter", {"commentaire": " "}, "Le commentaire de réaffectation est obligatoire."),
        ("reaffecter", {"commentaire": "Ailleurs."}, "Choisissez le service auquel confier la demande."),
        ("octroyer", {}, "Cochez la case pour confirmer l'octroi."),
        ("octroyer", {"date_validite": "31/02/2025", "confirmation": "on"}, "Saisissez une date valide"),
    ],
)
def test_missing_input_shows_the_error_and_changes_nothing(client_agent, deposee, nom, donnees, erreur):
    if nom == "reaffecter" and "Choisissez" not in erreur:
        donnees["service"] = BureauDouaneFactory().pk
    avant = etat(deposee)
    response = client_agent.post(url(nom, deposee), donnees)
    assert response.status_code == 200
    page = texte(response)
    assert erreur in page
    ouverts = [item["action"].nom for item in response.context["actions_agent"] if item["ouvert"]]
    assert ouverts == [nom], "the form in error is shown open"
    assert re.search(rf'aria-expanded="true"\s+aria-controls="action-{nom}"', page)
    assert messages_de(response)[0].endswith("non effectuée : corrigez le formulaire ci-dessous.")
    assert etat(deposee) == avant


def test_invalid_form_keeps_what_the_officer_typed(client_agent, deposee):
    response = client_agent.post(url("reaffecter", deposee), {"commentaire": "Siège à Marseille."})
    assert "Siège à Marseille." in texte(response)
