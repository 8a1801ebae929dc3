"""Shared fixtures: one sandbox press web and one Prefect home per test session.

Prefect runs in ephemeral mode (no server) with its state in a session folder,
reused by every flow call of the session, as NOTES.md advises.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.sandbox import Sandbox


@pytest.fixture(scope="session", autouse=True)
def _prefect_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect"))
    os.environ.pop("PREFECT_API_URL", None)
    from flows.settings import configure_prefect
    from pipeline.home import DataHome

    configure_prefect(DataHome.from_env(tmp_path_factory.mktemp("unused-home")))
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The bundled press web on free ports of 127.0.0.1, with its truth."""
    with Sandbox(seed=7, port=0) as web:
        yield web


@pytest.fixture(scope="session")
def sandbox_registry(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "sources.toml"
    sandbox.write_registry(path)
    return path


def pytest_unconfigure(config: pytest.Config) -> None:
    """Prefect's ephemeral server logs its shutdown after pytest closed the streams; don't print that."""
    import logging

    logging.raiseExceptions = False
