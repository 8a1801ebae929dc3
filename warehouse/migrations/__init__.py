"""Numbered SQL migrations: the archive schema is these files, applied in order, once each.

A migration is ``NNN_name.sql`` in this folder. ``migrate`` runs every one not
yet recorded in ``schema_migrations``, each in its own transaction, so a failed
migration leaves the archive at the previous version. Never edit an applied
file: add the next number instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from warehouse.errors import ArchiveError

_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """The migrations shipped with this code, by version."""
    found: dict[int, Migration] = {}
    for entry in resources.files(__name__).iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        version = int(match.group(1))
        if version in found:
            raise ArchiveError(f"two migrations numbered {version:03d}: fix warehouse/migrations")
        found[version] = Migration(version, match.group(2), entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def applied(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Versions already recorded in the archive (empty for a new file)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    rows = con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    return [int(v) for (v,) in rows]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations in order; return the versions applied now."""
    known = available()
    done = set(applied(con))
    latest = max((m.version for m in known), default=0)
    if done and max(done) > latest:
        raise ArchiveError(
            f"the archive has schema version {max(done)} but this pressarchive knows only up to "
            f"{latest}: upgrade pressarchive before using this archive"
        )
    pending = [m for m in known if m.version not in done]
    if not pending:
        return []
    con.execute(_LEDGER)
    for migration in pending:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                [migration.version, migration.name],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise ArchiveError(f"migration {migration.version:03d}_{migration.name}.sql failed: {exc}") from exc
    return [m.version for m in pending]
