"""What the deployments read from the environment: the registry to crawl and the schedules.

Schedules are settings, not code. Each deployment's cron comes, first match wins, from

1. an environment variable: ``PRESSARCHIVE_ARCHIVE_CRON``, ``PRESSARCHIVE_EXPORT_CRON``, …
   (``PRESSARCHIVE_<DEPLOYMENT>_CRON``);
2. a ``[schedules]`` table in the sources registry (the same TOML file as the
   outlets: ``archive = "0 * * * *"``, ``timezone = "Europe/Paris"``);
3. the defaults below.

The value ``off`` (or an empty string) registers the deployment with no
schedule: it then runs only when started by hand. The time zone comes from
``PRESSARCHIVE_TIMEZONE`` or ``[schedules] timezone`` (default Europe/Paris),
so "every night at 02:30" stays 02:30 in Paris across daylight-saving changes.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from crawlers.registry import DEFAULT_REGISTRY

REGISTRY_ENV = "PRESSARCHIVE_REGISTRY"
TIMEZONE_ENV = "PRESSARCHIVE_TIMEZONE"
DEFAULT_TIMEZONE = "Europe/Paris"
DEFAULT_CRONS: dict[str, str | None] = {
    "archive": "0 * * * *",  # hourly: feeds and sections
    "export": "30 2 * * *",  # nightly, after the night's archive runs
    "backfill": None,  # by hand
    "reextract": None,  # by hand
    "rebuild": None,  # by hand
}
OFF = {"", "off", "none", "manual"}


def registry_path(registry: str | os.PathLike[str] | None = None) -> Path:
    """The registry a run crawls: the argument, else ``PRESSARCHIVE_REGISTRY``, else the shipped one.

    A served deployment's runs are subprocesses of ``pressarchive serve`` and a
    worker's are subprocesses of the worker: both inherit the variable, so a
    deployment need not hard-code a path that differs between machines.
    """
    if registry:
        return Path(registry)
    env = os.environ.get(REGISTRY_ENV)
    return Path(env) if env else DEFAULT_REGISTRY


@dataclass(frozen=True)
class ScheduleSpec:
    """One deployment's schedule: a cron in a time zone, or None (by hand only)."""

    cron: str | None
    timezone: str
    origin: str  # where the value came from, for ``pressarchive serve`` to print


def _registry_table(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}  # the registry's own validation reports a broken file when a run loads it
    table = data.get("schedules")
    return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {}


def schedule_for(name: str, registry: str | os.PathLike[str] | None = None) -> ScheduleSpec:
    """The schedule of deployment ``name`` from the environment, the registry, or the defaults."""
    path = registry_path(registry)
    table = _registry_table(path)
    timezone = os.environ.get(TIMEZONE_ENV) or table.get("timezone") or DEFAULT_TIMEZONE
    env = f"PRESSARCHIVE_{name.upper()}_CRON"
    if env in os.environ:
        cron, origin = os.environ[env], f"${env}"
    elif name in table:
        cron, origin = table[name], f"[schedules] {name} in {path}"
    else:
        cron, origin = DEFAULT_CRONS.get(name), "default"
    if cron is not None and cron.strip().lower() in OFF:
        cron = None
    return ScheduleSpec(cron.strip() if cron else None, timezone, origin)
