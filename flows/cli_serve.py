"""``pressarchive serve``: register the deployments with a Prefect server and run their flow runs.

Registered on the app by ``flows/cli.py`` from ``COMMANDS``. The process
stays up, polls the server for scheduled and UI-started runs, and runs each in
a subprocess; stop it with Ctrl-C or SIGTERM (its schedules are paused then).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.clitools import console, err, fail
from pipeline.home import DataHome


def serve(
    registry: Annotated[
        Path | None,
        typer.Option(
            help="Sources registry (TOML) the runs crawl; default: $PRESSARCHIVE_REGISTRY or the shipped one."
        ),
    ] = None,
    deployment: Annotated[
        list[str] | None, typer.Option("--deployment", "-d", help="Serve only this deployment (repeatable).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="At most this many flow runs at once in this process; default: no limit.", min=1)
    ] = None,
) -> None:
    """Register the deployments with the Prefect server at PREFECT_API_URL and run their flow runs until stopped."""
    from flows.settings import configure_prefect

    if not os.environ.get("PREFECT_API_URL"):
        raise fail(
            "PREFECT_API_URL is not set: start a server (prefect server start) and "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    home = DataHome.from_env().ensure()
    os.environ["PRESSARCHIVE_HOME"] = str(home.root)  # the flow-run subprocesses inherit an absolute home
    if registry is not None:
        registry = registry.expanduser().resolve()
        if not registry.is_file():
            raise fail(f"{registry}: registry file not found")
        os.environ["PRESSARCHIVE_REGISTRY"] = str(registry)
    configure_prefect(home)

    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    if problem is not None:
        raise fail(f"the Prefect server at {os.environ['PREFECT_API_URL']} does not answer: {problem}")

    from prefect import serve as prefect_serve

    from flows.deployments import SPECS, build_deployments
    from flows.limits import LOAD_LIMIT, ensure_load_limit
    from flows.schedules import schedule_for

    missing: list[str] = []
    deployments = build_deployments(registry, deployment, on_missing=missing.append)
    if not deployments:
        raise fail("no deployment to serve" + (f" (not available yet: {', '.join(missing)})" if missing else ""))
    ensure_load_limit()
    table = Table("deployment", "schedule", "from", "concurrency", title=f"serving to {os.environ['PREFECT_API_URL']}")
    specs = {s.name: s for s in SPECS}
    for dep in deployments:
        spec = schedule_for(dep.name, registry)
        when = f"{spec.cron} ({spec.timezone})" if spec.cron else "by hand"
        table.add_row(dep.name, when, spec.origin, str(specs[dep.name].concurrency or "-"))
    console.print(table)
    err.print(f"data home {home.root}; loads hold the global concurrency limit {LOAD_LIMIT} (1)")
    if missing:
        err.print(f"[yellow]not served (flow module missing): {', '.join(missing)}[/]")
    prefect_serve(*deployments, limit=limit, print_starting_message=False)


COMMANDS = [("serve", serve)]


def main() -> None:
    """``python -m flows.cli_serve``: the command alone (tests, and machines without the console script)."""
    app = typer.Typer(add_completion=False)
    app.command("serve")(serve)
    app()


if __name__ == "__main__":
    main()
