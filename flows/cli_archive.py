"""``pressarchive sql | search | export | report``: the archive as analysts use it.

Plain functions with typer annotations, registered on the app by
``flows/cli.py`` from ``COMMANDS``. Each one parses options, calls the
warehouse, and prints; typed errors become one sentence (``translated_errors``).

Every command reads through the bounded-wait path. A load holds the file for a
few seconds (the search index is rebuilt in its own file afterwards), so a command first
tries once; if the file is held, it says so once on stderr and waits up to
``--wait`` seconds, instead of failing with DuckDB's lock error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table
from rich.text import Text

from flows.clitools import OutputFormat, console, emit, err, fail, translated_errors
from pipeline.home import DataHome

T = TypeVar("T")
DEFAULT_WAIT = 120.0
PROMPT, MORE = "archive> ", "     ...> "

WaitOption = Annotated[
    float,
    typer.Option("--wait", help="Seconds to wait for a running load to release the archive before giving up.", min=0),
]
DateFormats = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class SqlFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class ExportFormatOption(StrEnum):
    parquet = "parquet"
    jsonl = "jsonl"
    csv = "csv"


def _db_path() -> Path:
    return DataHome.from_env().db_path


def patiently(call: Callable[[float], T], wait: float) -> T:
    """``call(wait_seconds)``: once without waiting, then, if a load holds the file, with a notice and ``wait``."""
    from warehouse.errors import ArchiveBusy

    try:
        return call(0.0)
    except ArchiveBusy:
        if wait <= 0:
            raise
    err.print(f"[yellow]the archive is busy (a load is writing); waiting up to {wait:.0f}s…[/]", highlight=False)
    return call(wait)


def sql(
    query: Annotated[
        str | None,
        typer.Argument(help="SQL to run (read-only). Without it, an interactive prompt reads statements ending in ;"),
    ] = None,
    format: Annotated[
        SqlFormat, typer.Option("--format", "-f", help="Output format; parquet needs --output.")
    ] = SqlFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the result to this file (required for parquet).")
    ] = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Query the archive read-only (tables, views, search_articles); writes are refused."""
    from warehouse.query import run_query, run_query_arrow

    db_path = _db_path()
    if query is None:
        with translated_errors():
            _repl(db_path, wait)
        return
    if format is SqlFormat.parquet or (output is not None and output.suffix == ".parquet"):
        if output is None:
            raise fail("--format parquet writes a file: give --output FILE.parquet")
        import pyarrow.parquet as pq

        with translated_errors():
            table = patiently(lambda w: run_query_arrow(db_path, query, wait_seconds=w), wait)
        pq.write_table(table, output)
        err.print(f"{table.num_rows} row(s) written to {output}", highlight=False)
        return
    with translated_errors():
        result = patiently(lambda w: run_query(db_path, query, wait_seconds=w), wait)
    if output is not None:
        with output.open("w", encoding="utf-8") as handle:
            saved, sys.stdout = sys.stdout, handle
            try:
                emit(result.columns, result.rows, OutputFormat(format.value))
            finally:
                sys.stdout = saved
        err.print(f"{len(result.rows)} row(s) written to {output}", highlight=False)
        return
    emit(result.columns, result.rows, OutputFormat(format.value))


def _repl(db_path: Path, wait: float) -> None:
    """A small prompt on stdin: statements end with ';', ``.quit`` (or end of input) leaves."""
    from warehouse.errors import ArchiveBusy, ArchiveMissing, QueryFailed, WriteRefused
    from warehouse.query import run_query

    interactive = sys.stdin.isatty()
    if interactive:
        err.print("read-only SQL on the archive; end statements with ';', .quit to leave", highlight=False)
    buffer: list[str] = []
    while True:
        if interactive:
            err.print(MORE if buffer else PROMPT, end="", highlight=False)
        line = sys.stdin.readline()
        if not line:
            break
        stripped = line.strip()
        if not buffer and stripped in (".quit", ".exit", "\\q"):
            break
        if not stripped and not buffer:
            continue
        buffer.append(line)
        if not stripped.endswith(";"):
            continue
        statement, buffer = "".join(buffer), []
        try:
            result = patiently(lambda w, s=statement: run_query(db_path, s, wait_seconds=w), wait)
        except ArchiveMissing:
            raise
        except (ArchiveBusy, QueryFailed, WriteRefused) as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False)
            continue
        emit(result.columns, result.rows, OutputFormat.table)
    if buffer and "".join(buffer).strip():
        err.print("[dim]unfinished statement (no ';') ignored[/]", highlight=False)


def search(
    query: Annotated[
        str, typer.Argument(help="Words to look for in titles and texts (French stemming, no accents needed).")
    ],
    source: Annotated[str | None, typer.Option("--source", "-s", help="Only this source id.")] = None,
    since: Annotated[
        datetime | None, typer.Option(formats=DateFormats, help="Published on or after this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(formats=DateFormats, help="Published on or before this date (whole day).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many results.", min=1)] = 20,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Full-text search (BM25) over the archived articles, best first, with a snippet around the match."""
    from warehouse import search as fts

    db_path = _db_path()
    until_arg: Any = until.date() if until is not None and until.time() == datetime.min.time() else until
    with translated_errors():
        hits = patiently(
            lambda w: fts.search(
                db_path, query, source=source, since=since, until=until_arg, limit=limit, wait_seconds=w
            ),
            wait,
        )
        state = patiently(lambda w: fts.index_status(db_path, wait_seconds=w), wait)
    if state.built and not state.current:
        behind = f"{state.loads_behind} load(s) behind the archive" if state.loads_behind else "behind the archive"
        doing = "a refresh is running" if state.refreshing else "the next load refreshes it"
        err.print(f"[yellow]note: the search index is {behind} ({doing})[/]", highlight=False)
    if format is not OutputFormat.table:
        columns = ["score", "article_id", "source_id", "outlet", "published_at", "title", "url", "snippet"]
        rows = [
            (round(h.score, 4), h.article_id, h.source_id, h.outlet, h.published_at, h.title, h.url, h.snippet)
            for h in hits
        ]
        emit(columns, rows, format)
        return
    table = Table("#", "score", "outlet", "date", "title / snippet", show_lines=True)
    for rank, hit in enumerate(hits, start=1):
        cell = Text(hit.title or "(no title)", style="bold")
        cell.append("\n")
        cell.append_text(_marked(hit.snippet))
        cell.append(f"\n{hit.url}", style="dim")
        day = hit.published_at.date().isoformat() if hit.published_at else ""
        table.add_row(str(rank), f"{hit.score:.2f}", hit.outlet or hit.source_id, day, cell)
    console.print(table)
    err.print(f"[dim]{len(hits)} result(s)[/]")


def _marked(snippet: str) -> Text:
    """The snippet with the ``**matched**`` words in bold yellow."""
    from warehouse.search import MARK

    text = Text()
    for index, piece in enumerate(snippet.split(MARK)):
        text.append(piece, style="bold yellow" if index % 2 else "")
    return text


def export(
    out: Annotated[Path, typer.Argument(help="Folder (parquet: one sub-folder per month) or file (jsonl, csv).")],
    format: Annotated[
        ExportFormatOption, typer.Option("--format", "-f", help="parquet (by month), jsonl or csv.")
    ] = ExportFormatOption.parquet,
    since: Annotated[
        datetime | None, typer.Option(formats=DateFormats, help="Only articles published on or after this date.")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="Only this source id.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace OUT if it exists.")] = False,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Export articles with their metadata (outlet, url, authors, dates, tags, text, story, version)."""
    from warehouse.export import export_articles

    db_path = _db_path()
    with translated_errors():
        result = patiently(
            lambda w: export_articles(
                db_path, out, format.value, since=since, source=source, overwrite=overwrite, wait_seconds=w
            ),
            wait,
        )
    console.print(
        f"{result.articles} articles exported to {result.path} ({len(result.files)} file(s))", highlight=False
    )


def report(
    out: Annotated[Path, typer.Argument(help="Folder for the PNG charts and index.html (created if needed).")],
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Charts of the archive (articles per outlet per week, per department, most-covered stories) and one HTML page."""
    from warehouse.report import write_report

    db_path = _db_path()
    with translated_errors():
        result = patiently(lambda w: write_report(db_path, out, wait_seconds=w), wait)
    console.print(f"report of {result.articles} articles: {result.html}", highlight=False)


COMMANDS: list[tuple[str, Callable[..., None]]] = [
    ("sql", sql),
    ("search", search),
    ("export", export),
    ("report", report),
]
