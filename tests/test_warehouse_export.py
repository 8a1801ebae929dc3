"""Export: Parquet by month read back by DuckDB, pandas and polars; JSON Lines; CSV; filters."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest
from batchfactory import art, make_batch

from warehouse.errors import ArchiveError
from warehouse.export import export_articles
from warehouse.load import load_batch

R1 = "20261122T043000Z-aaaaaa"


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "archive.duckdb"
    rows = [
        art("https://www.touleco.fr/a", "Le Périscope ouvre à Ramonville.", published_at=datetime(2016, 3, 10, 9)),
        art("https://www.touleco.fr/b", "Innopole s'agrandit.", title="Innopole", published_at=datetime(2016, 3, 28)),
        art(
            "https://www.alesagglo.fr/c",
            "Visite du directeur de Territoires d'industrie.",
            source_id="ales-agglo",
            title="Territoires d'industrie",
            authors=["Service presse", "Cabinet du président"],
            published_at=datetime(2026, 5, 4, 10),
        ),
        art("https://www.touleco.fr/d", "Sans date.", title="Sans date", published_at=None),
    ]
    load_batch(path, make_batch(tmp_path / "staging", R1, rows), reindex=False)
    return path


def test_parquet_partitioned_by_month_reads_everywhere(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = export_articles(archive, out)
    assert result.articles == 4
    months = sorted(p.name for p in out.iterdir())
    assert months == ["month=2016-03", "month=2026-05", "month=unknown"]
    assert all(f.suffix == ".parquet" for f in result.files)

    con = duckdb.connect()
    rows = con.execute(
        f"SELECT month, title, outlet, authors, version FROM read_parquet('{out}/**/*.parquet', hive_partitioning = 1) "
        "ORDER BY month, title"
    ).fetchall()
    assert rows[0] == ("2016-03", "Innopole", "ToulÉco", ["Aurélie de Varax"], 1)
    assert rows[2][:2] == ("2026-05", "Territoires d'industrie")
    assert rows[2][3] == ["Service presse", "Cabinet du président"]

    frame = pd.read_parquet(out)
    assert len(frame) == 4 and {"text", "story_id", "published_at", "month"} <= set(frame.columns)
    assert sorted(frame["month"].astype(str).unique()) == ["2016-03", "2026-05", "unknown"]

    polars = pl.read_parquet(out / "**" / "*.parquet", hive_partitioning=True)
    assert polars.height == 4
    assert polars.filter(pl.col("month") == "2026-05")["source_id"].to_list() == ["ales-agglo"]
    assert polars.schema["published_at"] == pl.Datetime("us")


def test_filters_since_and_source(archive: Path, tmp_path: Path) -> None:
    assert export_articles(archive, tmp_path / "since", since=date(2020, 1, 1)).articles == 1
    result = export_articles(archive, tmp_path / "src", source="toulouse-eco")
    assert result.articles == 3
    assert export_articles(archive, tmp_path / "none", source="nope").articles == 0
    assert (tmp_path / "none").is_dir()


def test_jsonl_and_csv(archive: Path, tmp_path: Path) -> None:
    result = export_articles(archive, tmp_path / "a.jsonl", "jsonl")
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert result.articles == len(lines) == 4
    first = json.loads(lines[0])
    assert first["title"] == "Le Périscope" and first["authors"] == ["Aurélie de Varax"]
    assert first["published_at"].startswith("2016-03-10")

    export_articles(archive, tmp_path / "a.csv", "csv")
    with (tmp_path / "a.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 4
    ales = next(r for r in records if r["source_id"] == "ales-agglo")
    assert ales["authors"] == "Service presse; Cabinet du président"
    assert pl.read_csv(tmp_path / "a.csv").height == 4


def test_existing_output_is_refused_unless_overwrite(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export_articles(archive, out)
    with pytest.raises(ArchiveError, match="already exists"):
        export_articles(archive, out)
    assert export_articles(archive, out, since=date(2020, 1, 1), overwrite=True).articles == 1
    assert sorted(p.name for p in out.iterdir()) == ["month=2026-05"]
