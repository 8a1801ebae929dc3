"""The article body a reader reads, as lines of plain text.

trafilatura finds the main content; two things are added around it. Before: a
prune list for the blocks French outlets put inside the article element ("À
lire aussi", share bars, newsletter boxes, comment threads, tag clouds), which
a generic extractor may keep because they sit between paragraphs. After: a
line filter for what survives as text (an inline "À lire aussi : …" paragraph,
a "1 commentaire" counter), and the headline and byline lines removed, since
title and authors are fields of their own.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Extractor

from pipeline.pagemeta import clean_space

_CLASS_WORDS = (
    "lire-aussi", "lireaussi", "lire_aussi", "a-lire", "alire", "read-also", "read-more",
    "related", "similar", "same-topic", "meme-sujet", "recommend", "outbrain", "taboola",
    "newsletter", "subscribe", "abonnement", "paywall", "share", "sharing", "partage",
    "social", "comment", "commentaire", "respond", "reply", "reaction", "disqus", "forum", "reagir",
    "breadcrumb", "fil-ariane", "ariane", "tags", "tag-list", "keywords", "mots-cles",
    "byline", "author", "auteur", "signature", "dateline", "article-meta", "post-meta",
    "entry-meta", "publication-date", "published", "pub-", "advert", "banner", "promo",
    "sidebar", "widget", "cookie", "rgpd", "print", "imprimer", "most-read", "plus-lus",
)  # fmt: skip


_CLASS_RE = re.compile("|".join(re.escape(w.replace("_", "-")) for w in _CLASS_WORDS))
_NEVER_PRUNED = {"html", "body", "article", "main"}
_PRUNED_TAGS = {"form", "noscript", "nav", "footer", "aside", "script", "style", "template"}
_PRUNED_ROLES = {"navigation", "complementary", "contentinfo", "banner", "search"}
# A container holding a paragraph this long, or this share of the page's text, holds the
# article itself: never pruned, so a wrapper such as <div class="post-content entry-share">
# cannot take the body with it.
_BODY_PARAGRAPH_CHARS = 280
_BODY_SHARE = 0.5


def _holds_body(element: HtmlElement, page_chars: int) -> bool:
    if element.get("itemprop") == "articleBody" or element.find(".//*[@itemprop='articleBody']") is not None:
        return True
    if any(len(p.text_content()) > _BODY_PARAGRAPH_CHARS for p in element.iter("p")):
        return True
    return len(element.text_content()) > _BODY_SHARE * page_chars


def _prunable(element: HtmlElement, page_chars: int) -> bool:
    tag = element.tag
    if not isinstance(tag, str) or tag in _NEVER_PRUNED:
        return False
    if tag in _PRUNED_TAGS or element.get("aria-hidden") == "true":
        return tag not in ("aside", "footer") or not _holds_body(element, page_chars)
    if element.get("role") in _PRUNED_ROLES:
        return True
    label = f"{element.get('class') or ''} {element.get('id') or ''}".lower().replace("_", "-")
    return bool(_CLASS_RE.search(label)) and not _holds_body(element, page_chars)


def prune_boilerplate(tree: HtmlElement) -> HtmlElement:
    """A copy of the tree without the blocks of _CLASS_WORDS, forms, navigation, asides."""
    pruned = copy.deepcopy(tree)
    prune_in_place(pruned)
    return pruned


def prune_in_place(tree: HtmlElement) -> None:
    """Remove the blocks of _CLASS_WORDS, forms, navigation, asides from ``tree`` itself.

    Python over the element list rather than one XPath: an XPath with a translate()
    per class word costs more than the whole trafilatura extraction.
    """
    body = tree.find(".//body")
    scope = body if body is not None else tree
    page_chars = len(scope.text_content())
    doomed = [element for element in scope.iter() if _prunable(element, page_chars)]
    for element in doomed:
        parent = element.getparent()
        if parent is None:
            continue
        if element.tail:  # the text after a removed block belongs to its parent
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)


_BOILERPLATE_LINE = re.compile(
    r"^(?:"
    r"(?:à|a)\s+(?:lire|voir|découvrir|decouvrir)\s+(?:aussi|également|egalement|encore)"
    r"|lire\s+(?:aussi|également|egalement|la suite|l'article)\b"
    r"|(?:voir|découvrir)\s+(?:aussi|également)\b"
    r"|sur le même (?:sujet|thème)|dans la même rubrique|nos articles sur"
    r"|(?:\d+|aucun)\s+(?:commentaires?|réactions?)\b|(?:commentaires?|réactions?)\s*(?:\(\d+\))?$"
    r"|(?:répondre|réagir)(?:\s+à\s+(?:cet article|ce commentaire|l'article))?$"
    r"|(?:laisser|ajouter|écrire|poster) un commentaire|connectez-vous pour"
    r"|partager$|partager (?:sur|cet article|l'article)|partagez(?: cet article)?$"
    r"|(?:facebook|twitter|linkedin|whatsapp|e-?mail|imprimer|x|publicité)$"
    r"|(?:tags?|mots[- ]clés?)\s*:"
    r"|vous avez aimé cet article|cet article vous a plu|vous aimerez aussi"
    r")",
    re.IGNORECASE,
)
_BOILERPLATE_ANYWHERE = re.compile(r"newsletter|lettre d'information", re.IGNORECASE)
# A byline or dateline that leaked into the text: "Par X", "Publié le …", "Mis à jour le …".
_DATELINE = re.compile(
    r"^(?:publiée?|mise? à jour|modifiée?|actualisée?|le \d{1,2}[/ ]|\d{1,2}/\d{1,2}/\d{4})",
    re.IGNORECASE,
)
_PAR_NAMES = re.compile(r"^[Pp]ar\s+(?:[A-ZÀ-Ý][\w'’.-]*\s*(?:,|et|&|de|du|d'|le|la)?\s*){1,8}$")
_MAX_BYLINE_CHARS = 150
_MAX_BOILERPLATE_CHARS = 200
_LIST_MARKER = re.compile(r"^\s*-\s+")


_NON_WORD = re.compile(r"\W+")


def _loose(text: str) -> str:
    return _NON_WORD.sub(" ", text.casefold()).strip()


_TRAFILATURA_ARGS: dict[str, Any] = {
    "output_format": "python",
    "comments": False,
    "tables": True,
    "images": False,
    "links": False,
    "formatting": False,
    "dedup": False,
    "with_metadata": False,
    "fast": True,  # no readability/jusText second opinion: the prune list did that job (≈ -40 % time)
}
# Built once: an Extractor reads nine values from a ConfigParser, a cost per page on its own.
_TRAFILATURA_OPTIONS = Extractor(**_TRAFILATURA_ARGS)


def trafilatura_options(url: str | None) -> Extractor:
    """``Extractor(url=url, **_TRAFILATURA_ARGS)``, as a copy of the prebuilt one (see the tests)."""
    options = copy.copy(_TRAFILATURA_OPTIONS)
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    return options


def raw_body_text(tree: HtmlElement, url: str | None, *, pruned: bool = False) -> str:
    """trafilatura's main text, no comments, tables kept, our prune list applied (unless ``pruned``).

    trafilatura copies a tree it is given, so ``tree`` comes back as it went in.
    """
    document = trafilatura.bare_extraction(
        tree if pruned else prune_boilerplate(tree), options=trafilatura_options(url)
    )
    if document is None or not getattr(document, "text", None):
        return ""
    return str(document.text)


def clean_lines(text: str, title: str | None = None, authors: list[str] | None = None) -> str:
    """Drop boilerplate lines, the repeated headline and leaked bylines; one paragraph a line."""
    heading = _loose(title) if title else None
    names = [_loose(a) for a in authors or []]
    kept: list[str] = []
    for raw in text.splitlines():
        line = clean_space(_LIST_MARKER.sub("", raw))
        if not line:
            continue
        short = len(line) <= _MAX_BOILERPLATE_CHARS
        if short and (_BOILERPLATE_LINE.match(line) or _BOILERPLATE_ANYWHERE.search(line)):
            continue
        loose = None  # _loose(line), computed when a test needs it
        if heading and not kept:
            loose = _loose(line)
            if loose == heading:
                continue
        if _is_byline(line, names, loose):
            continue
        if short and names:
            loose = _loose(line) if loose is None else loose
            if loose in names:
                continue
        kept.append(line)
    return "\n".join(kept)


def _is_byline(line: str, names: list[str], loose: str | None = None) -> bool:
    """ "Par Aurélie Martin", "Publié le 10/03/2016 à 18h52 par …"; never "Par ailleurs, …".

    ``loose``: ``_loose(line)`` if the caller has it already.
    """
    if len(line) > _MAX_BYLINE_CHARS:
        return False
    if line[:4].casefold() == "par " and names:
        loose = _loose(line) if loose is None else loose
        if any(name and name in loose for name in names):
            return True
    if _DATELINE.match(line) and any(ch.isdigit() for ch in line):
        return True
    return bool(_PAR_NAMES.match(line))


def body_text(
    tree: HtmlElement,
    url: str | None,
    title: str | None = None,
    authors: list[str] | None = None,
    *,
    pruned: bool = False,
) -> str:
    """The clean article text of a parsed page, paragraphs separated by ``\\n``.

    ``pruned``: ``tree`` is already ``prune_boilerplate``'s copy (the gate reads it too),
    which trafilatura may modify.
    """
    return clean_lines(raw_body_text(tree, url, pruned=pruned), title, authors)
