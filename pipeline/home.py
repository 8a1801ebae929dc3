"""Where a run's files live: one folder, ``PRESSARCHIVE_HOME`` (default ``./data``)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HOME_ENV = "PRESSARCHIVE_HOME"


@dataclass(frozen=True)
class DataHome:
    """The data home and the fixed places inside it (see docs/internals.md)."""

    root: Path

    @classmethod
    def from_env(cls, root: str | os.PathLike[str] | None = None) -> DataHome:
        value = root if root is not None else os.environ.get(HOME_ENV, "data")
        return cls(Path(value).expanduser().resolve())

    @property
    def db_path(self) -> Path:
        return self.root / "archive.duckdb"

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"

    @property
    def staging_dir(self) -> Path:
        return self.root / "staging"

    @property
    def boilerplate_dir(self) -> Path:
        """Per-source counts of recurring lines (pipeline.boilerplate), derived like the database."""
        return self.root / "boilerplate"

    def run_dir(self, run_id: str) -> Path:
        return self.staging_dir / run_id

    def ensure(self) -> DataHome:
        for path in (self.root, self.warc_dir, self.staging_dir):
            path.mkdir(parents=True, exist_ok=True)
        return self


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by start time, unique across machines thanks to the random suffix."""
    now = now or datetime.now(UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"
