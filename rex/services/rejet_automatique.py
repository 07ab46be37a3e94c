"""Automatic rejection after 30 days without an answer (guide §6.2, §8).

Set-based: one run selects every overdue request by date (so missed runs are caught up), locks a batch
with SKIP LOCKED (an officer acting on one at that moment keeps it), and writes the batch with a constant
number of statements: one UPDATE of the statuses, one INSERT … SELECT of the history rows, one INSERT …
SELECT of the outbox rows (recipient, template, context: the e-mails are rendered and sent later, by the
workers, in batches), and the history announced set-based (rex.signals.evenements_enregistres: the
webhooks outbox answers with one INSERT … SELECT). Nothing is built row by row in Python.
Idempotent: a second run finds nothing.

The fields each row gets come from the model's transition itself, applied once to a prototype: they do not
depend on the row (the deadline, the only row-dependent condition, is the batch's filter).
"""

from django.db import connection, transaction
from django.utils import timezone

from rex import emails, signals
from rex.models import Demande, Evenement, Statut

TAILLE_LOT = 2000
REFUS_MODIFICATION = "Demande de modification rejetée automatiquement (délai de 30 jours)."
CHAMPS_REJET = ("statut", "date_limite", "motif_rejet", "rejetee_le")


def _changement(transition: str, *, source: str, when, champs: tuple[str, ...]) -> dict:
    """The values the model transition `transition` gives, from `source`, to the fields `champs`."""
    prototype = Demande(statut=source, date_limite=when)
    getattr(prototype, transition)(by=None, when=when)
    return {champ: getattr(prototype, champ) for champ in champs}


def _historique(ids: list[int], *, kind: str, avant: str, apres: str, commentaire: str) -> None:
    """One history row per request (no actor: SOPRANO itself), written by the database from the requests
    (INSERT … SELECT: nothing built row by row in Python)."""
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Evenement._meta.db_table} "  # nosec B608 - names from the models, values bound
            "(demande_id, numero_demande, service_id, acteur_id, kind, statut_avant, statut_apres, "
            "commentaire, payload, created_at) "
            "SELECT id, COALESCE(numero, ''), service_id, NULL, %s, %s, %s, %s, %s, %s "
            f"FROM {Demande._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(ids))})",
            [kind, avant, apres, commentaire, "{}", timezone.now(), *ids],
        )
    # Announced set-based too (the webhooks outbox writes its rows with one statement).
    signals.evenements_enregistres.send(
        sender=Evenement, demande_ids=ids, kind=kind, avant=avant, apres=apres
    )


def rejeter_delais_depasses(*, now=None, taille_lot: int = TAILLE_LOT) -> int:
    """Rejects every request still Incomplète whose deadline has passed; returns how many.

    Side effect: one outbox row per rejected request with an e-mail address, published after commit.
    """
    now = now or timezone.now()
    rejet = _changement("rejeter_automatiquement", source=Statut.INCOMPLETE, when=now, champs=CHAMPS_REJET)
    retour = _changement("retablir", source=Statut.MODIFICATION_DEMANDEE, when=now, champs=("statut",))
    total = 0
    while True:
        with transaction.atomic():
            lot = list(
                Demande.objects.select_for_update(skip_locked=True)
                .filter(statut=Statut.INCOMPLETE, date_limite__lte=now)
                .order_by("date_limite", "pk")
                .values_list("pk", "version_precedente_id")[:taille_lot]
            )
            if not lot:
                return total
            # A rejected modification gives its registration back (locked here too; if one is busy,
            # its modification waits for the next run).
            a_retablir = [precedente for _, precedente in lot if precedente]
            precedentes = (
                list(
                    Demande.objects.select_for_update(skip_locked=True)
                    .filter(pk__in=a_retablir, statut=Statut.MODIFICATION_DEMANDEE)
                    .values_list("pk", flat=True)
                )
                if a_retablir
                else []
            )
            retablies = set(precedentes)
            lot = [(pk, precedente) for pk, precedente in lot if not precedente or precedente in retablies]
            if not lot:
                return total
            Demande.objects.filter(pk__in=[ligne[0] for ligne in lot]).update(**rejet, updated_at=now)
            if precedentes:
                Demande.objects.filter(pk__in=retablies).update(**retour, updated_at=now)
            _historique(
                list(retablies),
                kind=Evenement.Kind.MODIFICATION_REFUSEE,
                avant=Statut.MODIFICATION_DEMANDEE,
                apres=retour["statut"],
                commentaire=REFUS_MODIFICATION,
            )
            rejetees = [ligne[0] for ligne in lot]
            _historique(
                rejetees,
                kind=Evenement.Kind.REJET_AUTOMATIQUE,
                avant=Statut.INCOMPLETE,
                apres=rejet["statut"],
                commentaire=rejet["motif_rejet"],
            )
            emails.programmer_courriels_demandes(rejetees, modele="rex/rejet_automatique", contexte={})
            total += len(lot)
