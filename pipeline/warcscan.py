"""The fetch log of every run, read back from the WARC files alone.

The WARC files are the archive; the database is derived. Each response record
is followed by a ``metadata`` record (WARC-Concurrent-To the response) holding
what the crawler knew: fetch_id, run_id, source_id, role, how the URL was
discovered, the date a feed or sitemap gave. So the rows of ``fetchlog.jsonl``
can be rebuilt from ``warc/`` without the staging folder, and a run can be
extracted and loaded again (``warehouse.rebuild``). Failed requests never
reached the WARC: they are the only fetches a rebuild does not give back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

_META_FIELDS = ("fetch_id", "run_id", "source_id", "role", "discovered_via", "discovered_from", "listed_at")


def warc_files(warc_dir: Path) -> list[Path]:
    """Every WARC of the archive in run order (run ids start with their UTC start time)."""
    return sorted(p for p in warc_dir.glob("*.warc*") if p.is_file())


def _aware(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def scan_file(path: Path, root: Path) -> Iterator[dict[str, Any]]:
    """Fetch-log rows of one WARC file: each response joined with its metadata record."""
    responses: dict[str, dict[str, Any]] = {}
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            headers = record.rec_headers
            if record.rec_type == "response":
                http = record.http_headers
                offset = records.get_record_offset()
                declared = http.get_header("Content-Length") if http else None  # the archiver writes len(body)
                body_length = int(declared) if declared and declared.isdigit() else len(record.raw_stream.read())
                responses[str(headers.get_header("WARC-Record-ID"))] = {
                    "url": headers.get_header("WARC-Target-URI"),
                    "final_url": headers.get_header("WARC-Target-URI"),
                    "status": int(http.get_statuscode()) if http and http.get_statuscode() else None,
                    "content_type": http.get_header("Content-Type") if http else None,
                    "content_length": body_length,
                    "fetched_at": _aware(headers.get_header("WARC-Date")),
                    "warc_file": str(path.relative_to(root)),
                    "warc_offset": offset,
                    "payload_digest": headers.get_header("WARC-Payload-Digest"),
                    "error": None,
                }
                records.read_to_end(record)
                responses[str(headers.get_header("WARC-Record-ID"))]["warc_length"] = records.get_record_length()
            elif record.rec_type == "metadata":
                response = responses.pop(str(headers.get_header("WARC-Concurrent-To")), None)
                if response is None:
                    continue
                try:
                    meta = json.loads(record.content_stream().read().decode("utf-8"))
                except ValueError:
                    continue
                row = {**response, **{k: meta.get(k) for k in _META_FIELDS}}
                row["fetched_at"] = _aware(meta.get("fetched_at")) or response["fetched_at"]
                yield row


def scan_runs(root: Path) -> dict[str, list[dict[str, Any]]]:
    """run_id → its fetch-log rows in fetch order, from every WARC under ``root/warc``."""
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in warc_files(root / "warc"):
        for row in scan_file(path, root):
            if row.get("run_id") and row.get("fetch_id"):
                runs[str(row["run_id"])].append(row)
    for rows in runs.values():
        rows.sort(key=lambda r: str(r["fetch_id"]))
    return dict(sorted(runs.items()))
