"""Per-source boilerplate lines, learned from the archive and removed from article texts.

Each outlet prints its own fixed lines inside the article body ("Mon blog Vidéo",
"Autres magazines", a section header at the top and again at the bottom, a
paper-edition plug). No generic rule knows them, but they give themselves away
by recurring: the same short line in many articles of one source is not what
a journalist wrote for this article. So every extracted text's short lines are
counted per source, and a line seen in at least ``MIN_ARTICLES`` articles and
``MIN_SHARE`` of the source's articles is removed from every text of that source.

The counts live in ``<home>/boilerplate/<source_id>.json`` (one file per source:
runs of disjoint sources never write the same file), grow run after run, and
count each article once (by canonical URL), so re-extracting a run does not
inflate them. A rebuild replays the runs in order from an empty folder and
learns the same lines.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.fingerprint import normalise_text, text_hash

MIN_ARTICLES = 5
MIN_SHARE = 0.2
MAX_LINE_CHARS = 200  # boilerplate lines are short; a recurring long paragraph is a copy, not a menu
# Past this many distinct lines, the lines seen once are forgotten (lossy counting keeps the file small).
MAX_LINES = 50_000
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def line_key(line: str) -> str:
    return hashlib.sha1(normalise_text(line).encode("utf-8")).hexdigest()[:16]


def _article_key(record: dict[str, Any]) -> str:
    return hashlib.sha1(str(record.get("canonical_url") or record.get("url")).encode("utf-8")).hexdigest()[:12]


@dataclass
class SourceLines:
    """Line counts of one source: how many articles were counted and in how many each short line was."""

    articles: int = 0
    lines: dict[str, int] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def observe(self, key: str, text: str) -> None:
        if key in self.seen:
            return
        self.seen.add(key)
        self.articles += 1
        for line_id in {line_key(line) for line in text.splitlines() if 0 < len(line) <= MAX_LINE_CHARS}:
            self.lines[line_id] = self.lines.get(line_id, 0) + 1
        if len(self.lines) > MAX_LINES:
            self.lines = {k: n for k, n in self.lines.items() if n > 1}

    def learned(self) -> set[str]:
        floor = max(MIN_ARTICLES, MIN_SHARE * self.articles)
        return {k for k, n in self.lines.items() if n >= floor}


def _path(folder: Path, source_id: str) -> Path:
    return folder / f"{_SAFE.sub('_', source_id)}.json"


def read_source(folder: Path, source_id: str) -> SourceLines:
    path = _path(folder, source_id)
    if not path.exists():
        return SourceLines()
    data = json.loads(path.read_text(encoding="utf-8"))
    return SourceLines(int(data["articles"]), dict(data["lines"]), set(data["seen"]))


def write_source(folder: Path, source_id: str, model: SourceLines) -> None:
    """Atomic replace: a reader sees the old file or the new one, never half of one."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"source_id": source_id, "articles": model.articles, "lines": model.lines, "seen": sorted(model.seen)}
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".bp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        json.dump(data, stream, separators=(",", ":"))
    os.replace(tmp, _path(folder, source_id))


def strip_lines(text: str, learned: set[str]) -> str:
    if not learned:
        return text
    return "\n".join(line for line in text.splitlines() if len(line) > MAX_LINE_CHARS or line_key(line) not in learned)


def apply(record: dict[str, Any], learned: set[str]) -> dict[str, Any]:
    """The record with its learned lines removed and word_count/text_hash recomputed."""
    text = strip_lines(str(record["text"]), learned)
    if text == record["text"]:
        return record
    return {**record, "text": text, "word_count": len(text.split()), "text_hash": text_hash(text)}


def learn_and_strip(
    folder: Path | None, records: Iterable[dict[str, Any]], *, learn: bool = True
) -> list[dict[str, Any]]:
    """Count the records' lines into their sources' files (if ``learn``), then strip what is learned.

    ``folder`` None: learn from these records alone, write nothing (tests, benchmarks).
    """
    return _learn_and_strip(folder, records, learn=learn)[0]


def learn_strip_and_list(
    folder: Path, records: Iterable[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """``learn_and_strip``, and per source of the records the keys of the lines learned so far.

    The batch manifest needs those keys: texts archived before a line was learned still
    carry it, and the warehouse strips them when a batch brings a line it has not applied yet.
    """
    rows, learned = _learn_and_strip(folder, records, learn=True)
    return rows, {source_id: sorted(learned[source_id]) for source_id in sorted(learned)}


def _learn_and_strip(
    folder: Path | None, records: Iterable[dict[str, Any]], *, learn: bool
) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    rows = list(records)
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_source[str(row["source_id"])].append(i)
    learned_by_source: dict[str, set[str]] = {}
    for source_id, indexes in by_source.items():
        model = read_source(folder, source_id) if folder is not None else SourceLines()
        if learn or folder is None:
            for i in indexes:
                model.observe(_article_key(rows[i]), str(rows[i]["text"]))
            if folder is not None:
                write_source(folder, source_id, model)
        learned = learned_by_source[source_id] = model.learned()
        for i in indexes:
            rows[i] = apply(rows[i], learned)
    return rows, learned_by_source
