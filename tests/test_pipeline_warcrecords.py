"""Reading response records back from a gzip WARC written here with warcio."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.warcrecords import WarcRecordError, read_record, read_records


@dataclass
class Response:
    url: str
    body: bytes  # as sent on the wire (gzipped, chunked, ...)
    headers: list[tuple[str, str]]
    status: int = 200


def chunked(body: bytes, size: int = 7) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
             for i in range(0, len(body), size)]  # fmt: skip
    return b"".join(parts) + b"0\r\n\r\n"


def write_warc(path: Path, responses: list[Response]) -> list[tuple[int, int]]:
    """Write request/response pairs like the crawler does; returns (offset, length) per response."""
    locations = []
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for response in responses:
            http = StatusAndHeaders(f"{response.status} OK", response.headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                response.url, "response", payload=BytesIO(response.body), http_headers=http
            )
            offset = stream.tell()
            writer.write_record(record)
            locations.append((offset, stream.tell() - offset))
            request = writer.create_warc_record(
                response.url, "request", payload=BytesIO(b""),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")],
                                              is_http_request=True),
            )  # fmt: skip
            writer.write_record(request)
    return locations


PAGE = "<html><body><h1>Fête à Alès</h1><p>Texte accentué.</p></body></html>".encode()


@pytest.fixture
def warc(tmp_path: Path) -> tuple[Path, list[tuple[int, int]]]:
    path = tmp_path / "run-00000.warc.gz"
    locations = write_warc(
        path,
        [
            Response("http://a.fr/plain", PAGE, [("Content-Type", "text/html; charset=utf-8")]),
            Response("http://a.fr/gzip", gzip.compress(PAGE),
                     [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]),
            Response("http://a.fr/chunked", chunked(PAGE),
                     [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]),
            Response("http://a.fr/both", chunked(gzip.compress(PAGE)),
                     [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                      ("Transfer-Encoding", "chunked")]),
            Response("http://a.fr/missing", b"Not found", [("Content-Type", "text/plain")], 404),
        ],
    )  # fmt: skip
    return path, locations


def test_read_record_undoes_encodings(warc: tuple[Path, list[tuple[int, int]]]) -> None:
    path, locations = warc
    for offset, _length in locations[:4]:
        payload = read_record(path, offset)
        assert payload.status == 200
        assert payload.body == PAGE
        assert payload.content_type is not None and payload.content_type.startswith("text/html")
    missing = read_record(path, locations[4][0])
    assert (missing.status, missing.body) == (404, b"Not found")
    assert missing.target_uri == "http://a.fr/missing"
    assert missing.header("content-type") == "text/plain"


def test_read_records_groups_and_reports_errors(warc: tuple[Path, list[tuple[int, int]]], tmp_path: Path) -> None:
    path, locations = warc
    wanted = [(path, offset) for offset, _ in reversed(locations)]
    wanted += [(path, 3), (tmp_path / "absent.warc.gz", 0)]
    results = dict(read_records(wanted))
    assert len(results) == len(wanted)
    for offset, _ in locations[:4]:
        payload = results[(path, offset)]
        assert not isinstance(payload, Exception) and payload.body == PAGE
    assert isinstance(results[(path, 3)], Exception)  # not a record boundary
    assert isinstance(results[(tmp_path / "absent.warc.gz", 0)], OSError)


def test_request_record_is_not_a_response(warc: tuple[Path, list[tuple[int, int]]]) -> None:
    path, locations = warc
    offset, length = locations[0]
    with pytest.raises(WarcRecordError, match="request record"):
        read_record(path, offset + length)  # the request written after the first response
