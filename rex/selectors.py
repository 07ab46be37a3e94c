"""Reads scoped to who asks: someone else's request is simply not found (404)."""

from django.db.models import Q, QuerySet

from accounts.models import Entreprise
from rex.models import STATUTS_ACTIFS, Demande, Statut

STATUTS_EN_COURS = (Statut.EN_ETUDE, Statut.INCOMPLETE)
STATUTS_AUTORISATIONS = (Statut.OCTROYEE, Statut.MODIFICATION_DEMANDEE, Statut.REVOQUEE)


def demandes_operateur(user) -> QuerySet[Demande]:
    """Requests an operator may see.

    A draft belongs to the side that writes it (the representative when one files); once submitted,
    the request is visible to the holder's company and to the representative who filed it.
    """
    if user.entreprise_id is None:
        return Demande.objects.none()
    entreprise_id = user.entreprise_id
    brouillons = Q(statut=Statut.BROUILLON) & (
        Q(representant_id=entreprise_id) | Q(representant__isnull=True, titulaire_id=entreprise_id)
    )
    deposees = ~Q(statut=Statut.BROUILLON) & (
        Q(titulaire_id=entreprise_id) | Q(representant_id=entreprise_id)
    )
    return Demande.objects.filter(brouillons | deposees)


def demandes_agent(user) -> QuerySet[Demande]:
    """Requests an officer may see: the submitted ones his service is in charge of."""
    if user.service_id is None:
        return Demande.objects.none()
    return Demande.objects.exclude(statut=Statut.BROUILLON).filter(service_id=user.service_id)


def tableau_accueil(user) -> dict[str, list[Demande]]:
    """The four lists of the REX home (guide §3.5), in one query whatever their size."""
    rows = demandes_operateur(user).select_related("titulaire", "service").order_by("-updated_at", "-pk")
    lists: dict[str, list[Demande]] = {
        "en_cours": [],
        "brouillons": [],
        "autorisations": [],
        "rejetees": [],
    }
    for demande in rows:
        if demande.statut in STATUTS_EN_COURS:
            lists["en_cours"].append(demande)
        elif demande.statut == Statut.BROUILLON:
            lists["brouillons"].append(demande)
        elif demande.statut in STATUTS_AUTORISATIONS:
            lists["autorisations"].append(demande)
        elif demande.statut == Statut.REJETEE:
            lists["rejetees"].append(demande)
    return lists


def clients_representes(entreprise: Entreprise) -> QuerySet[Entreprise]:
    """Operators a customs representative may file for today (running mandate)."""
    return Entreprise.objects.filter(
        mandats_represente__in=entreprise.mandats_representant.en_cours()
    ).order_by("raison_sociale")


def demande_active_existe(titulaire: Entreprise, *, sauf: Demande | None = None) -> bool:
    """Guide §5.1: an EORI holding a valid REX number or a filed request cannot file again."""
    qs = Demande.objects.filter(titulaire=titulaire, statut__in=STATUTS_ACTIFS)
    if sauf is not None and sauf.pk:
        qs = qs.exclude(pk=sauf.pk)
    return qs.exists()
