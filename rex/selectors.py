"""Reads scoped to who asks: someone else's request is simply not found (404)."""

import re
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from guardian.shortcuts import get_objects_for_user

from accounts.models import Entreprise, User
from rex import permissions
from rex.models import (
    PAPIER_EN_COURS,
    STATUTS_ACTIFS,
    STATUTS_AUTORISATIONS,
    STATUTS_DEPOSES,
    STATUTS_EN_INSTRUCTION,
    STATUTS_MODIFIABLES,
    Demande,
    Evenement,
    FiltreEnregistre,
    Statut,
)
from rex.pagination import Ordre, Segment

ECHEANCE_PROCHE = timedelta(days=7)


def demandes_operateur(user) -> QuerySet[Demande]:
    """Requests an operator may see.

    A draft belongs to the side that writes it (the representative when one files); once submitted,
    the request is visible to the holder's company and to the representative who filed it. A draft
    filed by a customs service from the paper form is the service's: the holder sees it once submitted.
    """
    if user.entreprise_id is None:
        return Demande.objects.none()
    entreprise_id = user.entreprise_id
    brouillons = Q(statut=Statut.BROUILLON, depot_papier=False) & (
        Q(representant_id=entreprise_id)
        | Q(representant__isnull=True, titulaire_id=entreprise_id)
        # The draft of a modification belongs to the registration's holder as well.
        | Q(version_precedente__isnull=False, titulaire_id=entreprise_id)
    )
    deposees = ~Q(statut=Statut.BROUILLON) & (
        Q(titulaire_id=entreprise_id) | Q(representant_id=entreprise_id)
    )
    return Demande.objects.filter(brouillons | deposees)


def depots_papier_en_cours(user) -> QuerySet[Demande]:
    """Paper drafts an officer may fill in (guide §5, « À noter »): his service holds
    « instruire_demande » on them."""
    if user.service_id is None:
        return Demande.objects.none()
    # From the paper drafts (their own small index), not from the service's permissions (one per request).
    return permissions.autorisees(Demande.objects.filter(PAPIER_EN_COURS), user)


def demandes_formulaire(user) -> QuerySet[Demande]:
    """Requests reachable through the pages of the request form (form, documents, recap).

    An operator's own requests; for a customs officer, only the paper requests of his service: its
    drafts, and those « Incomplète » whose complement arrives on paper.
    """
    if user.service_id is not None:
        return get_objects_for_user(
            user,
            f"rex.{permissions.INSTRUIRE}",
            klass=Demande.objects.filter(depot_papier=True, statut__in=STATUTS_MODIFIABLES),
            accept_global_perms=False,
            with_superuser=False,
        )
    return demandes_operateur(user)


def demandes_agent(user) -> QuerySet[Demande]:
    """Requests an officer may see: the submitted ones his service is in charge of."""
    if user.service_id is None:
        return Demande.objects.none()
    return Demande.objects.exclude(statut=Statut.BROUILLON).filter(service_id=user.service_id)


# The queue's orders (keyset pagination, rex.pagination), each served by an index of migration 0011.
# By deadline: the requests with one (only « Incomplète » ones have one: model constraint), nearest
# first, then the others by last update.
SEGMENT_MAJ = Segment(
    "m", ("-updated_at", "-pk"), Q(date_limite__isnull=True), lambda d: d.date_limite is None
)
SEGMENT_ECHEANCE = Segment(
    "e",
    ("date_limite", "-updated_at", "-pk"),
    Q(date_limite__isnull=False),
    lambda d: d.date_limite is not None,
)
ORDRE_MAJ = Ordre((Segment("m", ("-updated_at", "-pk")),), ("-updated_at", "-pk"))
ORDRE_ECHEANCE = Ordre(
    (SEGMENT_ECHEANCE, SEGMENT_MAJ), (F("date_limite").asc(nulls_last=True), "-updated_at", "-pk")
)
TRI_ECHEANCE = "echeance"
# Beyond this, a filtered count stops: « Plus de 1 000 demandes » (the counters give the exact totals).
PLAFOND_DECOMPTE = 1000
# « 2026-00042 »: a request number typed without its « FR-REX- ».
NUMERO_SANS_PREFIXE = re.compile(r"[0-9]{4}-[0-9]{0,5}")


def file_agent(
    user, *, statut: str = "", agent: str = "", echeance: str = "", q: str = "", tri: str = ""
) -> QuerySet[Demande]:
    """The officer's queue, filtered and sorted (the whole order: `ordre_file` pages through it).

    agent: "moi" (mine), "aucun" (nobody in charge) or an officer's id; echeance: "depassee" (past the
    30-day deadline) or "proche" (due within 7 days); tri: "echeance" (nearest deadline first) or the
    last update (default). The deadline only exists on « Incomplète » requests (model constraint).
    q: a request number or an EORI as a prefix (case and spaces aside), or part of the raison sociale
    (PostgreSQL: through its trigram index; elsewhere a plain scan).
    """
    demandes = demandes_agent(user).select_related("agent")
    if statut:
        demandes = demandes.filter(statut=statut)
    if agent == "moi":
        demandes = demandes.filter(agent_id=user.pk)
    elif agent == "aucun":
        demandes = demandes.filter(agent__isnull=True)
    elif agent:
        demandes = demandes.filter(agent_id=agent)
    maintenant = timezone.now()
    if echeance:
        # Said explicitly (the constraint implies it): the rows come from the (service, statut) index.
        demandes = demandes.filter(statut=Statut.INCOMPLETE)
    if echeance == "depassee":
        demandes = demandes.filter(date_limite__lte=maintenant)
    elif echeance == "proche":
        demandes = demandes.filter(date_limite__gt=maintenant, date_limite__lte=maintenant + ECHEANCE_PROCHE)
    q = " ".join((q or "").split())
    if q:
        compact = "".join(q.split()).upper()
        recherche = (
            Q(numero__startswith=compact)
            | Q(titulaire_eori__startswith=compact)
            | Q(titulaire_raison_sociale__icontains=q)
        )
        if NUMERO_SANS_PREFIXE.fullmatch(compact):
            recherche |= Q(numero__startswith=f"FR-REX-{compact}")
        demandes = demandes.filter(recherche)
    return demandes.order_by(*ordre_file(tri=tri, statut=statut, echeance=echeance).complet)


def ordre_file(*, tri: str = "", statut: str = "", echeance: str = "", **autres) -> Ordre:
    """The queue's order for keyset pagination; by deadline, only the segment a status filter leaves."""
    if tri != TRI_ECHEANCE:
        return ORDRE_MAJ
    if echeance or statut == Statut.INCOMPLETE:
        return Ordre((SEGMENT_ECHEANCE,), ("date_limite", "-updated_at", "-pk"))
    if statut:
        return Ordre((SEGMENT_MAJ,), ("-updated_at", "-pk"))
    return ORDRE_ECHEANCE


def decompte_file(demandes: QuerySet[Demande]) -> int:
    """How many requests a filtered queue holds, counted up to PLAFOND_DECOMPTE + 1 (never the whole
    service: an index range, stopped there)."""
    return demandes.order_by().values("pk")[: PLAFOND_DECOMPTE + 1].count()


def export_file(user, **filtres) -> QuerySet[Demande]:
    """The whole filtered queue, in its order, with only what the export's columns read (one query,
    whatever its size: the exports iterate it by chunks)."""
    return (
        file_agent(user, **filtres)
        .select_related("agent", "service")
        .only(
            "numero",
            "statut",
            "titulaire_raison_sociale",
            "titulaire_eori",
            "soumise_le",
            "updated_at",
            "date_limite",
            "agent__username",
            "agent__first_name",
            "agent__last_name",
            "service__nom",
        )
    )


def filtres_enregistres(user) -> QuerySet[FiltreEnregistre]:
    """« Mes filtres »: the officer's own, by name (the (user, nom) unique index; a few rows at most)."""
    return FiltreEnregistre.objects.filter(user_id=user.pk).order_by("nom")


def compteurs_agent(user) -> dict[str, int]:
    """How many requests of the officer's service are in each status, in one aggregate query: an
    index-only scan of the (service, statut, …) index, which never reads the rows themselves."""
    compteurs = dict.fromkeys(STATUTS_DEPOSES, 0)
    lignes = demandes_agent(user).order_by().values_list("statut").annotate(nombre=Count("*"))
    compteurs.update(dict(lignes))
    return compteurs


def agents_du_service(user) -> QuerySet[User]:
    """The active officers of the user's service (the « agent en charge » filter)."""
    if user.service_id is None:
        return User.objects.none()
    return User.objects.filter(service_id=user.service_id, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def abandons_service(user) -> QuerySet[Evenement]:
    """« Historique du service »: the anonymous traces left by requests abandoned while in its charge."""
    if user.service_id is None:
        return Evenement.objects.none()
    return Evenement.objects.filter(kind=Evenement.Kind.ABANDON, service_id=user.service_id).order_by(
        "-created_at", "-pk"
    )


# The four lists of the REX home (guide §3.5), in their order, with their statuses.
LISTES_ACCUEIL = {
    "en_cours": STATUTS_EN_INSTRUCTION,
    "brouillons": (Statut.BROUILLON,),
    "autorisations": STATUTS_AUTORISATIONS,
    "rejetees": (Statut.REJETEE,),
}
PAR_PAGE_ACCUEIL = 25


def demandes_accueil(user, *, q: str = "", client: str = "") -> QuerySet[Demande]:
    """The operator's requests shown on the REX home, narrowed by the search and the client.

    q: the start of a request or REX number, of an EORI, or a part of the raison sociale; client (a
    representative's filter): the start of the client's EORI or a part of its raison sociale. Both read
    only the user's own requests (the indexes on the holder and on the representative find them).
    """
    demandes = demandes_operateur(user)
    q = (q or "").strip()
    if q:
        demandes = demandes.filter(
            Q(numero__istartswith=q) | Q(numero_rex__istartswith=q) | Q(titulaire_id__in=_entreprises(q))
        )
    client = (client or "").strip()
    if client:
        demandes = demandes.filter(titulaire_id__in=_entreprises(client))
    return demandes


def _entreprises(texte: str) -> QuerySet[Entreprise]:
    """The companies whose EORI starts with `texte` or whose name holds it: a subquery of its own, which
    PostgreSQL answers from the EORI prefix and name trigram indexes (accounts migration 0003) instead of
    joining every company to the user's requests."""
    entreprises = Entreprise.objects.filter(Q(eori__istartswith=texte) | Q(raison_sociale__icontains=texte))
    return entreprises.values("pk")


def tableau_accueil(user, *, q: str = "", client: str = "", onglet: str = "", page=None) -> dict[str, Page]:
    """The four lists of the REX home (guide §3.5), last updated first, PAR_PAGE_ACCUEIL rows a page.

    `page` is the page of the list `onglet` (the others show their first page). The four counts come
    from one aggregate; each page reads its rows (one query) only when shown: a constant number of
    queries whatever the number of requests or clients.
    """
    demandes = demandes_accueil(user, q=q, client=client)
    comptes = demandes.order_by().aggregate(
        **{liste: Count("pk", filter=Q(statut__in=statuts)) for liste, statuts in LISTES_ACCUEIL.items()}
    )
    listes = {}
    for liste, statuts in LISTES_ACCUEIL.items():
        paginator = Paginator(
            demandes.filter(statut__in=statuts)
            .select_related("titulaire", "service")
            .order_by("-updated_at", "-pk"),
            PAR_PAGE_ACCUEIL,
        )
        paginator.count = comptes[liste]  # already counted: no COUNT query per list
        listes[liste] = paginator.get_page(page if liste == onglet else 1)
    return listes


def clients_representes(entreprise: Entreprise) -> QuerySet[Entreprise]:
    """Operators a customs representative may file for today (running mandate)."""
    return Entreprise.objects.filter(
        mandats_represente__in=entreprise.mandats_representant.en_cours()
    ).order_by("raison_sociale")


def demande_active_existe(titulaire: Entreprise, *, sauf: Demande | None = None) -> bool:
    """Guide §5.1: an EORI holding a valid REX number or a filed request cannot file again."""
    qs = Demande.objects.filter(titulaire=titulaire, statut__in=STATUTS_ACTIFS)
    if sauf is not None and sauf.pk:
        # A modification does not compete with the registration it modifies.
        qs = qs.exclude(pk__in=[sauf.pk, sauf.version_precedente_id])
    return qs.exists()


def abandon_connu(user, pk: int) -> Evenement | None:
    """The trace of the abandoned request `pk`, for those who knew it: the holder's company or its
    representative, or the service in charge; None for anyone else (the link is then simply unknown)."""
    if not user.is_authenticated:
        return None
    trace = Evenement.objects.filter(kind=Evenement.Kind.ABANDON, payload__demande_id=pk).first()
    if trace is None:
        return None
    if user.service_id is not None and user.service_id == trace.service_id:
        return trace
    if user.entreprise_id is not None and user.entreprise_id in trace.payload.get("entreprises", []):
        return trace
    return None


def dernier_telephone(entreprise: Entreprise, *, representant: bool) -> str:
    """The phone the company gave in its last request (rubrique 3 as a representative, else rubrique 2):
    proposed again in its next one. One query, on the company's requests."""
    if representant:
        demandes, champ = Demande.objects.filter(representant=entreprise), "representant_telephone"
    else:
        demandes, champ = Demande.objects.filter(titulaire=entreprise), "telephone"
    return (
        demandes.exclude(**{champ: ""}).order_by("-updated_at", "-pk").values_list(champ, flat=True).first()
        or ""
    )


# The iCalendar feed lists at most this many deadlines, nearest first: a feed of bounded size.
LIMITE_CALENDRIER = 500


def echeances_calendrier(user) -> QuerySet[Demande]:
    """« Calendrier des échéances »: the deadlines of the « Incomplète » requests the user follows.

    An operator: those of his company and of the clients he filed for (what demandes_operateur shows
    him); an officer: those in his charge (the queue's index on service and officer). Nearest first, at
    most LIMITE_CALENDRIER; the fields the feed needs only.
    """
    if user.est_agent:
        demandes = demandes_agent(user).filter(agent=user)
    elif user.est_habilite:
        demandes = demandes_operateur(user)
    else:
        return Demande.objects.none()
    return (
        demandes.filter(statut=Statut.INCOMPLETE, date_limite__isnull=False)
        .order_by("date_limite", "pk")
        .only("pk", "numero", "date_limite", "titulaire_raison_sociale")[:LIMITE_CALENDRIER]
    )
