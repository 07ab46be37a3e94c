"""Builds small nomenclature files in the official TARIC export format."""

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

HEADER = (
    "Goods code",
    "Start date",
    "End date",
    "Language",
    "Hier. Pos.",
    "Indent",
    "Description",
    "Descr. start date",
)


@pytest.fixture
def nomenclature_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """A function writing rows (header excluded) to an xlsx; the cache is kept in tmp_path."""
    monkeypatch.setenv("NOMENCLATURE_CACHE_DIR", str(tmp_path / "cache"))

    def build(
        rows: Iterable[tuple],
        name: str = "nomenclature.xlsx",
        *,
        sql: str | None = None,
        created: datetime | None = None,
    ) -> Path:
        """``sql``: the query the Commission puts in a second sheet; ``created``: the file's date."""
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        if sql is not None:
            workbook.create_sheet("SQL").append((sql,))
        if created is not None:
            workbook.properties.created = created
        path = tmp_path / name
        workbook.save(path)
        return path

    return build
