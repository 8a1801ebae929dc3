"""Sandbox rounds: the press web moves on, so incremental crawls and revisits can be tested.

``Sandbox.advance()`` (or ``advance(site)``) turns the daily to its next round:

* three new articles are published (newest first in the feed, the sections, the sitemap);
* one article is corrected: a paragraph "Rectificatif" is added and its modified date moves
  (new body, so a new ETag and Last-Modified);
* one article is removed: its URL answers 404 and no listing names it any more;
* one article moves to a new URL: the old URL answers 301 to the new one, which every
  listing names; the truth keeps the old URL among its ``alt_urls``.

The truth follows: ``sandbox.truth()`` after ``advance()`` describes the new round, and the
returned summary says which articles changed and how.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .compose import Block
from .world import Article, slugify

if TYPE_CHECKING:
    from .site import SandboxSite

OUTLET = "voix-du-tarn"
ROUND_START = datetime(2026, 11, 2, 7, 0)
NEW_PER_ROUND = 3
CORRECTION = (
    "Rectificatif : une première version de cet article comportait une erreur sur le "
    "montant annoncé ; le chiffre exact a été communiqué par la mairie lundi soir."
)


@dataclass
class RoundState:
    """What the rounds changed so far; the server's hook answers the redirects."""

    round: int = 1
    redirects: dict[tuple[str, str], str] = field(default_factory=dict)  # (outlet, old path) → new path


def _state(site: SandboxSite) -> RoundState:
    state = getattr(site, "rounds", None)
    if state is None:
        state = RoundState()
        site.rounds = state  # type: ignore[attr-defined]
    return state


def redirect_for(site: SandboxSite, outlet: str, path: str) -> str | None:
    """The new path an old article path now redirects to, if a round moved it."""
    state = getattr(site, "rounds", None)
    return state.redirects.get((outlet, path)) if state is not None else None


def _new_article(site: SandboxSite, n: int, when: datetime) -> Article:
    world = site.world
    outlet = next(o for o in world.outlets if o.id == OUTLET)
    rng = world.rng("round-article", n)
    topic = outlet.topics[n % len(outlet.topics)]
    article = world._make(rng, outlet, topic, when, outlet.department)
    article.n = n
    article.story_id = f"story-{outlet.id}-{n}"
    slug = slugify(article.title)
    article.path = f"/{when:%Y/%m/%d}/{2_900_000 + n * 1000}-{slug}.html"
    return article


def advance(site: SandboxSite) -> dict[str, Any]:
    """Move the daily to its next round; return what changed (truth ids and URLs)."""
    state = _state(site)
    state.round += 1
    arts: list[Article] = site.world.articles[OUTLET]
    base = site.base_urls[OUTLET]
    regular = [a for a in reversed(arts) if a.story_id == f"story-{OUTLET}-{a.n}"]
    corrected, removed, moved = regular[0], regular[1], regular[2]
    when = ROUND_START + timedelta(days=state.round)

    corrected.blocks = [*corrected.blocks, Block("p", CORRECTION + f" (édition {state.round})")]
    corrected.modified = when
    arts.remove(removed)
    old_path = moved.path
    moved.path = old_path.replace(".html", "-mise-a-jour.html")
    moved.alt_paths = [p for p in moved.alt_paths if p != moved.path] + [old_path]
    state.redirects[(OUTLET, old_path)] = moved.path
    top = max(a.n for a in arts)
    fresh = [_new_article(site, top + i, when + timedelta(hours=i + 1)) for i in range(1, NEW_PER_ROUND + 1)]
    arts.extend(fresh)
    arts.sort(key=lambda a: (a.published, a.title))

    site._routes[OUTLET] = site._build(site._outlets[OUTLET])
    site._cache.clear()
    return {
        "round": state.round,
        "outlet": OUTLET,
        "new": [{"id": a.id, "url": base + a.path} for a in fresh],
        "corrected": {"id": corrected.id, "url": base + corrected.path},
        "removed": {"id": removed.id, "url": base + removed.path},
        "moved": {"id": moved.id, "from": base + old_path, "to": base + moved.path},
    }
