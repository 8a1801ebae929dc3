"""``pressarchive sources check``: validate a sources registry and, with --probe, ask what answers.

Registered on the app by ``flows/cli.py`` from ``COMMANDS`` (as ``flows/cli_archive.py``).
The library is ``crawlers.probe``; this module parses options and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.clitools import OutputFormat, console, emit, err, fail, translated_errors


class SourcesAction(StrEnum):
    check = "check"


def sources(
    action: Annotated[SourcesAction, typer.Argument(help="What to do with the registry: check it.")],
    registry: Annotated[
        Path | None, typer.Option(help="Sources registry (TOML) to check; default: the shipped one.")
    ] = None,
    probe: Annotated[
        bool, typer.Option("--probe/--no-probe", help="Also request each feed and sitemap (network!) and tabulate.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each probed URL.", min=0.1)] = 10.0,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format of the probe table.")] = (
        OutputFormat.table
    ),
) -> None:
    """Validate a sources registry (fields, regions covered); with --probe, show which feeds and sitemaps answer."""
    from crawlers.probe import check_registry, probe_sources
    from crawlers.registry import DEFAULT_REGISTRY

    path = registry or DEFAULT_REGISTRY
    with translated_errors():
        checked = check_registry(path)
    table = Table("region", "sources", title=f"{path}: {len(checked.sources)} valid sources")
    for region, count in sorted(checked.regions.items()):
        table.add_row(region, str(count))
    err.print(table)
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(checked.kinds.items()))
    err.print(f"kinds: {kinds}")
    if checked.missing_regions:
        err.print(f"[yellow]metropolitan regions without a source:[/] {', '.join(checked.missing_regions)}")
    if not probe:
        console.print(f"registry OK: {len(checked.sources)} sources, {len(checked.regions)} regions")
        return
    results = probe_sources(checked.sources, timeout=timeout)
    rows = [(r.source_id, r.kind, r.url, r.status, r.content_type, r.links, r.error) for r in results]
    emit(["source", "kind", "url", "status", "content_type", "links", "error"], rows, format)
    answered = sum(1 for r in results if r.status == 200)
    err.print(f"{answered}/{len(results)} URLs answered 200")
    if answered == 0:
        raise fail("no probed URL answered: is the network reachable?")


COMMANDS: list[tuple[str, Callable[..., None]]] = [("sources", sources)]
