"""A request's page, on either side, read in a constant number of queries whatever its rows.

Three queries, however many contacts, goods rows, documents, messages and events the request holds:

1. the request, scoped to the user, with its related rows (select_related), the user's object permission
   of his side (rex.permissions.avec_acces: the action buttons need no guardian query) and, in the same
   result, its holder's other requests that may be versions of it (the « Versions » table, the
   modification being instructed);
2. its contacts, goods rows, documents, messages and history, in one UNION ALL (rex.prefetch), with the
   contacts and goods rows of the registration a modification changes (its orange marks);
3. its preferential frameworks (and the registration's).

A request out of the user's scope is a 404, as with get_object_or_404.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Subquery, prefetch_related_objects
from django.http import Http404

from accounts.models import User
from rex import permissions, prefetch
from rex.models import Demande
from rex.versions import STATUTS_VERSIONS, chaine_des_versions, modification_parmi

SELECT_RELATED = ("titulaire", "representant", "bureau", "service", "agent", "version_precedente")


def lignes_recap(demande: Demande) -> dict:
    """The rows of the recap (rubriques 4 to 6, documents): prefetched ones are not read again."""
    return {
        "contacts_lignes": list(demande.contacts.all()),
        "marchandises_lignes": list(demande.marchandises.all()),
        "cadres": list(demande.cadres.all()),
        "documents": list(demande.documents.all()),
    }


@dataclass
class Dossier:
    demande: Demande
    versions: list[Demande]
    modification_en_cours: Demande | None
    verificateur: permissions.PermissionsLues

    def recap(self) -> dict:
        """The rows of the recap (rubriques 4 to 6, documents), already read."""
        return lignes_recap(self.demande)

    @property
    def messages_fil(self) -> list:
        return list(self.demande.messages.all())

    @property
    def evenements(self) -> list:
        return list(self.demande.evenements.all())


def lire(user, visibles: QuerySet[Demande], pk: int) -> Dossier:
    """The request `pk` among `visibles` (the user's scope), with everything its page shows."""
    titulaire = Demande.objects.filter(pk=pk).values("titulaire_id")[:1]
    lignes = list(
        permissions.avec_acces(visibles, user)
        .filter(Q(pk=pk) | (Q(titulaire_id=Subquery(titulaire)) & Q(statut__in=STATUTS_VERSIONS)))
        .select_related(*SELECT_RELATED)
        .order_by("created_at", "pk")
    )
    demande = next((ligne for ligne in lignes if ligne.pk == pk), None)
    if demande is None:
        raise Http404("No Demande matches the given query.")
    candidats = [ligne for ligne in lignes if ligne.pk != pk]
    precedente = demande.version_precedente
    avec_precedente = [demande, precedente] if precedente is not None else [demande]
    prefetch.en_une_requete(
        {
            "contacts": avec_precedente,
            "marchandises": avec_precedente,
            "documents": [demande],
            "messages": [demande],
            "evenements": [demande],
        }
    )
    prefetch_related_objects(avec_precedente, "cadres")
    _entreprise_connue(user, demande)
    return Dossier(
        demande=demande,
        versions=chaine_des_versions(candidats, demande),
        modification_en_cours=modification_parmi(candidats, demande),
        verificateur=permissions.PermissionsLues(user),
    )


def _entreprise_connue(user, demande: Demande) -> None:
    """The operator's company is the holder or the representative, read with the request: the action
    rules that look at it (rex.actions) do not read it again."""
    if user.entreprise_id is None:
        return
    for entreprise in (demande.titulaire, demande.representant):
        if entreprise is not None and entreprise.pk == user.entreprise_id:
            User._meta.get_field("entreprise").set_cached_value(user, entreprise)
            return
