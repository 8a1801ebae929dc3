"""Story clusters (rule 3) against the sandbox truth, without a crawl.

Every sandbox article's true text is loaded as an article row, ``stories.assign``
runs, and the pairs of articles sharing a story_id are compared with the pairs
the truth puts in one story: the agency dispatch on three outlets, the press
release reprinted with cuts; the same-topic pair must stay apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pipeline.fingerprint import text_hash
from warehouse import stories
from warehouse.db import open_archive

sandbox = pytest.importorskip("crawlers.sandbox")
FLOOR = 0.95


def story_pairs(groups: dict[str, str]) -> set[frozenset[str]]:
    """Unordered pairs of keys sharing a group value."""
    by_group: dict[str, list[str]] = {}
    for key, group in groups.items():
        by_group.setdefault(group, []).append(key)
    return {frozenset(p) for members in by_group.values() for p in combinations(sorted(members), 2)}


def precision_recall(found: set[frozenset[str]], truth: set[frozenset[str]]) -> tuple[float, float]:
    hits = len(found & truth)
    return (hits / len(found) if found else 1.0, hits / len(truth) if truth else 1.0)


def _insert(con: Any, rows: list[dict[str, Any]]) -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    table = pa.Table.from_pylist(
        [
            {
                "article_id": r["id"],
                "source_id": r["outlet"],
                "url": r["url"],
                "text": r["text"],
                "text_hash": text_hash(r["text"]),
                "story_id": r["id"],
                "version": 1,
                "version_seen_at": now,
                "first_seen_at": now,
                "last_seen_at": now,
                "fetch_id": "f-" + r["id"],
            }
            for r in rows
        ]
    )
    con.register("t_rows", table)
    con.execute("INSERT INTO articles BY NAME SELECT * FROM t_rows")
    con.unregister("t_rows")


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    return sandbox.SandboxSite(seed=7).truth()


def _rows(truth: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**a, "text": "\n".join(a["paragraphs"])} for a in truth["articles"]]


def test_sandbox_stories_in_one_load(truth: dict[str, Any], tmp_path: Path) -> None:
    with open_archive(tmp_path / "a.duckdb") as con:
        _insert(con, _rows(truth))
        counts = stories.assign(con)
        groups = dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())
        again = stories.assign(con)
    expected = story_pairs({a["id"]: a["story_id"] for a in truth["articles"]})
    precision, recall = precision_recall(story_pairs(groups), expected)
    print(
        f"\nstory pairs: truth {len(expected)}, found {len(story_pairs(groups))}, "
        f"precision {precision:.3f}, recall {recall:.3f}, {counts}"
    )
    assert precision >= FLOOR and recall >= FLOOR
    for a, b in truth["same_topic"]:
        assert groups[a] != groups[b]
    assert again.indexed == 0, "a second pass has nothing new to index"


def test_stories_do_not_depend_on_load_order(truth: dict[str, Any], tmp_path: Path) -> None:
    """Loaded in two batches, the later ones joining earlier stories: the same story ids."""
    rows = _rows(truth)
    results = []
    for order, name in ((rows, "fwd"), (list(reversed(rows)), "rev")):
        with open_archive(tmp_path / f"{name}.duckdb") as con:
            half = len(order) // 2
            _insert(con, order[:half])
            stories.assign(con)
            _insert(con, order[half:])
            stories.assign(con)
            results.append(dict(con.execute("SELECT article_id, story_id FROM articles").fetchall()))
    assert results[0] == results[1]
    expected = story_pairs({a["id"]: a["story_id"] for a in truth["articles"]})
    assert precision_recall(story_pairs(results[0]), expected) == (1.0, 1.0)


def test_changed_text_leaves_its_story(truth: dict[str, Any], tmp_path: Path) -> None:
    dispatch = next(s for s in truth["stories"] if s["kind"] == "agency-dispatch")["articles"]
    with open_archive(tmp_path / "c.duckdb") as con:
        _insert(con, _rows(truth))
        stories.assign(con)
        moved = dispatch[0]
        new_text = "Un tout autre texte, écrit par la rédaction elle-même. " * 8
        con.execute(
            "UPDATE articles SET text = ?, text_hash = ? WHERE article_id = ?", [new_text, text_hash(new_text), moved]
        )
        stories.assign(con)
        groups = dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())
    assert groups[moved] == moved
    rest = [groups[a] for a in dispatch[1:]]
    assert len(set(rest)) == 1 and rest[0] != moved


def test_containment_separates_reprints_from_same_topic() -> None:
    base = " ".join(f"mot{i} suite{i % 7} phrase{i % 11}" for i in range(200))
    cut = " ".join(base.split()[60:])
    assert stories.containment(stories.shingles(base), stories.shingles(cut)) > 0.95
    other = " ".join(f"autre{i} suite{i % 7} phrase{i % 11}" for i in range(200))
    assert stories.containment(stories.shingles(base), stories.shingles(other)) < 0.2


def test_band_keys_equal_a_minhash_drawn_afresh() -> None:
    """The shared permutations change no key: archives indexed before keep matching new texts."""
    import hashlib
    import zlib

    import numpy as np
    from datasketch import MinHash

    from warehouse.stories import BANDS, NUM_PERM, ROWS, band_keys, shingles

    grams = shingles("La technopole de Castres-Mazamet accueille trois jeunes entreprises du numérique. " * 4)
    fresh = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32)
    fresh.update_batch(list(grams))
    values = np.asarray(fresh.hashvalues, dtype=np.uint64)
    expected = [
        int.from_bytes(
            hashlib.blake2b(bytes([b]) + values[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        for b in range(BANDS)
    ]
    assert band_keys(grams) == expected
