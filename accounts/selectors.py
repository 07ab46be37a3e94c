"""Reads that depend on who asks: the online services of an account, its pending requests."""

import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from accounts.models import DemandeHabilitation, Departement, User


@dataclass(frozen=True)
class ServiceEnLigne:
    """An entry of the online services catalogue (« Services en ligne »)."""

    code: str
    titre: str
    mots_cles: str
    carte: str  # template of its card, which knows the account's next step


SOPRANO = ServiceEnLigne(
    code="soprano",
    titre="Demande d'autorisation douanière et fiscale (SOPRANO)",
    mots_cles="soprano rex origine exportateur enregistré autorisation douane",
    carte="accounts/_carte_soprano.html",
)
CATALOGUE: tuple[ServiceEnLigne, ...] = (SOPRANO,)


def _normaliser(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c)).casefold()


def rechercher_services(*, q: str) -> list[ServiceEnLigne]:
    """Services whose title or keywords hold every word typed, ignoring case and accents."""
    mots = _normaliser(q).split()
    return [
        service
        for service in CATALOGUE
        if all(mot in _normaliser(f"{service.titre} {service.mots_cles}") for mot in mots)
    ]


def services_du_tableau_de_bord(*, user: User) -> list[ServiceEnLigne]:
    """« Mon tableau de bord »: the services a certified account gives access to (guide §3.3)."""
    if not user.est_certifie or user.est_agent:
        return []
    return list(CATALOGUE)


def demande_habilitation_en_cours(*, user: User) -> DemandeHabilitation | None:
    return (
        DemandeHabilitation.objects.filter(user=user, traitee_le=None).select_related("departement").first()
    )


def departements() -> QuerySet[Departement]:
    return Departement.objects.order_by("code")


def courriels_pae_administration() -> list[str]:
    """The PAE staff of the administration: active staff accounts that may handle habilitation requests
    (the permission given directly, through a group, or as superuser). They receive the requests of a
    département whose PAE has no address yet."""
    permission = Q(content_type__app_label="accounts", codename="change_demandehabilitation")
    permissions = Permission.objects.filter(permission)
    return sorted(
        set(
            User.objects.filter(is_active=True, is_staff=True)
            .exclude(email="")
            .filter(
                Q(is_superuser=True)
                | Q(user_permissions__in=permissions)
                | Q(groups__permissions__in=permissions)
            )
            .values_list("email", flat=True)
        )
    )
