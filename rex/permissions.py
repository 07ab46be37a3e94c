"""Object permissions on requests (django-guardian), given to the groups of companies and services.

« suivre_demande »: the holder's company and the representative who filed (a draft: only its author's
side). « instruire_demande »: the customs service in charge; reassigning moves it. A draft filed by a
customs service from the paper form (guide §5, « À noter ») is that service's alone until submitted:
its group may fill it in, and the holder's company sees nothing before the submission.
"""

from django.contrib.auth.models import Permission
from django.db.models import OuterRef, Q, QuerySet, Subquery

from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, remove_perm

from accounts.groupes import groupe, nom_groupe_entreprise, nom_groupe_service
from rex.models import Demande, DemandeGroupePermission, DemandeUtilisateurPermission, Statut

SUIVRE = "suivre_demande"
INSTRUIRE = "instruire_demande"


def accorder_acces(demande: Demande) -> None:
    """Gives the request's permissions to the groups that must have them now."""
    if demande.statut == Statut.BROUILLON and demande.depot_papier:
        # Given once, at creation: the filing service keeps its draft even if rubrique 1 names another
        # office; the submission then hands the request to the office named (see reserver_instruction).
        if demande.bureau_id:
            assign_perm(INSTRUIRE, groupe(nom_groupe_service(demande.bureau_id)), demande)
        return
    if demande.statut == Statut.BROUILLON and not demande.version_precedente_id:
        proprietaires = {demande.representant_id or demande.titulaire_id}
    else:
        proprietaires = {demande.titulaire_id, demande.representant_id}
    for entreprise_id in proprietaires - {None}:
        assign_perm(SUIVRE, groupe(nom_groupe_entreprise(entreprise_id)), demande)
    if demande.service_id and demande.statut != Statut.BROUILLON:
        assign_perm(INSTRUIRE, groupe(nom_groupe_service(demande.service_id)), demande)


def retirer_instruction(demande: Demande, service_id: int) -> None:
    remove_perm(INSTRUIRE, groupe(nom_groupe_service(service_id)), demande)


def reserver_instruction(demande: Demande) -> None:
    """Only the service in charge keeps « instruire_demande » (a paper draft was its filing service's)."""
    DemandeGroupePermission.objects.filter(content_object=demande, permission__codename=INSTRUIRE).exclude(
        group__name=nom_groupe_service(demande.service_id)
    ).delete()


def verificateur(user) -> ObjectPermissionChecker:
    return ObjectPermissionChecker(user)


def _acces(perm: str) -> str:
    return f"acces_{perm.rpartition('.')[2]}"


def avec_acces(demandes: QuerySet[Demande], user) -> QuerySet[Demande]:
    """The requests, each with the user's permission of his side (« instruire_demande » for an officer,
    « suivre_demande » for an operator) read in the same query, for PermissionsLues: a request's page
    checks it once with the row, instead of the two queries of an ObjectPermissionChecker.

    Each is a scalar subquery (the id of one permission row, or NULL), probed request by request through
    the permissions' index on the request: PostgreSQL never turns it into a hash of every permission
    of the user's groups, as it may an EXISTS (50,000 rows for a large service's group).
    """
    codename = INSTRUIRE if user.service_id is not None else SUIVRE
    # The permission's id, read once for the whole query (a subquery that depends on no row).
    permission = Subquery(
        Permission.objects.filter(
            codename=codename,
            content_type__app_label=Demande._meta.app_label,
            content_type__model=Demande._meta.model_name,
        ).values("pk")[:1]
    )
    par_utilisateur = DemandeUtilisateurPermission.objects.filter(
        content_object=OuterRef("pk"), user_id=user.pk, permission_id=permission
    )
    par_groupe = DemandeGroupePermission.objects.filter(
        content_object=OuterRef("pk"), group__user=user.pk, permission_id=permission
    )
    return demandes.annotate(
        **{
            f"{_acces(codename)}_utilisateur": Subquery(par_utilisateur.values("pk")[:1]),
            f"{_acces(codename)}_groupe": Subquery(par_groupe.values("pk")[:1]),
        }
    )


def autorisees(demandes: QuerySet[Demande], user) -> QuerySet[Demande]:
    """The requests among `demandes` on which the user holds his side's permission, as guardian's
    get_objects_for_user (object permissions of the user or of his groups) but read from the requests:
    their own index first, then each one's permission (not every permission of a 50,000-request service
    before the few requests asked for)."""
    nom = _acces(INSTRUIRE if user.service_id is not None else SUIVRE)
    return avec_acces(demandes, user).filter(
        Q(**{f"{nom}_utilisateur__isnull": False}) | Q(**{f"{nom}_groupe__isnull": False})
    )


class PermissionsLues:
    """Answers like guardian's ObjectPermissionChecker.has_perm, from the permissions that avec_acces read
    with the request; for a request read otherwise, or another permission, asks guardian."""

    def __init__(self, user):
        self.user = user
        self._guardian = None

    def has_perm(self, perm: str, demande: Demande) -> bool:
        nom = _acces(perm)
        if not hasattr(demande, f"{nom}_utilisateur"):
            self._guardian = self._guardian or ObjectPermissionChecker(self.user)
            return self._guardian.has_perm(perm, demande)
        if not self.user.is_active:
            return False
        if self.user.is_superuser:
            return True
        return any(getattr(demande, f"{nom}_{par}") is not None for par in ("utilisateur", "groupe"))
