"""A request filed on paper by a service (guide §5, « À noter ») and made « Incomplète »: the operator may
answer on paper too, and the service in charge keys the complement in."""

from html import unescape

from django.urls import reverse

import pytest

from rex import services, validation
from rex.models import Demande, Evenement, Statut
from tests.factories import DemandeFactory, UserFactory, depot_papier

pytestmark = pytest.mark.django_db

LIBELLE = "Enregistrer le complément reçu sur papier"


@pytest.fixture
def incomplete(agent):
    demande = services.soumettre(demande=depot_papier(agent), by=agent)
    return services.demander_complement(demande=demande, by=agent, texte="Merci d'indiquer un autre contact.")


def donnees(demande, **changes) -> dict:
    stored = validation.verifier(demande).form.data.copy()
    contacts = validation.verifier(demande).contacts
    marchandises = validation.verifier(demande).marchandises
    data = {key: stored.getlist(key) for key in stored}
    for formset in (contacts, marchandises):
        data.update({key: formset.data.getlist(key) for key in formset.data})
    data.update(changes)
    return data


def lire(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def test_the_service_records_a_complement_received_on_paper(
    client, agent, incomplete, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    page = client.get(reverse("agent:detail", args=[incomplete.pk])).content.decode()
    formulaire = reverse("rex:formulaire", args=[incomplete.pk])
    assert LIBELLE in page and f'href="{formulaire}"' in page

    assert client.get(formulaire).status_code == 200
    response = client.post(formulaire, donnees(incomplete, telephone="04 72 11 22 33", action="valider"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "rex:complement", args=[incomplete.pk]
    )
    recap = lire(client.get(response["Location"]))
    assert f"Complément reçu sur papier — demande {incomplete.numero}" in recap

    envoye = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("rex:complement", args=[incomplete.pk]),
            {"complements": "Courrier du 2 décembre : nouveau numéro de téléphone."},
        )
    assert response.status_code == 302 and response["Location"] == reverse(
        "agent:detail", args=[incomplete.pk]
    )
    demande = Demande.objects.get(pk=incomplete.pk)
    assert demande.statut == Statut.EN_ETUDE and demande.telephone == "04 72 11 22 33"
    trace = Evenement.objects.filter(demande=demande, kind=Evenement.Kind.COMPLEMENT).get()
    assert trace.acteur == agent and trace.payload == {"depot_papier": True}
    assert trace.commentaire.startswith("Complément reçu sur formulaire papier, enregistré par le service")
    nouveaux = mailoutbox[envoye:]
    assert [m.to for m in nouveaux] == [[demande.courriel]], "the holder is told, not the service itself"
    assert "a été enregistré par le service" in nouveaux[0].body


def test_the_holder_may_still_complete_online(client, incomplete):
    membre = UserFactory(habilite=True, entreprise=incomplete.titulaire)
    client.force_login(membre)
    assert client.get(reverse("rex:formulaire", args=[incomplete.pk])).status_code == 200


def test_an_online_request_is_completed_by_its_holder_only(client, agent):
    demande = DemandeFactory(complete=True, bureau=agent.service)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    demande = services.demander_complement(demande=demande, by=agent, texte="Précisez.")
    client.force_login(agent)
    assert LIBELLE not in client.get(reverse("agent:detail", args=[demande.pk])).content.decode()
    assert client.get(reverse("rex:formulaire", args=[demande.pk])).status_code == 404
    assert client.post(reverse("rex:complement", args=[demande.pk]), {"complements": "x"}).status_code == 404
    with pytest.raises(services.ActionRefusee):
        services.transmettre_complement(demande=demande, by=agent, complements="x")
    assert Demande.objects.get(pk=demande.pk).statut == Statut.INCOMPLETE


def test_an_officer_of_another_service_cannot(client, incomplete):
    client.force_login(UserFactory(agent=True))
    assert client.get(reverse("rex:formulaire", args=[incomplete.pk])).status_code == 404
    assert (
        client.post(reverse("rex:complement", args=[incomplete.pk]), {"complements": "x"}).status_code == 404
    )
