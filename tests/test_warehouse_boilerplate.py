"""Learned boilerplate reaches every archived text, whatever order batches were extracted and loaded in.

Batches are written by tests/batchfactory (hand-made rows standing in for the extract
stage); the archive is a real DuckDB file loaded by the real loader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from batchfactory import art, make_batch
from crawlkit import FAST, sources_of

from crawlers.runner import crawl
from crawlers.sandbox.gatepages import RECURRING
from pipeline.boilerplate import line_key
from pipeline.fingerprint import text_hash
from pipeline.home import DataHome, new_run_id
from pipeline.stage import extract_run
from warehouse.errors import BatchInvalid
from warehouse.frontier import prepare_snapshot
from warehouse.load import load_batch
from warehouse.query import run_query

MENU = "Mon blog Vidéo"
KEY = line_key(MENU)


def _art(url: str, body: str, minutes: float = 0, *, menu: bool = True) -> dict[str, Any]:
    text = f"{MENU}\n{body}" if menu else body
    return art(f"https://www.touleco.fr/{url}", text, minutes=minutes, text_hash=text_hash(text))


def _early(staging: Path) -> Path:
    """Extracted before the menu line was learned: it is still in every text, versions included."""
    return make_batch(
        staging,
        "r1-early",
        [_art("a", "Le Périscope ouvre à Ramonville."), _art("v", "Première version."),
         _art("v", "Seconde version, corrigée.", minutes=5)],
    )  # fmt: skip


def _learned(staging: Path) -> Path:
    """Extracted after: its text is stripped and the manifest names the line."""
    return make_batch(
        staging,
        "r2-learned",
        [_art("b", "Un club d'entreprises relance ses petits-déjeuners.", minutes=10, menu=False)],
        boilerplate={"toulouse-eco": [KEY]},
    )


def _texts(db: Path) -> set[tuple[str, str]]:
    rows = run_query(
        db, "SELECT url, text FROM articles UNION ALL SELECT url, text FROM article_versions ORDER BY ALL"
    ).rows
    return {(str(u), str(t)) for u, t in rows}


def test_a_line_learned_later_leaves_the_texts_archived_before(tmp_path: Path) -> None:
    db = tmp_path / "archive.duckdb"
    first = load_batch(db, _early(tmp_path / "staging"))
    assert first.new_articles == 2 and first.new_versions == 1 and first.restripped == 0
    assert all(MENU in text for _, text in _texts(db))

    second = load_batch(db, _learned(tmp_path / "staging"))
    assert second.restripped == 3, "two shown texts and one earlier version"
    assert not any(MENU in text for _, text in _texts(db))
    hashes = run_query(db, "SELECT text, text_hash, word_count FROM articles").rows
    assert all(h == text_hash(t) and n == len(t.split()) for t, h, n in hashes)
    lines = run_query(db, "SELECT source_id, line_key, run_id FROM boilerplate_lines").rows
    assert lines == [("toulouse-eco", KEY, "r2-learned")]

    # the same page fetched again by a run extracted before the line was learned: not a new version
    late = make_batch(tmp_path / "staging", "r3-late", [_art("a", "Le Périscope ouvre à Ramonville.", 60)])
    third = load_batch(db, late)
    assert (third.unchanged, third.new_versions, third.restripped) == (1, 0, 0)
    assert not any(MENU in text for _, text in _texts(db))


def test_load_order_does_not_change_the_archive(tmp_path: Path) -> None:
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    early, learned = _early(tmp_path / "staging"), _learned(tmp_path / "staging")
    load_batch(one, early)
    load_batch(one, learned)
    load_batch(two, learned)
    load_batch(two, early)
    assert _texts(one) == _texts(two)
    assert not any(MENU in text for _, text in _texts(two))
    query = "SELECT url, text_hash, version FROM articles ORDER BY url"
    assert run_query(one, query).rows == run_query(two, query).rows


def test_a_malformed_boilerplate_entry_refuses_the_batch(tmp_path: Path) -> None:
    folder = _learned(tmp_path / "staging")
    manifest = json.loads((folder / "batch.json").read_text(encoding="utf-8"))
    manifest["boilerplate"] = {"toulouse-eco": KEY}  # a string, not a list
    (folder / "batch.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BatchInvalid, match="boilerplate"):
        load_batch(tmp_path / "archive.duckdb", folder)
    assert (
        not (tmp_path / "archive.duckdb").exists()
        or not run_query(tmp_path / "archive.duckdb", "SELECT * FROM articles").rows
    )


def _crawl_extract_load(sandbox: Any, home: DataHome, **kw: Any) -> None:
    """One run as the archive flow does it: frontier snapshot, crawl, extract, load."""
    sources = sources_of(sandbox, ["blog-helene-cabrol"])
    run_id = new_run_id()
    frontier = prepare_snapshot(home, run_id, [s.id for s in sources])
    result = crawl(sources, home, run_id=run_id, settings=FAST, timeout=120, frontier=frontier, **kw)
    extract_run(home, result.run_id, workers=1)
    load_batch(home.db_path, result.run_dir)


def test_a_first_small_run_leaves_no_boilerplate_in_the_archive(sandbox: Any, tmp_path: Path) -> None:
    """A one-article run cannot learn a blog's menu lines; the full run after it must clean that article too."""
    small_first = DataHome(tmp_path / "small-first").ensure()
    _crawl_extract_load(sandbox, small_first, max_pages=1)
    (first,) = run_query(small_first.db_path, "SELECT text FROM articles").rows
    recurring = [line for line in RECURRING["blog-helene-cabrol"] if line in first[0]]
    assert recurring, "the sandbox's blog lines survive a one-article extraction"
    _crawl_extract_load(sandbox, small_first)
    full_only = DataHome(tmp_path / "full-only").ensure()
    _crawl_extract_load(sandbox, full_only)

    query = "SELECT url, text_hash, version FROM articles ORDER BY url"
    rows = run_query(small_first.db_path, query).rows
    assert rows == run_query(full_only.db_path, query).rows
    assert len(rows) > 5 and all(version == 1 for *_, version in rows)
    texts = run_query(small_first.db_path, "SELECT text FROM articles").rows
    assert not any(line in text for (text,) in texts for line in recurring)
