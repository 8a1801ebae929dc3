"""Choose an article's title, authors, dates and labels among what the page offers.

Structured data is preferred because it is unambiguous, but it is checked
against what the reader sees: an ``og:title`` often carries the site name, a
JSON-LD ``headline`` may be truncated for search engines, a ``<title>`` always
has the site suffix. Visible bylines and French datelines are the fallback for
outlets with no structured data at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from pipeline import authors as authors_mod
from pipeline import dates
from pipeline.pagemeta import (
    Page,
    clean_space,
    jsonld_article,
    jsonld_objects,
    jsonld_publisher_names,
    link_href,
    meta_values,
)

_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»)\s+")
_LANG = re.compile(r"^[a-z]{2,3}\b", re.IGNORECASE)


@dataclass
class PageMetadata:
    """Everything but the body text."""

    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    agency: str | None = None
    published: datetime | None = None
    published_source: str | None = None  # jsonld, meta, time, text, url, htmldate, feed, sitemap
    modified: datetime | None = None
    modified_source: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    image: str | None = None
    canonical: str | None = None
    site_names: set[str] = field(default_factory=set)


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def _str(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("url") or value.get("name") or value.get("@id")
    return clean_space(value) or None if isinstance(value, str) else None


def _loose(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def strip_site_suffix(title: str, site_names: set[str]) -> str:
    """Drop a trailing (or leading) " | Site" part when it names the site."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = {_loose(n) for n in site_names if n}
    if _loose(parts[-1]) in names:
        return _rejoin(title)
    if _loose(parts[0]) in names:
        return title[title.index(parts[1]) :].strip()
    if not names and len(parts[-1].split()) <= 4 and len(parts[-1]) <= 40:
        return _rejoin(title)
    return title


def _rejoin(title: str) -> str:
    """Everything before the last separator, keeping the separators inside the headline."""
    last = list(_TITLE_SEPARATORS.finditer(title))[-1]
    return title[: last.start()].strip()


def choose_title(candidates: list[str | None], h1: str | None, site_names: set[str]) -> str | None:
    """The headline a reader sees; structured values win unless the h1 is their full form."""
    raw = [c for c in candidates if c]
    cleaned = [strip_site_suffix(c, site_names) for c in raw]
    if h1:
        loose_h1 = _loose(h1)
        for original, candidate in zip(raw, cleaned, strict=True):
            loose = _loose(candidate)
            if loose == loose_h1:
                return h1
            # "<h1> | Site": the h1 is the headline, whatever the separators inside it
            if original.startswith(h1) and _TITLE_SEPARATORS.match(original[len(h1) :] + " "):
                return h1
            # a truncated structured headline ("Le Périscope, pôle de l'…") is the h1's prefix
            if candidate.rstrip().endswith(("…", "...")) and loose_h1.startswith(loose):
                return h1
    if cleaned:
        return cleaned[0]
    return h1


def _language(tree: HtmlElement, meta: dict[str, list[str]], ld: dict[str, Any]) -> str | None:
    for value in (
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        _first(meta, "og:locale", "content-language", "language", "dc.language"),
        _str(ld.get("inLanguage")),
    ):
        if value and (match := _LANG.match(value.strip())):
            return match.group(0).lower()
    return None


def _tags(page: Page, meta: dict[str, list[str]], ld: dict[str, Any]) -> list[str]:
    values = meta.get("article:tag") or []
    if not values:
        keywords = ld.get("keywords") or _first(meta, "news_keywords", "keywords")
        if isinstance(keywords, str):
            values = keywords.split(",")
        elif isinstance(keywords, list):
            values = [k for k in keywords if isinstance(k, str)]
    if not values:
        values = page.tags
    seen: dict[str, str] = {}
    for value in values:
        if (tag := clean_space(value)) and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return list(seen.values())


Dated = tuple[datetime | None, str | None]  # a date and where it came from


def _dates(
    page: Page, meta: dict[str, list[str]], ld: dict[str, Any], fetched_at: datetime | None
) -> tuple[Dated, Dated]:
    """Published and modified, each with its provenance: jsonld, meta, time, text (htmldate, url,
    feed and sitemap are added by the caller, which knows the URL and the fetch)."""
    published_values: list[tuple[Any, str]] = [
        (ld.get("datePublished"), "jsonld"), (ld.get("dateCreated"), "jsonld"),
        (_first(meta, "article:published_time", "datepublished", "og:published_time", "publication_date", "date",
                "dc.date", "dc.date.issued", "sailthru.date"), "meta"),
    ]  # fmt: skip
    modified_values: list[tuple[Any, str]] = [
        (ld.get("dateModified"), "jsonld"),
        (_first(meta, "article:modified_time", "datemodified", "og:updated_time", "last-modified"), "meta"),
    ]
    for value, label in page.time_datetimes:
        target = modified_values if re.search(r"modif|update|maj", label, re.I) else published_values
        target.append((value, "time"))
    published = _pick(((dates.parse_machine_date(v), src) for v, src in published_values), fetched_at)
    modified = _pick(((dates.parse_machine_date(v), src) for v, src in modified_values), fetched_at)
    if published[0] is None or modified[0] is None:
        texts = page.dateline_texts
        if published[0] is None:
            published = _pick(((dates.labelled_date(t, "published"), "text") for t in texts), fetched_at)
            if published[0] is None:
                published = _pick(((dates.parse_french_date(t), "text") for t in texts), fetched_at)
            if published[0] is None:
                published = _pick(((dates.relative_date(t, fetched_at), "text") for t in texts), fetched_at)
        if modified[0] is None:
            modified = _pick(((dates.labelled_date(t, "modified"), "text") for t in texts), fetched_at)
    return published, modified


def _pick(values: Any, fetched_at: datetime | None) -> Dated:
    """The first plausible date (not before 1990, not after the fetch) with its source."""
    for value, source in values:
        if (kept := dates.plausible(value, fetched_at)) is not None:
            return kept, source
    return None, None


def page_metadata(tree: HtmlElement, url: str, fetched_at: datetime | None = None) -> PageMetadata:
    """Read every metadata field of a parsed page; missing fields stay None/empty."""
    page = Page(tree)
    meta = meta_values(tree)
    objects = jsonld_objects(tree)  # parsed once, read twice
    ld = jsonld_article(tree, objects)
    site_names = jsonld_publisher_names(tree, objects) | set(
        meta.get("og:site_name", []) + meta.get("application-name", [])
    )
    title = choose_title(
        [_str(ld.get("headline")), _str(ld.get("name")) if ld else None,
         _first(meta, "og:title", "twitter:title"), _first_title(tree)],
        page.headline,
        site_names,
    )  # fmt: skip
    (published, published_source), (modified, modified_source) = _dates(page, meta, ld, fetched_at)
    bylines = page.byline_texts
    authors = authors_mod.choose_authors(
        ld.get("author"), meta.get("article:author", []) + meta.get("author", []), bylines, site_names
    )
    image = _str(ld.get("image")) or _first(meta, "og:image", "og:image:url", "twitter:image")
    return PageMetadata(
        title=title,
        description=_first(meta, "description", "og:description", "twitter:description") or _str(ld.get("description")),
        authors=authors,
        agency=authors_mod.agency_of(bylines, authors),
        published=published,
        published_source=published_source,
        modified=modified,
        modified_source=modified_source,
        section=_first(meta, "article:section") or _str(ld.get("articleSection")) or page.section,
        tags=_tags(page, meta, ld),
        language=_language(tree, meta, ld),
        image=urljoin(url, image) if image else None,
        canonical=link_href(tree, "canonical") or _first(meta, "og:url"),
        site_names=site_names,
    )


def _first_title(tree: HtmlElement) -> str | None:
    for element in tree.iter("title"):
        if text := clean_space(element.text_content()):
            return text
    return None
