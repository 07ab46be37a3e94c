"""« Compléter la demande » (guide §6.2) through the views: confirm, the editable form, the recap with
the mandatory « Compléments apportés à la demande », « Transmettre le complément » → « En étude »."""

from django.urls import reverse

import pytest

from rex import services, validation
from rex.models import Demande, Evenement, Message, Statut
from tests.factories import DemandeFactory, MandatFactory, UserFactory, demande_representee
from tests.pages import page

pytestmark = pytest.mark.django_db


def incomplete(demande: Demande, texte: str = "Joignez la fiche produit des vins rouges.") -> Demande:
    demande = services.soumettre(demande=demande, by=demande.created_by)
    agent = UserFactory(service=demande.service)
    services.prendre_en_charge(demande=demande, by=agent)
    return services.demander_complement(demande=demande, by=agent, texte=texte)


def form_data(demande: Demande, **changes) -> dict:
    """What the browser posts back for the request as stored, with `changes`."""
    stored = validation.verifier(demande).form.data
    data = {key: stored.getlist(key) for key in stored}
    data.update(changes)
    return data


@pytest.fixture
def demande(client):
    demande = incomplete(DemandeFactory(complete=True))
    client.force_login(demande.created_by)
    return demande


def test_the_request_page_offers_completer_and_its_confirmation_asks_oui_non(client, demande):
    detail = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert f'href="{reverse("rex:completer", args=[demande.pk])}"' in detail
    assert "Compléter la demande" in detail

    confirmation = page(client.get(reverse("rex:completer", args=[demande.pk])))
    for texte in (
        "En cliquant sur « Oui », vous arrivez sur le formulaire de la demande, modifiable.",
        "Joignez la fiche produit des vins rouges.",
        "Compléments apportés à la demande",
        f'href="{reverse("rex:formulaire", args=[demande.pk])}">Oui</a>',
        f'href="{reverse("rex:detail", args=[demande.pk])}">Non</a>',
    ):
        assert texte in confirmation, texte


def test_oui_opens_the_same_form_with_the_documents_manager(client, demande):
    response = client.get(reverse("rex:formulaire", args=[demande.pk]))
    html = page(response)
    assert response.status_code == 200
    for label in (
        "Gérer les documents de la demande",
        "Reprendre plus tard",
        "Valider et passer à l'étape suivante",
        "Abandonner la demande",
        "Annuler",
        "Joignez la fiche produit des vins rouges.",
        demande.telephone,
    ):
        assert label in html, label
    assert "Brouillon n°" not in html
    documents = client.get(reverse("rex:documents", args=[demande.pk]))
    assert "Parcourir" in page(documents) and "Revenir au formulaire de la demande" in page(documents)


def test_whole_flow_transmits_the_complement_and_emails_the_officer(
    client, demande, django_capture_on_commit_callbacks, mailoutbox
):
    date_limite = demande.date_limite
    url = reverse("rex:formulaire", args=[demande.pk])
    response = client.post(url, form_data(demande, telephone="04 72 00 00 01", action="valider"))
    assert response.status_code == 302
    assert response.url == reverse("rex:complement", args=[demande.pk])
    demande.refresh_from_db()
    assert demande.telephone == "04 72 00 00 01", "the changes are saved"
    assert (demande.statut, demande.date_limite) == (Statut.INCOMPLETE, date_limite)

    recap = page(client.get(response.url))
    for label in ("Compléments apportés à la demande", "Transmettre le complément", "Retour", "Annuler"):
        assert label in recap, label
    assert "04 72 00 00 01" in recap and "Soumettre ma demande" not in recap

    # The case is mandatory: nothing changes without it.
    refused = client.post(response.url, {"complements": "   "})
    assert refused.status_code == 422
    assert "La case « Compléments apportés à la demande » est obligatoire" in page(refused)
    demande.refresh_from_db()
    assert (demande.statut, demande.date_limite) == (Statut.INCOMPLETE, date_limite)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(response.url, {"complements": "Téléphone corrigé, fiche produit jointe."})
    assert sent.status_code == 302 and sent.url == reverse("rex:detail", args=[demande.pk])
    demande.refresh_from_db()
    assert demande.statut == Statut.EN_ETUDE and demande.date_limite is None
    assert Evenement.objects.filter(demande=demande, kind="complement").get().commentaire == (
        "Téléphone corrigé, fiche produit jointe."
    )
    assert Message.objects.filter(demande=demande, cote="operateur").count() == 1
    assert [m.to for m in mailoutbox] == [[demande.agent.email]]
    assert "Téléphone corrigé" in mailoutbox[0].body

    detail = page(client.get(sent.url))
    assert "Votre complément a été transmis au service" in detail
    assert "En étude" in detail
    assert f'href="{reverse("rex:completer", args=[demande.pk])}"' not in detail


def test_cancelling_keeps_incomplete_and_the_clock_running(client, demande):
    recap_url = reverse("rex:complement", args=[demande.pk])
    recap = page(client.get(recap_url))
    assert f'href="{reverse("rex:detail", args=[demande.pk])}">Annuler</a>' in recap
    demande.refresh_from_db()
    assert demande.statut == Statut.INCOMPLETE
    detail = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert f"Vous disposez de {demande.jours_restants()} jours pour répondre" in detail


def test_reprendre_plus_tard_saves_and_returns_to_the_request_page(client, demande):
    date_limite = demande.date_limite
    response = client.post(
        reverse("rex:formulaire", args=[demande.pk]),
        form_data(demande, engagement_lieu="Villeurbanne", action="reprendre"),
    )
    assert response.url == reverse("rex:detail", args=[demande.pk])
    demande.refresh_from_db()
    assert demande.engagement_lieu == "Villeurbanne"
    assert (demande.statut, demande.date_limite) == (Statut.INCOMPLETE, date_limite)
    assert "Votre demande reste au statut « Incomplète »" in page(client.get(response.url))


def test_an_invalid_form_is_pointed_out_and_nothing_is_transmitted(client, demande):
    response = client.post(
        reverse("rex:formulaire", args=[demande.pk]), form_data(demande, telephone="", action="valider")
    )
    assert response.url.endswith("?valider=1#erreurs")
    assert "Votre formulaire ne peut pas être validé" in page(client.get(response.url))
    assert client.get(reverse("rex:complement", args=[demande.pk])).status_code == 302
    assert Demande.objects.get(pk=demande.pk).statut == Statut.INCOMPLETE


def test_the_forms_abandon_button_leads_to_abandonner_la_demande(client, demande):
    response = client.post(
        reverse("rex:formulaire", args=[demande.pk]), form_data(demande, action="abandonner")
    )
    assert response.url == reverse("rex:abandonner", args=[demande.pk])
    html = page(client.get(response.url))
    assert "Commentaire (facultatif)" in html and "irréversible" in html
    assert Demande.objects.get(pk=demande.pk).statut == Statut.INCOMPLETE


def test_a_representative_cannot_change_the_holder_while_completing(client):
    transitaire = UserFactory(representant=True)
    represente = MandatFactory(representant=transitaire.entreprise).represente
    autre_client = MandatFactory(representant=transitaire.entreprise).represente
    demande = incomplete(demande_representee(transitaire, represente))
    client.force_login(transitaire)
    html = page(client.get(reverse("rex:formulaire", args=[demande.pk])))
    assert 'name="titulaire"' not in html
    assert represente.raison_sociale in html, "shown, read-only"
    response = client.post(
        reverse("rex:formulaire", args=[demande.pk]),
        form_data(demande, titulaire=str(autre_client.pk), action="valider"),
    )
    assert response.url == reverse("rex:complement", args=[demande.pk])
    demande.refresh_from_db()
    assert demande.titulaire == represente


def test_completer_is_refused_while_en_etude(client):
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    client.force_login(demande.created_by)
    for name in ("rex:completer", "rex:complement", "rex:formulaire"):
        response = client.get(reverse(name, args=[demande.pk]))
        assert response.url == reverse("rex:detail", args=[demande.pk]), name
    response = client.post(reverse("rex:complement", args=[demande.pk]), {"complements": "?"}, follow=True)
    assert "impossible" in page(response)
    assert Demande.objects.get(pk=demande.pk).statut == Statut.EN_ETUDE
