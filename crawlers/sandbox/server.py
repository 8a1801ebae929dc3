"""Serve the sandbox over real HTTP on 127.0.0.1, one port per outlet, with a request log.

Each outlet gets its own port (its own "domain" for the crawler's per-domain politeness).
Servers run in daemon threads; the log lets tests check what the crawler actually asked for
(conditional requests, gzip, robots.txt, disallowed paths).
"""

from __future__ import annotations

import json
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

from crawlers.registry import Source, dump_registry

from .faults import OUTLET as FAULTS
from .faults import Answer, FaultSite, extra_answer
from .site import SandboxSite

HOST = "127.0.0.1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # listen backlog: a burst of connections must not see SYNs dropped

    def __init__(self, port: int, outlet: str, owner: Sandbox) -> None:
        super().__init__((HOST, port), _Handler)
        self.outlet, self.owner = outlet, owner


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "pressarchive-sandbox/1"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def _answer(self, send_body: bool) -> None:
        headers = {k: v for k, v in self.headers.items()}
        site = self.server.owner.site
        received = time.time()
        special = extra_answer(self.server.owner, self.server.outlet, self.path, headers)
        if special is not None:  # faults outlet, Crawl-delay (crawlers.sandbox.faults)
            self._answer_special(special, send_body, headers, received)
            return
        status, out, body = site.render(self.server.outlet, self.path, headers)
        # Logged before answering: once a client has its response, the log shows it.
        entry = {
            "outlet": self.server.outlet, "method": self.command, "path": self.path,
            "headers": headers, "time": received, "status": status,
            "bytes": len(body) if send_body else 0,
        }
        self.server.owner._record(entry)
        if self.server.owner.latency:
            time.sleep(self.server.owner.latency)
        self.send_response(status)
        for name, value in out.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)
        entry["done"] = time.time()  # with "time": how long the request was in flight

    def _answer_special(self, answer: Answer, send_body: bool, headers: dict[str, str],
                        received: float) -> None:
        """A streamed or delayed answer; the log entry is written before the delay and the body."""
        status, out, body, delay = answer
        size = len(body) if isinstance(body, bytes) else int(out.get("Content-Length", 0))
        self.server.owner._record({
            "outlet": self.server.outlet, "method": self.command, "path": self.path,
            "headers": headers, "time": received, "status": status,
            "bytes": size if send_body else 0,
        })
        if delay:
            time.sleep(delay)
        out = dict(out)
        if isinstance(body, bytes):
            out.setdefault("Content-Length", str(len(body)))
        try:
            self.send_response(status)
            for name, value in out.items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                for chunk in [body] if isinstance(body, bytes) else body:
                    self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout, size limit): fine

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence stderr; the request log is the record."""


class Sandbox:
    """The sandbox web on 127.0.0.1: ``port=0`` picks free ports, ``port=P`` uses P, P+1, ..."""

    def __init__(self, seed: int = 7, port: int = 0, log_out: Path | str | None = None, *,
                 faults: bool = False, crawl_delay: dict[str, float] | None = None,
                 latency: float = 0.0) -> None:
        self.seed, self.port = seed, port
        self.faults = FaultSite() if faults else None  # the extra 'faults' outlet, own port
        self.crawl_delay = dict(crawl_delay or {})  # outlet id -> Crawl-delay added to its robots.txt
        self.latency = latency  # seconds each regular answer waits before its body is sent
        self.log_out = Path(log_out) if log_out else None
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._site: SandboxSite | None = None

    @property
    def site(self) -> SandboxSite:
        if self._site is None:
            raise RuntimeError("sandbox not started")
        return self._site

    @property
    def base_urls(self) -> dict[str, str]:
        return dict(self.site.base_urls)

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """The (host, port) each listening socket is bound to."""
        return [s.socket.getsockname()[:2] for s in self._servers]

    def start(self) -> Sandbox:
        if self._servers:
            return self
        ids = SandboxSite.OUTLET_IDS
        try:
            for i, outlet in enumerate(ids):
                self._servers.append(_Server(self.port + i if self.port else 0, outlet, self))
        except OSError:
            self.stop()
            raise
        if self.faults is not None:
            try:
                self._servers.append(_Server(self.port + len(ids) if self.port else 0, FAULTS, self))
            except OSError:
                self.stop()
                raise
        urls = {s.outlet: f"http://{HOST}:{s.server_address[1]}" for s in self._servers}
        if self.faults is not None:
            self.faults.base = urls.pop(FAULTS)
            self.faults.other_site = urls[ids[0]] + "/"
        self._site = SandboxSite(self.seed, urls)
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"sandbox-{server.outlet}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers:
            if self._threads:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._requests.append(entry)
            if self.log_out:
                with self.log_out.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry, ensure_ascii=False) + "\n")

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._requests]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def truth(self) -> dict[str, Any]:
        return self.site.truth()

    def advance(self) -> dict[str, Any]:
        """Next round: new articles, one corrected, one removed, one moved (``crawlers.sandbox.rounds``)."""
        from .rounds import advance

        return advance(self.site)

    def write_registry(self, path: Path | str) -> Path:
        sources = [Source.model_validate(s) for s in self.site.registry_sources()]
        path = Path(path)
        path.write_text(dump_registry(sources), encoding="utf-8")
        return path

    def write_truth(self, path: Path | str) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.truth(), ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        return path


def serve_until_stopped(port: int, registry_out: Path, truth_out: Path, seed: int = 7,
                        log_out: Path | None = None, latency: float = 0.0) -> None:
    """Serve until SIGINT/SIGTERM (for the demo, manual crawls and the crawl bench)."""
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Sandbox(seed=seed, port=port, log_out=log_out, latency=latency) as sandbox:
            sandbox.write_registry(registry_out)
            sandbox.write_truth(truth_out)
            print(f"pressarchive sandbox (seed {seed}) serving {len(sandbox.base_urls)} outlets:")
            for outlet, url in sandbox.base_urls.items():
                print(f"  {outlet:<22} {url}/")
            print(f"registry: {registry_out}\ntruth:    {truth_out}\nCtrl-C to stop.", flush=True)
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
