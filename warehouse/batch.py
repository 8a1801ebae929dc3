"""Reading and verifying a staged batch before the archive is touched.

Everything here runs before the DuckDB file is opened: hashing a large Parquet
file takes seconds, and the file lock must be held only for the transaction.
A batch that does not match its ``batch.json`` is refused as a whole
(``BatchInvalid`` naming the file), see docs/internals.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import ARTICLES, BATCH_FORMAT, FETCHES, OPTIONAL_ARTICLE_COLUMNS
from warehouse.errors import BatchInvalid

BATCH_FILE = "batch.json"
FETCHES_FILE = "fetches.parquet"
ARTICLES_FILE = "articles.parquet"
_SCHEMAS = {FETCHES_FILE: FETCHES, ARTICLES_FILE: ARTICLES}


@dataclass(frozen=True)
class StagedFile:
    path: Path
    sha256: str
    rows: int


@dataclass(frozen=True)
class Batch:
    """A verified batch: files match batch.json, schemas match pipeline.schema."""

    directory: Path
    run_id: str
    format: int
    created_at: str | None
    run: dict[str, Any]
    fetches: StagedFile
    articles: StagedFile
    boilerplate: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)  # per source, learned line keys

    @property
    def sources(self) -> list[dict[str, Any]]:
        return list(self.run.get("sources") or [])


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_batch(directory: str | Path) -> Batch:
    """Parse ``batch.json`` and verify every file it lists; raise ``BatchInvalid`` otherwise."""
    directory = Path(directory)
    manifest_path = directory / BATCH_FILE
    if not manifest_path.is_file():
        raise BatchInvalid(manifest_path, "missing: the batch is incomplete (extract writes batch.json last)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BatchInvalid(manifest_path, f"not readable JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise BatchInvalid(manifest_path, "expected a JSON object")
    if manifest.get("format") != BATCH_FORMAT:
        raise BatchInvalid(manifest_path, f"format {manifest.get('format')!r}, this loader reads {BATCH_FORMAT}")
    run_id = manifest.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        raise BatchInvalid(manifest_path, "no run_id")
    run = manifest.get("run") or {}
    if not isinstance(run, dict):
        raise BatchInvalid(manifest_path, "'run' is not an object")
    if run.get("run_id") not in (None, run_id):
        raise BatchInvalid(manifest_path, f"run.run_id {run.get('run_id')!r} is not {run_id!r}")
    for key in ("started_at", "finished_at"):
        value = run.get(key)
        try:
            if value is not None:
                datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise BatchInvalid(manifest_path, f"run.{key} is not an ISO timestamp: {value!r}") from None
    sources = run.get("sources") or []
    if not isinstance(sources, list) or any(not isinstance(s, dict) or not s.get("id") for s in sources):
        raise BatchInvalid(manifest_path, "run.sources must be a list of objects with an 'id'")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BatchInvalid(manifest_path, "no 'files' object")
    staged = {name: _verify_file(directory, name, files.get(name)) for name in _SCHEMAS}
    learned = manifest.get("boilerplate") or {}
    if not isinstance(learned, dict) or not all(
        isinstance(keys, list) and all(isinstance(k, str) for k in keys) for keys in learned.values()
    ):
        raise BatchInvalid(manifest_path, "'boilerplate' must map source ids to lists of line keys")
    return Batch(
        directory=directory,
        run_id=run_id,
        format=BATCH_FORMAT,
        created_at=manifest.get("created_at"),
        run=run,
        fetches=staged[FETCHES_FILE],
        articles=staged[ARTICLES_FILE],
        boilerplate={str(source): frozenset(keys) for source, keys in learned.items() if keys},
    )


def _verify_file(directory: Path, name: str, entry: Any) -> StagedFile:
    path = directory / name
    if not isinstance(entry, dict) or "sha256" not in entry or "rows" not in entry:
        raise BatchInvalid(directory / BATCH_FILE, f"files.{name} must give sha256 and rows")
    if not path.is_file():
        raise BatchInvalid(path, "listed in batch.json but missing")
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        raise BatchInvalid(path, f"sha256 is {actual}, batch.json says {entry['sha256']} (corrupt or rewritten)")
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise BatchInvalid(path, f"not a readable Parquet file: {exc}") from exc
    rows = parquet.metadata.num_rows
    if rows != entry["rows"]:
        raise BatchInvalid(path, f"has {rows} rows, batch.json says {entry['rows']}")
    _check_schema(path, parquet.schema_arrow, _SCHEMAS[name])
    return StagedFile(path=path, sha256=actual, rows=rows)


def _check_schema(path: Path, actual: pa.Schema, expected: pa.Schema) -> None:
    """Every column of pipeline.schema present with its type; extra columns are ignored.

    Optional columns (``OPTIONAL_ARTICLE_COLUMNS``) may be missing: a batch staged by an
    earlier version still loads, and the load computes what they would have said.
    """
    problems = []
    for field in expected:
        index = actual.get_field_index(field.name)
        if index < 0 and field.name in OPTIONAL_ARTICLE_COLUMNS:
            continue
        if index < 0:
            problems.append(f"column {field.name!r} missing")
        elif not actual.field(index).type.equals(field.type):
            problems.append(f"column {field.name!r} is {actual.field(index).type}, expected {field.type}")
    if problems:
        raise BatchInvalid(path, "schema does not match pipeline.schema: " + "; ".join(problems))
