"""The status sets, written by hand from the guide: each set is defined once (rex.models) and says what
the guide does with a status."""

import ast
from pathlib import Path

from rex import models
from rex.models import Statut


def test_status_sets_follow_the_guide():
    # §6: the service instructs what is « En étude » or « Incomplète ».
    assert set(models.STATUTS_EN_INSTRUCTION) == {Statut.EN_ETUDE, Statut.INCOMPLETE}
    # §5, §6.2: the form is edited as a draft, and again when a complement is asked.
    assert set(models.STATUTS_MODIFIABLES) == {Statut.BROUILLON, Statut.INCOMPLETE}
    # §5.1: an EORI with a request filed or a valid REX number cannot file again.
    assert set(models.STATUTS_ACTIFS) == {
        Statut.EN_ETUDE,
        Statut.INCOMPLETE,
        Statut.OCTROYEE,
        Statut.MODIFICATION_DEMANDEE,
    }
    # §3.5 « Mes autorisations »: the registration as it stands, revoked ones included.
    assert set(models.STATUTS_AUTORISATIONS) == {
        Statut.OCTROYEE,
        Statut.MODIFICATION_DEMANDEE,
        Statut.REVOQUEE,
    }
    # A former version keeps its printed registration.
    assert set(models.STATUTS_IMPRIMABLES) == set(models.STATUTS_AUTORISATIONS) | {Statut.VERSION_ANTERIEURE}
    # « Dupliquer » serves to file again once the request ended without a valid registration.
    assert set(models.STATUTS_TERMINES) == {Statut.REJETEE, Statut.REVOQUEE}
    # §7: a registration keeps its REX number while its modification is instructed.
    assert set(models.STATUTS_ENREGISTRES) == {Statut.OCTROYEE, Statut.MODIFICATION_DEMANDEE}
    # « Mes clients » shows a client's request in any status but a former version (its successor is shown).
    assert set(models.STATUTS_CLIENTS) == set(Statut) - {Statut.VERSION_ANTERIEURE}
    # The queue holds everything filed, in the order of the state machine.
    assert list(models.STATUTS_DEPOSES) == [s for s in Statut if s != Statut.BROUILLON]


def test_no_other_module_writes_a_status_set():
    """Every other module reads the sets of rex.models instead of listing statuses again."""
    racine = Path(models.__file__).parent
    listes = []
    for fichier in racine.rglob("*.py"):
        if fichier.name == "models.py" or "migrations" in fichier.parts:
            continue
        for noeud in ast.walk(ast.parse(fichier.read_text())):
            if isinstance(noeud, ast.Tuple | ast.List | ast.Set):
                statuts = [e for e in noeud.elts if _est_un_statut(e)]
                if len(statuts) >= 2:
                    listes.append(f"{fichier.relative_to(racine.parent)}:{noeud.lineno}")
    assert listes == []


def _est_un_statut(noeud) -> bool:
    if not isinstance(noeud, ast.Attribute) or not isinstance(noeud.value, ast.Name):
        return False
    return noeud.value.id == "Statut"
