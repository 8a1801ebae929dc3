"""extract_run end to end on a staging folder built here: run.json, fetchlog.jsonl, WARC."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from pipeline import pool
from pipeline.batchfiles import BatchError, verify_batch
from pipeline.home import DataHome
from pipeline.pool import RecordTask, extract_records
from pipeline.schema import ARTICLES, FETCHES
from pipeline.stage import extract_run
from pipeline.storysig import signature
from tests.test_pipeline_extract import JSONLD_PAGE, LATIN1_PAGE, OPENGRAPH_PAGE, VISIBLE_PAGE
from tests.test_pipeline_warcrecords import Response, chunked, write_warc

RUN_ID = "20240502T090000Z-abc123"
START = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)


def _row(seq: int, url: str, **fields: Any) -> dict[str, Any]:
    row = {
        "fetch_id": f"{RUN_ID}-{seq:06d}", "run_id": RUN_ID, "source_id": "touleco", "url": url,
        "final_url": url, "status": 200, "content_type": "text/html; charset=utf-8",
        "content_length": 100, "fetched_at": (START + timedelta(seconds=seq)).isoformat(timespec="microseconds"),
        "warc_file": None, "warc_offset": None, "warc_length": None, "payload_digest": None,
        "discovered_via": "sitemap", "discovered_from": "http://a.fr/sitemap.xml",
        "listed_at": None, "role": "article", "error": None,
    }  # fmt: skip
    row.update(fields)
    return row


def build_run(home: DataHome, pages: int = 40) -> dict[str, str]:
    """A run of ``pages`` article pages, plus non-candidates and one broken record."""
    home.ensure()
    warc_rel = f"warc/{RUN_ID}-00000.warc.gz"
    templates = [JSONLD_PAGE, OPENGRAPH_PAGE, VISIBLE_PAGE]
    responses = []
    for i in range(pages):
        body = templates[i % 3].replace("Ramonville", f"Ramonville ({i})").encode()
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if i % 4 == 1:
            body, headers = gzip.compress(body), [*headers, ("Content-Encoding", "gzip")]
        if i % 5 == 2:
            body, headers = chunked(body), [*headers, ("Transfer-Encoding", "chunked")]
        responses.append(Response(f"http://a.fr/article/{i}?utm_source=rss", body, headers))
    responses.append(Response("http://a.fr/latin1", LATIN1_PAGE.encode("latin-1"),
                              [("Content-Type", "text/html")]))  # fmt: skip
    responses.append(Response("http://a.fr/teaser", b"<html><h1>Court</h1><p>Rien.</p></html>",
                              [("Content-Type", "text/html")]))  # fmt: skip
    locations = write_warc(home.root / warc_rel, responses)
    rows = [_row(1, "http://a.fr/", role="home")]
    for seq, (response, (offset, length)) in enumerate(zip(responses, locations, strict=True), 2):
        rows.append(_row(seq, response.url, warc_file=warc_rel, warc_offset=offset,
                         warc_length=length, payload_digest=f"sha1:X{seq}"))  # fmt: skip
    seq = len(rows) + 1
    rows.append(_row(seq, "http://a.fr/broken", warc_file=warc_rel, warc_offset=5))  # not a record
    rows.append(_row(seq + 1, "http://a.fr/pdf", content_type="application/pdf",
                     warc_file=warc_rel, warc_offset=0))  # fmt: skip
    rows.append(_row(seq + 2, "http://a.fr/gone", status=404, warc_file=warc_rel, warc_offset=0))
    rows.append(_row(seq + 3, "http://a.fr/timeout", status=None, content_type=None,
                     error="TimeoutError: took too long"))  # fmt: skip
    run_dir = home.run_dir(RUN_ID)
    run_dir.mkdir(parents=True)
    run = {"run_id": RUN_ID, "flow_run_id": None, "started_at": "2024-05-02T09:00:00+00:00",
           "finished_at": "2024-05-02T09:05:00+00:00", "status": "completed",
           "sources": [{"id": "touleco"}], "stats": {"requests": len(rows)}, "error": None}  # fmt: skip
    (run_dir / "run.json").write_text(json.dumps(run), encoding="utf-8")
    with (run_dir / "fetchlog.jsonl").open("w", encoding="utf-8") as log:
        for row in rows:
            log.write(json.dumps(row) + "\n")
        log.write('{"fetch_id": "truncated')  # a crawl killed mid-line
    return {"broken": rows[-4]["fetch_id"], "teaser": rows[-5]["fetch_id"]}


def test_extract_run_writes_a_complete_batch(tmp_path: Path) -> None:
    home = DataHome.from_env(tmp_path / "data")
    ids = build_run(home)
    calls: list[tuple[int, int]] = []
    summary = extract_run(home, RUN_ID, workers=2, progress=lambda d, t: calls.append((d, t)))

    assert (summary.candidates, summary.articles, summary.rejected, summary.errors) == (43, 41, 1, 1)
    assert calls[-1] == (43, 43) and len(calls) >= 2
    batch_dir = summary.batch_dir
    fetches = pq.read_table(batch_dir / "fetches.parquet")
    articles = pq.read_table(batch_dir / "articles.parquet")
    assert fetches.schema.equals(FETCHES, check_metadata=False)
    assert articles.schema.equals(ARTICLES, check_metadata=False)
    assert fetches.num_rows == 47 and articles.num_rows == 41

    statuses = dict(zip(fetches["fetch_id"].to_pylist(), fetches["extract_status"].to_pylist(),
                        strict=True))  # fmt: skip
    assert statuses[ids["teaser"]] == "rejected:too_short"
    assert statuses[ids["broken"]].startswith("error:")
    assert statuses[f"{RUN_ID}-000001"] is None  # the home page is no candidate
    assert sum(s is None for s in statuses.values()) == 4

    first = articles.to_pylist()[0]
    assert first["fetch_id"] == f"{RUN_ID}-000002" and first["run_id"] == RUN_ID
    assert first["source_id"] == "touleco"
    assert first["fetched_at"] == datetime(2024, 5, 2, 9, 0, 2, tzinfo=UTC)
    assert first["title"] == "Le Périscope fédère l'économie sociale à Ramonville (0)"
    assert any(a["title"].startswith("Fête de la châtaigne") for a in articles.to_pylist())
    for row in articles.to_pylist():  # the story signature of the final (stripped) text, for the load
        assert (row["shingles"], row["story_bands"]) == signature(row["text"])
    assert any(row["story_bands"] for row in articles.to_pylist())

    manifest = json.loads((batch_dir / "batch.json").read_text(encoding="utf-8"))
    assert manifest["format"] == 1 and manifest["run_id"] == RUN_ID
    assert manifest["run"]["status"] == "completed"
    for name, table in (("fetches.parquet", fetches), ("articles.parquet", articles)):
        data = (batch_dir / name).read_bytes()
        assert manifest["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(), "rows": table.num_rows}
    assert verify_batch(batch_dir) == manifest
    assert not list(batch_dir.glob(".*tmp"))


def test_rerun_gives_the_same_files(tmp_path: Path) -> None:
    home = DataHome.from_env(tmp_path / "data")
    build_run(home, pages=6)
    batch_dir = home.run_dir(RUN_ID)
    extract_run(home, RUN_ID, workers=2)
    first = json.loads((batch_dir / "batch.json").read_text())
    extract_run(home, RUN_ID, workers=1)  # in-process gives the same result as the pool
    second = json.loads((batch_dir / "batch.json").read_text())
    assert first["files"] == second["files"]
    # a tampered file is refused
    with (batch_dir / "articles.parquet").open("ab") as stream:
        stream.write(b"x")
    with pytest.raises(BatchError, match="sha256"):
        verify_batch(batch_dir)


def test_missing_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"run\.json"):
        extract_run(DataHome.from_env(tmp_path), "nope", workers=1)


def test_extract_records_keeps_task_order(tmp_path: Path) -> None:
    path = tmp_path / "x.warc.gz"
    locations = write_warc(path, [
        Response(f"http://a.fr/{i}", VISIBLE_PAGE.encode(), [("Content-Type", "text/html")])
        for i in range(3)
    ])  # fmt: skip
    fetched = datetime(2024, 1, 1, tzinfo=UTC)
    tasks = [RecordTask(f"f{i}", str(path), offset, f"http://a.fr/{i}", "text/html", fetched)
             for i, (offset, _) in reversed(list(enumerate(locations)))]  # fmt: skip
    outcomes = extract_records(tasks, workers=1)
    assert [o.fetch_id for o in outcomes] == ["f2", "f1", "f0"]
    assert all(o.status == "article" and o.record for o in outcomes)


def test_pool_in_a_threaded_parent_uses_the_fork_server(tmp_path: Path) -> None:
    """Under Prefect the parent runs threads; the pool must then avoid fork() and still work."""
    path = tmp_path / "x.warc.gz"
    pages = [Response(f"http://a.fr/{i}", VISIBLE_PAGE.encode(), [("Content-Type", "text/html")]) for i in range(2)]
    fetched = datetime(2024, 1, 1, tzinfo=UTC)
    tasks = [
        RecordTask(f"f{i}", str(path), offset, f"http://a.fr/{i}", None, fetched)
        for i, (offset, _) in enumerate(write_warc(path, pages))
    ]
    tasks.insert(1, RecordTask("missing", str(tmp_path / "absent.warc.gz"), 0, "http://a.fr/x", None, fetched))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        with pool._pool(2) as executor:
            assert executor._mp_context.get_start_method() == "forkserver"  # type: ignore[attr-defined]
        outcomes = extract_records(tasks, workers=2)
    finally:
        stop.set()
        thread.join()
    assert [o.status.split(":")[0] for o in outcomes] == ["article", "error", "article"]
    assert outcomes[1].status.startswith("error:FileNotFoundError")
