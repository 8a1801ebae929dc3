"""Check a sources registry: validate it, summarise coverage, and (on demand) probe what answers.

``check_registry`` is offline: the registry loads (``crawlers.registry`` refuses an invalid
one), and the summary says which regions and kinds it covers. ``probe_sources`` asks each
source's listed feeds and sitemaps — or, for a source that lists none, its homepage and
robots.txt, which is where the crawler would discover them — one request at a time per
source, with the project's User-Agent, and reports status, type and how many links each
listing gave. Never run against real sites from tests: the sandbox registry is probed there.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawlers import settings as default_settings
from crawlers.discovery import decoded_body, parse_feed, parse_feed_links, parse_sitemap, robots_sitemaps
from crawlers.registry import Source, load_registry

METROPOLITAN_REGIONS = (
    "Auvergne-Rhône-Alpes",
    "Bourgogne-Franche-Comté",
    "Bretagne",
    "Centre-Val de Loire",
    "Corse",
    "Grand Est",
    "Hauts-de-France",
    "Île-de-France",
    "Normandie",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur",
)


@dataclass(frozen=True)
class RegistryCheck:
    path: Path
    sources: list[Source]
    regions: Counter[str]
    kinds: Counter[str]

    @property
    def missing_regions(self) -> list[str]:
        return [r for r in METROPOLITAN_REGIONS if r not in self.regions]


@dataclass(frozen=True)
class ProbeResult:
    """One URL asked: what it is for the source, what answered, how many links it listed."""

    source_id: str
    kind: str  # feed, sitemap, home, robots
    url: str
    status: int | None
    content_type: str | None
    links: int
    error: str | None = None


def check_registry(path: str | Path) -> RegistryCheck:
    """Load and validate ``path`` (raises ``RegistryError``); count regions and kinds."""
    sources = load_registry(path)
    return RegistryCheck(Path(path), sources, Counter(s.region for s in sources), Counter(str(s.kind) for s in sources))


def _get(url: str, timeout: float, user_agent: str) -> tuple[int | None, str | None, bytes, str | None]:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read(5 * 1024 * 1024)
            return (
                answer.status,
                answer.headers.get("Content-Type"),
                decoded_body(body, answer.headers.get("Content-Encoding")),
                None,
            )
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type"), b"", None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        return None, None, b"", f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"


def _count(kind: str, body: bytes, url: str) -> int:
    if kind == "feed":
        return len(parse_feed(body, url))
    if kind == "sitemap":
        children, pages = parse_sitemap(body, url)
        return len(children) + len(pages)
    if kind == "robots":
        return len(robots_sitemaps(body, url))
    return len(parse_feed_links(body, url))


def probe_source(source: Source, timeout: float = 10.0, user_agent: str | None = None) -> list[ProbeResult]:
    """The listings of one source, asked one after the other."""
    agent = user_agent or default_settings.USER_AGENT
    targets = [("feed", u) for u in source.feeds] + [("sitemap", u) for u in source.sitemaps]
    if not targets:
        parts = urlsplit(source.homepage)
        targets = [("home", source.homepage), ("robots", f"{parts.scheme}://{parts.netloc}/robots.txt")]
    out = []
    for kind, url in targets:
        status, content_type, body, error = _get(url, timeout, agent)
        links = _count(kind, body, url) if status == 200 else 0
        out.append(ProbeResult(source.id, kind, url, status, content_type, links, error))
    return out


def probe_sources(
    sources: list[Source], timeout: float = 10.0, workers: int = 8, user_agent: str | None = None
) -> list[ProbeResult]:
    """Probe sources in parallel (each source's own URLs one at a time), in registry order."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda s: probe_source(s, timeout, user_agent), sources))
    return [r for group in results for r in group]
