"""Limits that keep runs from overlapping where they must not: one writer of the DuckDB file.

Crawl and extract of different sources may run on many workers at once; each
writes its own WARC files and staged batch. The load is the only step that
writes ``archive.duckdb``, and DuckDB allows one writer process per file, so
every load holds one slot of the global concurrency limit ``pressarchive-load``
(limit 1) on the Prefect server. A second load waits for the slot instead of
failing on DuckDB's file lock after the warehouse's bounded wait.

Two runs that crawl the same source would fetch it twice as fast as its delay
allows and archive the same pages twice: each run also holds one slot of
``pressarchive-source-<id>`` (limit 1) per source it crawls, for its crawl
and extract.

In ephemeral mode (no ``PREFECT_API_URL``: the CLI, the tests' in-process
flows) there is no shared server to hold a slot, and the warehouse's bounded
wait on the file lock is the only guard. Every limit is created when missing
(``serve`` creates the load limit up front, so it shows in the UI at once).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

LOAD_LIMIT = "pressarchive-load"
LOAD_SLOT_TIMEOUT = 3600.0  # seconds a load waits for another run's load to finish before failing

_log = logging.getLogger("pressarchive")


def server_mode() -> bool:
    """True when runs report to a Prefect server shared with other processes."""
    return bool(os.environ.get("PREFECT_API_URL"))


def ensure_load_limit(limit: int = 1) -> bool:
    """Create the global concurrency limit ``pressarchive-load`` if it is missing; True if created.

    An existing limit is left as it is (an operator may have changed it in the UI).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(LOAD_LIMIT)
            return False
        except ObjectNotFound:
            pass
        try:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=LOAD_LIMIT, limit=limit))
        except ObjectAlreadyExists:  # another worker created it between our read and our create
            return False
    return True


@contextmanager
def load_slot(logger: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None) -> Iterator[None]:
    """Hold the archive's single load slot (server mode); a no-op in ephemeral mode."""
    if not server_mode():
        yield
        return
    from prefect.concurrency.sync import concurrency

    log = logger or _log
    if ensure_load_limit():
        log.info("created the global concurrency limit %s (1 load at a time)", LOAD_LIMIT)
    log.info("waiting for the load slot %s", LOAD_LIMIT)
    with concurrency(LOAD_LIMIT, occupy=1, timeout_seconds=LOAD_SLOT_TIMEOUT, strict=True):
        log.info("holding the load slot %s", LOAD_LIMIT)
        yield


SOURCE_LIMIT_PREFIX = "pressarchive-source-"
SOURCE_SLOT_TIMEOUT = 6 * 3600.0  # a run waits this long for other runs of the same sources to finish


def ensure_limits(names: list[str], limit: int = 1) -> list[str]:
    """Create the global concurrency limits among ``names`` that are missing; returns those created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists

    created = []
    with get_client(sync_client=True) as client:
        existing = {lim.name for lim in client.read_global_concurrency_limits(limit=200, offset=0)}
        offset = 200
        while len(existing) >= offset:  # more pages
            page = client.read_global_concurrency_limits(limit=200, offset=offset)
            if not page:
                break
            existing |= {lim.name for lim in page}
            offset += 200
        for name in names:
            if name in existing:
                continue
            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=limit))
                created.append(name)
            except ObjectAlreadyExists:
                pass
    return created


@contextmanager
def source_slots(
    source_ids: list[str], logger: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None
) -> Iterator[None]:
    """Hold one slot of ``pressarchive-source-<id>`` (limit 1) for each source this run crawls (server mode).

    Two runs that share a source never crawl and extract at the same time; runs
    of disjoint sources (on one worker or many) go ahead together. Prefect takes
    all the slots at once or none, so two runs cannot deadlock on each other.
    """
    if not server_mode() or not source_ids:
        yield
        return
    from prefect.concurrency.sync import concurrency

    log = logger or _log
    names = [SOURCE_LIMIT_PREFIX + s for s in sorted(set(source_ids))]
    ensure_limits(names)
    log.info("waiting for the source slots of %s", ", ".join(sorted(set(source_ids))))
    with concurrency(names, occupy=1, timeout_seconds=SOURCE_SLOT_TIMEOUT, strict=True):
        log.info("holding the source slots of %s", ", ".join(sorted(set(source_ids))))
        yield
