"""Delivery to a real receiver: signed, retried with back-off, given up, and the address disabled."""

import datetime
import json

from django.utils import timezone

import pytest

from rex import services as rex_services
from rex.models import Courriel
from tests.factories import UserFactory, deposer
from tests.webhooks.conftest import creer_endpoint, creer_par_la_page
from webhooks import livraison, services, tasks
from webhooks.models import Endpoint, Livraison, Tentative

pytestmark = pytest.mark.django_db


def octroyer(demande, django_capture_on_commit_callbacks):
    agent = UserFactory(service=demande.service)
    with django_capture_on_commit_callbacks(execute=True):
        return rex_services.octroyer(demande=demande, by=agent)


def test_a_status_change_is_posted_signed_with_the_secret_shown_once(
    client, recepteur, django_capture_on_commit_callbacks
):
    demande = deposer()
    client.force_login(demande.created_by)
    endpoint, secret = creer_par_la_page(client, recepteur.url)
    assert secret.startswith("whsec_")
    assert secret not in client.get(f"/soprano/notifications-techniques/{endpoint.pk}/").content.decode()

    demande = octroyer(demande, django_capture_on_commit_callbacks)

    [recu] = recepteur.recus
    assert recu.chemin == "/soprano"
    assert recu.signature_valide(secret)
    assert not recu.signature_valide("whsec_autre")
    assert recu.entetes["Content-Type"] == "application/json"
    assert recu.entetes["User-Agent"] == "SOPRANO-REX-Webhooks/1"
    assert recu.entetes["X-Soprano-Event"] == "demande.statut_modifie"
    assert abs(int(recu.entetes["X-Soprano-Timestamp"]) - timezone.now().timestamp()) < 60
    livree = Livraison.objects.get()
    assert recu.entetes["X-Soprano-Delivery"] == str(livree.uuid)
    corps = recu.json
    assert corps["type"] == "demande.statut_modifie" and corps["id"] == str(livree.evenement)
    assert datetime.datetime.fromisoformat(corps["cree_le"])
    assert corps["donnees"] == {
        "numero": demande.numero,
        "statut": "octroyee",
        "statut_libelle": "Octroyée",
        "ancien_statut": "en_etude",
        "numero_rex": demande.numero_rex,
        "date_validite": demande.date_validite.isoformat(),
        "url": f"http://127.0.0.1:8000/soprano/rex/demandes/{demande.pk}/",
    }
    assert livree.etat == Livraison.Etat.LIVREE and livree.essais == 1
    tentative = Tentative.objects.get()
    assert (tentative.numero, tentative.statut_http, tentative.reussie) == (1, 200, True)


def test_a_failing_receiver_is_tried_again_after_the_back_off(recepteur, django_capture_on_commit_callbacks):
    demande = deposer()
    creer_endpoint(demande.created_by, recepteur.url)
    recepteur.reponses.extend([500])
    avant = timezone.now()
    octroyer(demande, django_capture_on_commit_callbacks)

    ligne = Livraison.objects.get()
    assert ligne.etat == Livraison.Etat.EN_ATTENTE and ligne.essais == 1
    assert "HTTP 500" in ligne.derniere_erreur
    # 1 minute after the first failure (rex's e-mail outbox rule: 1, 2, 4 … minutes, at most 6 hours).
    delai = ligne.prochain_essai_le - avant
    assert datetime.timedelta(seconds=59) < delai < datetime.timedelta(seconds=75)
    assert tasks.livrer_en_attente() == 0, "not before its next attempt"

    Livraison.objects.update(prochain_essai_le=timezone.now() - datetime.timedelta(seconds=1))
    assert tasks.livrer_en_attente() == 1
    ligne.refresh_from_db()
    assert ligne.etat == Livraison.Etat.LIVREE and ligne.essais == 2
    essais = list(Tentative.objects.order_by("numero").values_list("numero", "statut_http", "reussie"))
    assert essais == [(1, 500, False), (2, 200, True)]
    assert len(recepteur.recus) == 2
    assert len({r.entetes["X-Soprano-Delivery"] for r in recepteur.recus}) == 1, "the same delivery id"
    assert recepteur.recus[0].corps == recepteur.recus[1].corps
    assert Endpoint.objects.get().echecs_consecutifs == 0


def test_back_off_doubles_and_is_capped():
    assert [livraison.emails.delai_avant_essai(n) for n in (1, 2, 3)] == [
        datetime.timedelta(minutes=m) for m in (1, 2, 4)
    ]
    assert livraison.emails.delai_avant_essai(15) == datetime.timedelta(hours=6)


def test_after_n_failures_in_a_row_the_address_is_disabled_and_its_creator_emailed(
    recepteur, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ECHECS_AVANT_DESACTIVATION = 3
    demande = deposer()
    endpoint = creer_endpoint(demande.created_by, recepteur.url)
    recepteur.reponses.extend([503] * 10)
    octroyer(demande, django_capture_on_commit_callbacks)
    for _ in range(2):
        Livraison.objects.update(prochain_essai_le=timezone.now() - datetime.timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=False):
            tasks.livrer_en_attente()

    endpoint.refresh_from_db()
    assert not endpoint.actif and endpoint.echecs_consecutifs == 3
    assert endpoint.motif_desactivation == "3 échecs consécutifs"
    ligne = Livraison.objects.get()
    assert ligne.etat == Livraison.Etat.ECHEC and ligne.essais == 3, "given up after as many attempts"
    assert Tentative.objects.count() == 3 and len(recepteur.recus) == 3
    courriel = Courriel.objects.get(destinataire=demande.created_by.email, sujet__contains="désactivée")
    assert endpoint.url in courriel.sujet and "3 échecs" in courriel.texte
    assert f"/soprano/notifications-techniques/{endpoint.pk}/" in courriel.texte

    # Disabled: nothing more is sent to it.
    Livraison.objects.update(etat=Livraison.Etat.EN_ATTENTE, prochain_essai_le=None)
    Livraison.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert tasks.livrer_en_attente() == 0 and len(recepteur.recus) == 3


def test_a_redirect_is_not_followed(recepteur, django_capture_on_commit_callbacks):
    demande = deposer()
    creer_endpoint(demande.created_by, recepteur.url)
    recepteur.reponses.extend([302])
    octroyer(demande, django_capture_on_commit_callbacks)
    assert len(recepteur.recus) == 1, "the Location was not followed"
    tentative = Tentative.objects.get()
    assert tentative.statut_http == 302 and not tentative.reussie
    assert "Redirection non suivie" in tentative.erreur


def test_an_unreachable_receiver_is_logged_with_its_error(http_local, django_capture_on_commit_callbacks):
    demande = deposer()
    creer_endpoint(demande.created_by, "http://127.0.0.1:1/ferme")
    octroyer(demande, django_capture_on_commit_callbacks)
    tentative = Tentative.objects.get()
    assert tentative.statut_http is None and "Connexion impossible" in tentative.erreur


def test_two_workers_never_send_the_same_row(recepteur, django_capture_on_commit_callbacks):
    demande = deposer()
    creer_endpoint(demande.created_by, recepteur.url)
    with django_capture_on_commit_callbacks(execute=False):
        rex_services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    ids = list(Livraison.objects.values_list("pk", flat=True))
    assert [liv.pk for liv in livraison.reserver(ids)] == ids
    assert livraison.reserver(ids) == [], "leased: not due again before the end of the lease"
    assert livraison.livraisons_en_attente() == []


def test_the_body_is_compact_json_in_utf8(recepteur, django_capture_on_commit_callbacks):
    demande = deposer()
    creer_endpoint(demande.created_by, recepteur.url)
    octroyer(demande, django_capture_on_commit_callbacks)
    corps = recepteur.recus[0].corps
    assert "Octroyée".encode() in corps and json.loads(corps)["donnees"]["statut"] == "octroyee"


def test_an_unexpected_error_is_an_attempt_failed_not_a_lost_row(
    recepteur, monkeypatch, django_capture_on_commit_callbacks
):
    def casse(*args, **kwargs):
        raise RuntimeError("inattendu")

    monkeypatch.setattr(livraison.requests.Session, "post", casse)
    demande = deposer()
    creer_endpoint(demande.created_by, recepteur.url)
    octroyer(demande, django_capture_on_commit_callbacks)
    ligne = Livraison.objects.get()
    assert ligne.etat == Livraison.Etat.EN_ATTENTE and ligne.derniere_erreur == "Erreur : RuntimeError"
    assert ligne.prochain_essai_le > timezone.now() + datetime.timedelta(seconds=50)


def test_enabled_again_an_address_gets_what_waited_and_a_ping_goes_even_disabled(
    recepteur, django_capture_on_commit_callbacks
):
    demande = deposer()
    endpoint = creer_endpoint(demande.created_by, recepteur.url)
    services.desactiver(endpoint=endpoint, by=demande.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        services.tester(endpoint=endpoint, by=demande.created_by)
    assert [r.json["type"] for r in recepteur.recus] == ["ping"], "« Tester » works on a disabled address"

    attente = Livraison.objects.create(
        endpoint=endpoint, type="demande.statut_modifie", donnees={"numero": demande.numero}
    )
    Livraison.objects.filter(pk=attente.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert tasks.livrer_en_attente() == 0 and len(recepteur.recus) == 1, "it waits while disabled"
    services.reactiver(endpoint=endpoint, by=demande.created_by)
    assert tasks.livrer_en_attente() == 1
    assert recepteur.recus[-1].json["donnees"] == {"numero": demande.numero}
