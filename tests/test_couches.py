"""The layers: which module may import which (issue 10, point 1). Read from the source, not the runtime."""

import ast
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent


def _imports(chemin: Path) -> set[str]:
    """Every module named by an import in the file, at any depth (inner imports included)."""
    noms: set[str] = set()
    for noeud in ast.walk(ast.parse(chemin.read_text(encoding="utf-8"))):
        if isinstance(noeud, ast.Import):
            noms.update(alias.name for alias in noeud.names)
        elif isinstance(noeud, ast.ImportFrom) and noeud.module:
            noms.add(noeud.module)
            noms.update(f"{noeud.module}.{alias.name}" for alias in noeud.names)
    return noms


def _modules(dossier: str) -> list[Path]:
    return sorted(p for p in (RACINE / dossier).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("chemin", _modules("accounts"), ids=lambda p: str(p.relative_to(RACINE)))
def test_accounts_never_imports_rex(chemin):
    assert not {nom for nom in _imports(chemin) if nom == "rex" or nom.startswith("rex.")}


@pytest.mark.parametrize(
    "chemin", [*_modules("accounts"), *_modules("rex")], ids=lambda p: str(p.relative_to(RACINE))
)
def test_accounts_and_rex_never_import_webhooks(chemin):
    """rex announces its changes (rex.signals); the webhooks app subscribes to them (webhooks.apps)."""
    assert not {nom for nom in _imports(chemin) if nom == "webhooks" or nom.startswith("webhooks.")}


SOUS_LES_FORMULAIRES = [
    "rex/services/base.py",
    "rex/services/depot.py",
    "rex/services/instruction.py",
    "rex/services/modification.py",
    "rex/services/rejet_automatique.py",
    "rex/services/relances.py",
    "rex/regles.py",
    "rex/completude.py",
    "rex/versions.py",
]


@pytest.mark.parametrize("module", SOUS_LES_FORMULAIRES)
def test_services_and_rules_never_import_forms_nor_views(module):
    """Direct imports: the rules they share with the forms live in rex.regles; a stored request's
    completeness is rex.completude, not the forms rebuilt by rex.validation."""
    interdits = {
        nom
        for nom in _imports(RACINE / module)
        if nom.startswith(("rex.forms", "rex.views", "rex.validation")) or nom == "rex.validation"
    }
    assert not interdits


def test_versions_never_imports_a_service():
    assert not {nom for nom in _imports(RACINE / "rex/versions.py") if nom.startswith("rex.services")}


SOUS_LES_TACHES = [
    "rex/emails.py",
    "rex/pdf.py",
    *(str(p.relative_to(RACINE)) for p in _modules("rex/services")),
]


@pytest.mark.parametrize("module", SOUS_LES_TACHES)
def test_what_the_tasks_call_never_imports_the_tasks(module):
    """rex.tasks imports the services, the e-mails and the PDF; none of them imports it back (they queue a
    task by its name), so that no import hides inside a function to dodge a cycle."""
    assert not {nom for nom in _imports(RACINE / module) if nom.startswith("rex.tasks")}


@pytest.mark.parametrize(
    "chemin", [*_modules("accounts"), *_modules("rex")], ids=lambda p: str(p.relative_to(RACINE))
)
def test_accounts_and_rex_never_import_the_api(chemin):
    """The API (issue 12) is a door onto rex and accounts, like the views: they never import it back."""
    assert not {nom for nom in _imports(chemin) if nom == "api" or nom.startswith("api.")}


@pytest.mark.parametrize("chemin", _modules("api"), ids=lambda p: str(p.relative_to(RACINE)))
def test_the_api_reads_through_selectors_never_through_the_portals_views(chemin):
    """Same rights as the pages because the same selectors, dossier reads and action registry: never a
    view of the portal (nor its forms) called from the API."""
    assert not {
        nom for nom in _imports(chemin) if nom.startswith(("rex.views", "rex.forms", "accounts.views"))
    }
