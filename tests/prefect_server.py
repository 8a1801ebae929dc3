"""A real Prefect server for the tests, and the processes that serve or work for it.

One ``prefect server start`` per test session (started by the first module that
asks, stopped with SIGTERM when the session ends): 15-20 s on a new database,
so every module shares it. Test code talks to it inside ``api()``, which points
Prefect's settings at the server only for that block: the rest of the session
keeps running flows in ephemeral mode (tests/conftest.py).
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
QUIET = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # served processes look for new runs every second (default 10)
    "PREFECT_WORKER_QUERY_SECONDS": "1",
    "PREFECT_WORKER_PREFETCH_SECONDS": "1",
    "PREFECT_LOGGING_LEVEL": "INFO",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(proc: subprocess.Popen[Any], timeout: float = 20) -> None:
    """SIGTERM (what Prefect's processes expect), then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@dataclass
class Server:
    home: Path
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    startup_seconds: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def env(self, **extra: str) -> dict[str, str]:
        """Environment of a process that talks to this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(QUIET, PREFECT_HOME=str(self.home), PREFECT_API_URL=self.api_url)
        env.update(extra)
        return env


_server: Server | None = None


def start_server(home: Path, timeout: float = 120) -> Server:
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    # the UI's pages call the API at PREFECT_UI_API_URL (default port 4200): point them at this port
    env.update(QUIET, PREFECT_HOME=str(home), PREFECT_UI_API_URL=f"http://127.0.0.1:{port}/api")
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("prefect")),
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=home,
        )
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return Server(home, port, proc, log, time.monotonic() - started)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"prefect server not healthy after {timeout:.0f} s: {log.read_text()[-2000:]}")


def shared_server(base: Path) -> Server:
    """The session's server, started on first use under ``base``; stopped when the interpreter exits."""
    global _server
    if _server is None or _server.proc.poll() is not None:
        _server = start_server(base / "prefect-server")
        atexit.register(stop, _server.proc)
    return _server


@contextmanager
def api(server: Server) -> Iterator[None]:
    """Prefect's client settings point at ``server`` inside this block only."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield


@dataclass
class Background:
    """A process of ours (``pressarchive serve``, a worker) with its log file."""

    proc: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop(self.proc)


def background(args: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT) -> Background:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    return Background(proc, log)


def serve(server: Server, data_home: Path, registry: Path, log: Path, **env: str) -> Background:
    """``pressarchive serve`` (as ``python -m flows.cli_serve``), waiting until it polls for runs."""
    proc = background(
        [sys.executable, "-m", "flows.cli_serve", "--registry", str(registry)],
        server.env(PRESSARCHIVE_HOME=str(data_home), **env),
        log,
    )
    wait_for(
        lambda: "serving to" in proc.text() and _deployment_ids(server) >= {"archive", "backfill", "export"},
        timeout=90,
        what="served deployments",
        proc=proc,
    )
    time.sleep(1.0)
    return proc


def _deployment_ids(server: Server) -> set[str]:
    response = httpx.post(f"{server.api_url}/deployments/filter", json={}, timeout=10)
    return {d["name"] for d in response.json()}


def wait_for(check: Any, *, timeout: float, what: str, proc: Background | None = None, pause: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if proc is not None and proc.proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.proc.returncode}) waiting for {what}: {proc.text()[-3000:]}")
        time.sleep(pause)
    tail = proc.text()[-3000:] if proc else ""
    raise TimeoutError(f"no {what} after {timeout:.0f} s {tail}")


def flow_run_logs(server: Server, flow_run_id: Any) -> list[str]:
    """Every log line of a flow run and its tasks, oldest first (the API pages by 200)."""
    messages: list[str] = []
    while True:
        response = httpx.post(
            f"{server.api_url}/logs/filter",
            json={
                "logs": {"flow_run_id": {"any_": [str(flow_run_id)]}},
                "sort": "TIMESTAMP_ASC",
                "limit": 200,
                "offset": len(messages),
            },
            timeout=10,
        )
        page = [row["message"] for row in response.json()]
        messages += page
        if len(page) < 200:
            return messages


def artifacts(server: Server, flow_run_id: Any) -> dict[str, dict[str, Any]]:
    response = httpx.post(
        f"{server.api_url}/artifacts/filter",
        json={"artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}}},
        timeout=10,
    )
    return {a["key"]: a for a in response.json()}


def wait_final(server: Server, flow_run_id: Any, timeout: float = 300) -> Any:
    """The flow run once it reached a final state (Completed, Failed, Crashed, Cancelled)."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with api(server), get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(flow_run_id)
            if run.state is not None and run.state.is_final():
                return run
            if time.monotonic() > deadline:
                raise TimeoutError(f"flow run {flow_run_id} still {run.state.name if run.state else '?'}")
            time.sleep(0.5)
