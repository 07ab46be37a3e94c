"""`make bench-node`: requests per second of one web node, as production runs it.

One gunicorn node (production settings, GUNICORN_WORKERS processes, Redis as the shared cache, static
files collected as the image collects them) on the `make bench-scale` data set of 100,000 requests when it
exists (BENCH_SCALE_DATABASE_URL, default soprano_bench_scale), otherwise on the demo data (a database of
its own, made by `load_demo`). wrk (Debian package) sends requests over CONNEXIONS keep-alive connections
for DUREE seconds per page, signed in as the page's user; the node and wrk share this machine's cores.
A benchmark, not a test: it prints figures and exits 0 once measured.

    python -m benchmarks.noeud [--duree 10] [--connexions 4] [--workers 3]
"""

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
URL_BENCH = "postgres://postgres@127.0.0.1:5432/soprano_bench_scale"
DEMO = "soprano_bench_demo"
MARQUE = "soprano bench-scale"


def _base(url: str, nom: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{nom}"))


def _seeded(url: str) -> bool:
    """Whether `make bench-scale` seeded this database completely (its mark is on the database)."""
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            commentaire = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            ).fetchone()[0]
    except psycopg.OperationalError:
        return False
    return bool(commentaire and commentaire.startswith(MARQUE) and commentaire.endswith("requests=100000"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environnement(database_url: str, static_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "S3_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="soprano.settings.base",
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        SECRET_KEY="bench-node-" + "0123456789abcdef" * 4,
        VERIFICATION_KEY="bench-node-verification-" + "fedcba9876543210" * 2,
        HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(static_root),
        CONN_MAX_AGE="60",
        LOG_LEVEL="INFO",  # as in production: one JSON access line per request
        # The public check's throttling would answer 429 after 20 requests: what is measured is the page.
        LIMITE_VERIFIER="1000000/m",
        LIMITE_VERIFIER_JOUR="100000000/d",
        CLAMAV_URL="aucun",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def _preparer_demo(env: dict[str, str]) -> None:
    """The demo data in a database of its own, made again at each run."""
    admin = _base(env["DATABASE_URL"], "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DEMO}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DEMO}"')
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_reference_data")
    _manage(env, "load_demo")


PAGES_SCRIPT = r"""
import json, os, django
django.setup()
from django.urls import reverse
from accounts.models import User
from rex.models import Demande, Statut
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
def session(user):
    # What a sign-in stores (django.contrib.auth.login), made here: the data sets' passwords are hashed for
    # the tests' settings.
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key
if os.environ["BENCH_NODE_DEMO"] == "1":
    octroyees = Demande.objects.filter(statut=Statut.OCTROYEE).exclude(numero_rex="")
    enregistrement = octroyees.order_by("pk").first()
    operateur = enregistrement.created_by
    agent = User.objects.filter(service=enregistrement.service, is_active=True).order_by("pk").first()
else:
    agent = User.objects.get(username="agent")
    operateur = User.objects.get(username="operateur")
    octroyees = Demande.objects.filter(titulaire_id=operateur.entreprise_id, statut=Statut.OCTROYEE)
    enregistrement = octroyees.first()
print(json.dumps({
    "sessions": {"agent": session(agent), "operateur": session(operateur)},
    "pages": [
        ["/healthz (alive)", "/healthz", None],
        ["verifier numero=<REX>", reverse("public:verifier") + "?numero=" + enregistrement.numero_rex, None],
        ["queue p.1 (officer)", reverse("agent:file"), "agent"],
        ["detail (officer)", reverse("agent:detail", args=[enregistrement.pk]), "agent"],
        ["REX home (operator)", reverse("rex:accueil"), "operateur"],
        ["detail (operator)", reverse("rex:detail", args=[enregistrement.pk]), "operateur"],
        ["HS autocomplete q=vin", reverse("rex:nomenclature") + "?format=json&q=vin", "operateur"],
    ],
}))
"""


def _pages(env: dict[str, str], demo: bool) -> dict:
    import json

    sortie = subprocess.run(
        [sys.executable, "-c", PAGES_SCRIPT],
        cwd=ROOT,
        env={**env, "BENCH_NODE_DEMO": "1" if demo else "0"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(sortie.strip().splitlines()[-1])


def _wrk(url: str, cookie: str | None, duree: int, connexions: int) -> dict:
    commande = ["wrk", "-t1", f"-c{connexions}", f"-d{duree}s", "--latency", "--timeout", "10s"]
    if cookie:
        commande += ["-H", f"Cookie: sessionid={cookie}"]
    sortie = subprocess.run([*commande, url], check=True, capture_output=True, text=True).stdout

    def latence(pourcentile: str) -> float:
        valeur, unite = re.search(rf"^\s+{pourcentile}%\s+([\d.]+)(us|ms|s)\s*$", sortie, re.M).groups()
        return float(valeur) * {"us": 0.001, "ms": 1, "s": 1000}[unite]

    erreurs = re.search(r"Non-2xx or 3xx responses: (\d+)", sortie)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", sortie)[1]),
        "p50": latence("50"),
        "p99": latence("99"),
        "requetes": int(re.search(r"(\d+) requests in", sortie)[1]),
        "erreurs": int(erreurs[1]) if erreurs else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duree", type=int, default=10, help="seconds per page (default 10)")
    parser.add_argument("--connexions", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes of the node (default 3)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk est requis : apt-get install wrk (ou make system-deps).")

    url_bench = os.environ.get("BENCH_SCALE_DATABASE_URL", URL_BENCH)
    demo = not _seeded(url_bench)
    database_url = _base(url_bench, DEMO) if demo else url_bench
    static_root = Path(tempfile.mkdtemp(prefix="soprano-bench-static-"))
    env = _environnement(database_url, static_root)
    print(f"== data: {'demo data (load_demo), ' + DEMO if demo else 'make bench-scale, 100k requests'}")
    if demo:
        _preparer_demo(env)
    debut = time.monotonic()
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    print(f"   static files collected in {time.monotonic() - debut:.0f} s")
    plan = _pages(env, demo)

    port = _port()
    base = f"http://127.0.0.1:{port}"
    journal = open(static_root / "gunicorn.log", "wb")  # noqa: SIM115 - closed in finally
    noeud = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "soprano.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--timeout", "60"],
        cwd=ROOT, env=env, stdout=journal, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        limite = time.monotonic() + 60
        while True:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            if noeud.poll() is not None or time.monotonic() > limite:
                raise SystemExit((static_root / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.2)
        cookies = plan["sessions"]
        print(
            f"== one web node: gunicorn, {args.workers} processes, production settings; wrk: 1 thread, "
            f"{args.connexions} connections, {args.duree} s per page; {os.cpu_count()} cores shared by both"
        )
        print(f"   {'page':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'non-2xx':>8}")
        for nom, chemin, role in plan["pages"]:
            cookie = cookies.get(role) if role else None
            for _ in range(5):  # warm-up: connections, caches
                requests.get(base + chemin, cookies={"sessionid": cookie} if cookie else None, timeout=30)
            r = _wrk(base + chemin, cookie, args.duree, args.connexions)
            print(
                f"   {nom:<28} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
                f"{r['requetes']:>9} {r['erreurs']:>8}"
            )
    finally:
        noeud.terminate()
        noeud.wait(timeout=30)
        journal.close()
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
