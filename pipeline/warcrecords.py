"""Read response records back from the WARC archive by (file, offset).

The fetch log says where each response was written; extraction, re-extraction
and rebuild all come back here. ``record.content_stream()`` undoes chunked
transfer encoding and gzip/deflate/br Content-Encoding, so callers get the body
a browser would render. Reads are grouped per file and sorted by offset: one
open and forward seeks per WARC instead of one open per record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

# A page bigger than this is not an article; reading it whole would only cost memory.
MAX_PAYLOAD = 32 * 1024 * 1024


class WarcRecordError(Exception):
    """The record at (file, offset) is missing or is not an HTTP response."""


@dataclass(frozen=True)
class HttpPayload:
    """One archived HTTP response: status line, headers and the decoded body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    target_uri: str | None = None
    record_type: str = "response"

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitively, as HTTP wants."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")


def _read_all(stream: BinaryIO, where: str) -> bytes:
    """Loop until EOF: some warcio readers return one buffer per ``read(n)``."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(1 << 16):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_PAYLOAD:
            raise WarcRecordError(f"payload at {where} exceeds {MAX_PAYLOAD} bytes")
    return b"".join(chunks)


def _read_at(stream: BinaryIO, offset: int, where: str) -> HttpPayload:
    stream.seek(offset)
    try:
        record = next(iter(ArchiveIterator(stream, check_digests=False)))
    except StopIteration:
        raise WarcRecordError(f"no WARC record at {where}") from None
    if record.rec_type not in ("response", "revisit") or record.http_headers is None:
        raise WarcRecordError(f"{where} is a {record.rec_type} record, not an HTTP response")
    status_text = record.http_headers.get_statuscode() or "0"
    try:
        status = int(status_text)
    except ValueError:
        status = 0
    body = _read_all(record.content_stream(), where)
    return HttpPayload(
        status=status,
        headers=[(str(k), str(v)) for k, v in record.http_headers.headers],
        body=body,
        target_uri=record.rec_headers.get_header("WARC-Target-URI"),
        record_type=record.rec_type,
    )


def read_record(warc_path: str | Path, offset: int) -> HttpPayload:
    """The HTTP response stored at ``offset`` of ``warc_path`` (gzip per record or plain)."""
    with open(warc_path, "rb") as stream:
        return _read_at(stream, offset, f"{warc_path}@{offset}")


def read_records(
    locations: Iterable[tuple[str | Path, int]],
) -> Iterator[tuple[tuple[str | Path, int], HttpPayload | Exception]]:
    """Read many records, opening each file once; yields ``((path, offset), payload)``.

    The result for a location that cannot be read is the exception (file missing,
    truncated, not a response), so one bad record never stops the others. Results
    come grouped by file, in offset order, not in the order given.
    """
    by_file: dict[str | Path, list[int]] = defaultdict(list)
    for path, offset in locations:
        by_file[path].append(offset)
    for path, offsets in by_file.items():
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed below, after all offsets
        except OSError as exc:
            for offset in sorted(offsets):
                yield (path, offset), exc
            continue
        with stream:
            for offset in sorted(offsets):
                try:
                    yield (path, offset), _read_at(stream, offset, f"{path}@{offset}")
                except Exception as exc:  # a broken record is reported, not raised
                    yield (path, offset), exc
