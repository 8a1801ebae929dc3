"""Re-extraction and rebuild against a real crawl of two sandbox outlets, in two runs.

The rebuilt archive is compared with the one the crawl loaded (article ids,
URLs, text hashes, story ids); re-extraction restores texts an older extractor
got wrong, records the extractor, and removes what the gate now rejects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from crawlers.registry import load_registry, select
from crawlers.runner import crawl
from crawlers.sandbox import Sandbox
from pipeline.extract import EXTRACTOR
from pipeline.home import DataHome
from pipeline.stage import extract_run
from pipeline.warcscan import scan_runs
from warehouse.load import load_batch
from warehouse.rebuild import rebuild, reextract

pytestmark = pytest.mark.e2e
OUTLETS = ["voix-du-tarn", "echo-cevennes"]  # they share the agency dispatch: a story across runs


@pytest.fixture(scope="module")
def home(sandbox: Sandbox, sandbox_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataHome]:
    home = DataHome.from_env(tmp_path_factory.mktemp("rebuild-home")).ensure()
    sources = select(load_registry(sandbox_registry), OUTLETS)
    for source in sources:  # one run per outlet: the story is joined by the second load
        result = crawl([source], home)
        extract_run(home, result.run_id, workers=2)
        load_batch(home.db_path, home.run_dir(result.run_id))
    yield home


def _snapshot(db: Path) -> dict[str, Any]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "articles": con.execute(
                "SELECT article_id, source_id, url, text_hash, story_id, title, authors, published_at "
                "FROM articles ORDER BY article_id"
            ).fetchall(),
            "urls": con.execute("SELECT url, article_id FROM article_urls ORDER BY url").fetchall(),
            "fetches": con.execute(
                "SELECT fetch_id, url, status, warc_file, warc_offset, extract_status FROM fetches "
                "WHERE warc_file IS NOT NULL ORDER BY fetch_id"
            ).fetchall(),
        }
    finally:
        con.close()


def test_warc_metadata_gives_back_the_fetch_log(home: DataHome) -> None:
    from pipeline.stage import read_fetchlog

    runs = scan_runs(home.root)
    assert len(runs) == 2
    for run_id, rows in runs.items():
        logged = {r["fetch_id"]: r for r in read_fetchlog(home.run_dir(run_id) / "fetchlog.jsonl") if r["warc_file"]}
        assert {r["fetch_id"] for r in rows} == set(logged)
        for row in rows:
            for key in (
                "url",
                "status",
                "content_length",
                "fetched_at",
                "warc_file",
                "warc_offset",
                "warc_length",
                "payload_digest",
                "role",
                "source_id",
                "discovered_via",
            ):
                assert row[key] == logged[row["fetch_id"]][key], (key, row["fetch_id"])


def test_reextract_restores_texts_adds_what_was_left_out_and_removes_what_the_gate_rejects(home: DataHome) -> None:
    before = _snapshot(home.db_path)
    con = duckdb.connect(str(home.db_path))
    try:  # what an older extractor might have left: a wrong text, and a tag page stored as an article
        victim = con.execute("SELECT article_id FROM articles WHERE source_id = 'echo-cevennes' LIMIT 1").fetchone()
        assert victim is not None
        con.execute(
            "UPDATE articles SET text = 'ancien texte', text_hash = 'x', extractor = 'old' WHERE article_id = ?",
            [victim[0]],
        )
        tag = con.execute(
            "SELECT fetch_id, url, source_id FROM fetches WHERE extract_status = 'rejected:tag_page' "
            "AND source_id = 'echo-cevennes'"
        ).fetchone()
        assert tag is not None
        lost = con.execute(
            """SELECT article_id, fetch_id FROM articles WHERE source_id = 'echo-cevennes'
                              AND article_id <> ? AND story_id NOT IN (SELECT story_id FROM articles
                                  GROUP BY story_id HAVING count(*) > 1) LIMIT 1""",
            [victim[0]],
        ).fetchone()
        assert lost is not None  # an article an older gate rejected: never archived, its fetch says why
        for table in ("article_urls", "article_versions", "story_bands", "story_signatures", "articles"):
            con.execute(f"DELETE FROM {table} WHERE article_id = ?", [lost[0]])
        con.execute("UPDATE fetches SET extract_status = 'rejected:too_short' WHERE fetch_id = ?", [lost[1]])
        con.execute(
            """INSERT INTO articles (article_id, source_id, url, text, text_hash, story_id, version,
                           version_seen_at, first_seen_at, last_seen_at, fetch_id, extractor)
                       VALUES ('tagpage', ?, ?, 'x', 'y', 'tagpage', 1, now(), now(), now(), ?, 'old')""",
            [tag[2], tag[1], tag[0]],
        )
    finally:
        con.close()
    summary = reextract(home, sources=["echo-cevennes"], workers=2)
    print(f"\n{summary}")
    assert summary.removed == 1 and summary.texts_changed == 1 and summary.added == 1
    after = _snapshot(home.db_path)
    assert after == before
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        done = con.execute(
            "SELECT source_id, count(*), count(extracted_at), min(extractor), max(extractor) "
            "FROM articles GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert ("echo-cevennes", 32, 32, EXTRACTOR, EXTRACTOR) in done
    assert next(r for r in done if r[0] == "voix-du-tarn")[2] == 0, "--source limits what is re-extracted"


def test_rebuild_from_warc_gives_the_same_articles(home: DataHome) -> None:
    before = _snapshot(home.db_path)
    summary = rebuild(home, workers=2, staged_manifests=False)
    print(f"\n{summary}")
    after = _snapshot(home.db_path)
    assert summary.runs == 2 and summary.backup is not None and summary.backup.exists()
    assert after["articles"] == before["articles"]
    assert after["urls"] == before["urls"]
    assert after["fetches"] == before["fetches"]
    stories = {row[4] for row in after["articles"]}
    assert len(stories) == len(after["articles"]) - 1, "the dispatch copies of both outlets share one story"


def test_cli_commands_run_the_flows(
    home: DataHome, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pressarchive reextract`` and ``rebuild`` (COMMANDS, as flows/cli.py registers them) run the flows.

    The commands are called as functions: Prefect's log handler and typer's CliRunner
    both replace sys.stdout, which recurses; the option parsing is checked with CliRunner.
    """
    import typer
    from typer.testing import CliRunner

    from flows.cli_maintenance import COMMANDS

    commands = dict(COMMANDS)
    app = typer.Typer()
    for name, command in COMMANDS:
        app.command(name)(command)
    bad = CliRunner().invoke(app, ["reextract", "--since", "hier"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
    monkeypatch.setenv("PRESSARCHIVE_HOME", str(home.root))
    before = _snapshot(home.db_path)
    commands["reextract"](source=["voix-du-tarn"], since="2000-01-01")
    assert "re-extracted 48 pages: 40 articles updated (0 texts changed), 0 removed" in capsys.readouterr().out
    commands["rebuild"](yes=True)
    assert "rebuilt" in capsys.readouterr().out
    assert _snapshot(home.db_path) == before
