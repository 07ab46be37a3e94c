"""Revocation (guide §7.3) and its cancellation."""

import datetime
from html import unescape

from django.urls import reverse

import pytest

from rex import services
from rex.models import Courriel, Demande, Evenement, Statut
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
AUJOURD_HUI = datetime.date.today()
COURRIER = AUJOURD_HUI - datetime.timedelta(days=20)


@pytest.fixture
def octroyee(deposee):
    return services.octroyer(demande=deposee, by=UserFactory(service=deposee.service))


def revoquer(demande, agent, **kwargs):
    return services.revoquer(
        demande=demande,
        by=agent,
        **{"motif": "89-3-d", "a_compter_du": AUJOURD_HUI, "droit_entendu_le": COURRIER, **kwargs},
    )


def test_revoquer_records_ground_date_and_hearing(octroyee, agent):
    demande = revoquer(octroyee, agent)
    assert demande.statut == Statut.REVOQUEE
    assert (demande.revoquee_le, demande.droit_entendu_le) == (AUJOURD_HUI, COURRIER)
    event = Evenement.objects.get(kind="revocation")
    assert event.payload["motif"] == "89-3-d" and "89, § 3, d)" in event.commentaire
    courriel = Courriel.objects.get(sujet__contains="révoqué")
    assert "droit d'être entendu" in courriel.texte and demande.numero_rex in courriel.sujet


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"motif": "autre"}, "motif"),
        ({"droit_entendu_le": None}, "droit d'être entendu"),
        ({"a_compter_du": COURRIER - datetime.timedelta(days=1)}, "ne peut pas prendre effet avant"),
    ],
)
def test_revoquer_refused_without_a_ground_or_the_hearing(octroyee, agent, kwargs, message):
    with pytest.raises(services.ActionRefusee, match=message):
        revoquer(octroyee, agent, **kwargs)
    assert Demande.objects.get(pk=octroyee.pk).statut == Statut.OCTROYEE


def test_revoked_holder_can_still_write_and_duplicate(octroyee, agent, client):
    demande = revoquer(octroyee, agent)
    titulaire = demande.created_by
    services.ecrire(demande=demande, by=titulaire, texte="Nous contestons.")
    assert Demande.objects.get(pk=demande.pk).statut == Statut.REVOQUEE
    copie = services.dupliquer(demande=demande, by=titulaire)
    assert copie.statut == Statut.BROUILLON
    client.force_login(titulaire)
    accueil = unescape(client.get(reverse("rex:accueil"), {"onglet": "autorisations"}).content.decode())
    assert demande.numero_rex in accueil and "Révoquée" in accueil


def test_annuler_revocation_makes_it_octroyee_again(octroyee, agent):
    demande = revoquer(octroyee, agent)
    demande = services.annuler_revocation(demande=demande, by=agent, commentaire="Erreur.")
    assert demande.statut == Statut.OCTROYEE
    assert demande.revoquee_le is None and demande.numero_rex
    assert "de nouveau « octroyé »" in Courriel.objects.get(sujet__contains="de nouveau").texte


def test_officer_revokes_through_the_back_office(octroyee, agent, client):
    client.force_login(agent)
    page = unescape(client.get(reverse("agent:detail", args=[octroyee.pk])).content.decode())
    assert "Révoquer l'enregistrement" in page and "Art. 89, § 4" in page
    url = reverse("agent:revoquer", args=[octroyee.pk])
    refus = client.post(url, {"motif": "89-4"}, follow=True)
    assert "Indiquez la date du courrier" in unescape(refus.content.decode())
    assert Demande.objects.get(pk=octroyee.pk).statut == Statut.OCTROYEE
    client.post(
        url,
        {
            "motif": "89-4",
            "droit_entendu_le": COURRIER.isoformat(),
            "a_compter_du": AUJOURD_HUI.isoformat(),
            "confirmation": "on",
        },
    )
    assert Demande.objects.get(pk=octroyee.pk).statut == Statut.REVOQUEE
    client.post(reverse("agent:annuler_revocation", args=[octroyee.pk]), {"commentaire": ""})
    assert Demande.objects.get(pk=octroyee.pk).statut == Statut.OCTROYEE


# ------------------------------------------------------------------ the dates of a revocation
def _poster(client, octroyee, **dates):
    return client.post(
        reverse("agent:revoquer", args=[octroyee.pk]),
        {"motif": "89-4", "confirmation": "on", **{k: v.isoformat() for k, v in dates.items()}},
    )


def test_a_revocation_cannot_take_effect_before_the_registration_is_valid(octroyee, agent, client):
    client.force_login(agent)
    veille = octroyee.date_validite - datetime.timedelta(days=1)
    response = _poster(client, octroyee, droit_entendu_le=COURRIER, a_compter_du=veille)
    page = unescape(response.content.decode())
    attendu = (
        "La révocation ne peut pas prendre effet avant la date de validité de l'enregistrement "
        f"({octroyee.date_validite:%d/%m/%Y})."
    )
    assert attendu in page
    assert Demande.objects.get(pk=octroyee.pk).statut == Statut.OCTROYEE


def test_the_letter_of_the_right_to_be_heard_cannot_be_dated_in_the_future(octroyee, agent, client):
    client.force_login(agent)
    demain = AUJOURD_HUI + datetime.timedelta(days=1)
    response = _poster(client, octroyee, droit_entendu_le=demain, a_compter_du=demain)
    assert "il ne peut pas être daté dans le futur" in unescape(response.content.decode())
    assert Demande.objects.get(pk=octroyee.pk).statut == Statut.OCTROYEE
    with pytest.raises(services.ActionRefusee, match="daté dans le futur"):
        revoquer(octroyee, agent, droit_entendu_le=demain, a_compter_du=demain)


def test_a_revocation_dated_later_leaves_the_number_valid_until_that_day(octroyee, agent, client):
    """The public check and the EU export tell the truth on every day (guide §7.3)."""
    from rex import publication

    effet = AUJOURD_HUI + datetime.timedelta(days=10)
    demande = revoquer(octroyee, agent, a_compter_du=effet)
    assert demande.statut == Statut.REVOQUEE

    page = unescape(client.get(reverse("public:verifier"), {"numero": demande.numero_rex}).content.decode())
    assert "Numéro REX valide" in page and "Numéro REX révoqué" not in page
    assert f"révoqué à compter du {effet:%d/%m/%Y}" in page
    exporte = "".join(publication.exporter("json"))
    assert '"statut": "valide"' in exporte and f'"revoquee_le": "{effet.isoformat()}"' in exporte

    veille = publication.donnees_publiques(demande, aujourd_hui=effet - datetime.timedelta(days=1))
    jour = publication.donnees_publiques(demande, aujourd_hui=effet)
    assert (veille["statut"], jour["statut"]) == (publication.VALIDE, publication.REVOQUE)
