"""Every deployment of pressarchive, declared once: what runs, on which schedule, with which limits.

``pressarchive serve`` registers these with the Prefect server at
``PREFECT_API_URL`` and runs their flow runs (each in a fresh subprocess, so
Scrapy's reactor starts anew every run). ``prefect.yaml`` declares the same
deployments for a process work pool (``prefect deploy --all``).

| deployment | flow | schedule (default) | started by hand with |
|---|---|---|---|
| archive | archive: feeds, sections, home page | hourly, Europe/Paris | sources, max_pages |
| backfill | backfill: sitemaps over a date range | none | since, until, sources |
| reextract, rebuild | maintenance flows, when ``flows.maintenance`` exists | none | |
| export | export: Parquet by month | nightly 02:30 | fmt, since, source |

Schedules come from settings (``flows.schedules``). ``archive`` and ``backfill``
have a deployment concurrency limit of 1: a second run waits in
``AwaitingConcurrencySlot`` (visible in the UI) until the first finishes. The
load step of every flow also holds the global limit ``pressarchive-load``
(``flows.limits``), so runs of different deployments never write the DuckDB
file at once.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flows.schedules import ScheduleSpec, schedule_for

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

TAGS = ["pressarchive"]


@dataclass(frozen=True)
class Spec:
    """One deployment: the flow (``module:attribute``), its fixed parameters, its limit."""

    name: str
    flow: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    concurrency: int | None = None
    uses_registry: bool = True


SPECS = [
    Spec(
        "archive",
        "flows.archive:archive",
        "Hourly: follow each source's feeds, section pages and home page; archive new articles and versions.",
        {"discovery": ["feed", "section", "home"]},
        concurrency=1,
    ),
    Spec(
        "backfill",
        "flows.backfill:backfill",
        "By hand: walk the sitemaps of sources over a date range (since, until) and archive what is missing.",
        concurrency=1,
    ),
    Spec("reextract", "flows.maintenance:reextract", "By hand: extract archived WARC records again.", concurrency=1),
    Spec("rebuild", "flows.maintenance:rebuild", "By hand: rebuild archive.duckdb from the WARC files.", concurrency=1),
    Spec(
        "export",
        "flows.export_flow:export",
        "Nightly: export the articles to Parquet by month.",
        uses_registry=False,
    ),
]


def load_flow(target: str) -> Any | None:
    """The flow object at ``module:attribute``; None when that module is not there (yet)."""
    module_name, attribute = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None
    return getattr(module, attribute, None)


def schedules_of(spec: ScheduleSpec) -> list[Any]:
    from prefect.schedules import Cron

    return [Cron(spec.cron, timezone=spec.timezone)] if spec.cron else []


def build_deployments(
    registry: str | os.PathLike[str] | None = None,
    names: Iterable[str] | None = None,
    *,
    on_missing: Callable[[str], None] | None = None,
) -> list[RunnerDeployment]:
    """The deployments to serve; a spec whose flow module is missing is reported and skipped.

    ``registry`` becomes the default of the ``registry`` parameter (shown in the
    UI's form); the schedules are read from the environment and that registry.
    """
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType

    wanted = set(names) if names else None
    deployments = []
    for spec in SPECS:
        if wanted is not None and spec.name not in wanted:
            continue
        flow_obj = load_flow(spec.flow)
        if flow_obj is None:
            if on_missing:
                on_missing(spec.name)
            continue
        parameters = dict(spec.parameters)
        if registry and spec.uses_registry:
            parameters["registry"] = str(registry)
        limit = (
            ConcurrencyLimitConfig(limit=spec.concurrency, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
            if spec.concurrency
            else None
        )
        deployments.append(
            flow_obj.to_deployment(
                name=spec.name,
                description=spec.description,
                schedules=schedules_of(schedule_for(spec.name, registry)),
                parameters=parameters,
                concurrency_limit=limit,
                tags=TAGS,
                entrypoint_type=EntrypointType.MODULE_PATH,  # importable from any working directory
            )
        )
    return deployments
