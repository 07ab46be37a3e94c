"""« Tableau de bord du service »: a customs service's figures (or every service's, the national view),
each from one SQL aggregate: the page costs the same number of queries whatever the volume.

Definitions (the page states them in French):

- Scope: a service's volumes, statuses, backlog and deadlines are those of the submitted requests it is in
  charge of now (Demande.service); its processing times are those of the decisions taken while it was in
  charge (the decision event's service). The national view takes every service.
- Filed: a request counts in the month (Paris time) of its submission (soumise_le); a modification
  request counts when it is submitted.
- Decision: the first history event that takes a request out of instruction — status before « En étude »
  or « Incomplète », status after « Octroyée » or « Rejetée »: a grant, a rejection (by the officer or
  automatic), a modification validated or refused. A period's decisions are those dated in it.
- Total time: from the submission (soumise_le) to the decision.
- Waiting for the operator: the sum of the request's periods in « Incomplète » before its decision. A
  period starts with the event that puts the request in « Incomplète » (status after « Incomplète », status
  before another one: the request for information) and ends with the next event that takes it out (status
  before « Incomplète », status after another one: the complement, or the rejection), at the latest at the
  decision. A request that was « Incomplète » twice adds both periods.
- Service time: total time − waiting time, request by request (its percentiles are those of these
  differences, not the difference of the percentiles).
- Median and 90th percentile: continuous, interpolated between the two nearest ranks (PostgreSQL's
  percentile_cont), in days, over the decisions of the period.
- Backlog: the requests « En étude » or « Incomplète » (modification requests included) by age since their
  submission: [0, 7 d), [7, 30 d), [30, 90 d), 90 d and more.
- Due soon: « Incomplète » with the deadline in (now, now + 7 d]: the queue's filter `echeance=proche`.
- Per service (the national view): its requests in instruction and due within 7 days now, the decisions
  taken while it was in charge in the period and their median total time.
- Per officer: requests in charge (his requests in instruction in the scope), decisions he took in the
  last 30 days, the median total time of his decisions in the period (automatic rejections have no officer).
"""

import datetime
import json
import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone

from accounts.models import BureauDouane, User
from rex.models import (
    DECISIONS,
    DEPOSEES,
    STATUTS_DECISION,
    STATUTS_DEPOSES,
    STATUTS_EN_INSTRUCTION,
    Demande,
    Evenement,
    Statut,
)

JOUR = 86400  # seconds
ECHEANCE_PROCHE = datetime.timedelta(days=7)
RECENTES = datetime.timedelta(days=30)
# The backlog's age buckets: (label, lower bound in days, upper bound in days or None).
TRANCHES_AGE = (
    ("Moins de 7 jours", 0, 7),
    ("De 7 à 30 jours", 7, 30),
    ("De 30 à 90 jours", 30, 90),
    ("90 jours et plus", 90, None),
)
PERIODES = (3, 6, 12, 24)  # months
PERIODE_DEFAUT = 12
ECHEANCES_LISTEES = 5
# Without PostgreSQL's percentile_cont (the embedded SQLite default), the times are computed in Python
# from the latest decisions, at most this many.
PLAFOND_SANS_POSTGRESQL = 5000


@dataclass(frozen=True)
class Quantiles:
    """A median and a 90th percentile, in days (None without any decision)."""

    mediane: float | None = None
    p90: float | None = None


@dataclass(frozen=True)
class Durees:
    """Processing times of a period's decisions (see the module's definitions)."""

    nombre: int = 0
    total: Quantiles = Quantiles()
    attente: Quantiles = Quantiles()
    service: Quantiles = Quantiles()
    # acteur id → (decisions in the last 30 days, median total time of his decisions in the period)
    par_agent: dict[int, tuple[int, float | None]] = field(default_factory=dict)
    # service id → (decisions in the period, median total time of its decisions); the national view only
    par_service: dict[int, tuple[int, float | None]] = field(default_factory=dict)


def debut_periode(mois: int, maintenant: datetime.datetime) -> datetime.datetime:
    """The first day, 00:00 Paris time, of the month `mois - 1` months before `maintenant`'s."""
    local = timezone.localtime(maintenant)
    annee, rang = divmod(local.year * 12 + local.month - 1 - (mois - 1), 12)
    return timezone.make_aware(datetime.datetime(annee, rang + 1, 1))


def demandes_du_perimetre(service: BureauDouane | None) -> QuerySet[Demande]:
    """The submitted requests of `service`, of every service when None (the national view)."""
    demandes = Demande.objects.filter(DEPOSEES)
    return demandes.filter(service=service) if service is not None else demandes


def par_statut(service: BureauDouane | None) -> list[tuple[Statut, int]]:
    """The current count per status (every submitted status, zeros included): one GROUP BY."""
    compteurs = dict.fromkeys(STATUTS_DEPOSES, 0)
    lignes = demandes_du_perimetre(service).order_by().values_list("statut").annotate(n=Count("*"))
    compteurs.update(dict(lignes))
    return [(Statut(statut), nombre) for statut, nombre in compteurs.items()]


def par_mois(service: BureauDouane | None, *, mois: int, maintenant) -> list[tuple[datetime.date, int]]:
    """Requests filed per month over the last `mois` months (this one included), empty months as 0."""
    debut = debut_periode(mois, maintenant)
    lignes = (
        demandes_du_perimetre(service)
        .filter(soumise_le__gte=debut, soumise_le__lte=maintenant)
        .annotate(mois=TruncMonth("soumise_le"))
        .order_by()
        .values_list("mois")
        .annotate(n=Count("*"))
    )
    comptes = {}
    for jour, nombre in lignes:
        jour = (
            timezone.localtime(jour)
            if isinstance(jour, datetime.datetime) and timezone.is_aware(jour)
            else jour
        )
        comptes[(jour.year, jour.month)] = nombre
    resultat = []
    for rang in range(mois):
        annee, m = divmod(debut.year * 12 + debut.month - 1 + rang, 12)
        resultat.append((datetime.date(annee, m + 1, 1), comptes.get((annee, m + 1), 0)))
    return resultat


def stock_et_echeances(service: BureauDouane | None, *, maintenant) -> dict:
    """The backlog by age and the count due within 7 days, in one aggregate."""
    en_instruction = Q(statut__in=STATUTS_EN_INSTRUCTION)
    # COUNT(statut) (never null): a column of the index, so that the count is an index-only scan.
    comptes = {}
    for rang, (_, debut, fin) in enumerate(TRANCHES_AGE):
        tranche = en_instruction & Q(soumise_le__lte=maintenant - datetime.timedelta(days=debut))
        if fin is not None:
            tranche &= Q(soumise_le__gt=maintenant - datetime.timedelta(days=fin))
        comptes[f"t{rang}"] = Count("statut", filter=tranche)
    comptes["proche"] = Count("statut", filter=_echeance_proche(maintenant))
    demandes = demandes_du_perimetre(service).filter(en_instruction)  # the (service, statut) index
    valeurs = demandes.order_by().aggregate(**comptes)
    return {
        "tranches": [(libelle, valeurs[f"t{rang}"]) for rang, (libelle, _, _) in enumerate(TRANCHES_AGE)],
        "proche": valeurs["proche"],
    }


def _echeance_proche(maintenant) -> Q:
    return Q(
        statut=Statut.INCOMPLETE, date_limite__gt=maintenant, date_limite__lte=maintenant + ECHEANCE_PROCHE
    )


def echeances_proches(service: BureauDouane | None, *, maintenant) -> list[Demande]:
    """The first requests due within 7 days, nearest first (the queue's deadline index)."""
    return list(
        demandes_du_perimetre(service)
        .filter(_echeance_proche(maintenant))
        .only("numero", "titulaire_raison_sociale", "date_limite", "statut", "service_id")
        .order_by("date_limite", "pk")[:ECHEANCES_LISTEES]
    )


def en_charge_par_agent(service: BureauDouane) -> dict[int, int]:
    """Officer id → his requests in instruction in the service (one GROUP BY)."""
    lignes = (
        demandes_du_perimetre(service)
        .filter(statut__in=STATUTS_EN_INSTRUCTION, agent__isnull=False)
        .order_by()
        .values_list("agent_id")
        .annotate(n=Count("*"))
    )
    return dict(lignes)


def stock_par_service(*, maintenant) -> dict[int, tuple[int, int]]:
    """The national view: service id → (requests in instruction, due within 7 days), one GROUP BY."""
    lignes = (
        Demande.objects.filter(statut__in=STATUTS_EN_INSTRUCTION, service__isnull=False)
        .order_by()
        .values_list("service_id")
        .annotate(n=Count("*"), proche=Count("statut", filter=_echeance_proche(maintenant)))
    )
    return {service_id: (n, proche) for service_id, n, proche in lignes}


def par_service(durees_: Durees, *, maintenant) -> list[dict]:
    """The national view's table: every service with requests in instruction or decisions in the period,
    by name (two queries: the counts, then the services named)."""
    stock = stock_par_service(maintenant=maintenant)
    ids = set(stock) | set(durees_.par_service)
    services = BureauDouane.objects.filter(pk__in=ids).only("nom").order_by("nom", "pk") if ids else []
    return [
        {
            "service": service,
            "en_instruction": stock.get(service.pk, (0, 0))[0],
            "echeances_proches": stock.get(service.pk, (0, 0))[1],
            "decisions": durees_.par_service.get(service.pk, (0, None))[0],
            "mediane": durees_.par_service.get(service.pk, (0, None))[1],
        }
        for service in services
    ]


def agents(service: BureauDouane) -> QuerySet[User]:
    return User.objects.filter(service=service, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


# ------------------------------------------------------------------ processing times
def durees(service: BureauDouane | None, *, debut, maintenant) -> Durees:
    """The processing times of the decisions taken in [debut, maintenant]: one query on PostgreSQL."""
    if connection.vendor == "postgresql":
        return durees_sql(service, debut=debut, maintenant=maintenant)
    return durees_python(service, debut=debut, maintenant=maintenant)


# Each decision of the period with its total and waiting times (in days), then their percentiles for the
# whole scope, per officer and per service (GROUPING SETS). Set-based: the decisions are read once
# (materialized: the index on the decisions (service, date), the submission date by primary key), then the
# « Incomplète » transitions of those requests in one pass (the history's index on the request, the keys
# handed over as one array), each entry paired with the next transition (LEAD: the state machine makes
# entries and exits alternate), summed per request and joined back. No correlated subquery per decision.
SQL_DUREES = """
WITH decisions AS MATERIALIZED (
    SELECT e.demande_id, e.acteur_id, e.service_id, e.created_at AS decidee_le,
        (SELECT d.soumise_le FROM rex_demande d WHERE d.id = e.demande_id) AS soumise_le
    FROM rex_evenement e
    WHERE e.statut_avant = ANY(%(instruction)s) AND e.statut_apres = ANY(%(decision)s)
      AND e.created_at >= %(debut)s AND e.created_at <= %(maintenant)s {service}
),
passages AS (
    SELECT s.demande_id, dec.decidee_le, s.statut_apres = %(incomplete)s AS entree, s.created_at,
        LEAD(s.created_at) OVER (PARTITION BY s.demande_id ORDER BY s.created_at, s.id) AS suivant
    FROM rex_evenement s JOIN decisions dec ON dec.demande_id = s.demande_id
    WHERE s.demande_id = ANY(ARRAY(SELECT demande_id FROM decisions))
      AND ((s.statut_apres = %(incomplete)s AND s.statut_avant NOT IN (%(incomplete)s, ''))
        OR (s.statut_avant = %(incomplete)s AND s.statut_apres NOT IN (%(incomplete)s, '')))
),
attentes AS (
    SELECT demande_id,
        SUM(EXTRACT(EPOCH FROM LEAST(COALESCE(suivant, decidee_le), decidee_le) - created_at)) AS secondes
    FROM passages
    WHERE entree AND created_at <= decidee_le
    GROUP BY demande_id
),
durees AS (
    SELECT dec.acteur_id, dec.service_id, dec.decidee_le,
        EXTRACT(EPOCH FROM dec.decidee_le - dec.soumise_le) / 86400.0 AS total,
        COALESCE(a.secondes, 0) / 86400.0 AS attente
    FROM decisions dec LEFT JOIN attentes a ON a.demande_id = dec.demande_id
    WHERE dec.soumise_le IS NOT NULL
)
SELECT GROUPING(acteur_id), GROUPING(service_id), acteur_id, service_id, COUNT(*),
    COUNT(*) FILTER (WHERE decidee_le >= %(recentes)s),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY total), percentile_cont(0.9) WITHIN GROUP (ORDER BY total),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY attente),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY attente),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY total - attente),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY total - attente)
FROM durees
GROUP BY GROUPING SETS ((), (acteur_id), (service_id))
"""


def durees_sql(service: BureauDouane | None, *, debut, maintenant) -> Durees:
    """PostgreSQL: the percentiles computed by the database, in one query."""
    parametres = {
        "instruction": [str(s) for s in STATUTS_EN_INSTRUCTION],
        "decision": [str(s) for s in STATUTS_DECISION],
        "incomplete": str(Statut.INCOMPLETE),
        "debut": debut,
        "maintenant": maintenant,
        "recentes": maintenant - RECENTES,
        "service": service.pk if service is not None else None,
    }
    sql = SQL_DUREES.format(service="AND e.service_id = %(service)s" if service is not None else "")
    with connection.cursor() as curseur:
        curseur.execute(sql, parametres)
        lignes = curseur.fetchall()
    resultat = Durees()
    par_agent, par_service = {}, {}
    for sans_acteur, sans_service, acteur_id, service_id, nombre, recentes, *quantiles in lignes:
        quantiles = [float(q) if q is not None else None for q in quantiles]
        if sans_acteur and sans_service:
            resultat = Durees(
                nombre=nombre,
                total=Quantiles(*quantiles[0:2]),
                attente=Quantiles(*quantiles[2:4]),
                service=Quantiles(*quantiles[4:6]),
            )
        elif sans_service and acteur_id is not None:
            par_agent[acteur_id] = (recentes, quantiles[0])
        elif sans_acteur and service_id is not None:
            par_service[service_id] = (nombre, quantiles[0])
    return Durees(
        nombre=resultat.nombre,
        total=resultat.total,
        attente=resultat.attente,
        service=resultat.service,
        par_agent=par_agent,
        par_service=par_service,
    )


def durees_python(service: BureauDouane | None, *, debut, maintenant) -> Durees:
    """Any other database: the same definitions, computed here from two bounded queries (the latest
    PLAFOND_SANS_POSTGRESQL decisions of the period, and their requests' « Incomplète » events)."""
    decisions = Evenement.objects.filter(
        DECISIONS, created_at__gte=debut, created_at__lte=maintenant, demande__soumise_le__isnull=False
    )
    if service is not None:
        decisions = decisions.filter(service=service)
    decisions = decisions.order_by("-created_at", "-pk")[:PLAFOND_SANS_POSTGRESQL]
    lignes = list(
        decisions.values_list("demande_id", "acteur_id", "service_id", "created_at", "demande__soumise_le")
    )
    periodes = Evenement.objects.filter(
        Q(statut_apres=Statut.INCOMPLETE) | Q(statut_avant=Statut.INCOMPLETE),
        demande_id__in=decisions.values("demande_id"),
    ).order_by("created_at", "pk")
    incompletes: dict[int, list[tuple[str, str, datetime.datetime]]] = {}
    for demande_id, avant, apres, date in periodes.values_list(
        "demande_id", "statut_avant", "statut_apres", "created_at"
    ):
        incompletes.setdefault(demande_id, []).append((avant, apres, date))

    totaux, attentes, services_, par_acteur, par_service = [], [], [], {}, {}
    recentes = maintenant - RECENTES
    for demande_id, acteur_id, service_id, decidee_le, soumise_le in lignes:
        total = (decidee_le - soumise_le).total_seconds() / JOUR
        attente = _attente(incompletes.get(demande_id, []), decidee_le) / JOUR
        totaux.append(total)
        attentes.append(attente)
        services_.append(total - attente)
        if acteur_id is not None:
            nombre, siens = par_acteur.get(acteur_id, (0, []))
            par_acteur[acteur_id] = (nombre + (decidee_le >= recentes), [*siens, total])
        if service_id is not None:
            par_service.setdefault(service_id, []).append(total)
    return Durees(
        nombre=len(lignes),
        total=_quantiles(totaux),
        attente=_quantiles(attentes),
        service=_quantiles(services_),
        par_agent={
            acteur: (nombre, percentile(siens, 0.5)) for acteur, (nombre, siens) in par_acteur.items()
        },
        par_service={
            service_id: (len(siens), percentile(siens, 0.5)) for service_id, siens in par_service.items()
        },
    )


def _attente(evenements, decidee_le) -> float:
    """Seconds spent in « Incomplète » before the decision (events in date order)."""
    secondes, depuis = 0.0, None
    for avant, apres, date in evenements:
        if date > decidee_le:
            break
        if depuis is None and apres == Statut.INCOMPLETE and avant not in (Statut.INCOMPLETE, ""):
            depuis = date
        elif depuis is not None and avant == Statut.INCOMPLETE and apres not in (Statut.INCOMPLETE, ""):
            secondes += (date - depuis).total_seconds()
            depuis = None
    if depuis is not None:
        secondes += (decidee_le - depuis).total_seconds()
    return secondes


def percentile(valeurs: list[float], fraction: float) -> float | None:
    """percentile_cont: linear interpolation between the two nearest ranks of the sorted values."""
    if not valeurs:
        return None
    valeurs = sorted(valeurs)
    position = fraction * (len(valeurs) - 1)
    bas, haut = math.floor(position), math.ceil(position)
    return valeurs[bas] + (valeurs[haut] - valeurs[bas]) * (position - bas)


def _quantiles(valeurs: list[float]) -> Quantiles:
    return Quantiles(percentile(valeurs, 0.5), percentile(valeurs, 0.9))


# ------------------------------------------------------------------ the page
def libelle_mois(jour: datetime.date) -> str:
    return formats.date_format(jour, "F Y")


def tableau_de_bord(service: BureauDouane | None, *, mois: int = PERIODE_DEFAUT, maintenant=None) -> dict:
    """Every figure of the page for `service` (None: every service), a constant number of queries:
    statuses, months, backlog and deadlines, the deadlines' list, times; per officer (one service) or per
    service (the national view) two more."""
    maintenant = maintenant or timezone.now()
    debut = debut_periode(mois, maintenant)
    stock = stock_et_echeances(service, maintenant=maintenant)
    resultat = {
        "debut": debut,
        "statuts": par_statut(service),
        "mois": par_mois(service, mois=mois, maintenant=maintenant),
        "tranches": stock["tranches"],
        "echeances_proches": stock["proche"],
        "echeances": echeances_proches(service, maintenant=maintenant),
        "durees": durees(service, debut=debut, maintenant=maintenant),
        "agents": [],
        "services": [],
    }
    if service is None:
        resultat["services"] = par_service(resultat["durees"], maintenant=maintenant)
    else:
        en_charge = en_charge_par_agent(service)
        par_agent = resultat["durees"].par_agent
        resultat["agents"] = [
            {
                "agent": agent,
                "en_charge": en_charge.get(agent.pk, 0),
                "decisions": par_agent.get(agent.pk, (0, None))[0],
                "mediane": par_agent.get(agent.pk, (0, None))[1],
            }
            for agent in agents(service)
        ]
    return resultat


def _jours(valeur: float | None) -> float:
    return round(valeur, 1) if valeur is not None else 0


def _graphique(x: list[str], series: list[tuple[str, list]], **options) -> dict[str, str]:
    """The attributes of a <bar-chart> (@gouvfr/dsfr-chart): JSON lists, escaped by the template."""
    return {
        "x": json.dumps([x] * len(series), ensure_ascii=False),
        "y": json.dumps([valeurs for _, valeurs in series]),
        "name": json.dumps([nom for nom, _ in series], ensure_ascii=False),
        **options,
    }


def graphiques(figures: dict) -> dict[str, dict[str, str]]:
    """The charts of the page, from the same figures as their data tables."""
    durees_ = figures["durees"]
    return {
        "mois": _graphique(
            [libelle_mois(jour) for jour, _ in figures["mois"]],
            [("Demandes déposées", [nombre for _, nombre in figures["mois"]])],
        ),
        "statuts": _graphique(
            [statut.label for statut, _ in figures["statuts"]],
            [("Demandes", [nombre for _, nombre in figures["statuts"]])],
            horizontal="true",
        ),
        "delais": _graphique(
            ["Médiane", "90e centile"],
            [
                (nom, [_jours(quantiles.mediane), _jours(quantiles.p90)])
                for nom, quantiles in (
                    ("Délai total", durees_.total),
                    ("Attente de l'opérateur", durees_.attente),
                    ("Traitement par le service", durees_.service),
                )
            ],
            unit="jours",
        ),
        "stock": _graphique(
            [libelle for libelle, _ in figures["tranches"]],
            [("Demandes en instruction", [nombre for _, nombre in figures["tranches"]])],
        ),
    }
