"""« Mes filtres »: an officer saves the queue's current filters under a name, finds them as links on the
queue, applies and deletes them; nobody else sees or deletes them."""

from django.urls import reverse

import pytest

from rex import services
from rex.models import FILTRES_PAR_AGENT, FiltreEnregistre
from tests.agent.conftest import deposer, messages_de, texte
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FILE = reverse("agent:file")
ENREGISTRER = reverse("agent:enregistrer_filtre")


def supprimer(filtre) -> str:
    return reverse("agent:supprimer_filtre", args=[filtre.pk])


def test_save_the_current_filter(client_agent, agent):
    response = client_agent.post(
        f"{ENREGISTRER}?statut=incomplete&tri=echeance",
        {"nom": "  Incomplètes   urgentes ", "statut": "incomplete", "tri": "echeance", "q": "", "agent": ""},
    )
    assert response.status_code == 302
    # Back to the queue, filtered by what was saved.
    assert response["Location"] == f"{FILE}?statut=incomplete&tri=echeance"
    filtre = FiltreEnregistre.objects.get(user=agent)
    assert (filtre.nom, filtre.parametres) == ("Incomplètes urgentes", "statut=incomplete&tri=echeance")
    assert messages_de(response) == [
        "Le filtre « Incomplètes urgentes » est enregistré dans « Mes filtres »."
    ]


def test_saved_filters_are_links_on_the_queue_that_apply_them(client_agent, agent, service, collegue):
    FiltreEnregistre.objects.create(user=agent, nom="Mes dossiers", parametres="agent=moi")
    FiltreEnregistre.objects.create(user=agent, nom="Dupont", parametres="q=dupont")
    FiltreEnregistre.objects.create(user=collegue, nom="Filtre de Marie", parametres="statut=octroyee")
    page = " ".join(texte(client_agent.get(FILE)).split())
    assert f'href="{FILE}?q=dupont">Dupont</a>' in page
    assert f'href="{FILE}?agent=moi">Mes dossiers</a>' in page
    assert page.index(">Dupont</a>") < page.index(">Mes dossiers</a>"), "by name"
    assert "Filtre de Marie" not in page
    # Applying one is following it: the queue filtered.
    mienne = services.prendre_en_charge(demande=deposer(service), by=agent)
    libre = deposer(service)
    response = client_agent.get(f"{FILE}?agent=moi")
    assert [d.pk for d in response.context["page_obj"]] == [mienne.pk]
    assert libre.numero not in texte(response)


def test_the_save_form_shows_only_when_a_filter_applies(client_agent):
    assert 'id="enregistrer-filtre"' not in texte(client_agent.get(FILE))
    page = texte(client_agent.get(FILE, {"statut": "en_etude"}))
    assert 'id="enregistrer-filtre"' in page
    assert 'name="statut" value="en_etude"' in page


def test_delete_a_saved_filter(client_agent, agent):
    filtre = FiltreEnregistre.objects.create(user=agent, nom="Dupont", parametres="q=dupont")
    response = client_agent.post(supprimer(filtre))
    assert response.status_code == 302 and response["Location"] == FILE
    assert not FiltreEnregistre.objects.filter(pk=filtre.pk).exists()
    assert messages_de(response) == ["Le filtre « Dupont » est supprimé."]


def test_another_officer_filter_is_a_404(client_agent, collegue):
    filtre = FiltreEnregistre.objects.create(user=collegue, nom="Filtre de Marie", parametres="q=x")
    assert client_agent.post(supprimer(filtre)).status_code == 404
    assert FiltreEnregistre.objects.filter(pk=filtre.pk).exists()
    assert client_agent.post(reverse("agent:supprimer_filtre", args=[filtre.pk + 1000])).status_code == 404


def test_an_operator_gets_a_404(client, agent):
    filtre = FiltreEnregistre.objects.create(user=agent, nom="Dupont", parametres="q=dupont")
    client.force_login(UserFactory(habilite=True))
    assert client.post(supprimer(filtre)).status_code == 404
    assert client.post(ENREGISTRER, {"nom": "X", "statut": "en_etude"}).status_code == 404
    assert FiltreEnregistre.objects.count() == 1


@pytest.mark.parametrize(
    ("donnees", "erreur"),
    [
        ({"nom": "Tout"}, "Aucun filtre à enregistrer : choisissez d'abord un statut"),
        ({"statut": "en_etude"}, "Donnez un nom à ce filtre."),
        ({"nom": "Inconnu", "statut": "inconnu"}, "Le filtre à enregistrer n'est pas valide"),
        ({"nom": "Agent", "agent": "999999"}, "Le filtre à enregistrer n'est pas valide"),
        ({"nom": "Long", "q": "a" * 201}, "Le filtre à enregistrer n'est pas valide"),
        ({"nom": "Nul\x00", "statut": "en_etude"}, "caractère non autorisé (caractère nul"),
        ({"nom": "x" * 81, "statut": "en_etude"}, "au plus 80 caractères"),
        (
            {"nom": "Déjà", "statut": "en_etude"},
            "Vous avez déjà un filtre nommé « Déjà » : choisissez un autre nom.",
        ),
    ],
)
def test_bad_input_is_refused_in_french(client_agent, agent, donnees, erreur):
    FiltreEnregistre.objects.create(user=agent, nom="Déjà", parametres="q=x")
    response = client_agent.post(ENREGISTRER, donnees)
    assert response.status_code == 422
    assert erreur in texte(response)
    assert list(FiltreEnregistre.objects.values_list("nom", flat=True)) == ["Déjà"]


def test_an_officer_keeps_at_most_20_filters(client_agent, agent):
    FiltreEnregistre.objects.bulk_create(
        FiltreEnregistre(user=agent, nom=f"Filtre {i}", parametres=f"q={i}") for i in range(FILTRES_PAR_AGENT)
    )
    response = client_agent.post(ENREGISTRER, {"nom": "Un de plus", "statut": "en_etude"})
    assert response.status_code == 422
    assert "Vous avez déjà 20 filtres enregistrés : supprimez-en un" in texte(response)
    assert FiltreEnregistre.objects.filter(user=agent).count() == 20


def test_a_colleague_may_use_the_same_name(client_agent, agent, collegue):
    FiltreEnregistre.objects.create(user=collegue, nom="Urgent", parametres="echeance=proche")
    response = client_agent.post(ENREGISTRER, {"nom": "Urgent", "echeance": "proche"})
    assert response.status_code == 302
    assert FiltreEnregistre.objects.filter(nom="Urgent").count() == 2


def test_the_service_keeps_its_rules_whoever_calls_it(agent, collegue):
    services.enregistrer_filtre(by=agent, nom="Urgent", parametres="echeance=proche")
    with pytest.raises(services.ActionRefusee, match="Vous avez déjà un filtre nommé « Urgent »"):
        services.enregistrer_filtre(by=agent, nom="Urgent", parametres="statut=incomplete")
    with pytest.raises(services.ActionRefusee, match="Aucun filtre à enregistrer"):
        services.enregistrer_filtre(by=agent, nom="Vide", parametres="")
    filtre = FiltreEnregistre.objects.get(user=agent)
    with pytest.raises(services.ActionRefusee, match="Ce filtre n'est pas le vôtre."):
        services.supprimer_filtre(filtre=filtre, by=collegue)
    assert FiltreEnregistre.objects.filter(pk=filtre.pk).exists()
