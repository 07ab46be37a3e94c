"""Benchmarks: prints figures (time, SQL queries, memory) for the pages and actions that grow with data.

Usage: `make bench` (SQLite file in var/, or DATABASE_URL for PostgreSQL). Not a test: it asserts nothing.
"""

import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soprano.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
(ROOT / "var").mkdir(exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from rex import services  # noqa: E402
from tests.factories import MandatFactory, UserFactory, demande_representee  # noqa: E402


def measure(client: Client, url: str, repeat: int = 20) -> tuple[float, int, float]:
    """Median time (ms), SQL queries, peak Python memory (KiB) of a GET."""
    executed = []
    with connection.execute_wrapper(lambda execute, *args: executed.append(1) or execute(*args)):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    client.get(url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(timings), len(executed), peak / 1024


def main() -> None:
    setup_test_environment()
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("load_reference_data", verbosity=0)
    print(f"load_reference_data: {time.perf_counter() - start:.2f} s")

    transitaire = UserFactory(representant=True)
    client = Client()
    client.force_login(transitaire)
    print(f"{'requests':>9} {'submit ms':>10} {'home ms':>8} {'queries':>8} {'peak KiB':>9}")
    total = 0
    for target in (10, 100, 1000):
        start = time.perf_counter()
        created = 0
        while total < target:
            represente = MandatFactory(representant=transitaire.entreprise).represente
            demande = demande_representee(transitaire, represente)
            services.soumettre(demande=demande, by=transitaire)
            total += 1
            created += 1
        per_submit = (time.perf_counter() - start) * 1000 / max(created, 1)
        ms, queries, peak = measure(client, reverse("rex:accueil"))
        print(f"{total:>9} {per_submit:>10.1f} {ms:>8.1f} {queries:>8} {peak:>9.0f}")

    search = Client()
    search.force_login(transitaire)
    for q in ("84", "vin", "machines automatiques"):
        ms, queries, _ = measure(search, reverse("rex:nomenclature") + f"?format=json&q={q}")
        print(f"nomenclature q={q!r}: {ms:.1f} ms, {queries} queries")


if __name__ == "__main__":
    main()
