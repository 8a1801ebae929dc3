"""Prefect defaults for a fresh machine: quiet, offline, state kept in the data home."""

from __future__ import annotations

import os

from pipeline.home import DataHome

_QUIET = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "pressarchive",
}


def configure_prefect(home: DataHome) -> None:
    """Set Prefect's environment before it is imported; a user's own settings win.

    With no ``PREFECT_API_URL`` Prefect runs in ephemeral mode (no server); its
    database then lives in ``<data home>/prefect`` so one folder holds a run's state.
    """
    for key, value in _QUIET.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_HOME", str(home.root / "prefect"))
