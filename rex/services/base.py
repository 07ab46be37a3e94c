"""What every service shares: the refusal, the row lock and the history event."""

from rex import actions
from rex.models import Demande, Evenement


class ActionRefusee(Exception):
    """An action not allowed for this user or in this status; the message is shown as is."""


def verrouiller(demande: Demande) -> Demande:
    """Reloads the row under a lock: two clicks or two people cannot interleave on one request."""
    return (
        Demande.objects.select_for_update(of=("self",))
        .select_related("titulaire", "representant", "service")
        .get(pk=demande.pk)
    )


def autoriser(user, demande: Demande, action: str) -> None:
    """Raises the French reason when `user` may not do `action` on the (locked) request now."""
    raison = actions.refus(user, demande, action)
    if raison:
        raise ActionRefusee(raison)


def evenement(
    demande: Demande, *, by, kind: str, avant: str = "", commentaire: str = "", **payload
) -> Evenement:
    return Evenement.objects.create(
        demande=demande,
        numero_demande=demande.numero or "",
        service_id=demande.service_id,
        acteur=by,
        kind=kind,
        statut_avant=avant,
        statut_apres=demande.statut,
        commentaire=commentaire,
        payload=payload,
    )
