"""The queue in bulk: « Prendre en charge » and « Réaffecter » on the ticked requests, each through its own
service call; a summary of what was done and of what was refused, and why."""

from django.urls import reverse

import pytest

from rex import services
from rex.models import Demande, Evenement
from tests.agent.conftest import deposer, messages_de, texte
from tests.factories import BureauDouaneFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("agent:actions_groupees")
FILE = reverse("agent:file")


@pytest.fixture
def situations(service, agent, collegue):
    """One request per answer the rules give to the officer `agent`."""
    autre_service = BureauDouaneFactory(nom="Bureau de Marseille")
    return {
        "libre": deposer(service),
        "libre_bis": deposer(service),
        "a_moi": services.prendre_en_charge(demande=deposer(service), by=agent),
        "au_collegue": services.prendre_en_charge(demande=deposer(service), by=collegue),
        "rejetee": services.rejeter(demande=deposer(service), by=agent, motif="Cadre sans REX."),
        "autre_service": deposer(autre_service),
    }


def agent_de(demande) -> int | None:
    return Demande.objects.get(pk=demande.pk).agent_id


def test_take_in_charge_in_bulk_with_partial_refusals(client_agent, agent, collegue, situations):
    s = situations
    inconnu = max(Demande.objects.values_list("pk", flat=True)) + 1000
    avant_rejet = agent_de(s["rejetee"])
    ids = [s["libre"].pk, s["a_moi"].pk, s["au_collegue"].pk, s["rejetee"].pk, s["autre_service"].pk, inconnu]
    response = client_agent.post(URL, {"demandes": ids, "action": "prendre_en_charge"})
    assert response.status_code == 302 and response["Location"] == FILE
    # Done: the free request, and the colleague's (the rules let an officer take over a colleague's).
    assert agent_de(s["libre"]) == agent.pk
    assert agent_de(s["au_collegue"]) == agent.pk
    # Unchanged: the others.
    assert agent_de(s["rejetee"]) == avant_rejet
    assert agent_de(s["autre_service"]) is None
    assert agent_de(s["libre_bis"]) is None
    assert Evenement.objects.filter(kind=Evenement.Kind.PRISE_EN_CHARGE, acteur=agent).count() == 3
    rejetee = Demande.objects.get(pk=s["rejetee"].pk)
    a_moi = Demande.objects.get(pk=s["a_moi"].pk)
    assert messages_de(response) == [
        "2 demandes prises en charge.",
        f"4 demandes non prises en charge — {a_moi.numero} : Vous avez déjà pris en charge cette "
        f"demande ; {rejetee.numero} : Action « Prendre en charge » impossible : la demande est au "
        f"statut « Rejetée » ; n° {s['autre_service'].pk} : introuvable ; n° {inconnu} : introuvable.",
    ]


def test_another_service_request_is_refused_as_an_unknown_one(client_agent, situations):
    """Nothing tells an id of another service from one that does not exist."""
    s = situations
    inconnu = max(Demande.objects.values_list("pk", flat=True)) + 1000
    une = client_agent.post(URL, {"demandes": [s["autre_service"].pk], "action": "prendre_en_charge"})
    client_agent.get(FILE)  # the summary read
    autre = client_agent.post(URL, {"demandes": [inconnu], "action": "prendre_en_charge"})
    assert messages_de(une) == [f"1 demande non prise en charge — n° {s['autre_service'].pk} : introuvable."]
    assert messages_de(autre) == [f"1 demande non prise en charge — n° {inconnu} : introuvable."]
    assert s["autre_service"].numero not in texte(client_agent.get(FILE))


def test_posting_twice_does_no_harm(client_agent, agent, situations):
    s = situations
    donnees = {"demandes": [s["libre"].pk, s["libre_bis"].pk], "action": "prendre_en_charge"}
    premiere = client_agent.post(URL, donnees)
    assert messages_de(premiere) == ["2 demandes prises en charge."]
    client_agent.get(FILE)  # the summary read
    seconde = client_agent.post(URL, donnees)
    numeros = [Demande.objects.get(pk=pk).numero for pk in donnees["demandes"]]
    assert messages_de(seconde) == [
        f"2 demandes non prises en charge — {numeros[0]} : Vous avez déjà pris en charge cette demande ; "
        f"{numeros[1]} : Vous avez déjà pris en charge cette demande."
    ]
    assert (
        Evenement.objects.filter(
            kind=Evenement.Kind.PRISE_EN_CHARGE, demande_id__in=donnees["demandes"]
        ).count()
        == 2
    )


def test_reassign_in_bulk(client_agent, agent, service, situations, django_capture_on_commit_callbacks):
    s = situations
    marseille = Demande.objects.get(pk=s["autre_service"].pk).service
    ids = [s["libre"].pk, s["au_collegue"].pk, s["rejetee"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_agent.post(
            URL,
            {
                "demandes": ids,
                "action": "reaffecter",
                "service": marseille.pk,
                "commentaire": "Siège à Marseille.",
            },
        )
    assert response.status_code == 302
    services_apres = dict(Demande.objects.filter(pk__in=ids).values_list("pk", "service_id"))
    assert services_apres == {
        s["libre"].pk: marseille.pk,
        s["au_collegue"].pk: marseille.pk,
        s["rejetee"].pk: service.pk,
    }
    assert Demande.objects.get(pk=s["au_collegue"].pk).agent_id is None
    evenements = Evenement.objects.filter(kind=Evenement.Kind.REAFFECTATION, acteur=agent)
    assert sorted(evenements.values_list("demande_id", flat=True)) == sorted(ids[:2])
    assert {e.commentaire for e in evenements} == {"Siège à Marseille."}
    rejetee = Demande.objects.get(pk=s["rejetee"].pk)
    assert messages_de(response) == [
        "2 demandes réaffectées au service « Bureau de Marseille ».",
        f"1 demande non réaffectée — {rejetee.numero} : Action « Réaffecter » impossible : la demande est "
        "au statut « Rejetée ».",
    ]
    # They left the queue.
    page = texte(client_agent.get(FILE))
    assert s["libre"].numero not in page and rejetee.numero in page


def test_the_queue_filters_are_kept(client_agent, situations):
    response = client_agent.post(
        f"{URL}?statut=en_etude&q=dupont&page=3&apres=forge",
        {"demandes": [situations["libre"].pk], "action": "prendre_en_charge"},
    )
    assert response["Location"] == f"{FILE}?q=dupont&statut=en_etude"


@pytest.mark.parametrize(
    ("donnees", "erreur"),
    [
        ({"action": "prendre_en_charge"}, "Cochez au moins une demande dans la file."),
        ({"demandes": ["LIBRE"]}, "Choisissez l'action : « Prendre en charge » ou « Réaffecter »."),
        (
            {"demandes": ["LIBRE"], "action": "octroyer"},
            "Sélectionnez un choix valide dans la liste proposée.",
        ),
        ({"demandes": ["LIBRE", "abc"], "action": "prendre_en_charge"}, "Sélectionnez un choix valide"),
        ({"demandes": ["LIBRE", "-3"], "action": "prendre_en_charge"}, "Sélectionnez un choix valide"),
        ({"demandes": ["LIBRE", str(2**31)], "action": "prendre_en_charge"}, "Sélectionnez un choix valide"),
        (
            {"demandes": [str(i) for i in range(1, 102)], "action": "prendre_en_charge"},
            "au plus 100 demandes",
        ),
        (
            {"demandes": ["LIBRE"], "action": "reaffecter", "commentaire": "Compétence."},
            "Choisissez le service",
        ),
        (
            {"demandes": ["LIBRE"], "action": "reaffecter", "service": "AUTRE"},
            "Le commentaire de réaffectation",
        ),
        (
            {"demandes": ["LIBRE"], "action": "reaffecter", "service": "AUTRE", "commentaire": "a\x00b"},
            "caractère non autorisé (caractère nul",
        ),
    ],
)
def test_invalid_bulk_form_is_refused_and_changes_nothing(client_agent, situations, donnees, erreur):
    libre = situations["libre"]
    autre = Demande.objects.get(pk=situations["autre_service"].pk).service_id
    valeurs = {"LIBRE": str(libre.pk), "AUTRE": str(autre)}
    donnees = {
        cle: [valeurs.get(v, v) for v in val] if isinstance(val, list) else valeurs.get(val, val)
        for cle, val in donnees.items()
    }
    avant = list(Demande.objects.order_by("pk").values_list("pk", "agent_id", "service_id"))
    response = client_agent.post(URL, donnees)
    assert response.status_code == 422
    assert erreur in texte(response)
    assert messages_de(response) == ["Aucune action effectuée : corrigez le formulaire des actions groupées."]
    assert list(Demande.objects.order_by("pk").values_list("pk", "agent_id", "service_id")) == avant


def test_ticked_rows_stay_ticked_after_a_refused_form(client_agent, situations):
    libre = situations["libre"]
    response = client_agent.post(URL, {"demandes": [libre.pk], "action": "reaffecter"})
    assert response.status_code == 422
    page = " ".join(response.content.decode().split())
    assert f'value="{libre.pk}" id="selection-{libre.pk}" checked>' in page
    autre = situations["libre_bis"]
    assert f'value="{autre.pk}" id="selection-{autre.pk}" >' in page


def test_each_row_has_a_labelled_checkbox(client_agent, situations):
    page = " ".join(client_agent.get(FILE).content.decode().split())
    libre = situations["libre"]
    assert (
        f'<label class="fr-label" for="selection-{libre.pk}"> Sélectionner<span class="fr-sr-only"> la '
        f"demande {libre.numero}</span> </label>" in page
    )


def test_not_for_an_operator(client, situations):
    client.force_login(UserFactory(habilite=True))
    response = client.post(URL, {"demandes": [situations["libre"].pk], "action": "prendre_en_charge"})
    assert response.status_code == 404
    assert Demande.objects.get(pk=situations["libre"].pk).agent_id is None
