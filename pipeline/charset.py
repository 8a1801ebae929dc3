"""Turn an HTTP body into text: which bytes are HTML, and in which charset.

Regional outlets still serve ISO-8859-1 pages, sometimes without saying so, and
a wrong guess turns every "é" into "Ã©" in the archive for good. The order
follows the HTML standard in spirit: a byte-order mark, then the charset of the
HTTP Content-Type, then ``<meta charset>`` / ``http-equiv`` in the first bytes,
then UTF-8 if the bytes are valid UTF-8, else windows-1252 (the superset
browsers use for "latin-1" labels).
"""

from __future__ import annotations

import codecs
import re

_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml+html")
_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title)\b", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG: these labels mean windows-1252, whose extra printable characters (’ … œ €)
# French pages do use while declaring latin-1.
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "cp1252"}
# Share of U+FFFD above which a page declared UTF-8 is taken to be something else.
_MAX_BAD_UTF8 = 0.001
SNIFF_BYTES = 4096


def is_html(content_type: str | None, body: bytes) -> bool:
    """True for an HTML media type, or, without one, for bytes that start like HTML."""
    if content_type:
        media = content_type.split(";", 1)[0].strip().lower()
        if media:
            return media in _HTML_TYPES
    return bool(_HTML_SNIFF.search(body[:SNIFF_BYTES]))


def _codec(label: bytes | str | None) -> str | None:
    """Python codec name for a charset label, or None if unknown."""
    if not label:
        return None
    text = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    try:
        name = codecs.lookup(text.strip().strip("\"'")).name
    except LookupError:
        return None
    normal = name.replace("-", "_")
    return "cp1252" if normal in _AS_CP1252 else name


def declared_charset(content_type: str | None, body: bytes) -> str | None:
    """The charset the server or the page itself declares, HTTP first."""
    if content_type:
        match = _CHARSET_PARAM.search(content_type.encode("latin-1", "ignore"))
        if match and (name := _codec(match.group(1))):
            return name
    head = body[:SNIFF_BYTES]
    for pattern in (_META_CHARSET, _XML_DECL):
        match = pattern.search(head)
        if match and (name := _codec(match.group(1))):
            return name
    return None


def _decode_cp1252(body: bytes) -> str:
    try:
        return body.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are undefined in cp1252
        return body.decode("latin-1")


def _decode_utf8_or_legacy(body: bytes) -> tuple[str, str]:
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lenient = body.decode("utf-8", "replace")
    if lenient.count("\ufffd") <= _MAX_BAD_UTF8 * max(len(lenient), 1):
        return lenient, "utf-8"  # a few stray bytes in a UTF-8 page
    return _decode_cp1252(body), "cp1252"


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML body; returns (text, codec used)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace"), name
    declared = declared_charset(content_type, body)
    if declared is None or declared == "utf-8":
        return _decode_utf8_or_legacy(body)
    if declared == "cp1252":
        # a page labelled latin-1 whose bytes are valid UTF-8 was re-encoded without
        # updating its header; valid multi-byte UTF-8 is very unlikely by chance.
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _decode_cp1252(body), "cp1252"
        if any(ord(ch) > 127 for ch in text):
            return text, "utf-8"
        return text, "cp1252"
    try:
        return body.decode(declared), declared
    except (UnicodeDecodeError, LookupError):
        return _decode_utf8_or_legacy(body)
