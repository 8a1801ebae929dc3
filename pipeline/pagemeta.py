"""What a page says about itself: JSON-LD, meta tags, and the visible header.

Lookups over one parsed lxml tree, no decisions: ``metadata.py`` chooses among
the values found here. Kept apart so that each source of evidence (structured
data, OpenGraph, the byline and dateline a reader sees) can be tested alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from lxml.etree import XPath
from lxml.html import HtmlElement

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "blogposting",
    "socialmediaposting", "liveblogposting", "report", "scholarlyarticle", "techarticle",
    "pressrelease", "posting",
}  # fmt: skip
# class/id fragments of the elements that carry the byline and the dates.
_BYLINE_HINT = re.compile(r"author|auteur|byline|signature|signed|writer|redacteur|journalist", re.IGNORECASE)
_DATE_HINT = re.compile(r"date|time|publi|posted|updated|modif|meta|info", re.IGNORECASE)
_BYLINE_START = re.compile(r"^(?:par|by)\s|^(?:publié|publiée|mis en ligne)\b.*\spar\s", re.IGNORECASE)


def clean_space(text: str | None) -> str:
    """Whitespace runs → one space, ends stripped (str.split's whitespace is re's ``\\s``)."""
    return " ".join(text.split()) if text else ""


def element_text(element: HtmlElement) -> str:
    """Visible text of an element, scripts and styles left out, whitespace collapsed."""
    if element.find(".//script") is None and element.find(".//style") is None:
        return clean_space(" ".join(element.itertext()))
    parts = [str(t) for t in element.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")]
    return clean_space(" ".join(parts))


def _walk_jsonld(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk_jsonld(item)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in node:
                yield from _walk_jsonld(node[key])


def jsonld_types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {str(v).lower().rsplit("/", 1)[-1] for v in values}


_JSONLD_SCRIPTS = XPath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]')


def jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, @graph flattened; broken scripts are skipped."""
    found: list[dict[str, Any]] = []
    for script in _JSONLD_SCRIPTS(tree):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:  # trailing commas and raw newlines in strings are common hand-made errors
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        found.extend(_walk_jsonld(data))
    return found


def jsonld_article(tree: HtmlElement, objects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The page's article object (NewsArticle, BlogPosting, ...), or {} if none.

    ``objects``: ``jsonld_objects(tree)`` when the caller has them already.
    """
    if objects is None:
        objects = jsonld_objects(tree)
    for obj in objects:
        if jsonld_types(obj) & ARTICLE_TYPES:
            return obj
    for obj in objects:
        if "headline" in obj or "articleBody" in obj:
            return obj
    return {}


def jsonld_publisher_names(tree: HtmlElement, objects: list[dict[str, Any]] | None = None) -> set[str]:
    """Names of publishers/organisations, to tell a site name from a headline or an author."""
    names: set[str] = set()
    for obj in jsonld_objects(tree) if objects is None else objects:
        publisher = obj.get("publisher")
        for item in publisher if isinstance(publisher, list) else [publisher]:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                names.add(clean_space(item["name"]))
        is_site = jsonld_types(obj) & {"organization", "newsmediaorganization", "website"}
        if is_site and isinstance(obj.get("name"), str):
            names.add(clean_space(obj["name"]))
    return names


def meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    """<meta> contents by lowercased name/property/itemprop, in page order."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content is not None and clean_space(content):
            values.setdefault(key.strip().lower(), []).append(clean_space(content))
    return values


def link_href(tree: HtmlElement, rel: str) -> str | None:
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if rel in rels and (href := (link.get("href") or "").strip()):
            return href
    return None


_TAGS_HINT = re.compile(r"tags|mots-?cl|motscl|keywords|thematiques|etiquettes|topics", re.IGNORECASE)
_SECTION_HINT = re.compile(r"rubrique|kicker|surtitre|section-name|category|cat-links", re.IGNORECASE)
_BREADCRUMB_HINT = re.compile(r"breadcrumb|ariane", re.IGNORECASE)
_HOME_WORDS = {"accueil", "home", "une", "à la une"}
_OFF_ARTICLE_TAGS = {"nav", "footer", "aside", "form"}
_HEADER_TAGS = {"p", "div", "span", "address", "small", "time", "li"}
_ARTICLE_ROOTS = tuple(
    XPath(path)
    for path in (
        '//*[@itemprop="articleBody"]/ancestor::article[1]',
        "//article[.//h1]",
        "//main//article",
        "//article",
        '//*[@role="main"]',
        "//main",
        "//body",
    )
)
_OUTER_H1 = XPath("//h1[not(ancestor::header[not(ancestor::article)]) and not(ancestor::nav)]")
_AUTHOR_MARKED = XPath('//*[@itemprop="author"] | //*[@rel="author"]')


@dataclass(frozen=True)
class Labelled:
    """An element with a class/id/itemprop, and whether it sits in nav/footer/aside/form."""

    element: HtmlElement
    label: str
    off_article: bool
    in_nav: bool


class Page:
    """One parsed page and the visible evidence on it, each piece computed once.

    Metadata lookups ask the same questions of many elements (its text? inside a
    <nav>?); answering them per call made metadata cost more than the body
    extraction, so the answers are cached here for the life of the page.
    """

    def __init__(self, tree: HtmlElement) -> None:
        self.tree = tree
        # keyed by the element itself, not id(): holding the proxy keeps lxml from making a
        # new one (whose id() could be a dead proxy's) for the same node
        self._texts: dict[HtmlElement, str] = {}
        self._off: dict[HtmlElement, bool] = {}

    def text(self, element: HtmlElement) -> str:
        """``element_text(element)``, computed once; its script/style test answered for the page."""
        text = self._texts.get(element)
        if text is None:
            # no script or style inside: element_text's own fast path, without its two finds
            text = element_text(element) if element in self._code_holders else clean_space(" ".join(element.itertext()))
            self._texts[element] = text
        return text

    @cached_property
    def _code_holders(self) -> set[HtmlElement]:
        """Every element with a <script> or <style> inside (one walk of the whole document)."""
        holders: set[HtmlElement] = set()
        for code in self.tree.getroottree().iter("script", "style"):
            holders.update(code.iterancestors())
        return holders

    @cached_property
    def root(self) -> HtmlElement:
        """The element holding the article: <article>, an articleBody's container, <main>, <body>."""
        for path in _ARTICLE_ROOTS:
            if found := path(self.tree):
                return found[0]
        return self.tree

    @cached_property
    def labelled(self) -> list[Labelled]:
        """Every element with a class, id or itemprop, in document order (one tree walk).

        Scripts, styles and comments are left out with what they hold. A loop over lxml's
        own iterator, each element's flags taken from its parent's: no call per element.
        """
        found: list[Labelled] = []
        body = self.tree.find(".//body")
        top = body if body is not None else self.tree
        flags: dict[HtmlElement, tuple[bool, bool]] = {top: (False, False)}
        for child in top.iterdescendants():
            tag = child.tag
            inherited = flags.get(child.getparent())
            if inherited is None or not isinstance(tag, str) or tag in ("script", "style"):
                continue  # inside a left-out element, or one itself
            child_off = inherited[0] or tag in _OFF_ARTICLE_TAGS
            child_nav = inherited[1] or tag == "nav"
            flags[child] = (child_off, child_nav)
            label = " ".join(filter(None, (child.get("class"), child.get("id"), child.get("itemprop"))))
            if label:
                found.append(Labelled(child, label, child_off, child_nav))
        return found

    def hinted(self, hint: re.Pattern[str], max_chars: int, *, in_article: bool = True) -> list[HtmlElement]:
        """Labelled elements matching ``hint`` with at most ``max_chars`` of text.

        ``in_article`` leaves out nav/footer/aside/form (else only nav is left out).
        """
        return [
            item.element
            for item in self.labelled
            if not (item.off_article if in_article else item.in_nav)
            and hint.search(item.label)
            and len(self.text(item.element)) <= max_chars
        ]

    def _off_article(self, element: HtmlElement) -> bool:
        """Is ``element`` a nav/footer/aside/form or inside one? Answered once per element."""
        known = self._off.get(element)
        if known is not None:
            return known
        chain: list[HtmlElement] = []  # element and its ancestors up to the first one answered
        node: HtmlElement | None = element
        while node is not None and node not in self._off:
            chain.append(node)
            node = node.getparent()
        off = self._off[node] if node is not None else False
        for node in reversed(chain):
            off = off or node.tag in _OFF_ARTICLE_TAGS
            self._off[node] = off
        return off

    @cached_property
    def headline(self) -> str | None:
        """The visible headline: the first <h1> of the article, else one outside header/nav."""
        for h1 in self.root.iter("h1"):
            if text := self.text(h1):
                return text
        for h1 in _OUTER_H1(self.tree):
            if text := self.text(h1):
                return text
        return None

    @cached_property
    def header_texts(self) -> list[str]:
        """Short blocks of the article before its first real paragraph: where bylines sit."""
        texts: list[str] = []
        limit = 100
        for element in self.root.iter(*_HEADER_TAGS):
            if self._off_article(element):
                continue
            text = self.text(element)
            if element.tag == "p" and len(text) > limit:
                break
            # the innermost element carrying the text, once
            if text and len(text) <= limit and not any(len(self.text(c)) == len(text) for c in element):
                texts.append(text)
        return texts

    @cached_property
    def byline_texts(self) -> list[str]:
        """Texts of the visible byline candidates, most specific first."""
        texts = [
            text
            for element in _AUTHOR_MARKED(self.tree)
            if not self._off_article(element) and (text := self.text(element))
        ]
        texts.extend(text for e in self.hinted(_BYLINE_HINT, 300) if (text := self.text(e)))
        # "Publié le … par X" in a dateline, or a bare "Par X" line above the text
        texts.extend(t for t in self.header_texts if _BYLINE_START.search(t))
        return texts

    @cached_property
    def dateline_texts(self) -> list[str]:
        """Texts where a visible publication date may be written, header region first."""
        texts = [self.text(t) for t in self.tree.iter("time") if not self._off_article(t)]
        texts.extend(self.text(e) for e in self.hinted(_DATE_HINT, 300))
        texts.extend(self.byline_texts)
        texts.extend(self.header_texts)
        return [t for t in texts if t]

    @cached_property
    def time_datetimes(self) -> list[tuple[str, str]]:
        """(datetime attribute, class/itemprop label) of <time> elements outside nav/aside/footer."""
        return [
            (t.get("datetime") or "", " ".join(filter(None, (t.get("class"), t.get("itemprop")))))
            for t in self.tree.iter("time")
            if t.get("datetime") and not self._off_article(t)
        ]

    @cached_property
    def tags(self) -> list[str]:
        """Tag links a reader sees: rel="tag" anchors, else the links of a tag/mots-clés block."""
        links = [
            a
            for a in self.tree.iter("a")
            if "tag" in (a.get("rel") or "").lower().split() and "category" not in (a.get("rel") or "")
        ]
        if not links:
            # tag blocks often sit in an <aside> or an article <footer>; never in the site menu
            for block in self.hinted(_TAGS_HINT, 600, in_article=False):
                if links := list(block.iter("a")):
                    break
        return [text for a in links if (text := self.text(a))]

    @cached_property
    def section(self) -> str | None:
        """The section a reader sees: a rel="category" link, a kicker/rubrique label, the breadcrumb."""
        for a in self.tree.iter("a"):
            if "category" in (a.get("rel") or "").lower().split() and (text := self.text(a)):
                return text
        labels = self.hinted(_SECTION_HINT, 60)
        inside = [e for e in labels if e is self.root or self.root in e.iterancestors()]
        for element in inside + labels:
            text = self.text(element)
            if text and len(text.split()) <= 5:
                return text
        for crumbs in self.hinted(_BREADCRUMB_HINT, 1000, in_article=False):
            names = [t for a in crumbs.iter("a") if (t := self.text(a)) and t.casefold() not in _HOME_WORDS]
            if names:
                return names[-1]
        return None
