"""The deployments under a real ``prefect server start``: served, then on a work pool with two workers.

Runs are started through the API as the UI starts them (``run_deployment``:
a flow run created for the deployment, picked up by the served process or a
worker), and the archive they build is checked against the sandbox's truth.

Last, the prefect.yaml deployments run on a process work pool: two workers (two
queues, so each run lands on a known worker) crawl and extract disjoint
sources at the same time into one shared data home, each run with its own WARC
files and staged batch, loads taking turns on ``pressarchive-load``; the
archive they build must equal the one the served process built alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crawlers.sandbox import Sandbox
from pipeline.home import DataHome
from tests import prefect_server as ps
from warehouse.query import run_query

pytestmark = pytest.mark.e2e
POOL = "pressarchive"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> ps.Server:
    server = ps.shared_server(tmp_path_factory.getbasetemp())
    print(f"\nprefect server healthy after {server.startup_seconds:.1f} s")
    return server


@pytest.fixture(scope="module")
def served(
    server: ps.Server, sandbox_registry: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ps.Background, DataHome]]:
    home = DataHome.from_env(tmp_path_factory.mktemp("served-home"))
    started = time.monotonic()
    proc = ps.serve(
        server,
        home.root,
        sandbox_registry,
        home.root / "serve.log",
        PRESSARCHIVE_ARCHIVE_CRON="off",
        PRESSARCHIVE_EXPORT_CRON="off",
    )
    print(f"\nserved deployments registered after {time.monotonic() - started:.1f} s")
    yield proc, home
    proc.stop()


def _rows(home: DataHome, sql: str) -> list[dict[str, Any]]:
    result = run_query(home.db_path, sql)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def articles_by_truth(home: DataHome, truth: dict[str, Any]) -> dict[str, set[str]]:
    """Truth article id → ids of the archived articles reached through any of its URLs."""
    by_url = {r["url"]: r["article_id"] for r in _rows(home, "SELECT url, article_id FROM article_urls")}
    for row in _rows(home, "SELECT url, article_id FROM articles"):
        by_url.setdefault(row["url"], row["article_id"])
    return {
        item["id"]: {by_url[u] for u in [item["url"], item["canonical_url"], *item["alt_urls"]] if u in by_url}
        for item in truth["articles"]
    }


def assert_every_article_once(home: DataHome, sandbox: Sandbox) -> None:
    truth = sandbox.truth()
    matched = articles_by_truth(home, truth)
    assert [k for k, v in matched.items() if len(v) != 1] == []
    assert _rows(home, "SELECT count(*) AS n FROM articles")[0]["n"] == len(truth["articles"])


def _follow(server: ps.Server, runs: list[Any], timeout: float = 300) -> tuple[dict[Any, Any], dict[Any, list[str]]]:
    """Poll flow runs until all are final; their last reading and every state name seen, in order."""
    from prefect.client.orchestration import get_client

    states: dict[Any, list[str]] = {r.id: [] for r in runs}
    deadline = time.monotonic() + timeout
    with ps.api(server), get_client(sync_client=True) as client:
        while True:
            current = {i: client.read_flow_run(i) for i in states}
            for i, fr in current.items():
                if not states[i] or states[i][-1] != fr.state.name:
                    states[i].append(fr.state.name)
            if all(fr.state.is_final() for fr in current.values()) or time.monotonic() > deadline:
                return current, states
            time.sleep(0.3)


def test_served_runs_match_the_truth_wait_their_turn_and_report(
    server: ps.Server, served: tuple[ps.Background, DataHome], sandbox: Sandbox
) -> None:
    """A full run and a second trigger at once: one waits (AwaitingConcurrencySlot), nothing is archived twice."""
    from prefect.deployments import run_deployment

    proc, home = served
    started = time.monotonic()
    with ps.api(server):
        full = run_deployment("archive/archive", timeout=0)
        small = run_deployment(
            "archive/archive", parameters={"sources": ["blog-helene-cabrol"], "max_pages": 1}, timeout=0
        )
    current, states = _follow(server, [full, small])
    print(
        f"\ntwo served archive runs (all sources; one source) done in {time.monotonic() - started:.1f} s;"
        f" states seen: {list(states.values())}"
    )
    assert all(names[-1] == "Completed" for names in states.values()), (states, proc.text()[-3000:])
    assert any("AwaitingConcurrencySlot" in names for names in states.values()), states
    first, second = sorted(current.values(), key=lambda fr: fr.start_time)
    assert first.end_time <= second.start_time, "the two runs overlapped"
    assert_every_article_once(home, sandbox)

    (crawl_run,) = _rows(home, f"SELECT * FROM crawl_runs WHERE flow_run_id = '{full.id}'")
    found = ps.artifacts(server, full.id)
    table = found["archive-run-sources"]["data"]
    rows = table if isinstance(table, list) else json.loads(table)
    assert sorted(r["source_id"] for r in rows) == sorted(sandbox.base_urls)
    for column in ("pages_fetched", "new_articles", "new_versions", "duplicates", "errors"):
        assert sum(r[column] for r in rows) == crawl_run[column], column
    summary = found["archive-run-summary"]["data"]
    assert crawl_run["run_id"] in summary and str(home.db_path) in summary
    assert f"| new articles | {crawl_run['new_articles']} |" in summary
    # logs reach the API in batches, shortly after the run's final state
    ps.wait_for(
        lambda: any(line.startswith("source voix-du-tarn: ") for line in ps.flow_run_logs(server, full.id)),
        timeout=30,
        what="the per-source log line",
    )
    assert any("holding the load slot pressarchive-load" in line for line in ps.flow_run_logs(server, full.id))


def test_loads_wait_for_the_global_load_slot_and_backfill_follows_sitemaps(
    server: ps.Server, served: tuple[ps.Background, DataHome], sandbox: Sandbox
) -> None:
    """While someone holds pressarchive-load, a run crawls and extracts but does not write the archive."""
    from prefect.concurrency.sync import concurrency
    from prefect.deployments import run_deployment

    _, home = served
    before = _rows(home, "SELECT count(*) AS n FROM loaded_batches")[0]["n"]
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with ps.api(server), concurrency("pressarchive-load", occupy=1, strict=True):
            holding.set()
            release.wait(120)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert holding.wait(30)
    try:
        with ps.api(server):
            run = run_deployment(
                "backfill/backfill",
                parameters={"since": "2016-01-01", "until": "2016-06-30", "sources": ["voix-du-tarn"]},
                timeout=0,
            )
        ps.wait_for(
            lambda: any("waiting for the load slot" in m for m in ps.flow_run_logs(server, run.id)),
            timeout=120,
            what="a load waiting for the slot",
        )
        time.sleep(2)
        assert not any("holding the load slot" in m for m in ps.flow_run_logs(server, run.id))
        assert _rows(home, "SELECT count(*) AS n FROM loaded_batches")[0]["n"] == before
    finally:
        release.set()
        holder.join(30)
    done = ps.wait_final(server, run.id, timeout=120)
    assert done.state.is_completed()
    assert _rows(home, "SELECT count(*) AS n FROM loaded_batches")[0]["n"] == before + 1
    (crawl_run,) = _rows(home, f"SELECT run_id FROM crawl_runs WHERE flow_run_id = '{run.id}'")
    vias = _rows(home, f"SELECT DISTINCT role, discovered_via FROM fetches WHERE run_id = '{crawl_run['run_id']}'")
    roles = {r["role"] for r in vias}
    # the frontier may skip article pages archived by the earlier runs: the discovery paths are what counts here
    assert "sitemap" in roles and not roles & {"feed", "section", "home"}, vias
    assert {r["discovered_via"] for r in vias if r["role"] == "article"} <= {"sitemap"}


# --- beyond one machine: the prefect.yaml deployments on a process work pool ---------------


def _prefect(server: ps.Server, *args: str, **env: str) -> str:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("prefect")), *args],
        env=server.env(**env),
        cwd=ps.ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def _delete_deployments(server: ps.Server) -> None:
    """Served deployments of other modules have the same names (and a deployment limit): start clean."""
    for deployment in httpx.post(f"{server.api_url}/deployments/filter", json={}, timeout=10).json():
        httpx.delete(f"{server.api_url}/deployments/{deployment['id']}", timeout=10)


@pytest.fixture(scope="module")
def workers(
    server: ps.Server,
    served: tuple[ps.Background, DataHome],
    sandbox_registry: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ps.Server, dict[str, ps.Background]]]:
    """Two process workers on queues q1 and q2 of the pool, after the served process has stopped."""
    served[0].stop()
    _delete_deployments(server)
    _create_pool(server, queues=("q1", "q2"))
    logs = tmp_path_factory.mktemp("workers")
    env = server.env(PRESSARCHIVE_REGISTRY=str(sandbox_registry), PRESSARCHIVE_HOME=str(logs / "unused-home"))
    procs = {
        name: ps.background(
            [
                str(Path(sys.executable).with_name("prefect")),
                "worker",
                "start",
                "--pool",
                POOL,
                "--work-queue",
                queue,
                "--name",
                name,
            ],
            env,
            logs / f"{name}.log",
        )
        for name, queue in (("w1", "q1"), ("w2", "q2"))
    }
    # the workers boot (a few seconds) while `prefect deploy` registers the deployments
    _prefect(server, "--no-prompt", "deploy", "--all", PRESSARCHIVE_CHECKOUT=str(ps.ROOT))
    for proc in procs.values():
        ps.wait_for(lambda p=proc: "started" in p.text(), timeout=60, what="worker start", proc=proc)
    yield server, procs
    for proc in procs.values():
        proc.stop()
    _delete_deployments(server)


def _create_pool(server: ps.Server, queues: tuple[str, ...]) -> None:
    """``prefect work-pool create --type process`` and ``prefect work-queue create``, by API (seconds faster)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    with ps.api(server), get_client(sync_client=True) as client:
        template = ProcessWorker.get_default_base_job_template()
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process", base_job_template=template), overwrite=True)
        for queue in queues:
            client.create_work_queue(name=queue, work_pool_name=POOL)


def _start(server: ps.Server, home: DataHome, queue: str, **parameters: Any) -> Any:
    from prefect.deployments import run_deployment

    with ps.api(server):
        return run_deployment(
            "archive/archive",
            parameters=parameters,
            timeout=0,
            work_queue_name=queue,
            job_variables={"env": {"PRESSARCHIVE_HOME": str(home.root)}},
        )


def _articles(home: DataHome) -> set[tuple[str, str, str]]:
    rows = run_query(home.db_path, "SELECT source_id, url, text_hash FROM articles").rows
    return {(str(s), str(u), str(h)) for s, u, h in rows}


def _texts(home: DataHome) -> set[tuple[str, str, str]]:
    """(source, URL, text hash) of every text an article has shown, its earlier versions included."""
    rows = run_query(
        home.db_path,
        """
        SELECT a.source_id, a.url, t.text_hash FROM articles a JOIN (
            SELECT article_id, text_hash FROM articles
            UNION ALL SELECT article_id, text_hash FROM article_versions) t USING (article_id)
    """,
    ).rows
    return {(str(s), str(u), str(h)) for s, u, h in rows}


def test_two_workers_build_the_same_archive_as_one_process(
    workers: tuple[ps.Server, dict[str, ps.Background]],
    served: tuple[ps.Background, DataHome],
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Runs last in this module: the served process's archive (one process, all sources) is the reference."""
    server, procs = workers
    _, single = served
    shared = DataHome.from_env(tmp_path_factory.mktemp("two-workers"))

    ids = sorted(sandbox.base_urls)
    halves = {"q1": ids[: len(ids) // 2], "q2": ids[len(ids) // 2 :]}
    # The test holds the one load slot, as a long load of another run would: both runs must crawl and
    # extract on their own worker meanwhile and queue for the load, so their overlap does not depend on
    # how fast each worker happened to start its run (runs take seconds here).
    from prefect.concurrency.sync import concurrency

    from flows.limits import LOAD_LIMIT, ensure_load_limit

    with ps.api(server):
        ensure_load_limit()
        with concurrency(LOAD_LIMIT, occupy=1, timeout_seconds=60, strict=True):
            seen = {name: len(proc.text()) for name, proc in procs.items()}  # only what these runs log
            started = {queue: _start(server, shared, queue, sources=part) for queue, part in halves.items()}
            for name in ("w1", "w2"):
                ps.wait_for(
                    lambda n=name: f"waiting for the load slot {LOAD_LIMIT}" in procs[n].text()[seen[n] :],
                    timeout=180,
                    what=f"{name}'s run to crawl, extract and queue for the load",
                    proc=procs[name],
                )
    runs = {queue: ps.wait_final(server, run.id, timeout=240) for queue, run in started.items()}
    assert all(run.state.is_completed() for run in runs.values()), {q: r.state.name for q, r in runs.items()}
    assert str(runs["q1"].id) in procs["w1"].text() and str(runs["q2"].id) in procs["w2"].text()
    first, second = sorted(runs.values(), key=lambda r: r.start_time)
    print(
        f"\ntwo workers: runs {first.start_time:%H:%M:%S}-{first.end_time:%H:%M:%S} and "
        f"{second.start_time:%H:%M:%S}-{second.end_time:%H:%M:%S}"
    )
    assert second.start_time < first.end_time, "the two workers' runs did not overlap"

    batches = run_query(shared.db_path, "SELECT run_id FROM loaded_batches").rows
    assert len(batches) == 2 and len({r[0] for r in batches}) == 2
    assert len({p.name for p in shared.warc_dir.rglob("*.warc.gz")}) >= 2
    # the same articles at the same URLs; each text one the single process archived too (the served
    # module's later one-source run may have re-fetched a page into a newer version there)
    assert {(s, u) for s, u, _ in _articles(shared)} == {(s, u) for s, u, _ in _articles(single)}
    assert _articles(shared) <= _texts(single)
    assert len(_articles(shared)) == len(sandbox.truth()["articles"])
