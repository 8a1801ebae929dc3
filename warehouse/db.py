"""Opening the archive: offline extensions, bounded waits on the file lock.

DuckDB holds an OS lock on the database file for as long as any connection to
it is open in a process, and a second process cannot open it at all (not even
read-only) while a writer holds it. Every opening therefore goes through
``open_archive`` / ``open_readonly`` here, which retry for a bounded time and
then raise ``ArchiveBusy`` instead of DuckDB's raw ``IOException``.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.errors import ArchiveBusy, ArchiveError, ArchiveMissing

DEFAULT_WRITE_WAIT = 60.0
DEFAULT_READ_WAIT = 30.0
_FIRST_PAUSE = 0.05
_MAX_PAUSE = 0.5


def extension_directory() -> Path | None:
    """Where the ``duckdb-ext-fts`` wheel put its extensions, or None when it is not installed."""
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "extensions"
        if candidate.is_dir():
            return candidate
    return None


def _config() -> dict[str, str | bool | int | float | list[str]]:
    # The same config for every connection: DuckDB refuses a second connection
    # to a file already open in this process with a different configuration.
    config: dict[str, str | bool | int | float | list[str]] = {
        # No network here: never try to download an extension, fail fast instead.
        "autoinstall_known_extensions": False,
    }
    directory = extension_directory()
    if directory is not None:
        config["extension_directory"] = str(directory)
    return config


def connect(path: str | os.PathLike[str], *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """One plain attempt (no waiting); prefer ``open_archive`` / ``open_readonly``."""
    return duckdb.connect(str(path), read_only=read_only, config=_config())


def is_lock_error(exc: BaseException) -> bool:
    """True for DuckDB's 'Could not set lock on file ... Conflicting lock' error."""
    text = str(exc)
    return isinstance(exc, duckdb.IOException) and ("Could not set lock" in text or "Conflicting lock" in text)


def connect_waiting(path: str | os.PathLike[str], *, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Connect, retrying with growing pauses while another process holds the file."""
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    pause = _FIRST_PAUSE
    while True:
        try:
            return connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            if not is_lock_error(exc):
                raise ArchiveError(f"cannot open {path}: {exc}") from exc
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ArchiveBusy(path, wait_seconds, _holder(str(exc))) from exc
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, _MAX_PAUSE)


def _holder(message: str) -> str:
    """The 'held in <program> (PID n)' part of DuckDB's lock message, if any."""
    marker = "Conflicting lock is held in "
    if marker not in message:
        return ""
    held = message.split(marker, 1)[1].split(". See also", 1)[0]
    return f"held by {held}"


@contextmanager
def open_archive(
    path: str | os.PathLike[str], *, wait_seconds: float = DEFAULT_WRITE_WAIT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The archive opened for writing, created if needed, migrated to the current schema."""
    from warehouse.migrations import migrate

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = connect_waiting(path, read_only=False, wait_seconds=wait_seconds)
    try:
        migrate(con)
        yield con
    finally:
        con.close()


@contextmanager
def open_readonly(
    path: str | os.PathLike[str], *, wait_seconds: float = DEFAULT_READ_WAIT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The archive opened read-only; closed on exit.

    FTS is not loaded here: DuckDB autoloads it from the wheel's directory the
    first time a query uses it, which spares every other query ~50 ms.
    """
    if not Path(path).is_file():
        raise ArchiveMissing(path)
    con = connect_waiting(path, read_only=True, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """``LOAD fts`` from the wheel; ``INSTALL fts`` only when the wheel is missing."""
    try:
        con.execute("LOAD fts")
        return
    except duckdb.Error as exc:
        first = exc
    if extension_directory() is None:
        try:
            con.execute("INSTALL fts")
            con.execute("LOAD fts")
            return
        except duckdb.Error as exc:
            first = exc
    raise ArchiveError(
        "cannot load DuckDB's full-text search extension (fts): install the wheel that "
        f"matches duckdb {duckdb.__version__} (`uv sync`, or "
        f"`pip install duckdb-ext-fts=={duckdb.__version__}.*`) — {first}"
    ) from first
