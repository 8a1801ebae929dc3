"""Network-free parsing of what lists articles: feeds, sitemaps, section pages.

Kept apart from the spider so each parser is tested alone on bytes, as Scrapy
does with ``scrapy.utils.sitemap``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from scrapy.utils.gz import gunzip

_PAGINATION = re.compile(r"(?:[?&](?:page|p|paged)=\d+|/page/\d+/?$|/p\d+/?$)", re.IGNORECASE)
_SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "#")
_GZIP_MAGIC = b"\x1f\x8b"
# Files that are never articles: not requested at all (a PDF or a photo is not extracted,
# and fetching it would cost the outlet bandwidth for nothing).
BINARY_EXTENSIONS = (
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".svg",
    ".mp3",
    ".mp4",
    ".avi",
    ".mov",
    ".zip",
    ".gz",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".odt",
    ".css",
    ".js",
)


@dataclass(frozen=True)
class Link:
    """A URL found in a listing, with the date the listing gave for it, if any."""

    url: str
    listed_at: str | None = None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def parse_feed(body: bytes, base_url: str) -> list[Link]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed; a malformed feed yields what can be read."""
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    links: list[Link] = []
    for item in root.iter():
        name = _local(item.tag)
        if name not in ("item", "entry"):
            continue
        url: str | None = None
        date: str | None = None
        for child in item:
            child_name = _local(child.tag)
            if child_name == "link":
                href = child.get("href")
                rel = child.get("rel", "alternate")
                if href and rel == "alternate":
                    url = url or href.strip()
                elif child.text and child.text.strip():
                    url = url or child.text.strip()
            elif child_name == "guid" and child.get("isPermaLink", "true") == "true" and not url:
                if child.text and child.text.strip().startswith("http"):
                    url = child.text.strip()
            elif child_name in ("pubdate", "published", "updated", "date") and child.text:
                date = date or child.text.strip()
        if url:
            links.append(Link(urljoin(base_url, url), date))
    return links


def sitemap_body(body: bytes) -> bytes:
    """The XML of a sitemap, gunzipped when the file itself is gzip (``.xml.gz``)."""
    if body[:2] == _GZIP_MAGIC:
        return gunzip(body, max_size=50 * 1024 * 1024)
    return body


def parse_sitemap(body: bytes, base_url: str) -> tuple[list[Link], list[Link]]:
    """``(child sitemaps, page URLs)`` with ``lastmod`` or a news sitemap's ``publication_date``."""
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = lxml.etree.fromstring(sitemap_body(body), parser=parser)
    except (lxml.etree.XMLSyntaxError, OSError):
        return [], []
    if root is None:
        return [], []
    children: list[Link] = []
    pages: list[Link] = []
    is_index = _local(root.tag) == "sitemapindex"
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc: str | None = None
        listed: str | None = None
        for node in entry.iter():
            name = _local(node.tag)
            text = (node.text or "").strip()
            if name == "loc" and node.getparent() is entry and text:
                loc = text
            elif text and (name == "publication_date" or (name == "lastmod" and listed is None)):
                listed = text  # a news sitemap's publication date wins over lastmod
        if loc:
            (children if is_index else pages).append(Link(urljoin(base_url, loc), listed))
    return children, pages


def parse_html_links(body: bytes, base_url: str, encoding: str | None = None) -> list[str]:
    """Absolute http(s) links of a page, in document order, without fragments or duplicates."""
    parser = lxml.html.HTMLParser(encoding=encoding) if encoding else None
    try:
        doc = lxml.html.fromstring(body, parser=parser, base_url=base_url)
    except (lxml.etree.ParserError, ValueError):
        return []
    seen: set[str] = set()
    out: list[str] = []
    for element in doc.iter("a", "link"):
        href = (element.get("href") or "").strip()
        if not href or href.startswith(_SKIP_SCHEMES):
            continue
        if element.tag == "link" and element.get("rel") not in ("next", "prev"):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if urlsplit(url).scheme in ("http", "https") and url not in seen:
            seen.add(url)
            out.append(url)
    return out


def is_binary(url: str) -> bool:
    """A link to a file that is not a page (PDF, image, archive, office document, media)."""
    return urlsplit(url).path.lower().endswith(BINARY_EXTENSIONS)


def is_pagination(url: str, section_url: str) -> bool:
    """A next page of ``section_url``: same path prefix and a page number."""
    section, candidate = urlsplit(section_url), urlsplit(url)
    if candidate.netloc != section.netloc or not _PAGINATION.search(url):
        return False
    base_path = re.sub(r"/page/\d+/?$", "/", section.path)
    return candidate.path.startswith(base_path.rstrip("/") or "/")


_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")


def parse_feed_links(body: bytes, base_url: str, encoding: str | None = None) -> list[str]:
    """Feeds a page announces with ``<link rel="alternate" type="application/rss+xml" href=…>``."""
    parser = lxml.html.HTMLParser(encoding=encoding) if encoding else None
    try:
        doc = lxml.html.fromstring(body, parser=parser, base_url=base_url)
    except (lxml.etree.ParserError, ValueError):
        return []
    out: list[str] = []
    for element in doc.iter("link"):
        rels = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").lower().split(";")[0].strip()
        href = (element.get("href") or "").strip()
        if "alternate" in rels and kind in _FEED_TYPES and href:
            url = urljoin(base_url, href)
            if url not in out:
                out.append(url)
    return out


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, absolute, in file order, without duplicates."""
    out: list[str] = []
    for line in body.decode("utf-8", errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = urljoin(base_url, value.strip())
            if url not in out:
                out.append(url)
    return out


def decoded_body(body: bytes, content_encoding: bytes | str | None, max_size: int = 5 * 1024 * 1024) -> bytes:
    """The body as the server meant it, before Scrapy's compression middleware has run.

    Signal handlers that see a response straight from the downloader (robots.txt in
    ``response_downloaded``) get it still gzip- or deflate-encoded.
    """
    import zlib

    encoding = (
        (content_encoding.decode("latin-1") if isinstance(content_encoding, bytes) else content_encoding or "")
        .strip()
        .lower()
    )
    try:
        if encoding in ("gzip", "x-gzip"):
            return gunzip(body, max_size=max_size)
        if encoding == "deflate":
            try:
                return zlib.decompressobj().decompress(body, max_size)
            except zlib.error:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, max_size)
    except (OSError, zlib.error, ValueError):
        return b""
    return body
