"""Automatic rejection after 30 days without an answer (guide §6.2, §8).

Set-based: one run selects every overdue request by date (so missed runs are caught up), locks a batch
with SKIP LOCKED (an officer acting on one at that moment keeps it), applies the model transition in
memory, and writes the batch with a constant number of queries. Idempotent: a second run finds nothing.
"""

from django.db import transaction
from django.utils import timezone

from rex import emails
from rex.models import Demande, Evenement, Statut

TAILLE_LOT = 500


def rejeter_delais_depasses(*, now=None, taille_lot: int = TAILLE_LOT) -> int:
    """Rejects every request still Incomplète whose deadline has passed; returns how many."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            lot = list(
                Demande.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(statut=Statut.INCOMPLETE, date_limite__lte=now)
                .select_related("service")
                .order_by("date_limite", "pk")[:taille_lot]
            )
            if not lot:
                return total
            # A rejected modification gives its registration back (locked here too; if one is busy,
            # its modification waits for the next run).
            precedentes = {
                r.pk: r
                for r in Demande.objects.select_for_update(skip_locked=True, of=("self",)).filter(
                    pk__in=[d.version_precedente_id for d in lot if d.version_precedente_id],
                    statut=Statut.MODIFICATION_DEMANDEE,
                )
            }
            lot = [d for d in lot if not d.version_precedente_id or d.version_precedente_id in precedentes]
            if not lot:
                return total
            for enregistrement in precedentes.values():
                enregistrement.retablir(by=None, when=now)
                enregistrement.updated_at = now
            for demande in lot:
                demande.rejeter_automatiquement(by=None, when=now)
                demande.updated_at = now
            Demande.objects.bulk_update(
                lot, ["statut", "date_limite", "motif_rejet", "rejetee_le", "updated_at"]
            )
            Demande.objects.bulk_update(list(precedentes.values()), ["statut", "updated_at"])
            Evenement.objects.bulk_create(
                Evenement(
                    demande=enregistrement,
                    numero_demande=enregistrement.numero or "",
                    service_id=enregistrement.service_id,
                    acteur=None,
                    kind=Evenement.Kind.MODIFICATION_REFUSEE,
                    statut_avant=Statut.MODIFICATION_DEMANDEE,
                    statut_apres=enregistrement.statut,
                    commentaire="Demande de modification rejetée automatiquement (délai de 30 jours).",
                )
                for enregistrement in precedentes.values()
            )
            Evenement.objects.bulk_create(
                Evenement(
                    demande=demande,
                    numero_demande=demande.numero or "",
                    service_id=demande.service_id,
                    acteur=None,
                    kind=Evenement.Kind.REJET_AUTOMATIQUE,
                    statut_avant=Statut.INCOMPLETE,
                    statut_apres=demande.statut,
                    commentaire=demande.motif_rejet,
                )
                for demande in lot
            )
            emails.programmer_courriels(
                [
                    (demande.courriel, "rex/rejet_automatique", {}, demande)
                    for demande in lot
                    if demande.courriel
                ]
            )
            total += len(lot)
