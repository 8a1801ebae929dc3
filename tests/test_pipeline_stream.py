"""RunExtraction: extraction fed while the crawl writes its fetch log gives the batch extract_run gives."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from pipeline.home import DataHome
from pipeline.pool import ExtractionPool
from pipeline.stage import RunExtraction, extract_run
from tests.test_pipeline_stage import RUN_ID, build_run


def _files(home: DataHome) -> dict[str, object]:
    return json.loads((home.run_dir(RUN_ID) / "batch.json").read_text(encoding="utf-8"))["files"]


@pytest.mark.parametrize("workers", [1, 2])
def test_following_the_fetch_log_gives_the_same_batch(tmp_path: Path, workers: int) -> None:
    home = DataHome.from_env(tmp_path / "data")
    build_run(home, pages=12)
    extract_run(home, RUN_ID, workers=2)
    expected = _files(home)

    log = home.run_dir(RUN_ID) / "fetchlog.jsonl"
    lines = log.read_bytes().split(b"\n")  # the last one is the crawl's truncated line
    complete, truncated = lines[:-1], lines[-1]
    log.write_bytes(b"")
    with ExtractionPool(workers) as pool:
        extraction = RunExtraction(home, RUN_ID, pool=pool)
        assert extraction.poll() == 0  # nothing logged yet
        half = len(complete) // 2
        log.write_bytes(b"\n".join(complete[:half]) + b"\n" + complete[half][:20])  # a line being written
        first = extraction.poll()
        assert 0 < first < 15 and len(extraction.rows) == half
        log.write_bytes(b"\n".join(complete) + b"\n" + truncated)
        assert first + extraction.poll() == 15  # 12 pages, the latin-1 one, the teaser, the broken record
        progress: list[tuple[int, int]] = []
        summary = extraction.finish(lambda done, total: progress.append((done, total)))
    assert (summary.candidates, summary.articles, summary.errors) == (15, 13, 1)
    assert progress[-1] == (15, 15)
    assert _files(home) == expected


def test_without_a_pool_finish_extracts_everything(tmp_path: Path) -> None:
    home = DataHome.from_env(tmp_path / "data")
    build_run(home, pages=6)
    extract_run(home, RUN_ID, workers=1)
    expected = _files(home)
    extraction = RunExtraction(home, RUN_ID, workers=1)
    assert extraction.poll() == 0
    extraction.finish()
    assert _files(home) == expected


def test_finish_without_a_manifest_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"run\.json"):
        RunExtraction(DataHome.from_env(tmp_path), "nope", workers=1).finish()


def test_pool_started_in_a_threaded_parent_does_not_block(tmp_path: Path) -> None:
    """Under Prefect (threads) the pool uses the fork server; start() returns before it is up."""
    home = DataHome.from_env(tmp_path / "data")
    build_run(home, pages=3)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        with ExtractionPool(2) as pool:
            assert pool._executor is not None
            assert pool._executor._mp_context.get_start_method() == "forkserver"  # type: ignore[attr-defined]
            summary = RunExtraction(home, RUN_ID, pool=pool).finish()
    finally:
        stop.set()
        thread.join()
    assert summary.articles == 4
