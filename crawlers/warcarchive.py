"""Every HTTP response of a crawl goes into a gzip WARC file, and a line into the fetch log.

A downloader middleware placed next to the downloader (order 950) sees each
raw response first: redirects, 304s and 5xx before retry, bodies still
content-encoded as the server sent them. That is what a web archive must keep.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

# Headers describing the transfer, not the payload: Twisted has already undone
# chunking, so keeping them would make WARC readers decode the body twice.
_TRANSFER_HEADERS = {"transfer-encoding", "connection", "keep-alive"}


def _decode(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, values in headers.items():
        name = _decode(key)
        for value in values if isinstance(values, list) else [values]:
            pairs.append((name, _decode(value)))
    return pairs


class WarcFile:
    """One run's WARC output, rotated past ``max_bytes`` so files stay easy to move."""

    def __init__(self, home: Path, run_id: str, max_bytes: int) -> None:
        self.home, self.run_id, self.max_bytes = home, run_id, max_bytes
        self.serial = 0
        self._fh: IO[bytes] | None = None
        self.path: Path | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        if self._fh is not None and self._fh.tell() >= self.max_bytes:
            self.close()
            self.serial += 1
        if self._fh is None:
            self.path = self.home / "warc" / f"{self.run_id}-{self.serial:05d}.warc.gz"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("ab")
            self._writer = WARCWriter(self._fh, gzip=True, warc_version="1.1")
            info = {"software": "pressarchive (Scrapy)", "format": "WARC File Format 1.1", "isPartOf": self.run_id}
            self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, info))
        assert self._writer is not None
        return self._writer

    def write(self, request: Request, response: Response, metadata: dict[str, Any]) -> dict[str, Any]:
        """Write request, response and metadata records; return where the response landed."""
        writer = self._open()
        assert self._fh is not None and self.path is not None
        date = metadata["fetched_at"]
        parts = urlsplit(response.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        req_headers = [("Host", parts.netloc), *_header_pairs(request.headers)]
        # Lengths are given: without one, warcio copies each payload into a temporary file and
        # digests it a second time when writing.
        req_body = request.body or b""
        req_record = writer.create_warc_record(
            response.url,
            "request",
            payload=BytesIO(req_body),
            length=len(req_body),
            http_headers=StatusAndHeaders(f"{request.method} {target} HTTP/1.1", req_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": date},
        )
        resp_headers = [(k, v) for k, v in _header_pairs(response.headers) if k.lower() not in _TRANSFER_HEADERS]
        resp_headers = [(k, v) for k, v in resp_headers if k.lower() != "content-length"]
        resp_headers.append(("Content-Length", str(len(response.body))))
        reason = _reason(response.status)
        resp_record = writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            length=len(response.body),
            http_headers=StatusAndHeaders(f"{response.status} {reason}", resp_headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": date},
        )
        resp_id = resp_record.rec_headers.get_header("WARC-Record-ID")
        _concurrent_to(req_record, resp_id)
        offset = self._fh.tell()
        writer.write_record(resp_record)
        length = self._fh.tell() - offset
        writer.write_record(req_record)
        meta_body = json.dumps(metadata, ensure_ascii=False).encode()
        meta_record = writer.create_warc_record(
            response.url,
            "metadata",
            payload=BytesIO(meta_body),
            length=len(meta_body),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": resp_id},
        )
        writer.write_record(meta_record)
        self._fh.flush()
        return {
            "warc_file": str(self.path.relative_to(self.home)),
            "warc_offset": offset,
            "warc_length": length,
            "payload_digest": resp_record.rec_headers.get_header("WARC-Payload-Digest"),
        }

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh, self._writer = None, None


def _concurrent_to(record: Any, record_id: str) -> None:
    """Add ``WARC-Concurrent-To`` before the payload digest, where records have always had it."""
    headers = record.rec_headers
    digest = headers.get_header("WARC-Payload-Digest")
    headers.remove_header("WARC-Payload-Digest")
    headers.add_header("WARC-Concurrent-To", record_id)
    if digest:
        headers.add_header("WARC-Payload-Digest", digest)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class WarcArchiveMiddleware:
    """Archives each response and logs each fetch; off when no run is configured."""

    def __init__(self, home: Path, run_id: str, max_bytes: int, crawler: Crawler) -> None:
        self.home, self.run_id = home, run_id
        self.warc = WarcFile(home, run_id, max_bytes)
        log_path = home / "staging" / run_id / "fetchlog.jsonl"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("a", encoding="utf-8")
        self.seq = 0
        self.stats = crawler.stats
        self.crawler = crawler  # its spider names the source of a request without one (Scrapy stops passing it)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("PRESSARCHIVE_WARC_ENABLED", True):
            raise NotConfigured("PRESSARCHIVE_WARC_ENABLED is off")
        home, run_id = settings.get("PRESSARCHIVE_HOME"), settings.get("PRESSARCHIVE_RUN_ID")
        if not home or not run_id:
            raise NotConfigured("PRESSARCHIVE_HOME and PRESSARCHIVE_RUN_ID are needed to archive")
        max_bytes = settings.getint("PRESSARCHIVE_WARC_MAX_BYTES", 1024**3)
        mw = cls(Path(home), run_id, max_bytes, crawler)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _entry(self, request: Request) -> dict[str, Any]:
        self.seq += 1
        info = request.meta.get("pressarchive") or {}
        source_id = info.get("source_id")
        spider = self.crawler.spider
        if source_id is None and hasattr(spider, "source_for_url"):
            source = spider.source_for_url(request.url)
            source_id = source.id if source else None
        role = info.get("role") or ("robots" if request.url.endswith("/robots.txt") else "other")
        return {
            "fetch_id": f"{self.run_id}-{self.seq:06d}",
            "run_id": self.run_id,
            "source_id": source_id,
            "url": request.url,
            "final_url": request.url,
            "status": None,
            "content_type": None,
            "content_length": 0,
            "fetched_at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "warc_file": None,
            "warc_offset": None,
            "warc_length": None,
            "payload_digest": None,
            "discovered_via": info.get("discovered_via") or role,
            "discovered_from": info.get("discovered_from"),
            "listed_at": info.get("listed_at"),
            "role": role,
            "revisit": bool(info.get("revisit")),
            "etag": None,
            "last_modified": None,
            "error": None,
        }

    def _write_log(self, entry: dict[str, Any]) -> None:
        self.log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.log.flush()

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        entry = self._entry(request)
        entry.update(
            final_url=response.url,
            status=response.status,
            content_type=_decode(response.headers.get("Content-Type") or b"") or None,
            content_length=len(response.body),
            etag=_decode(response.headers.get("ETag") or b"") or None,
            last_modified=_decode(response.headers.get("Last-Modified") or b"") or None,
        )
        fetched_at = entry["fetched_at"].replace("+00:00", "Z")
        warc_meta = {
            k: entry[k]
            for k in ("fetch_id", "run_id", "source_id", "role", "discovered_via", "discovered_from", "listed_at")
        }
        warc_meta["fetched_at"] = fetched_at
        try:
            entry.update(self.warc.write(request, response, warc_meta))
        except OSError as exc:  # a full disk must not pass silently
            entry["error"] = f"WARC write failed: {exc}"
            logger.error("WARC write failed for %s: %s", request.url, exc)
        self._write_log(entry)
        self.stats.inc_value("pressarchive/warc_records")
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        entry = self._entry(request)
        entry["error"] = f"{type(exception).__name__}: {exception}"
        self._write_log(entry)
        self.stats.inc_value(f"pressarchive/errors/{type(exception).__name__}")

    def spider_closed(self, spider: Spider) -> None:
        self.warc.close()
        self.log.close()
