"""Progress of long steps, shown as a bar on the command line or as log lines in Prefect.

Tasks call :func:`report`; whoever runs them installs a reporter. The default
logs at most every few seconds so Prefect's run logs show the work moving.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol


class Reporter(Protocol):
    def __call__(self, step: str, done: int, total: int | None) -> None: ...


class LogReporter:
    """Log lines, throttled per step: enough to follow a run in the Prefect UI."""

    def __init__(self, logger: logging.Logger | None = None, every: float = 5.0) -> None:
        self.logger = logger
        self.every = every
        self._last: dict[str, float] = {}

    def __call__(self, step: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - self._last.get(step, 0.0) < self.every:
            return
        self._last[step] = now
        of = f"/{total}" if total is not None else ""
        self._logger().info("%s: %d%s", step, done, of)

    def _logger(self) -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
        """The run's logger inside a Prefect task or flow (so the UI shows it), else ours."""
        if self.logger is not None:
            return self.logger
        from prefect.exceptions import MissingContextError
        from prefect.logging import get_run_logger

        try:
            return get_run_logger()
        except MissingContextError:
            return logging.getLogger("pressarchive")


_reporter: Reporter = LogReporter()


def install(reporter: Reporter) -> Reporter:
    """Install ``reporter`` for every task of this process; returns the previous one."""
    global _reporter
    previous, _reporter = _reporter, reporter
    return previous


def report(step: str, done: int, total: int | None = None) -> None:
    _reporter(step, done, total)


def for_step(step: str, total: int | None = None) -> Callable[[int], None]:
    return lambda done: report(step, done, total)
