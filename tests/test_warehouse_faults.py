"""Faults: a load killed with SIGKILL mid-transaction leaves the archive as it was; concurrent loads load once.

Each load runs in its own process, as in production (a Prefect task, a CLI),
because DuckDB's file lock and its write-ahead log are what is under test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from batchfactory import art, make_batch

from warehouse import db
from warehouse import search as fts
from warehouse.load import load_batch
from warehouse.synthetic import SyntheticSpec, generate

ROOT = Path(__file__).resolve().parent.parent
LOADER = (
    "import dataclasses, json, sys\n"
    "from warehouse.load import load_batch\n"
    "result = load_batch(sys.argv[1], sys.argv[2], reindex=sys.argv[3] == '1', wait_seconds=300)\n"
    "print(json.dumps(dataclasses.asdict(result)), flush=True)\n"
)


def start_load(path: Path, batch: Path, *, reindex: bool = True) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", LOADER, str(path), str(batch), "1" if reindex else "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def snapshot(path: Path) -> dict[str, Any]:
    """Every row of every main table, and the full-text index's document list."""
    con = db.connect(path, read_only=True)
    try:
        tables = [
            t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
        ]
        data: dict[str, Any] = {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        con.close()
    index = db.connect(fts.index_path(path), read_only=True)  # the index file beside the archive
    try:
        data["fts docs"] = sorted(index.execute("SELECT name FROM fts_main_articles.docs").fetchall())
    finally:
        index.close()
    return data


def wait_until_locked(path: Path, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    """Return once ``proc`` holds the archive's write lock (a read-only open is refused)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the load ended before it could be interrupted: {proc.communicate()}"
        try:
            db.connect(path, read_only=True).close()
        except duckdb.IOException as exc:
            if db.is_lock_error(exc):
                return
            raise
        time.sleep(0.02)
    raise AssertionError("the load never took the lock")


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "archive.duckdb"
    first = make_batch(
        tmp_path / "staging",
        "20261001T043000Z-before",
        [art("https://www.touleco.fr/a", "Le Périscope ouvre à Ramonville."), art("https://www.touleco.fr/b", "Deux.")],
    )
    load_batch(path, first)
    return path


def test_sigkill_during_load_leaves_the_archive_as_before(archive: Path, tmp_path: Path) -> None:
    (batch,) = generate(tmp_path / "big", SyntheticSpec(3_000, seed=11))
    before = snapshot(archive)
    proc = start_load(archive, batch)
    wait_until_locked(archive, proc)
    time.sleep(0.2)  # inside the transaction: staging and merging 3 000 rows takes longer
    assert proc.poll() is None, "the load finished before the kill: make the batch bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert snapshot(archive) == before
    again = load_batch(archive, batch)
    assert not again.skipped and again.new_articles > 2_900 and again.index_seconds is not None
    after = snapshot(archive)
    assert len(after["articles"]) == len(before["articles"]) + again.new_articles
    assert [r[0] for r in after["loaded_batches"]].count(batch.name) == 1
    assert len(after["fts docs"]) == len(after["articles"])
    assert fts.search(archive, "Ramonville")


def test_sigkill_during_the_index_rebuild_is_repaired_by_the_next_load(archive: Path, tmp_path: Path) -> None:
    (batch,) = generate(tmp_path / "big", SyntheticSpec(3_000, seed=12))
    result = load_batch(archive, batch, reindex=False)
    assert fts.index_status(archive).loads_behind == 1
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from warehouse import search; search.rebuild(sys.argv[1])", str(archive)],
        cwd=ROOT,
    )
    temp = fts.index_path(archive).with_name(fts.index_path(archive).name + ".tmp")
    deadline = time.monotonic() + 60
    while not temp.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert proc.poll() is None, "the rebuild finished before the kill"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    state = fts.index_status(archive)
    assert state.built and state.loads_behind == 1  # the old index, intact, still searchable
    assert fts.search(archive, "Ramonville")
    repaired = load_batch(archive, batch)
    assert repaired.skipped and repaired.index_seconds is not None
    assert fts.index_status(archive).articles == 2 + result.new_articles


def test_two_loads_of_one_batch_at_once_load_it_once(archive: Path, tmp_path: Path) -> None:
    (batch,) = generate(tmp_path / "mid", SyntheticSpec(1_000, seed=13))
    procs = [start_load(archive, batch, reindex=False) for _ in range(2)]
    outputs = [p.communicate(timeout=400) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    results = [json.loads(out) for out, _ in outputs]
    assert sorted(r["skipped"] for r in results) == [False, True]
    loaded = next(r for r in results if not r["skipped"])
    data = snapshot(archive)
    assert [r[0] for r in data["loaded_batches"]].count(batch.name) == 1
    assert len(data["articles"]) == 2 + loaded["new_articles"]
    assert len(data["fetches"]) == 2 + loaded["fetches"]
