"""The staged batch on disk: Parquet files, then ``batch.json`` as the commit mark.

A load may start while extract is still writing, or after extract crashed. So
every file is written under a temporary name and renamed (atomic on one file
system), and ``batch.json``, which lists each file's sha256 and row count, is
written last: no ``batch.json``, no batch; a file that does not match it, a
refused batch. Rows are written in fetch-log order, so re-running extract on
the same run gives byte-identical Parquet files.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import ARTICLES, BATCH_FORMAT, FETCHES

FETCHES_FILE = "fetches.parquet"
ARTICLES_FILE = "articles.parquet"
BATCH_FILE = "batch.json"


class BatchError(Exception):
    """A staged batch is incomplete or its files do not match batch.json."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_table(rows: Iterable[Mapping[str, Any]], schema: pa.Schema, path: Path) -> int:
    """Write rows (dicts keyed by the schema's names; extra keys ignored) atomically."""
    materialised = [{name: row.get(name) for name in schema.names} for row in rows]
    table = pa.Table.from_pylist(materialised, schema=schema)
    tmp = _tmp(path)
    try:
        pq.write_table(table, tmp, compression="zstd", write_statistics=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return table.num_rows


def write_json(data: Mapping[str, Any], path: Path) -> None:
    tmp = _tmp(path)
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_batch(
    batch_dir: Path,
    run: Mapping[str, Any],
    fetch_rows: list[dict[str, Any]],
    article_rows: list[dict[str, Any]],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write fetches.parquet, articles.parquet, then batch.json; returns the manifest."""
    (batch_dir / BATCH_FILE).unlink(missing_ok=True)  # the old mark must not bless new files
    files: dict[str, dict[str, Any]] = {}
    for name, rows, schema in (
        (FETCHES_FILE, fetch_rows, FETCHES),
        (ARTICLES_FILE, article_rows, ARTICLES),
    ):
        path = batch_dir / name
        count = write_table(rows, schema, path)
        files[name] = {"sha256": sha256_file(path), "rows": count}
    manifest: dict[str, Any] = {
        "format": BATCH_FORMAT,
        "run_id": run.get("run_id"),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": dict(run),
        "files": files,
        **(extra or {}),
    }
    write_json(manifest, batch_dir / BATCH_FILE)
    return manifest


def verify_batch(batch_dir: Path) -> dict[str, Any]:
    """The manifest of a complete batch whose files match it; raises BatchError otherwise."""
    manifest_path = batch_dir / BATCH_FILE
    if not manifest_path.exists():
        raise BatchError(f"{batch_dir}: no {BATCH_FILE}, the batch is not complete")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != BATCH_FORMAT:
        raise BatchError(f"{manifest_path}: format {manifest.get('format')!r} is not {BATCH_FORMAT}")
    for name, expected in manifest.get("files", {}).items():
        path = batch_dir / name
        if not path.exists():
            raise BatchError(f"{path}: listed in {BATCH_FILE} but missing")
        if sha256_file(path) != expected.get("sha256"):
            raise BatchError(f"{path}: sha256 does not match {BATCH_FILE}")
        rows = pq.ParquetFile(path).metadata.num_rows
        if rows != expected.get("rows"):
            raise BatchError(f"{path}: {rows} rows, {BATCH_FILE} says {expected.get('rows')}")
    return manifest
