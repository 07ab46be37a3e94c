"""The lock files (requirements/*.txt, `make lock`) follow pyproject.toml: every pinned package is there
at the same version, and every package of the lock carries its hashes (pip --require-hashes refuses
otherwise)."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;]+)")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(path: Path) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} of a lock file written by `uv pip compile --generate-hashes`."""
    packages: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            current = _normalised(match[1])
            packages[current] = (match[2], 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = packages[current]
            packages[current] = (version, hashes + 1)
    return packages


def _pins(requirements: list[str]) -> dict[str, str]:
    return {_normalised(m[1]): m[2] for r in requirements if (m := PIN.match(r))}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize(
    ("lock_file", "requirements"),
    [
        ("production.txt", PROJECT["dependencies"]),
        ("dev.txt", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_lock_file_pins_what_pyproject_pins(lock_file, requirements):
    locked = _lock(ROOT / "requirements" / lock_file)
    pins = _pins(requirements)
    assert len(pins) == len(requirements), "every dependency of pyproject.toml is pinned with =="
    differences = {name: (version, locked.get(name, ("absent", 0))[0]) for name, version in pins.items()}
    assert {n: d for n, d in differences.items() if d[0] != d[1]} == {}, "run `make lock`"
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []


def test_production_lock_has_no_development_tool():
    locked = _lock(ROOT / "requirements" / "production.txt")
    for tool in ("pytest", "moto", "playwright", "uv", "ruff"):
        assert tool not in locked
