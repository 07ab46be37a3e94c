"""« Dupliquer » (guide §6.3): for a representative, or after a rejection or a revocation."""

from django.urls import reverse

import pytest

from rex import services
from rex.models import Demande, Statut
from tests.factories import DemandeFactory, MandatFactory, UserFactory, demande_representee, soumise
from tests.pages import page

pytestmark = pytest.mark.django_db

MESSAGE_REX = (
    "Il n'est pas possible de dupliquer une demande d'enregistrement si vous détenez déjà un "
    "enregistrement REX."
)
MESSAGE_CAS = "pour les représentants en douane : il leur revient alors, une fois la demande dupliquée"


def test_a_representative_duplicates_and_then_picks_a_client(client):
    transitaire = UserFactory(representant=True)
    represente = MandatFactory(representant=transitaire.entreprise).represente
    nouveau_client = MandatFactory(representant=transitaire.entreprise).represente
    demande = soumise(demande_representee(transitaire, represente))
    client.force_login(transitaire)

    detail = page(client.get(reverse("rex:detail", args=[demande.pk])))
    assert f'href="{reverse("rex:dupliquer", args=[demande.pk])}"' in detail
    confirmation = page(client.get(reverse("rex:dupliquer", args=[demande.pk])))
    assert MESSAGE_REX in confirmation and MESSAGE_CAS in " ".join(confirmation.split())

    response = client.post(reverse("rex:dupliquer", args=[demande.pk]))
    copie = Demande.objects.exclude(pk=demande.pk).get()
    assert response.url == reverse("rex:formulaire", args=[copie.pk])
    assert copie.statut == Statut.BROUILLON and copie.titulaire is None
    assert copie.representant == transitaire.entreprise
    assert copie.contacts.count() == 1 and copie.marchandises.count() == 1
    formulaire = page(client.get(response.url))
    assert "a été dupliquée" in formulaire
    assert 'name="titulaire"' in formulaire and nouveau_client.raison_sociale in formulaire
    assert Demande.objects.get(pk=demande.pk).statut == Statut.EN_ETUDE, "the original is untouched"


def test_any_applicant_may_duplicate_after_a_rejection(client):
    demande = soumise(DemandeFactory(complete=True))
    services.rejeter(demande=demande, by=UserFactory(service=demande.service), motif="Cadre inexistant.")
    client.force_login(demande.created_by)
    assert f'href="{reverse("rex:dupliquer", args=[demande.pk])}"' in page(
        client.get(reverse("rex:detail", args=[demande.pk]))
    )
    response = client.post(reverse("rex:dupliquer", args=[demande.pk]))
    copie = Demande.objects.get(statut=Statut.BROUILLON)
    assert response.url == reverse("rex:formulaire", args=[copie.pk])
    assert copie.titulaire == demande.titulaire and copie.representant is None
    assert client.get(response.url).status_code == 200


def test_the_client_of_a_representative_duplicates_a_rejected_request_as_its_own_draft(client):
    transitaire = UserFactory(representant=True)
    represente = MandatFactory(representant=transitaire.entreprise).represente
    demande = soumise(demande_representee(transitaire, represente))
    services.rejeter(demande=demande, by=UserFactory(service=demande.service), motif="Incomplet.")
    membre = UserFactory(habilite=True, entreprise=represente)
    client.force_login(membre)
    response = client.post(reverse("rex:dupliquer", args=[demande.pk]))
    copie = Demande.objects.get(statut=Statut.BROUILLON)
    assert (copie.titulaire, copie.representant) == (represente, None)
    assert client.get(response.url).status_code == 200, "the client can open its copy"


def test_refused_while_en_etude_for_an_applicant_who_is_not_a_representative(client):
    demande = soumise(DemandeFactory(complete=True))
    client.force_login(demande.created_by)
    assert f'href="{reverse("rex:dupliquer", args=[demande.pk])}"' not in page(
        client.get(reverse("rex:detail", args=[demande.pk]))
    )
    confirmation = page(client.get(reverse("rex:dupliquer", args=[demande.pk])))
    assert MESSAGE_REX in confirmation
    assert "la duplication est réservée aux représentants en douane" in confirmation
    assert ">Dupliquer</button>" not in confirmation
    response = client.post(reverse("rex:dupliquer", args=[demande.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("rex:detail", args=[demande.pk])
    assert "(guide, point 6.3)" in page(response)
    assert Demande.objects.count() == 1
