"""One HTTP body in, one article record (or the reason there is none) out.

A pure function of the archived bytes, the URL and the fetch time, so that the
same WARC record always gives the same row: extraction can run in any process,
be re-run later with a better extractor, and be compared across versions via
the ``extractor`` column. A page that is not an article is not an error: the
caller keeps the rejection reason next to the fetch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from typing import Any

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from pipeline import dates
from pipeline.bodytext import body_text, prune_in_place
from pipeline.charset import decode_html, is_html
from pipeline.fingerprint import text_hash
from pipeline.gate import non_article_reason, paginated, paywall_marked, pruned_shape
from pipeline.metadata import PageMetadata, page_metadata
from pipeline.urls import canonical_url

# Fewer words than this is a teaser, a gallery or an error page, not an article.
MIN_WORDS = 25
# Rejection reasons, kept as "rejected:<reason>" in fetches.extract_status.
NOT_HTML, EMPTY, UNPARSEABLE, TOO_SHORT, NO_TITLE = (
    "not_html", "empty", "unparseable", "too_short", "no_title"
)  # fmt: skip


def _version() -> str:
    try:
        return importlib_metadata.version("pressarchive")
    except importlib_metadata.PackageNotFoundError:
        return "0"


EXTRACTOR = f"pressarchive-{_version()}+trafilatura-{trafilatura.__version__}"


@dataclass(frozen=True)
class Extraction:
    """Either ``record`` (an ARTICLES row minus fetch_id/run_id/source_id) or ``reason``."""

    record: dict[str, Any] | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.record is not None

    @property
    def status(self) -> str:
        """The value of fetches.extract_status for this outcome."""
        return "article" if self.record is not None else f"rejected:{self.reason}"


def _aware_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _htmldate_fallback(html: str, url: str, fetched_at: datetime) -> datetime | None:
    """Last resort for pages whose date is neither declared nor labelled (htmldate's heuristics).

    Reads a fresh parse of the page (the extractor's tree has been pruned by then): the
    same tree the first parse gave, paid for only by the few pages that get this far.
    """
    tree = load_html(html)
    if tree is None:
        return None
    try:
        found = find_date(
            tree,
            extensive_search=True,
            original_date=True,
            outputformat="%Y-%m-%dT%H:%M:%S",
            url=url,
            max_date=fetched_at.astimezone(dates.PARIS).date().isoformat(),
        )
    except Exception:  # htmldate raises on odd markup; no date is better than no article
        return None
    parsed = dates.parse_machine_date(found) if found else None
    return dates.plausible(parsed, fetched_at)


def _word_count(text: str) -> int:
    return len(text.split())


def _parse(body: bytes, content_type: str | None) -> tuple[HtmlElement, str] | str:
    """(parsed tree, decoded text), or the rejection reason when the body is not usable HTML."""
    if not body or not body.strip():
        return EMPTY
    if not is_html(content_type, body):
        return NOT_HTML
    text, _codec = decode_html(body, content_type)
    if not text.strip():
        return EMPTY
    tree = load_html(text)
    if tree is None:
        return UNPARSEABLE
    return tree, text


def parse_page(body: bytes, content_type: str | None) -> HtmlElement | str:
    """The parsed tree, or the rejection reason when the body is not usable HTML."""
    parsed = _parse(body, content_type)
    return parsed if isinstance(parsed, str) else parsed[0]


def build_record(meta: PageMetadata, text: str, *, url: str, fetched_at: datetime) -> dict[str, Any]:
    return {
        "url": url,
        "canonical_url": canonical_url(url, meta.canonical),
        "title": meta.title,
        "description": meta.description,
        "authors": list(meta.authors),
        "agency": meta.agency,
        "published_at": meta.published,
        "published_source": meta.published_source if meta.published else None,
        "modified_at": meta.modified,
        "modified_source": meta.modified_source if meta.modified else None,
        "section": meta.section,
        "tags": list(meta.tags),
        "language": meta.language,
        "image": meta.image,
        "text": text,
        "word_count": _word_count(text),
        "text_hash": text_hash(text),
        "fetched_at": fetched_at,
        "extractor": EXTRACTOR,
    }


def extract_article(body: bytes, *, url: str, content_type: str | None, fetched_at: datetime) -> Extraction:
    """Extract the article of one archived HTML response.

    ``fetched_at`` (UTC; naive means UTC) bounds the dates: a publication date later
    than the fetch is a template accident and is not kept.
    """
    fetched_at = _aware_utc(fetched_at)
    parsed = _parse(body, content_type)
    if isinstance(parsed, str):
        return Extraction(reason=parsed)
    tree, html = parsed
    # One Python proxy per node, held for the whole extraction: lxml hands the same proxy back
    # while one is alive, so the later walks (metadata, gate, prune) skip lxml.html's per-node
    # class lookup, which otherwise costs more than any of them.
    nodes = list(tree.iter())
    meta = page_metadata(tree, url, fetched_at)
    paywall, paged = paywall_marked(tree), paginated(tree)  # read on the whole page
    prune_in_place(tree)  # from here on, ``tree`` is the page without navigation, asides, related links
    shape = pruned_shape(tree, paginated=paged)
    text = body_text(tree, url, meta.title, meta.authors, pruned=True)  # trafilatura works on a copy
    del nodes
    reason = non_article_reason(shape, meta.title, text, url, paywall=paywall)
    if reason is not None:
        return Extraction(reason=reason)
    if not text:
        return Extraction(reason=EMPTY)
    if _word_count(text) < MIN_WORDS:
        return Extraction(reason=TOO_SHORT)
    if not meta.title:
        return Extraction(reason=NO_TITLE)
    if meta.published is None:  # the URL's /2016/03/10/ is only a day, but a sure one
        meta.published, meta.published_source = dates.plausible(dates.url_date(url), fetched_at), "url"
    if meta.published is None:
        meta.published, meta.published_source = _htmldate_fallback(html, url, fetched_at), "htmldate"
    return Extraction(record=build_record(meta, text, url=url, fetched_at=fetched_at))
