"""docs/archive.md stays true: every table and column it lists exists, every example query runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from warehouse.load import load_batch
from warehouse.query import run_query
from warehouse.synthetic import SyntheticSpec, generate

DOC = Path(__file__).resolve().parent.parent / "docs" / "archive.md"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs")
    path = root / "archive.duckdb"
    (batch,) = generate(root / "staging", SyntheticSpec(400, seed=5))
    load_batch(path, batch)
    return path


def example_queries() -> list[str]:
    block = re.search(r"## Example queries\s+```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "docs/archive.md lost its example queries"
    return [q.strip() for q in block.group(1).split(";") if q.strip()]


def test_there_are_six_to_eight_examples() -> None:
    assert 6 <= len(example_queries()) <= 8


@pytest.mark.parametrize("index", range(8))
def test_example_query_runs(archive: Path, index: int) -> None:
    queries = example_queries()
    if index >= len(queries):
        pytest.skip("fewer examples")
    result = run_query(archive, queries[index])
    assert result.columns


def test_every_table_and_column_is_documented(archive: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = run_query(
        archive,
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal",
    ).rows
    missing = sorted({f"{t}.{c}" for t, c in rows if f"`{t}`" not in text or f"`{c}`" not in text})
    assert not missing, f"not in docs/archive.md: {missing}"
