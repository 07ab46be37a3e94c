"""`make bench-scale`: SOPRANO/REX at a national register's volume, 1,000 then 100,000 requests.

    python -m benchmarks.scale [--sizes 1000,100000] [--reuse] [--plans] [--repeat 20] [--no-jobs]

For each size, a PostgreSQL database of its own is dropped, created, migrated and seeded in bulk
(benchmarks.scale.seed); then one process measures the pages on every data set in turn
(benchmarks.scale.pages), and one process per size the batch jobs (benchmarks.scale.jobs); the report
compares the sizes and prints the targets as PASS/FAIL lines.
A benchmark, not a test: it always exits 0 once measured.

BENCH_SCALE_DATABASE_URL names the 100k database (default soprano_bench_scale on the local server); the
others take a suffix (« _1k »). A database that holds tables and was not made by this benchmark is never
dropped, nor the one DATABASE_URL names. `--reuse` keeps a data set seeded earlier (only pending
migrations are applied): to measure again after an index or a query changed.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from benchmarks.scale.report import libelle, rapport

ROOT = Path(__file__).resolve().parents[2]
URL_DEFAUT = "postgres://postgres@127.0.0.1:5432/soprano_bench_scale"
TAILLES = (1_000, 100_000)
MARQUE = "soprano bench-scale"
VERSION = 2  # of the generator: a data set seeded by another version is seeded again


def base_pour(url: str, taille: int) -> str:
    """The database of a size: the URL's own for 100k, with a suffix for the others."""
    parties = urlsplit(url)
    nom = parties.path.lstrip("/")
    if taille != 100_000:
        nom = f"{nom}_{libelle(taille)}"
    return urlunsplit(parties._replace(path=f"/{nom}"))


def nom_base(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def meme_base(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.hostname, pa.port or 5432, nom_base(a)) == (pb.hostname, pb.port or 5432, nom_base(b))


def marque(taille: int) -> str:
    return f"{MARQUE} v{VERSION} requests={taille}"


def etat(url: str) -> tuple[bool, int, str]:
    """(exists, tables in public, comment) of the database."""
    with psycopg.connect(url, dbname="postgres", autocommit=True) as connexion:
        ligne = connexion.execute(
            "SELECT COALESCE(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = %s",
            [nom_base(url)],
        ).fetchone()
    if ligne is None:
        return False, 0, ""
    with psycopg.connect(url) as connexion:
        tables = connexion.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    return True, tables, ligne[0]


def verifier_cible(url: str) -> None:
    """Refuses the developer's database, and any database with tables that this benchmark did not make."""
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"bench-scale needs PostgreSQL: {url}")
    if os.environ.get("DATABASE_URL") and meme_base(url, os.environ["DATABASE_URL"]):
        sys.exit(f"bench-scale refuses to reset the database of DATABASE_URL ({nom_base(url)}).")
    existe, tables, commentaire = etat(url)
    if existe and tables and not commentaire.startswith(MARQUE):
        sys.exit(
            f"bench-scale refuses to reset {nom_base(url)}: it holds {tables} tables and was not made by "
            "bench-scale. Choose another BENCH_SCALE_DATABASE_URL."
        )


def recreer(url: str, taille: int) -> None:
    nom = sql.Identifier(nom_base(url))
    with psycopg.connect(url, dbname="postgres", autocommit=True) as connexion:
        connexion.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(nom))
        connexion.execute(sql.SQL("CREATE DATABASE {}").format(nom))
        connexion.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(nom, sql.Literal(marque(taille) + " …"))
        )


def marquer(url: str, taille: int) -> None:
    """Once seeded completely: `--reuse` may keep it."""
    nom = sql.Identifier(nom_base(url))
    with psycopg.connect(url, dbname="postgres", autocommit=True) as connexion:
        connexion.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(nom, sql.Literal(marque(taille))))


def environnement(url: str) -> dict[str, str]:
    """The measuring process: test settings (no broker: tasks in-process, e-mails in memory), this database,
    and the public check's and the deadlines feed's throttling lifted (20 and 30 requests a minute)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="soprano.settings.test",
        DATABASE_URL=url,
        ALLOWED_HOSTS="testserver",
        CELERY_EAGER="1",
        LIMITE_VERIFIER="1000000/m",
        LIMITE_VERIFIER_JOUR="100000000/d",
        LIMITE_CALENDRIER="1000000/m",
        PYTHONUNBUFFERED="1",
    )
    return env


def lancer(commande: str, url: str, taille: int, *options: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as dossier:
        sortie = Path(dossier) / "resultat.json"
        subprocess.run(
            [sys.executable, "-m", "benchmarks.scale", commande, "--size", str(taille), "--out", str(sortie)]
            + list(options),
            env=environnement(url),
            cwd=ROOT,
            check=True,
        )
        return json.loads(sortie.read_text())


def progression(texte: str) -> None:
    print(texte, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- inside the measuring processes
def preparer(taille: int, *, reutiliser: bool) -> dict:
    """Migrations, reference data and the seeding (or, reused, pending migrations only); then VACUUM
    ANALYZE."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.scale.seed import semer

    durees, lignes = {}, {}
    debut = time.perf_counter()
    call_command("migrate", verbosity=0)
    durees["migrate"] = time.perf_counter() - debut
    if not reutiliser:
        t = time.perf_counter()
        call_command("load_reference_data", stdout=io.StringIO())
        durees["reference"] = time.perf_counter() - t
        t = time.perf_counter()
        lignes = semer(taille)
        durees["copy"] = time.perf_counter() - t
        progression(f"  seeded {sum(lignes.values()):,} rows in {durees['copy']:.1f} s")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        # Reused too: an index-only scan (the queue's counters) reads the table only where the
        # visibility map is not set, as after a batch job's writes; autovacuum keeps it so in production.
        cursor.execute("VACUUM ANALYZE")
    durees["analyze"] = time.perf_counter() - t
    durees["total"] = time.perf_counter() - debut
    return {"durees": durees, "lignes": lignes, "reutilisee": reutiliser}


def mesurer_pages(bases: dict[int, str], *, repetitions: int) -> dict:
    """Every page on every data set, in turn, in this one process (benchmarks.scale.pages.Bases)."""
    import warnings

    import django

    warnings.filterwarnings("ignore", message="Transitional Django setting")  # django-dsfr, at each form
    django.setup()
    from benchmarks.scale import pages

    progression("Pages (" + ", ".join(libelle(t) for t in sorted(bases)) + ", in turn)")
    return {
        "pages": pages.mesurer_tout(bases, repetitions=repetitions, progression=progression),
        "tables_demande": sorted(pages.tables_demande()),
    }


def mesurer_travaux(taille: int) -> dict:
    import shutil

    import django

    django.setup()
    from django.conf import settings

    from benchmarks.scale import jobs

    try:
        progression(f"Batch jobs ({libelle(taille)})")
        return jobs.mesurer_tout(progression=progression)
    finally:
        # The test settings store files (the PDF) in a temporary directory of this process.
        shutil.rmtree(settings.STORAGES["default"]["OPTIONS"]["location"], ignore_errors=True)


# ---------------------------------------------------------------------- command line
def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    parser.add_argument(
        "commande", nargs="?", default="tout", choices=["tout", "preparer", "pages", "travaux"]
    )
    parser.add_argument("--sizes", default=",".join(map(str, TAILLES)), help="requests per data set")
    parser.add_argument("--reuse", action="store_true", help="keep the data sets seeded by an earlier run")
    parser.add_argument("--plans", action="store_true", help="print the whole EXPLAIN of each slow query")
    parser.add_argument("--repeat", type=int, default=20, help="timed GETs per page (after the warm-up)")
    parser.add_argument("--no-jobs", action="store_true", help="pages only (no batch jobs)")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bases", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.commande == "preparer":
        args.out.write_text(json.dumps(preparer(args.size, reutiliser=args.reuse)))
        return
    if args.commande == "pages":
        bases = {int(t): nom for t, nom in (b.split("=") for b in args.bases.split(","))}
        args.out.write_text(json.dumps(mesurer_pages(bases, repetitions=args.repeat), default=str))
        return
    if args.commande == "travaux":
        args.out.write_text(json.dumps(mesurer_travaux(args.size), default=str))
        return

    url = os.environ.get("BENCH_SCALE_DATABASE_URL", URL_DEFAUT)
    tailles = sorted(int(t) for t in args.sizes.split(","))
    if len(tailles) < 2:
        sys.exit("--sizes needs two sizes at least (growth ratio).")
    preparations, bases = {}, {}
    for taille in tailles:
        base = bases[taille] = base_pour(url, taille)
        verifier_cible(base)
        reutiliser = args.reuse and etat(base)[2] == marque(taille)
        progression(
            f"== {libelle(taille)} requests: {nom_base(base)} ({'reused' if reutiliser else 'seeding'})"
        )
        if not reutiliser:
            recreer(base, taille)
        preparations[taille] = lancer("preparer", base, taille, *(["--reuse"] if reutiliser else []))
        preparations[taille]["base"] = nom_base(base)
        marquer(base, taille)
    grande = bases[tailles[-1]]
    noms = ",".join(f"{taille}={nom_base(base)}" for taille, base in bases.items())
    resultat = lancer("pages", grande, tailles[-1], "--bases", noms, "--repeat", str(args.repeat))
    mesures = {int(taille): {"pages": pages} for taille, pages in resultat["pages"].items()}
    if not args.no_jobs:
        for taille in tailles:
            mesures[taille]["jobs"] = lancer("travaux", bases[taille], taille)
    tables_demande = set(resultat["tables_demande"])
    print(rapport(mesures, preparations, tables_demande, plans_complets=args.plans))


if __name__ == "__main__":
    main()
