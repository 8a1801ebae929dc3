"""Helpers every outlet skin shares: French dates, Paris offsets, body markup, page context.

Dates are naive Europe/Paris wall-clock times (what the outlets print); offsets follow the EU
summer-time rule computed here, so nothing depends on the machine's time-zone database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING

from .compose import MONTHS, WEEKDAYS, Block

if TYPE_CHECKING:
    from .world import Article, Outlet


def esc(text: str) -> str:
    """Escape for text and double-quoted attributes; apostrophes stay readable."""
    return escape(text, quote=False).replace('"', "&quot;")


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def paris_offset(local: datetime) -> timedelta:
    """+2h between the last Sundays of March and October, +1h otherwise (EU rule)."""
    start = _last_sunday(local.year, 3).replace(hour=2)
    end = _last_sunday(local.year, 10).replace(hour=3)
    return timedelta(hours=2 if start <= local < end else 1)


def aware(local: datetime) -> datetime:
    return local.replace(tzinfo=timezone(paris_offset(local)))


def iso_offset(local: datetime) -> str:
    """'2016-03-10T18:52:00+01:00', as JSON-LD, OpenGraph and <time> carry it."""
    return aware(local).isoformat()


def http_date(local: datetime) -> str:
    return format_datetime(aware(local).astimezone(UTC), usegmt=True)


def rfc822(local: datetime) -> str:
    return format_datetime(aware(local))


def fr_date(local: datetime, weekday: bool = False) -> str:
    """'10 mars 2016' or 'jeudi 10 mars 2016'."""
    day = "1er" if local.day == 1 else str(local.day)
    text = f"{day} {MONTHS[local.month - 1]} {local.year}"
    return f"{WEEKDAYS[local.weekday()]} {text}" if weekday else text


@dataclass
class BodyStyle:
    """How one outlet marks up an article body; the blocks themselves are the truth."""

    lead: str = "<p>{}</p>"
    heading_attrs: str = ""
    quote: str = "<blockquote><p>{}</p></blockquote>"
    list_attrs: str = ""
    para: str = "<p>{}</p>"
    inserts: dict[int, str] = field(default_factory=dict)  # html placed before block i


def body_html(blocks: Sequence[Block], style: BodyStyle) -> str:
    out: list[str] = []
    in_list = False
    for i, block in enumerate(blocks):
        if block.kind != "li" and in_list:
            out.append("</ul>")
            in_list = False
        if i in style.inserts:
            out.append(style.inserts[i])
        text = esc(block.text)
        if block.kind == "lead":
            out.append(style.lead.format(text))
        elif block.kind in ("h2", "h3"):
            out.append(f"<{block.kind}{style.heading_attrs}>{text}</{block.kind}>")
        elif block.kind == "quote":
            out.append(style.quote.format(text))
        elif block.kind == "li":
            if not in_list:
                out.append(f"<ul{style.list_attrs}>")
                in_list = True
            out.append(f"<li>{text}</li>")
        else:
            out.append(style.para.format(text))
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


@dataclass
class Ctx:
    """What a skin needs to draw a page of one outlet, with URLs already absolute."""

    outlet: Outlet
    base: str
    articles: list[Article]  # date order
    section_url: Callable[[str, int], str]
    tag_url: Callable[[str], str]
    pages: dict[str, str]  # contact, legal, feed, home, search... -> absolute URL

    def url(self, path: str) -> str:
        return self.base + path

    def related(self, art: Article, count: int = 3) -> list[Article]:
        """Neighbours in the same section, the way 'À lire aussi' blocks pick them."""
        same = [a for a in self.articles if a.section == art.section and a is not art]
        same.sort(key=lambda a: abs(a.n - art.n))
        return same[:count]

    def latest(self, count: int) -> list[Article]:
        return list(reversed(self.articles))[:count]

    @property
    def sections(self) -> list[tuple[str, str]]:
        return [(name, self.section_url(slug, 1)) for name, slug in self.outlet.sections]


def pager(urls: Sequence[str], current: int, css: str = "pagination",
          prev_label: str = "Précédent", next_label: str = "Suivant") -> str:
    """Numbered pagination linking every page, as listing pages of news sites do."""
    if len(urls) < 2:
        return ""
    parts = []
    if current > 1:
        parts.append(f'<a class="prev" rel="prev" href="{urls[current - 2]}">{prev_label}</a>')
    for n, url in enumerate(urls, 1):
        parts.append(f'<span class="current">{n}</span>' if n == current
                     else f'<a class="page-numbers" href="{url}">{n}</a>')
    if current < len(urls):
        parts.append(f'<a class="next" rel="next" href="{urls[current]}">{next_label}</a>')
    return f'<nav class="{css}">' + " ".join(parts) + "</nav>"


def byline_names(names: Sequence[str], wrap: str = "{}") -> str:
    """'A', 'A et B' with each name wrapped in markup."""
    shown = [wrap.format(esc(n)) for n in names]
    return " et ".join(shown) if len(shown) <= 2 else ", ".join(shown[:-1]) + " et " + shown[-1]


@dataclass
class Listing:
    """One listing page (home, section page n, tag, archive) as a skin draws it."""

    heading: str
    kind: str
    items: list[Article]
    canonical: str
    page_urls: list[str] = field(default_factory=list)
    page: int = 1
