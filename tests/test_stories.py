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


def _staged(path: Path, rows: list[dict[str, Any]]) -> Path:
    """An articles.parquet holding only what ``staged_signatures`` reads, signed as extract signs."""
    import pyarrow.parquet as pq

    from pipeline.storysig import sign

    signed = sign({"text": r["text"], "text_hash": text_hash(r["text"])} for r in rows)
    table = pa.Table.from_pylist(
        [{k: r[k] for k in ("text_hash", "shingles", "story_bands")} for r in signed],
        schema=stories.staged_signatures(None).schema,
    )
    pq.write_table(table, path)
    return path


def test_staged_signatures_give_the_same_index_and_stories(truth: dict[str, Any], tmp_path: Path) -> None:
    """Signed at extract or in the load: the same band keys, the same stories."""
    rows = _rows(truth)
    results = []
    for name, staged in (("load", None), ("extract", _staged(tmp_path / "articles.parquet", rows))):
        with open_archive(tmp_path / f"{name}.duckdb") as con:
            _insert(con, rows)
            stories.assign(con, staged)
            bands = con.execute("SELECT band_key, article_id FROM story_bands ORDER BY ALL").fetchall()
            sigs = con.execute("SELECT * FROM story_signatures ORDER BY article_id").fetchall()
            groups = dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())
        results.append((bands, sigs, groups))
    assert results[0] == results[1]
    assert results[0][0], "the sandbox texts are long enough to be indexed"


def test_the_load_uses_the_staged_bands(truth: dict[str, Any], tmp_path: Path) -> None:
    """A staged signature is taken as given (not recomputed): here one deliberately wrong one shows."""
    import pyarrow.parquet as pq

    rows = _rows(truth)
    path = _staged(tmp_path / "articles.parquet", rows)
    table = pq.read_table(path)
    bands = table.column("story_bands").to_pylist()
    first = next(i for i, b in enumerate(bands) if b)
    bands[first] = list(range(1, stories.BANDS + 1))
    bands[first + 1] = [7]  # not a full set of bands: ignored, signed in the load
    table = table.set_column(2, "story_bands", pa.array(bands, pa.list_(pa.int64())))
    pq.write_table(table, path)
    target, short = table.column("text_hash")[first].as_py(), table.column("text_hash")[first + 1].as_py()
    with open_archive(tmp_path / "a.duckdb") as con:
        _insert(con, rows)
        stories.assign(con, path)
        keys = dict(
            con.execute("""
                SELECT s.text_hash, list_sort(list(b.band_key)) FROM story_bands b JOIN story_signatures s
                USING (article_id) GROUP BY ALL
            """).fetchall()
        )
    assert keys[target] == list(range(1, stories.BANDS + 1))
    text = next(r["text"] for r in rows if text_hash(r["text"]) == short)
    assert keys[short] == sorted(stories.band_keys(stories.shingles(text)))


def test_hashed_shingles_give_the_same_containment() -> None:
    import random

    rng = random.Random(3)
    vocab = [f"mot{i}" for i in range(40)] + ["l'élu", "Castres-Mazamet", "« citation »"]
    for _ in range(50):
        a = " ".join(rng.choices(vocab, k=rng.randint(1, 80)))
        b = " ".join(rng.choices(vocab, k=rng.randint(1, 80))) + " " + a[: rng.randint(0, len(a))]
        assert stories.containment(stories.shingles(a), stories.shingles(b)) == stories.hashed_containment(
            stories.shingle_hashes(a), stories.shingle_hashes(b)
        )


def test_checks_per_article_are_bounded_and_copies_still_join(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Eleven outlets print one dispatch: each checks only MAX_CHECKS others, the rarest first; one story."""
    monkeypatch.setattr(stories, "MAX_CHECKS", 3)
    text = " ".join(f"La technopole accueille sa {n}e jeune entreprise du numérique à Castres." for n in range(12))
    rows = [{"id": f"copy{i:02d}", "outlet": f"outlet-{i:02d}", "url": f"https://o{i}.fr/d", "text": text}
            for i in range(11)]  # fmt: skip
    with open_archive(tmp_path / "a.duckdb") as con:
        _insert(con, rows)
        counts = stories.assign(con)
        groups = set(dict(con.execute("SELECT article_id, story_id FROM articles").fetchall()).values())
    assert (counts.candidates, counts.unchecked) == (11 * 3, 11 * 7)
    assert groups == {"copy00"}


def test_the_sandbox_stories_do_not_need_the_bound(truth: dict[str, Any], tmp_path: Path) -> None:
    """No sandbox article has more candidates than MAX_CHECKS: the bound changes nothing on real-like text."""
    with open_archive(tmp_path / "a.duckdb") as con:
        _insert(con, _rows(truth))
        counts = stories.assign(con)
    assert counts.unchecked == 0 and counts.candidates > 0
