"""« Mes clients »: a customs representative's clients, each with its current REX request, by urgency.

One row per mandate the representative holds (running, ended or not started yet). A client's request
shown is the one that matters most among those the representative may see (selectors.demandes_operateur):
an active one (Incomplète, En étude, Modification demandée, Octroyée, in this order) if any, else the
latest updated. It is chosen by correlated subqueries, one per column, each an index scan of the client's
own requests (index demande_liste_titulaire); the mandates come from their (representant, represente)
index. A page costs three queries whatever the number of clients or requests (page_clients).

Urgency (URGENCE_DEMANDE): Incomplète first, nearest deadline first; then En étude; then Modification
demandée (a registration being modified); then Brouillon (a draft to finish); then Octroyée; then a
request that ended without a valid registration (Rejetée, Révoquée); then a client without any request.
Ties by raison sociale, then by mandate.

Pages are numbered, not keyset (rex.pagination): the order is computed from each client's requests, so
no index can serve it and every page sorts the representative's clients anyway (a few thousand at most:
some 50 ms for 5,000 clients on PostgreSQL, a deep page as the first).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Entreprise, Mandat
from rex.models import STATUTS_ENREGISTRES, Statut
from rex.selectors import demandes_operateur

ECHEANCE_PROCHE = timedelta(days=7)
# The status filter's extra choice: the clients without any request the representative may see.
SANS_DEMANDE = "aucune"
# Which of a client's requests is shown: the active ones first, then the latest.
RANG_DEMANDE = Case(
    When(statut=Statut.INCOMPLETE, then=Value(0)),
    When(statut=Statut.EN_ETUDE, then=Value(1)),
    When(statut=Statut.MODIFICATION_DEMANDEE, then=Value(2)),
    When(statut=Statut.OCTROYEE, then=Value(3)),
    default=Value(4),
)
# The clients' order (see the module's docstring), read on the request shown; 6: no request.
URGENCE_DEMANDE = Case(
    When(statut=Statut.INCOMPLETE, then=Value(0)),
    When(statut=Statut.EN_ETUDE, then=Value(1)),
    When(statut=Statut.MODIFICATION_DEMANDEE, then=Value(2)),
    When(statut=Statut.BROUILLON, then=Value(3)),
    When(statut=Statut.OCTROYEE, then=Value(4)),
    default=Value(5),
)
SANS_DEMANDE_URGENCE = 6


def clients_representant(user, *, q: str = "", statut: str = "", echeance: bool = False) -> QuerySet[Mandat]:
    """The representative's mandates with their client and its current request, by urgency.

    q: the start of the client's EORI or a part of its raison sociale (the companies' prefix and trigram
    indexes); statut: a status of STATUTS_CLIENTS, or SANS_DEMANDE; echeance: only the « Incomplète »
    requests due within 7 days, those past their deadline included (not rejected yet: the most urgent).
    Annotations: demande_pk, demande_statut, demande_numero, demande_date_limite, numero_rex.
    """
    if user.entreprise_id is None:
        return Mandat.objects.none()
    du_client = demandes_operateur(user).filter(titulaire_id=OuterRef("represente_id"))
    choisie = du_client.order_by(RANG_DEMANDE, "-updated_at", "-pk")
    enregistrement = du_client.filter(statut__in=STATUTS_ENREGISTRES).order_by("-updated_at", "-pk")
    mandats = (
        Mandat.objects.filter(representant_id=user.entreprise_id)
        .select_related("represente")
        .annotate(
            demande_pk=Subquery(choisie.values("pk")[:1]),
            demande_statut=Subquery(choisie.values("statut")[:1]),
            demande_numero=Subquery(choisie.values("numero")[:1]),
            demande_date_limite=Subquery(choisie.values("date_limite")[:1]),
            numero_rex=Subquery(enregistrement.values("numero_rex")[:1]),
            # Computed in the subquery: one subplan per client, not one per branch of a CASE around it.
            urgence=Coalesce(
                Subquery(choisie.annotate(urgence=URGENCE_DEMANDE).values("urgence")[:1]),
                Value(SANS_DEMANDE_URGENCE),
            ),
        )
    )
    q = " ".join((q or "").split())
    if q:
        entreprises = Entreprise.objects.filter(
            Q(eori__istartswith="".join(q.split())) | Q(raison_sociale__icontains=q)
        )
        mandats = mandats.filter(represente_id__in=entreprises.values("pk"))
    if statut == SANS_DEMANDE:
        mandats = mandats.filter(urgence=SANS_DEMANDE_URGENCE)
    elif statut:
        mandats = mandats.filter(demande_statut=statut)
    if echeance:
        mandats = mandats.filter(
            demande_statut=Statut.INCOMPLETE, demande_date_limite__lte=timezone.now() + ECHEANCE_PROCHE
        )
    return mandats.order_by(
        "urgence",
        F("demande_date_limite").asc(nulls_last=True),
        "represente__raison_sociale",
        "pk",
    )


def page_clients(user, numero, *, par_page: int, **filtres) -> tuple[Page, list[Mandat]]:
    """The page `numero` of clients_representant (the last one past the end) and its annotated mandates.

    Three queries: the count; the page's ids, which computes only the sort keys of the clients before
    it (its urgency and deadline subqueries), however deep the page; the page's rows with every column.
    """
    mandats = clients_representant(user, **filtres)
    page = Paginator(mandats.values_list("pk", flat=True), par_page).get_page(numero)
    ids = list(page.object_list)
    rangs = {pk: rang for rang, pk in enumerate(ids)}
    lignes = sorted(mandats.filter(pk__in=ids), key=lambda mandat: rangs[mandat.pk]) if ids else []
    return page, lignes


@dataclass(frozen=True)
class LigneClient:
    """A row of « Mes clients » (the page and the CSV)."""

    raison_sociale: str
    eori: str
    mandat_debut: date
    mandat_fin: date | None
    mandat: str  # « en cours », « terminé », « à venir »
    demande_pk: int | None
    demande_numero: str
    statut: str
    statut_libelle: str
    numero_rex: str
    date_limite: datetime | None
    jours: str  # « J-3 », « dépassée », or empty without a deadline
    urgent: bool  # a deadline within 7 days, or past


def etat_mandat(mandat: Mandat, aujourd_hui: date) -> str:
    if mandat.date_debut > aujourd_hui:
        return "à venir"
    if mandat.date_fin is not None and mandat.date_fin < aujourd_hui:
        return "terminé"
    return "en cours"


def jours_restants(date_limite: datetime | None, maintenant: datetime) -> str:
    """« J-n »: calendar days in Paris to the deadline (« J-0 » on its last day); « dépassée » once past."""
    if date_limite is None:
        return ""
    if date_limite <= maintenant:
        return "dépassée"
    return f"J-{(timezone.localdate(date_limite) - timezone.localdate(maintenant)).days}"


def ligne_client(mandat: Mandat, maintenant: datetime) -> LigneClient:
    """The row of one annotated mandate of clients_representant."""
    statut = mandat.demande_statut or ""
    date_limite = mandat.demande_date_limite
    return LigneClient(
        raison_sociale=mandat.represente.raison_sociale,
        eori=mandat.represente.eori,
        mandat_debut=mandat.date_debut,
        mandat_fin=mandat.date_fin,
        mandat=etat_mandat(mandat, timezone.localdate(maintenant)),
        demande_pk=mandat.demande_pk,
        demande_numero=mandat.demande_numero or "",
        statut=statut,
        statut_libelle=Statut(statut).label if statut else "Aucune demande",
        numero_rex=mandat.numero_rex or "",
        date_limite=date_limite,
        jours=jours_restants(date_limite, maintenant),
        urgent=date_limite is not None and date_limite <= maintenant + ECHEANCE_PROCHE,
    )
