"""Who may do what on a request, in which status: one registry for views, templates, services and tests.

The statuses where a status-changing action is possible are read from the state machine itself
(django-fsm transitions on `Demande.statut`), never listed by hand.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from rex import permissions
from rex.models import (
    STATUTS_ACTIFS,
    STATUTS_DEPOSES,
    STATUTS_EN_INSTRUCTION,
    STATUTS_TERMINES,
    Demande,
    Statut,
)

OPERATEUR = "operateur"
SERVICE = "service"
SYSTEME = "systeme"


@dataclass(frozen=True)
class Condition:
    """A rule of an action beyond its side and its statuses, with the French refusal when it does not hold."""

    tient: Callable[[object, Demande], bool]  # (user, request) -> whether the action is possible
    refus: str


@dataclass(frozen=True)
class Action:
    nom: str
    libelle: str
    cote: str
    transition: str = ""  # the model transition it fires, if any
    statuts_hors_transition: tuple[str, ...] = ()  # for actions that change no status
    conditions: tuple[Condition, ...] = ()

    @property
    def statuts(self) -> frozenset[str]:
        if self.transition:
            return sources_de(self.transition)
        return frozenset(self.statuts_hors_transition)


def _autre_demande_active(demande: Demande) -> bool:
    """Whether the holder has another request filed or a REX registration in force (guide §5.1): one query."""
    return (
        Demande.objects.filter(titulaire_id=demande.titulaire_id, statut__in=STATUTS_ACTIFS)
        .exclude(pk=demande.pk)
        .exists()
    )


def _peut_dupliquer(user, demande: Demande) -> bool:
    if user.entreprise is not None and user.entreprise.est_representant_en_douane:
        return True
    # Guide §6.3: not while the holder has a registration (a rejected modification leaves it « Octroyée »).
    return demande.statut in STATUTS_TERMINES and not _autre_demande_active(demande)


DUPLICATION = Condition(
    _peut_dupliquer,
    "Il n'est pas possible de dupliquer une demande d'enregistrement si vous détenez déjà un "
    "enregistrement REX ou une demande en cours : la duplication est réservée aux représentants "
    "en douane, ou possible après un rejet ou une révocation (guide, point 6.3).",
)
REVOCATION_ANNULABLE = Condition(
    lambda user, demande: not _autre_demande_active(demande),
    "Action « Annuler la révocation » impossible : le titulaire a déposé une nouvelle demande ou "
    "détient un autre enregistrement REX en cours de validité (un seul par EORI, guide, point 5.1).",
)
COMPLEMENT_PAPIER = Condition(
    lambda user, demande: demande.depot_papier,
    "Action « Enregistrer le complément reçu sur papier » impossible : la demande n'a pas été "
    "déposée sur formulaire papier ; le demandeur la complète en ligne.",
)
ABANDON_PAPIER = Condition(
    lambda user, demande: demande.depot_papier,
    "Action « Abandonner » impossible : ce brouillon n'est pas un dépôt sur formulaire papier.",
)
PAS_UNE_MODIFICATION = Condition(
    lambda user, demande: not demande.est_modification,
    "Action « Octroyer » impossible : une demande de modification se valide avec "
    "« Valider la modification ».",
)
UNE_MODIFICATION = Condition(
    lambda user, demande: demande.est_modification,
    "Action « Valider la modification » impossible : cette demande n'est pas une demande de modification "
    "d'un enregistrement.",
)
PAS_DEJA_EN_CHARGE = Condition(
    lambda user, demande: demande.agent_id != user.pk,
    "Vous avez déjà pris en charge cette demande.",
)

ACTIONS = {
    a.nom: a
    for a in (
        # Operator side (guide §6)
        Action("completer", "Compléter la demande", OPERATEUR, transition="transmettre_complement"),
        Action(
            "dupliquer",
            "Dupliquer",
            OPERATEUR,
            statuts_hors_transition=STATUTS_DEPOSES,
            conditions=(DUPLICATION,),
        ),
        Action(
            "demander_modification",
            "Demander des modifications de cet enregistrement",
            OPERATEUR,
            transition="demander_modification",
        ),
        Action(
            "abandonner",
            "Abandonner la demande",
            OPERATEUR,
            statuts_hors_transition=(Statut.BROUILLON, *STATUTS_EN_INSTRUCTION),
        ),
        Action("ecrire_operateur", "Envoyer le message", OPERATEUR, statuts_hors_transition=STATUTS_DEPOSES),
        # Customs service side
        Action(
            "prendre_en_charge",
            "Prendre en charge",
            SERVICE,
            statuts_hors_transition=STATUTS_EN_INSTRUCTION,
            conditions=(PAS_DEJA_EN_CHARGE,),
        ),
        Action("reaffecter", "Réaffecter", SERVICE, statuts_hors_transition=STATUTS_EN_INSTRUCTION),
        # Guide §5 « À noter »: the service that keys in a paper form may drop its draft.
        Action(
            "abandonner_depot_papier",
            "Abandonner",
            SERVICE,
            statuts_hors_transition=(Statut.BROUILLON,),
            conditions=(ABANDON_PAPIER,),
        ),
        Action(
            "demander_complement",
            "Demander des informations complémentaires",
            SERVICE,
            transition="demander_complement",
        ),
        # Guide §5 « À noter »: a request filed on paper may be completed on paper; the service keys it in.
        Action(
            "completer_depot_papier",
            "Enregistrer le complément reçu sur papier",
            SERVICE,
            transition="transmettre_complement",
            conditions=(COMPLEMENT_PAPIER,),
        ),
        Action("rejeter", "Rejeter", SERVICE, transition="rejeter"),
        Action("octroyer", "Octroyer", SERVICE, transition="octroyer", conditions=(PAS_UNE_MODIFICATION,)),
        Action(
            "valider_modification",
            "Valider la modification",
            SERVICE,
            transition="valider_modification",
            conditions=(UNE_MODIFICATION,),
        ),
        Action("revoquer", "Révoquer l'enregistrement", SERVICE, transition="revoquer"),
        Action(
            "annuler_revocation",
            "Annuler la révocation",
            SERVICE,
            transition="annuler_revocation",
            conditions=(REVOCATION_ANNULABLE,),
        ),
        Action("ecrire_service", "Envoyer le message", SERVICE, statuts_hors_transition=STATUTS_DEPOSES),
        # SOPRANO itself
        Action(
            "rejeter_automatiquement",
            "Rejet automatique",
            SYSTEME,
            transition="rejeter_automatiquement",
        ),
    )
}


@cache
def sources_de(transition: str) -> frozenset[str]:
    """The statuses from which the state machine allows `transition`."""
    field = Demande._meta.get_field("statut")
    sources = {
        t.source
        for t in field.get_all_transitions(Demande)
        if t.name == transition and t.source not in ("*", "+")
    }
    if not sources:
        raise LookupError(f"No transition named {transition!r} on Demande.statut")
    return frozenset(sources)


def cote_de(user, demande: Demande, verificateur=None) -> str | None:
    """Which side of the request the user is on, from the object permissions (django-guardian)."""
    if user is None:
        return SYSTEME
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return None
    verificateur = verificateur or permissions.verificateur(user)
    if user.service_id is not None:
        return SERVICE if verificateur.has_perm(permissions.INSTRUIRE, demande) else None
    if user.entreprise_id is not None and verificateur.has_perm(permissions.SUIVRE, demande):
        return OPERATEUR
    return None


def refus(user, demande: Demande, nom: str, cote: str | None = "?") -> str | None:
    """None when `user` may do action `nom` on `demande` now; otherwise why not, in French: the side, the
    status, then the action's own conditions, in that order. Adding an action is adding one entry."""
    action = ACTIONS[nom]
    if cote == "?":
        cote = cote_de(user, demande)
    if cote != action.cote:
        return "Vous n'avez pas accès à cette action sur cette demande."
    if demande.statut not in action.statuts:
        return (
            f"Action « {action.libelle} » impossible : la demande est au statut "
            f"« {demande.get_statut_display()} »."
        )
    for condition in action.conditions:
        if not condition.tient(user, demande):
            return condition.refus
    return None


def nom_complement(user) -> str:
    """Completing an « Incomplète » request: online by the holder's side, or, for a request filed on
    paper, by the service in charge, from the complement received on paper."""
    return "completer_depot_papier" if user.service_id is not None else "completer"


def nom_abandon(user) -> str:
    """The abandon of the user's side: an officer only abandons his service's paper drafts."""
    return "abandonner_depot_papier" if user.service_id is not None else "abandonner"


def peut(user, demande: Demande, nom: str) -> bool:
    return refus(user, demande, nom) is None


def actions_possibles(user, demande: Demande, verificateur=None) -> list[Action]:
    """The buttons the user may press on this request (the template shows exactly these).

    `verificateur`: the user's permissions already read (rex.permissions.PermissionsLues), if any.
    """
    cote = cote_de(user, demande, verificateur)
    return [action for nom, action in ACTIONS.items() if refus(user, demande, nom, cote) is None]
