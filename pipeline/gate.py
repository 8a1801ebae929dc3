"""Is this page an article? Recognising the pages that only look like one.

Outlets serve tag pages, section fronts, contact and legal pages, photo galleries,
event agendas and paywalled teasers at URLs shaped like article URLs, and a
generic extractor finds "main text" on all of them (teaser leads, captions,
event lines). Stored as articles they would inflate every count an analyst
makes, so each is recognised here by what a reader sees and rejected with its
kind as the reason (``rejected:tag_page`` …), kept next to the fetch.

The signals are structural, not per outlet: a listing is a run of teasers (a
headline link followed by a lead); a gallery is mostly figures with short
captions; an agenda is mostly lines that start with a date; a teaser ends on a
subscription notice; contact and legal pages say so in their headline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement

from pipeline.pagemeta import clean_space

TAG, SECTION, HOME = "tag_page", "section_page", "home_page"
CONTACT, LEGAL, GALLERY, AGENDA, PAYWALL = "contact_page", "legal_page", "gallery", "agenda", "paywall_teaser"
REASONS = (TAG, SECTION, HOME, CONTACT, LEGAL, GALLERY, AGENDA, PAYWALL)

_TAG_TITLE = re.compile(r"^(mots?[- ]cl[ée]s?|tags?|[ée]tiquettes?|th[èe]mes?|th[ée]matiques?|dossiers?)\b", re.I)
_HOME_TITLE = re.compile(r"^(accueil|[àa] la une|la une|page d'accueil|home)\b", re.I)
_SECTION_TITLE = re.compile(r"^(rubriques?|cat[ée]gories?|archives?|toute l'actualit[ée])\b", re.I)
_CONTACT_TITLE = re.compile(r"^(contacts?|nous contacter|contactez[- ]nous|[ée]crivez[- ]nous|nous [ée]crire)\b", re.I)
_LEGAL_TITLE = re.compile(
    r"^(mentions l[ée]gales|conditions g[ée]n[ée]rales|cgu|cgv|politique de confidentialit[ée]|"
    r"(protection des )?donn[ée]es personnelles|gestion des cookies|politique (des|de gestion des) cookies|"
    r"plan du site|accessibilit[ée])\b",
    re.I,
)
_GALLERY_TITLE = re.compile(r"^(en images|diaporama|galerie|photos?|portfolio|vid[ée]os?)\b", re.I)
_AGENDA_TITLE = re.compile(r"^(agenda|sorties|que faire|[àa] l'affiche)\b", re.I)
_PAYWALL = re.compile(
    r"(r[ée]serv[ée]e? aux abonn[ée]s|abonnez[- ]vous pour (lire|acc[ée]der|d[ée]bloquer)|"
    r"il vous reste \d+\s?% |d[ée]j[àa] abonn[ée]|pour lire la suite|contenu premium|article premium)",
    re.I,
)
_WEEKDAY_OR_DATE = re.compile(
    r"^(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|du \d|le \d|\d{1,2}(er)? "
    r"(janv|f[ée]v|mars|avr|mai|juin|juil|ao[uû]|sept|oct|nov|d[ée]c)|\d{1,2}[/.]\d{1,2})",
    re.I,
)
# A teaser's lead is this many words beyond its headline link (a related-links list has none).
_LEAD_MIN, _LEAD_MAX = 8, 120
# A paywall teaser is short: its notice ends a lead, not a full article quoting "abonnés".
_TEASER_MAX_WORDS = 250


def _words(text: str) -> int:
    return len(text.split())


def _link_words(element: HtmlElement) -> int:
    return sum(_words(a.text_content()) for a in element.iter("a"))


def count_teasers(tree: HtmlElement) -> int:
    """Headline links (4+ words) whose nearest container adds a short lead: the units of a listing."""
    count = 0
    for link in tree.iter("a"):
        if _words(link.text_content()) < 4:
            continue
        element: HtmlElement | None = link
        for _level in range(3):
            element = element.getparent() if element is not None else None
            if element is None:
                break
            headlines = sum(1 for a in element.iter("a") if _words(a.text_content()) >= 4)
            if headlines > 1:
                break
            extra = _words(element.text_content()) - _link_words(element)
            if extra >= _LEAD_MIN:
                count += extra <= _LEAD_MAX
                break
    return count


def _figures(tree: HtmlElement) -> tuple[int, int]:
    """(figures or images, words in their captions)."""
    figures = list(tree.iter("figure"))
    if figures:
        return len(figures), sum(_words(f.text_content()) for f in figures)
    return sum(1 for _ in tree.iter("img")), 0


def _dated_lines(tree: HtmlElement) -> tuple[int, int]:
    """(lines that open with a weekday or a date, their words): the shape of an agenda."""
    count = words = 0
    for element in tree.iter("li", "p", "dt", "tr"):
        text = clean_space(element.text_content())
        if element.find(".//time") is not None or _WEEKDAY_OR_DATE.match(text):
            count += 1
            words += _words(text)
    return count, words


_PAYWALL_CLASS = re.compile(r"paywall|premium|abonne|subscri|locked|restricted", re.I)
# Every class and id value of the tree, in one C call (plain strings, no element proxies).
_CLASS_AND_ID_VALUES = XPath("descendant-or-self::*/@class | descendant-or-self::*/@id", smart_strings=False)
_CLASS_VALUES = XPath("descendant-or-self::*/@class", smart_strings=False)


def paywall_marked(tree: HtmlElement) -> bool:
    """A paywall box (class or id naming it) that says so: the pruned text no longer has it."""
    # the class words hold no newline: no match in the joined values means none in any element
    if not _PAYWALL_CLASS.search("\n".join(_CLASS_AND_ID_VALUES(tree))):
        return False
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if _PAYWALL_CLASS.search(marker) and _PAYWALL.search(clean_space(element.text_content())):
            return True
    return False


@dataclass(frozen=True)
class PageShape:
    """Structure of the pruned page, measured before trafilatura (which edits the tree) runs."""

    teasers: int
    figures: int
    caption_words: int
    dated_lines: int
    dated_words: int
    paginated: bool


_PAGER_CLASS = re.compile(r"pagination|pager|page-numbers|wp-pagenavi", re.I)


def paginated(tree: HtmlElement) -> bool:
    """A pager (numbered pages): listings have one; articles have at most previous/next links.

    Read on the whole page: pagers sit in <nav>, which pruning removes.
    """
    # the class words hold no newline: a match in the joined values is a match in one of them
    return _PAGER_CLASS.search("\n".join(_CLASS_VALUES(tree))) is not None


def page_shape(tree: HtmlElement, pruned: HtmlElement) -> PageShape:
    """Measures of ``pruned`` (``bodytext.prune_boilerplate(tree)``), pagination of ``tree``."""
    return pruned_shape(pruned, paginated=paginated(tree))


def pruned_shape(pruned: HtmlElement, *, paginated: bool) -> PageShape:
    """Measures of ``pruned``, with the pagination read on the page before pruning."""
    figures, caption_words = _figures(pruned)
    dated, dated_words = _dated_lines(pruned)
    return PageShape(count_teasers(pruned), figures, caption_words, dated, dated_words, paginated)


def _listing_kind(headline: str, url: str) -> str:
    if _TAG_TITLE.match(headline):
        return TAG
    if _HOME_TITLE.match(headline) or urlsplit(url).path in ("", "/"):
        return HOME
    return SECTION


def non_article_reason(
    shape: PageShape, headline: str | None, text: str, url: str, *, paywall: bool = False
) -> str | None:
    """Why this page is not an article (a REASONS value), or None when it may be one.

    ``shape`` is measured on the page with navigation, asides and related-links
    blocks removed, ``headline`` is the page's title, ``text`` the extracted body,
    ``paywall`` whether a marked paywall box says the text is for subscribers.
    """
    headline = clean_space(headline or "")
    words = _words(text)
    ending = "\n".join(text.splitlines()[-2:])  # the notice closes a teaser; an article may quote it
    if words <= _TEASER_MAX_WORDS and (paywall or _PAYWALL.search(ending)):
        return PAYWALL
    if _CONTACT_TITLE.match(headline):
        return CONTACT
    if _LEGAL_TITLE.match(headline):
        return LEGAL
    titled = bool(_TAG_TITLE.match(headline) or _HOME_TITLE.match(headline) or _SECTION_TITLE.match(headline))
    if shape.teasers >= 2 or (shape.teasers >= 1 and (titled or shape.paginated)):
        return _listing_kind(headline, url)
    if shape.figures >= 5 and (words - shape.caption_words < 80 or _GALLERY_TITLE.match(headline)):
        return GALLERY
    if shape.figures >= 3 and _GALLERY_TITLE.match(headline) and words < 150:
        return GALLERY
    if shape.dated_lines >= 5 and (shape.dated_words >= 0.5 * max(words, 1) or _AGENDA_TITLE.match(headline)):
        return AGENDA
    return None
