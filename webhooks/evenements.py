"""The events: what rex announces (rex.signals) becomes outbox rows, in the transaction of the change.

One row per active address, subscribed to the type, of the holder company and of the representative
company who filed (each through its own addresses). The body says nothing the company does not already
see on the request's page: number, status, REX number and validity date, the thread's message.

A single change writes its rows with two statements (the addresses, one bulk INSERT); a batch job's
set-based history (the automatic rejection) gets one INSERT … SELECT for the whole batch, whatever the
number of requests: nothing built row by row in Python.
"""

import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rex.models import Demande, Evenement, Message, Statut
from webhooks.models import Endpoint, Livraison, TypeEvenement
from webhooks.publication import publier_lots


def url_demande(demande_pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("rex:detail", args=[demande_pk])


def _entreprises(demande: Demande) -> list[int]:
    return [pk for pk in (demande.titulaire_id, demande.representant_id) if pk]


def donnees_demande(demande: Demande, *, ancien_statut: str = "") -> dict:
    return {
        "numero": demande.numero or "",
        "statut": demande.statut,
        "statut_libelle": Statut(demande.statut).label,
        "ancien_statut": ancien_statut or None,
        "numero_rex": demande.numero_rex or None,
        "date_validite": demande.date_validite.isoformat() if demande.date_validite else None,
        "url": url_demande(demande.pk),
    }


def programmer(*, demande: Demande, type: str, donnees: dict) -> list[Livraison]:
    """One outbox row per address concerned (same event id for all). Side effect: published after
    commit."""
    entreprises = _entreprises(demande)
    if not entreprises or demande.statut == Statut.BROUILLON:
        return []
    abonnement = Q(statut_modifie=True) if type == TypeEvenement.STATUT_MODIFIE else Q(message_recu=True)
    endpoints = list(
        Endpoint.objects.filter(abonnement, actif=True, entreprise_id__in=entreprises).values_list(
            "pk", flat=True
        )
    )
    if not endpoints:
        return []
    evenement_id, now = uuid.uuid4(), timezone.now()
    livraisons = Livraison.objects.bulk_create(
        Livraison(endpoint_id=pk, evenement=evenement_id, type=type, donnees=donnees, created_at=now)
        for pk in endpoints
    )
    ids = [livraison.pk for livraison in livraisons]
    transaction.on_commit(lambda: publier_lots(ids))
    return livraisons


def sur_evenement(sender, *, evenement: Evenement, demande: Demande, **kwargs) -> None:
    """A history row: an event when the status changed (not the draft's creation, not a message)."""
    avant, apres = evenement.statut_avant, evenement.statut_apres
    if not avant or avant == apres:
        return
    programmer(
        demande=demande,
        type=TypeEvenement.STATUT_MODIFIE,
        donnees=donnees_demande(demande, ancien_statut=avant),
    )


def sur_message(sender, *, message: Message, demande: Demande, **kwargs) -> None:
    """A message of the thread, from either side (the author's name is not sent)."""
    programmer(
        demande=demande,
        type=TypeEvenement.MESSAGE_RECU,
        donnees={
            **donnees_demande(demande),
            "message": {
                "de": message.cote,
                "de_libelle": message.get_cote_display(),
                "envoye_le": message.created_at.isoformat(),
                "texte": message.texte,
            },
        },
    )


def sur_evenements(sender, *, demande_ids: list[int], avant: str, apres: str, **kwargs) -> None:
    """A batch job's status changes: one INSERT … SELECT writes every row (one event id per request,
    shared by its addresses). Side effect: published after commit, in batches; without a broker, due at
    once for the periodic retry (a batch job sends nothing itself)."""
    if not demande_ids or not avant or avant == apres:
        return
    sans_broker = settings.CELERY_TASK_ALWAYS_EAGER
    now = timezone.now()
    if connection.vendor != "postgresql":
        ids = _lignes_sans_postgresql(demande_ids, avant=avant, apres=apres, now=now, sans_broker=sans_broker)
        if ids and not sans_broker:
            transaction.on_commit(lambda: publier_lots(ids))
        return
    avant_url, apres_url = url_demande(0).rsplit("0", 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH ev AS MATERIALIZED ("  # nosec B608 - names from the models, values bound
            "SELECT d.id, d.numero, d.statut, d.numero_rex, d.date_validite, d.titulaire_id, "
            "d.representant_id, gen_random_uuid() AS evenement_id "
            f"FROM {Demande._meta.db_table} d WHERE d.id = ANY(%s) AND d.statut <> %s) "
            f"INSERT INTO {Livraison._meta.db_table} "
            "(uuid, endpoint_id, evenement, type, donnees, created_at, etat, essais, prochain_essai_le, "
            "livree_le, derniere_erreur) "
            "SELECT gen_random_uuid(), e.id, ev.evenement_id, %s, jsonb_build_object("
            "'numero', COALESCE(ev.numero, ''), 'statut', ev.statut, 'statut_libelle', %s, "
            "'ancien_statut', %s::text, 'numero_rex', NULLIF(ev.numero_rex, ''), "
            "'date_validite', ev.date_validite, 'url', %s || ev.id::text || %s), "
            "%s, %s, 0, %s, NULL, '' "
            f"FROM ev JOIN {Endpoint._meta.db_table} e "
            "ON e.entreprise_id = ev.titulaire_id OR e.entreprise_id = ev.representant_id "
            "WHERE e.actif AND e.statut_modifie "
            "RETURNING id",
            [
                list(demande_ids),
                Statut.BROUILLON,
                TypeEvenement.STATUT_MODIFIE,
                Statut(apres).label,
                avant,
                avant_url,
                apres_url,
                now,
                Livraison.Etat.EN_ATTENTE,
                now if sans_broker else None,
            ],
        )
        ids = [ligne[0] for ligne in cursor.fetchall()]
    if ids and not sans_broker:
        transaction.on_commit(lambda: publier_lots(ids))


def _lignes_sans_postgresql(
    demande_ids: list[int], *, avant: str, apres: str, now, sans_broker: bool
) -> list[int]:
    """The same rows as the INSERT … SELECT, for the embedded SQLite default (no gen_random_uuid, no
    jsonb): three statements whatever the number of requests (the requests, their addresses, one bulk
    INSERT), the rows built in Python."""
    demandes = list(
        Demande.objects.filter(pk__in=demande_ids)
        .exclude(statut=Statut.BROUILLON)
        .values("id", "numero", "statut", "numero_rex", "date_validite", "titulaire_id", "representant_id")
    )
    entreprises = {d[c] for d in demandes for c in ("titulaire_id", "representant_id") if d[c]}
    adresses: dict[int, list[int]] = {}
    for pk, entreprise_id in Endpoint.objects.filter(
        actif=True, statut_modifie=True, entreprise_id__in=entreprises
    ).values_list("pk", "entreprise_id"):
        adresses.setdefault(entreprise_id, []).append(pk)
    lignes = []
    for d in demandes:
        endpoints = {pk for c in ("titulaire_id", "representant_id") for pk in adresses.get(d[c], ())}
        if not endpoints:
            continue
        evenement_id = uuid.uuid4()
        donnees = {
            "numero": d["numero"] or "",
            "statut": d["statut"],
            "statut_libelle": Statut(apres).label,
            "ancien_statut": avant,
            "numero_rex": d["numero_rex"] or None,
            "date_validite": d["date_validite"].isoformat() if d["date_validite"] else None,
            "url": url_demande(d["id"]),
        }
        lignes.extend(
            Livraison(
                endpoint_id=pk,
                evenement=evenement_id,
                type=TypeEvenement.STATUT_MODIFIE,
                donnees=donnees,
                created_at=now,
                etat=Livraison.Etat.EN_ATTENTE,
                essais=0,
                prochain_essai_le=now if sans_broker else None,
            )
            for pk in sorted(endpoints)
        )
    return [livraison.pk for livraison in Livraison.objects.bulk_create(lignes)]
