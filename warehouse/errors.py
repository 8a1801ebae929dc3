"""Typed archive errors: the CLI and flows show the message as is, so it says what to do."""

from __future__ import annotations

from pathlib import Path


class ArchiveError(Exception):
    """Base of every error the warehouse raises on purpose."""


class ArchiveBusy(ArchiveError):
    """Another process holds the DuckDB file past the bounded wait."""

    def __init__(self, path: Path | str, waited: float, detail: str = "") -> None:
        self.path = Path(path)
        self.waited = waited
        message = (
            f"{self.path} is locked by another process (a load is probably running); "
            f"gave up after waiting {waited:.0f}s. Retry in a moment."
        )
        if detail:
            message += f" [{detail}]"
        super().__init__(message)


class ArchiveMissing(ArchiveError):
    """There is no archive file yet."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        super().__init__(f"no archive at {self.path}: run a crawl (or `pressarchive demo`) first to create it")


class WriteRefused(ArchiveError):
    """A statement that would write went through the read-only query path."""

    def __init__(self, statement_type: str, statement: str) -> None:
        self.statement_type = statement_type
        self.statement = statement.strip()
        super().__init__(
            f"refused: {statement_type} statement ({self.statement[:80]!r}); the query path "
            "is read-only, only SELECT/EXPLAIN/PRAGMA reads are allowed"
        )


class QueryFailed(ArchiveError):
    """DuckDB rejected a read-only query (syntax error, unknown table, ...)."""


class BatchInvalid(ArchiveError):
    """A staged batch that cannot be loaded; the message names the file and what is wrong."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}; nothing was loaded from this batch")
