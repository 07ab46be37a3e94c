"""Pages at volume: median in-process time, SQL queries, and what PostgreSQL plans for each query.

Each page is requested once to warm up, once more with every SQL statement captured
(`connection.execute_wrapper`), then `REPETITIONS` times under the clock (Django test Client: middleware,
session, template, no network), on each data set in turn (see `Bases`). Each captured statement is then
EXPLAINed (the plan only, not ANALYZE) with its own parameters: a sequential scan of a table holding more
than `GRANDE_TABLE` rows is reported by name. Each read is also run again on its own (median of 3), to
show which query of a page weighs.
"""

import copy
import re
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import generer_calendrier
from rex import selectors, views_agent
from rex.models import Demande, Statut

REPETITIONS = 20
GRANDE_TABLE = 10_000  # rows (pg_class.reltuples, after ANALYZE)
LONGUEUR_SQL = 400  # characters of each statement kept in the report


@dataclass(frozen=True)
class Page:
    nom: str
    url: str
    username: str | None  # None: anonymous


def tables_demande() -> set[str]:
    """rex_demande and the tables that hang on it (every foreign key or many-to-many to Demande)."""
    tables = {Demande._meta.db_table}
    for relation in Demande._meta.related_objects:
        tables.add(relation.related_model._meta.db_table)
    for champ in Demande._meta.many_to_many:
        tables.add(champ.remote_field.through._meta.db_table)
    return tables


def pages() -> list[Page]:
    """The pages of the issue, with the subjects seeded by benchmarks.scale.seed."""
    operateur = User.objects.get(username="operateur")
    enregistrement = Demande.objects.get(titulaire_id=operateur.entreprise_id, statut=Statut.OCTROYEE)
    file = reverse("agent:file")
    accueil = reverse("rex:accueil")
    transitaire = User.objects.get(username="transitaire")
    client = (
        Demande.objects.filter(representant_id=transitaire.entreprise_id, titulaire__isnull=False)
        .select_related("titulaire")
        .order_by("pk")
        .first()
        .titulaire
    )

    def filtre(**params) -> str:
        return f"{file}?{urlencode(params)}"

    def rex(**params) -> str:
        return f"{accueil}?{urlencode(params)}"

    return [
        Page("queue p.1", file, "agent"),
        Page("queue p.500", filtre(apres=curseur_page(User.objects.get(username="agent"), 500)), "agent"),
        Page("queue q=Durand", filtre(q="Durand"), "agent"),
        Page("queue q=<number>", filtre(q=enregistrement.numero), "agent"),
        Page("queue q=<EORI>", filtre(q=enregistrement.titulaire_eori), "agent"),
        Page("queue statut=incomplete", filtre(statut=Statut.INCOMPLETE), "agent"),
        Page("queue echeance=depassee", filtre(echeance="depassee"), "agent"),
        Page("queue agent=moi", filtre(agent="moi"), "agent"),
        Page("detail (officer)", reverse("agent:detail", args=[enregistrement.pk]), "agent"),
        Page("detail (operator)", reverse("rex:detail", args=[enregistrement.pk]), "operateur"),
        Page("REX home (representative)", accueil, "transitaire"),
        Page("REX home (representative) q=<client>", rex(q=client.raison_sociale), "transitaire"),
        Page("REX home (representative) client=<EORI>", rex(client=client.eori), "transitaire"),
        Page("REX home (representative) en cours p.2", rex(onglet="en_cours", page=2), "transitaire"),
        Page("dashboard (operator)", reverse("accounts:dashboard"), "operateur"),
        Page("REX home (operator)", accueil, "operateur"),
        Page("Mes autorisations (operator)", rex(onglet="autorisations"), "operateur"),
        Page("HS autocomplete q=vin", reverse("rex:nomenclature") + "?format=json&q=vin", "operateur"),
        Page(
            "verifier numero=<REX>", reverse("public:verifier") + f"?numero={enregistrement.numero_rex}", None
        ),
        # Issue 13's cockpits.
        Page("service stats (officer)", reverse("agent:tableau_de_bord"), "agent"),
        Page("service stats (national)", reverse("agent:tableau_de_bord"), agent_national().username),
        Page("Mes clients (repr.)", reverse("rex:clients"), "transitaire"),
        Page("Mes clients échéance 7 j", reverse("rex:clients") + "?echeance=1", "transitaire"),
        Page("ICS feed (officer)", calendrier("agent"), None),
        Page("ICS feed (repr.)", calendrier("transitaire"), None),
    ]


def agent_national() -> User:
    """A staff officer of the demo officer's service: the dashboard's national view (every service)."""
    agent = User.objects.get(username="agent")
    national, _ = User.objects.update_or_create(
        username="agent-national", defaults={"service_id": agent.service_id, "is_staff": True}
    )
    return national


def calendrier(username: str) -> str:
    """The deadlines feed's secret address of `username` (generated again at each run)."""
    return reverse("public:calendrier", args=[generer_calendrier(user=User.objects.get(username=username))])


def curseur_page(agent: User, numero: int) -> str:
    """The link « Suivant » that leads to page `numero` of the officer's queue (keyset pagination: the
    cursor of the row before it), or to its last page when it has fewer pages, as `?page=` did."""
    demandes = selectors.file_agent(agent)
    pages_file = max(1, -(-demandes.count() // views_agent.PAR_PAGE))
    rang = (min(numero, pages_file) - 1) * views_agent.PAR_PAGE
    if rang == 0:
        return ""
    return selectors.ordre_file().curseur(demandes[rang - 1])


class Bases:
    """One persistent connection per data set, swapped in as Django's default connection between requests.

    Both data sets are measured in the same process, request by request in turn: a change of load on the
    shared machine weighs on both sides of a growth ratio alike. Swapping keeps each connection open, so
    no connection setup nor cold catalog cache falls inside the timed requests. The databases are
    migrated alike (same content types and permissions: checked), and the application keeps no
    per-process cache of their rows.
    """

    def __init__(self, noms: dict[int, str]):
        defaut = connections["default"]
        self.connexions = {}
        for taille, nom in noms.items():
            reglages = copy.deepcopy(defaut.settings_dict)
            reglages["NAME"] = nom
            self.connexions[taille] = load_backend(reglages["ENGINE"]).DatabaseWrapper(reglages, "default")
        references = {taille: self.references(taille) for taille in noms}
        if len({repr(r) for r in references.values()}) > 1:
            raise RuntimeError("The data sets' content types or permissions differ: seed them again.")

    def activer(self, taille: int) -> None:
        connections["default"] = self.connexions[taille]

    def references(self, taille: int):
        self.activer(taille)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, app_label, model FROM django_content_type ORDER BY id")
            types = cursor.fetchall()
            cursor.execute("SELECT id, content_type_id, codename FROM auth_permission ORDER BY id")
            return types, cursor.fetchall()


def mesurer_tout(noms: dict[int, str], *, repetitions: int = REPETITIONS, progression=print) -> dict:
    """Every page on every data set: {size: {page: {url, ms, requetes, plans}}}.

    Per page: a warm-up GET and a captured GET on each data set, then `repetitions` rounds of one timed GET
    on each (the order alternates from one round to the next), then the plans of the captured statements.
    """
    bases = Bases(noms)
    tailles = sorted(noms)
    listes, clients = {}, {}
    for taille in tailles:
        bases.activer(taille)
        listes[taille] = pages()
    resultats = {taille: {} for taille in tailles}
    for rang, page in enumerate(listes[tailles[0]]):
        capturees, durees = {}, {taille: [] for taille in tailles}
        for taille in tailles:
            bases.activer(taille)
            cible = listes[taille][rang]
            if (taille, cible.username) not in clients:
                clients[taille, cible.username] = client_pour(cible.username)
            capturees[taille] = capturer(clients[taille, cible.username], cible)
        for tour in range(repetitions):
            for taille in tailles if tour % 2 == 0 else reversed(tailles):
                bases.activer(taille)
                cible = listes[taille][rang]
                debut = time.perf_counter()
                clients[taille, cible.username].get(cible.url)
                durees[taille].append((time.perf_counter() - debut) * 1000)
        for taille in tailles:
            bases.activer(taille)
            resultats[taille][page.nom] = {
                "url": listes[taille][rang].url,
                "ms": statistics.median(durees[taille]),
                "requetes": len(capturees[taille]),
                "plans": expliquer(capturees[taille]),
            }
        progression(
            f"  {page.nom}: "
            + ", ".join(
                f"{resultats[t][page.nom]['ms']:.1f} ms ({resultats[t][page.nom]['requetes']} queries)"
                for t in tailles
            )
        )
    return resultats


def client_pour(username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def capturer(client: Client, page: Page) -> list:
    """A warm-up GET (per-process caches: content types, permissions, templates), then a GET whose SQL
    statements are captured with their parameters."""
    reponse = client.get(page.url)
    if reponse.status_code != 200:
        raise RuntimeError(f"{page.nom}: GET {page.url} answered {reponse.status_code}")
    capturees = []

    def capteur(execute, sql, params, many, context):
        capturees.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capteur):
        client.get(page.url)
    return capturees


# ---------------------------------------------------------------------- plans
def tailles_tables() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
        return dict(cursor.fetchall())


def noeuds(plan: dict):
    yield plan
    for enfant in plan.get("Plans", []):
        yield from noeuds(enfant)


def forme(plan: dict) -> str:
    """The plan's spine, outermost first: « Limit > Sort > Seq Scan rex_demande »."""
    etapes = []
    noeud = plan
    while noeud is not None:
        nom = noeud["Node Type"]
        if "Relation Name" in noeud:
            nom += f" {noeud['Relation Name']}"
        if noeud.get("Index Name"):
            nom += f" ({noeud['Index Name']})"
        etapes.append(nom)
        enfants = noeud.get("Plans", [])
        noeud = max(enfants, key=lambda n: n["Total Cost"]) if enfants else None
    return " > ".join(etapes)


def indices(sql: str, params, plan: dict) -> list[str]:
    """What usually makes such a query grow with the data, read from its SQL and its plan."""
    trouves = []
    if offset := re.search(r"\bOFFSET (\d+)", sql):
        trouves.append(f"OFFSET {offset.group(1)}")
    if re.search(r"\bCOUNT\(", sql):
        trouves.append("COUNT")
    if "GROUP BY" in sql:
        trouves.append("GROUP BY")
    if " LIKE " in sql and any(isinstance(p, str) and p.startswith("%") for p in params or ()):
        trouves.append("LIKE '%…%' (icontains)")
    if " OR " in sql:
        trouves.append("OR")
    types = {n["Node Type"] for n in noeuds(plan)}
    for type_ in ("Sort", "Hash Join", "Aggregate", "HashAggregate", "Materialize"):
        if type_ in types:
            trouves.append(type_)
    return trouves


def abreger(sql: str) -> str:
    """« SELECT … FROM » instead of a long column list, so that the report shows the WHERE and ORDER BY."""
    colonnes = re.match(r"SELECT (.*?) FROM ", sql, re.S)
    if (
        colonnes
        and len(colonnes.group(1)) > 60
        and colonnes.group(1).count("(") == colonnes.group(1).count(")")
    ):
        return "SELECT … FROM " + sql[colonnes.end() :]
    return sql


def reexecuter(cursor, sql: str, params) -> float | None:
    """Median time (ms) of the statement run again 3 times with its parameters, rows fetched: which query
    of a page weighs. A read only (nothing that writes or locks is run again)."""
    if not sql.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in sql:
        return None
    durees = []
    for _ in range(3):
        debut = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        durees.append((time.perf_counter() - debut) * 1000)
    return statistics.median(durees)


def expliquer(capturees: list) -> list[dict]:
    """EXPLAIN (no ANALYZE) of each captured statement with its parameters; reads are also re-run."""
    tailles = tailles_tables()
    resultats = []
    with connection.cursor() as cursor:
        for numero, (sql, params, many) in enumerate(capturees, 1):
            if many or not sql.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE")):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0][0]["Plan"]
            cursor.execute("EXPLAIN " + sql, params)
            texte = "\n".join(ligne for (ligne,) in cursor.fetchall())
            balayages = [
                {
                    "table": n["Relation Name"],
                    "lignes": tailles.get(n["Relation Name"], 0),
                    "filtre": n.get("Filter", ""),
                }
                for n in noeuds(plan)
                if n["Node Type"] == "Seq Scan" and tailles.get(n["Relation Name"], 0) > GRANDE_TABLE
            ]
            lisible = abreger(cursor.cursor.mogrify(sql, params) if params else sql)
            resultats.append(
                {
                    "numero": numero,
                    "ms": reexecuter(cursor, sql, params),
                    "sql": lisible[:LONGUEUR_SQL],
                    "cout": plan["Total Cost"],
                    "lignes_estimees": plan["Plan Rows"],
                    "forme": forme(plan),
                    "indices": indices(sql, params, plan),
                    "balayages": balayages,
                    "explain": texte,
                }
            )
    return resultats
