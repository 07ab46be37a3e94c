"""Concurrency on PostgreSQL: numbers stay unique, one REX per EORI holds, double clicks are harmless."""

import threading

from django.db import close_old_connections, connection
from django.utils import timezone

import pytest

from rex import services
from rex.models import Demande, Evenement, Statut
from tests.factories import DemandeFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"),
]


def run_together(functions):
    """Starts every function at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            results[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_numbers_are_unique_under_concurrency():
    demandes = [DemandeFactory(complete=True) for _ in range(8)]
    results = run_together(
        [lambda d=d: services.soumettre(demande=d, by=d.created_by).numero for d in demandes]
    )
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 8
    year = timezone.localdate().year
    assert sorted(int(n.rsplit("-", 1)[1]) for n in results) == list(range(1, 9))
    assert all(n.startswith(f"FR-REX-{year}-") for n in results)


def test_two_requests_for_one_eori_submitted_at_once_only_one_wins():
    first = DemandeFactory(complete=True)
    second = DemandeFactory(complete=True, created_by=first.created_by)
    results = run_together(
        [lambda d=d: services.soumettre(demande=d, by=d.created_by) for d in (first, second)]
    )
    refused = [r for r in results if isinstance(r, services.ActionRefusee)]
    assert len(refused) == 1, results
    assert "déjà un numéro REX" in str(refused[0])
    assert Demande.objects.filter(statut=Statut.EN_ETUDE).count() == 1


def test_double_click_on_soumettre_submits_once():
    demande = DemandeFactory(complete=True)
    results = run_together(
        [lambda: services.soumettre(demande=demande, by=demande.created_by) for _ in range(2)]
    )
    assert sum(isinstance(r, Demande) for r in results) == 1, results
    assert Evenement.objects.filter(kind="soumission").count() == 1


def test_two_officers_granting_and_rejecting_at_once_exactly_one_wins():
    from tests.factories import UserFactory

    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    premier, second = UserFactory(service=demande.service), UserFactory(service=demande.service)
    results = run_together(
        [
            lambda: services.octroyer(demande=demande, by=premier),
            lambda: services.rejeter(demande=demande, by=second, motif="Irrecevable."),
        ]
    )
    wins = [r for r in results if isinstance(r, Demande)]
    refused = [r for r in results if isinstance(r, services.ActionRefusee)]
    assert len(wins) == 1 and len(refused) == 1, results
    assert "impossible" in str(refused[0])
    final = Demande.objects.get(pk=demande.pk).statut
    assert final == wins[0].statut
    assert Evenement.objects.filter(kind__in=("octroi", "rejet")).count() == 1
