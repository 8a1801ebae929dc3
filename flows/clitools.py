"""What every ``pressarchive`` command shares: consoles, output formats, error translation."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one sentence on stderr; raise the returned Exit."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn the library's typed errors into one line and a non-zero exit, never a trace."""
    from crawlers.registry import RegistryError
    from crawlers.runner import CrawlFailed
    from warehouse.errors import ArchiveError

    try:
        yield
    except (RegistryError, CrawlFailed, ArchiveError) as exc:
        raise fail(str(exc)) from None


def cell(value: Any) -> Any:
    """A value as JSON and CSV can hold it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def emit(columns: list[str], rows: list[tuple[Any, ...]], fmt: OutputFormat) -> None:
    """Rows on stdout: a table for people, CSV or one JSON array for programs."""
    if fmt is OutputFormat.json:
        records = [{c: cell(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt is OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[cell(v) for v in row] for row in rows])
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*["" if v is None else str(cell(v)) for v in row])
        console.print(table)
        err.print(f"[dim]{len(rows)} row(s)[/]")
