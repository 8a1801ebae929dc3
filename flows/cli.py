"""``pressarchive``: a thin command line over the library; typed errors become one sentence."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.cli_archive import COMMANDS as ARCHIVE_COMMANDS
from flows.cli_maintenance import COMMANDS as MAINTENANCE_COMMANDS
from flows.cli_serve import COMMANDS as SERVE_COMMANDS
from flows.cli_sources import COMMANDS as SOURCES_COMMANDS
from flows.clitools import OutputFormat, console, emit, err, fail, translated_errors
from pipeline.home import DataHome

app = typer.Typer(
    help="Crawl regional press sites, archive every page in WARC, query the articles in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)

EXAMPLE_QUERY = """\
SELECT s.name AS outlet, count(*) AS articles,
       min(a.published_at)::DATE AS first, max(a.published_at)::DATE AS last
FROM articles a JOIN sources s ON s.id = a.source_id
GROUP BY s.name ORDER BY articles DESC"""


_MAX_PAGES_HELP = "At most this many article pages per source; 0 = no limit."
RegistryOption = Annotated[Path | None, typer.Option(help="Sources registry (TOML); default: the shipped one.")]
SourceOption = Annotated[
    list[str] | None, typer.Option("--source", "-s", help="Crawl only this source id (repeatable).")
]
MaxPagesOption = Annotated[int, typer.Option(help=_MAX_PAGES_HELP, min=0)]
SeedOption = Annotated[int, typer.Option(help="Seed of the generated press web.")]


@contextmanager
def _progress_bars() -> Iterator[None]:
    """Show each step reported through flows.progress as a rich progress bar."""
    from flows import progress as progress_mod

    bars = Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def reporter(step: str, done: int, total: int | None) -> None:
        if step not in tasks:
            tasks[step] = bars.add_task(step, total=total)
        bars.update(tasks[step], completed=done, total=total)

    previous = progress_mod.install(reporter)
    with bars:
        try:
            yield
        finally:
            progress_mod.install(previous)


def _run_archive(registry: Path | None, sources: list[str] | None, max_pages: int) -> dict[str, Any]:
    from crawlers.registry import DEFAULT_REGISTRY, load_registry, select
    from flows.settings import configure_prefect

    select(load_registry(registry or DEFAULT_REGISTRY), sources)  # refuse a bad registry before starting Prefect

    configure_prefect(DataHome.from_env())
    err.print("[dim]starting Prefect (ephemeral mode when no PREFECT_API_URL is set)…[/]")
    from flows.archive import archive

    with _progress_bars():
        return archive(sources=sources, max_pages=max_pages, registry=str(registry) if registry else None)


def _print_summary(summary: dict[str, Any]) -> None:
    crawl, extract, load = summary["crawl"], summary["extract"], summary["load"]
    table = Table(title=f"run {summary['run_id']}", show_header=False)
    table.add_row(
        "crawl",
        f"{crawl['status']}: {crawl['fetches']} responses archived, {crawl['errors']} errors, {crawl['seconds']} s",
    )
    table.add_row(
        "extract",
        f"{extract['candidates']} article pages → {extract['articles']} "
        f"articles, {extract['rejected']} rejected, {extract['errors']} errors",
    )
    table.add_row(
        "load",
        f"{load['new_articles']} new articles, {load['new_versions']} new versions,"
        f" {load['duplicates']} duplicates" + (" (batch already loaded)" if load.get("skipped") else ""),
    )
    table.add_row("data home", summary["home"])
    console.print(table)


@app.command()
def crawl(
    registry: RegistryOption = None,
    source: SourceOption = None,
    max_pages: MaxPagesOption = 0,
) -> None:
    """Run the archive flow (crawl → extract → load) over a sources registry."""
    with translated_errors():
        _print_summary(_run_archive(registry, source, max_pages))


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(help="First port; outlets get PORT, PORT+1, …")] = 8100,
    registry_out: Annotated[Path, typer.Option(help="Write the sandbox's sources registry here.")] = Path(
        "sandbox-sources.toml"
    ),
    truth_out: Annotated[Path, typer.Option(help="Write the sandbox's truth (JSON) here.")] = Path(
        "sandbox-truth.json"
    ),
    seed: SeedOption = 7,
    log_out: Annotated[Path | None, typer.Option(help="Append every request received as a JSON line.")] = None,
) -> None:
    """Serve the sandbox press web on 127.0.0.1 until stopped (Ctrl-C)."""
    from crawlers.sandbox import serve_until_stopped

    try:
        serve_until_stopped(port, registry_out, truth_out, seed=seed, log_out=log_out)
    except OSError as exc:
        raise fail(f"cannot serve the sandbox on 127.0.0.1:{port}: {exc}; try another --port") from None


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="First port of the sandbox; 0 picks free ports.")] = 0,
    seed: SeedOption = 7,
    max_pages: MaxPagesOption = 0,
) -> None:
    """Start the sandbox press web, archive it end to end, print a summary and an example query."""
    from crawlers.sandbox import Sandbox
    from warehouse.query import run_query

    home = DataHome.from_env().ensure()
    registry = home.root / "sandbox" / "sources.toml"
    registry.parent.mkdir(parents=True, exist_ok=True)
    with translated_errors(), Sandbox(seed=seed, port=port) as web:
        web.write_registry(registry)
        web.write_truth(home.root / "sandbox" / "truth.json")
        outlets = ", ".join(f"{k} {v}" for k, v in web.base_urls.items())
        err.print(f"sandbox press web up: {outlets}")
        summary = _run_archive(registry, None, max_pages)
    _print_summary(summary)
    console.print(f'\n[bold]Example query[/] (pressarchive sql "…"):\n{EXAMPLE_QUERY}\n', highlight=False)
    with translated_errors():
        result = run_query(home.db_path, EXAMPLE_QUERY)
    emit(result.columns, result.rows, OutputFormat.table)


def _register(commands: list[tuple[str, Any]]) -> None:
    for name, command in commands:
        app.command(name)(command)


_register(ARCHIVE_COMMANDS)
_register(SOURCES_COMMANDS)
_register(MAINTENANCE_COMMANDS)
_register(SERVE_COMMANDS)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
