"""The officers' queue in bulk: « Prendre en charge » or « Réaffecter » several requests at once.

Not one transaction: each request goes through its own service call (rex.services.instruction), which
locks its row, checks the rules and commits alone. A refusal (the rules, the state machine, a request
gone meanwhile) is kept with its reason and the others go on.
"""

from dataclasses import dataclass, field

from django_fsm import TransitionNotAllowed

from accounts.models import BureauDouane, User
from rex.models import Demande
from rex.services.base import ActionRefusee
from rex.services.instruction import prendre_en_charge, reaffecter

# The same answer for an id of another service and for one that does not exist: nothing leaks.
INTROUVABLE = "introuvable"


@dataclass
class Bilan:
    reussies: list[Demande] = field(default_factory=list)
    refusees: list[tuple[str, str]] = field(default_factory=list)  # (the request named, why)


def en_groupe(
    *,
    by: User,
    demandes: dict[int, Demande],
    ids: list[int],
    action: str,
    service: BureauDouane | None = None,
    commentaire: str = "",
) -> Bilan:
    """Applies `action` ("prendre_en_charge" or "reaffecter") to each id of `ids`, in that order.

    `demandes`: the requests of `ids` the officer may see (rex.selectors.demandes_agent), by id; an id
    missing there is refused as « introuvable ». Side effects: those of each service, after its commit.
    """
    bilan = Bilan()
    for pk in ids:
        demande = demandes.get(pk)
        if demande is None:
            bilan.refusees.append((f"n° {pk}", INTROUVABLE))
            continue
        try:
            if action == "reaffecter":
                demande = reaffecter(demande=demande, by=by, service=service, commentaire=commentaire)
            else:
                demande = prendre_en_charge(demande=demande, by=by)
        except (ActionRefusee, TransitionNotAllowed) as exc:
            bilan.refusees.append((demande.numero, str(exc)))
        else:
            bilan.reussies.append(demande)
    return bilan
