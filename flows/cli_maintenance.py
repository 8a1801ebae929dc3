"""``pressarchive reextract | rebuild``: derive the archive again from the WARC files.

Plain functions with typer annotations, registered on the app by
``flows/cli.py`` from ``COMMANDS``. Each runs the Prefect flow of
``flows.maintenance`` (so the run is visible in the Prefect UI) and prints its
summary; typed errors become one sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

import typer

from flows.clitools import console, fail, translated_errors


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise fail(f"--since {value!r}: expected a day as YYYY-MM-DD") from None


def reextract(
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Source id to re-extract (repeatable); default all.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only pages fetched on or after this day (YYYY-MM-DD, UTC).")
    ] = None,
) -> None:
    """Re-run the extractor over archived pages (no network) and update their articles in place."""
    from flows.maintenance import reextract as flow

    day = _since(since)
    with translated_errors():
        summary = flow(sources=source or None, since=day)
    console.print(
        f"re-extracted {summary['fetches']} pages: {summary['articles']} articles updated "
        f"({summary['texts_changed']} texts changed), {summary['removed']} removed as non-articles, "
        f"{summary['added']} added",
        highlight=False,
    )


def rebuild(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before replacing archive.duckdb.")] = False,
) -> None:
    """Recreate archive.duckdb from warc/ alone; the previous file is kept as archive.duckdb.bak."""
    from flows.maintenance import rebuild as flow

    if not yes and not typer.confirm("Replace archive.duckdb with one rebuilt from warc/?", default=True):
        raise typer.Exit(1)
    with translated_errors():
        summary = flow()
    console.print(
        f"rebuilt {summary['db_path']} from {summary['runs']} runs: {summary['fetches']} fetches, "
        f"{summary['articles']} articles (previous file: {summary['backup']})",
        highlight=False,
    )


COMMANDS: list[tuple[str, Callable[..., None]]] = [
    ("reextract", reextract),
    ("rebuild", rebuild),
]
