"""The truth of the sandbox: what every article page really says, and which pages exist.

Tests compare the archive against this, never against the code's own output. Besides the
documented keys ("seed", "outlets", "articles", "pages") it lists the multi-outlet
``stories`` and the ``same_topic`` pairs (distinct stories on one subject).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import listings as ls
from .world import Article

if TYPE_CHECKING:
    from .site import SandboxSite

STORY_KINDS = {"story-dispatch-1": "agency-dispatch", "story-release-1": "press-release-reprint"}


def _iso(art: Article) -> str:
    if art.date_only:
        return art.published.date().isoformat()
    return art.published.isoformat()


def article_truth(site: SandboxSite, art: Article) -> dict[str, Any]:
    base = site.base_urls[art.outlet]
    outlet = site.world.outlets[[o.id for o in site.world.outlets].index(art.outlet)]
    url = base + art.path
    alts = [base + p for p in art.alt_paths]
    latest = list(reversed(site.world.articles[art.outlet]))[: ls.FEED_SIZE]
    tracked = ls.feed_link(outlet, url)
    if tracked != url and art in latest:
        alts.append(tracked)
    return {
        "id": art.id, "outlet": art.outlet, "url": url, "canonical_url": url, "alt_urls": alts,
        "title": art.title, "published": _iso(art),
        "modified": art.modified.isoformat() if art.modified else None,
        "authors": list(art.authors), "section": art.section_name, "tags": list(art.tags),
        "paragraphs": [b.text for b in art.blocks], "story_id": art.story_id,
    }


def build_truth(site: SandboxSite) -> dict[str, Any]:
    world = site.world
    articles = [a for o in world.outlets for a in world.articles[o.id]]
    by_story: dict[str, list[str]] = {}
    for art in articles:
        by_story.setdefault(art.story_id, []).append(art.id)
    pages = []
    for outlet in world.outlets:
        base = site.base_urls[outlet.id]
        for key, route in site.routes(outlet.id).items():
            if route.kind != "article" and route.listed:
                pages.append({"url": base + key, "outlet": outlet.id, "kind": route.kind,
                              "article_like": bool(re.search(ls.SCHEMES[outlet.id].article_pattern,
                                                             base + key))})
    return {
        "seed": site.seed,
        "outlets": [{"id": o.id, "name": o.name, "kind": o.kind, "base_url": site.base_urls[o.id],
                     "encoding": o.encoding, "template": o.template} for o in world.outlets],
        "articles": [article_truth(site, a) for a in articles],
        "pages": pages,
        "stories": [{"story_id": sid, "kind": STORY_KINDS.get(sid, "copies"), "articles": ids}
                    for sid, ids in by_story.items() if len(ids) > 1],
        "same_topic": [[a.id, b.id] for a, b in world.same_topic],
    }
