"""What the crawl process leaves out to save CPU must not change what it does or what it writes."""

from __future__ import annotations

import gzip
from pathlib import Path

from scrapy import Request
from scrapy.http import Response
from warcio.archiveiterator import ArchiveIterator

from crawlers.process import UNUSED_COMPONENTS, build_settings
from crawlers.warcarchive import WarcFile

CONFIG = {"home": "/tmp/h", "run_id": "r"}


def test_components_left_out_only_while_switched_off() -> None:
    settings = build_settings(CONFIG, [], environ={})
    for switch, base, component in UNUSED_COMPONENTS:
        assert not settings.getbool(switch)
        assert component not in settings.getdict(base)
    # the other base components stay, and a run that switches one on gets it back
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES_BASE")
    assert "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware" in middlewares
    assert "scrapy.extensions.corestats.CoreStats" in settings.getdict("EXTENSIONS_BASE")
    cookies = build_settings({**CONFIG, "settings": {"COOKIES_ENABLED": True}}, [], environ={})
    assert "scrapy.downloadermiddlewares.cookies.CookiesMiddleware" in cookies.getdict("DOWNLOADER_MIDDLEWARES_BASE")


def test_warc_records_digests_and_header_order(tmp_path: Path) -> None:
    request = Request("http://example.org/a?b=1", method="POST", body=b"q=1", headers={"User-Agent": "ua"})
    body = "é".encode() * 5000
    response = Response(
        request.url,
        status=200,
        body=body,
        request=request,
        headers={"Content-Type": "text/html", "Transfer-Encoding": "chunked"},
    )
    warc = WarcFile(tmp_path, "run", 1 << 30)
    where = warc.write(request, response, {"fetched_at": "2026-01-01T00:00:00.000001Z", "role": "article"})
    warc.close()
    data = (tmp_path / where["warc_file"]).read_bytes()
    records = []
    with (tmp_path / where["warc_file"]).open("rb") as fh:
        for record in ArchiveIterator(fh, check_digests="raise"):
            records.append(
                (record.rec_type, [name for name, _ in record.rec_headers.headers], record.content_stream().read())
            )
    assert [r[0] for r in records] == ["warcinfo", "response", "request", "metadata"]
    names = {kind: headers for kind, headers, _ in records}
    assert names["request"] == [
        "WARC-Date",
        "WARC-Type",
        "WARC-Record-ID",
        "WARC-Target-URI",
        "WARC-Concurrent-To",
        "WARC-Payload-Digest",
        "WARC-Block-Digest",
        "Content-Type",
        "Content-Length",
    ]
    assert names["response"] == [
        "WARC-Date",
        "WARC-Type",
        "WARC-Record-ID",
        "WARC-Target-URI",
        "WARC-Payload-Digest",
        "WARC-Block-Digest",
        "Content-Type",
        "Content-Length",
    ]
    assert records[1][2] == body and records[2][2] == b"q=1"
    # the fetch log's location is the response record, whole
    member = gzip.decompress(data[where["warc_offset"] : where["warc_offset"] + where["warc_length"]])
    assert member.startswith(b"WARC/1.1\r\n") and b"WARC-Type: response" in member
    assert member.endswith(body + b"\r\n\r\n")
