"""The sandbox's world: five fictional outlets and every article they publish, fixed by a seed.

Everything here is relative (paths, not URLs) so the same world can be served on any ports;
``site.SandboxSite`` turns paths into absolute URLs.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .bank_names import AGENCY, TERRITORIES
from .compose import TOPICS, Block, Composer, person, slots_for

START, END = datetime(2015, 1, 1), datetime(2026, 10, 31, 23, 59)


@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    kind: str
    template: str
    encoding: str
    department: str
    feed: str  # "rss" | "atom"
    gzip: bool
    count: int  # articles, copies included
    sections: tuple[tuple[str, str], ...]  # (name, slug)
    topics: tuple[str, ...]
    hours: tuple[int, int]
    words: tuple[int, int]


OUTLETS = (
    Outlet("voix-du-tarn", "La Voix du Tarn", "daily", "daily-modern", "utf-8", "81", "rss", True,
           40, (("Économie", "economie"), ("Castres-Mazamet", "castres-mazamet"),
                ("Albi", "albi"), ("Société", "societe")),
           ("technopole", "usine", "club", "tdi", "ess", "energie", "conseil", "emploi",
            "commerce", "mobilite"), (6, 22), (120, 800)),
    Outlet("echo-cevennes", "L'Écho des Cévennes", "weekly", "weekly-legacy", "iso-8859-1", "30",
           "rss", False, 32, (("Actualité", "actualite"), ("Économie", "economie"),
                              ("Vie locale", "vie-locale")),
           ("conseil", "commerce", "emploi", "usine", "club", "mobilite", "energie"), (8, 18),
           (120, 600)),
    Outlet("occitanie-eco", "Occitanie Éco", "magazine", "magazine-spip", "utf-8", "31", "rss",
           True, 34, (("Entreprises", "entreprises"), ("Innovation", "innovation"),
                      ("Territoires", "territoires"), ("Économie sociale", "economie-sociale")),
           ("technopole", "usine", "ess", "tdi", "energie", "club"), (7, 20), (300, 850)),
    Outlet("cevennes-agglo", "Cévennes Agglomération", "institution", "institution-drupal",
           "utf-8", "30", "rss", False, 30, (("Communiqués de presse", "communiques"),),
           ("tdi", "mobilite", "energie", "emploi", "technopole", "commerce", "ess"), (9, 18),
           (150, 520)),
    Outlet("blog-helene-cabrol", "Le blog d'Hélène Cabrol", "blog", "blog-wordpress", "utf-8",
           "81", "atom", True, 32, (("Circonscription", "circonscription"),
                                    ("Économie", "economie"),
                                    ("Assemblée nationale", "assemblee-nationale")),
           ("assemblee", "tdi", "technopole", "usine", "emploi", "mobilite", "ess", "assemblee"),
           (7, 23), (120, 650)),
)
BY_ID = {o.id: o for o in OUTLETS}
# One long read per outlet that has them, on topics nobody else writes at length about:
# the bank is finite, and two long pieces on one topic would read alike.
LONG_READS = {"voix-du-tarn": ("usine", 1130), "occitanie-eco": ("energie", 1080)}
DEPUTY = "Hélène Cabrol"
SECTION_OF = {
    "voix-du-tarn": {"technopole": "economie", "usine": "economie", "club": "economie",
                     "tdi": "economie", "ess": "economie", "energie": "economie",
                     "emploi": "societe", "conseil": "@town", "commerce": "@town",
                     "mobilite": "@town"},
    "echo-cevennes": {"conseil": "actualite", "mobilite": "actualite", "energie": "actualite",
                      "usine": "economie", "club": "economie", "emploi": "economie",
                      "tdi": "economie", "commerce": "vie-locale"},
    "occitanie-eco": {"usine": "entreprises", "club": "entreprises", "technopole": "innovation",
                      "energie": "innovation", "tdi": "territoires", "ess": "economie-sociale"},
    "blog-helene-cabrol": {"assemblee": "assemblee-nationale", "usine": "economie",
                           "technopole": "economie", "tdi": "economie", "ess": "economie",
                           "mobilite": "circonscription", "emploi": "circonscription"},
}


@dataclass
class Article:
    outlet: str
    topic: str
    title: str
    blocks: list[Block]
    published: datetime
    authors: list[str]
    section: str  # slug
    tags: list[str]
    story_id: str
    modified: datetime | None = None
    slots: dict[str, str] = field(default_factory=dict, repr=False)
    n: int = 0
    path: str = ""
    alt_paths: list[str] = field(default_factory=list)
    comments: int = 0

    @property
    def id(self) -> str:
        return f"{self.outlet}-{self.n}"

    @property
    def date_only(self) -> bool:
        return BY_ID[self.outlet].template == "weekly-legacy"

    @property
    def lead(self) -> str:
        return self.blocks[0].text

    @property
    def section_name(self) -> str:
        return dict((s, n) for n, s in BY_ID[self.outlet].sections)[self.section]


def slugify(text: str, keep_case: bool = False, words: int = 12) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", ascii_text) if p][:words]
    slug = "-".join(parts)
    return slug if keep_case else slug.lower()


def _moment(rng: random.Random, outlet: Outlet, low: datetime = START, high: datetime = END
            ) -> datetime:
    day = low + timedelta(days=rng.randrange((high - low).days + 1))
    hour = rng.randrange(*outlet.hours)
    return day.replace(hour=hour, minute=rng.randrange(60), second=0, microsecond=0)


class World:
    """All outlets and articles of one seed, generated once at construction."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.outlets = OUTLETS
        self.composer = Composer()
        self.articles: dict[str, list[Article]] = {o.id: [] for o in OUTLETS}
        self.staff = {o.id: self._staff(o) for o in OUTLETS}
        self._stories()
        for outlet in OUTLETS:
            self._regular(outlet)
        for outlet in OUTLETS:
            self._finish(outlet)

    def rng(self, *label: object) -> random.Random:
        return random.Random("/".join(map(str, (self.seed, *label))))

    def _staff(self, outlet: Outlet) -> list[str]:
        rng = self.rng("staff", outlet.id)
        size = {"daily": 6, "weekly": 3, "magazine": 4}.get(outlet.kind, 0)
        names = {person(rng)[0] for _ in range(size * 2)}
        return sorted(names)[:size]

    def _authors(self, rng: random.Random, outlet: Outlet) -> list[str]:
        if outlet.kind == "institution":
            return []
        if outlet.kind == "blog":
            return [DEPUTY]
        staff = self.staff[outlet.id]
        two = rng.random() < {"daily": 0.2, "magazine": 0.15}.get(outlet.kind, 0.1)
        return rng.sample(staff, 2 if two else 1)

    def _section(self, outlet: Outlet, topic: str, town: str) -> str:
        if outlet.kind == "institution":
            return "communiques"
        slug = SECTION_OF[outlet.id][topic]
        if slug == "@town":
            return "albi" if town in ("Albi", "Graulhet", "Lavaur", "Carmaux") else "castres-mazamet"
        return slug

    def _make(self, rng: random.Random, outlet: Outlet, topic_key: str, when: datetime,
              territory: str, town: str | None = None, words: int | None = None,
              avoid: frozenset[str] = frozenset()) -> Article:
        topic = TOPICS[topic_key]
        slots = slots_for(rng, TERRITORIES[territory], topic, when, town)
        title = self.composer.headline(rng, topic, slots)
        low, high = outlet.words
        target = words or int(low + (high - low) * rng.random() ** 1.4)
        voice = {"blog": "blog", "institution": "agglo"}.get(outlet.kind, "press")
        heading = "h3" if outlet.kind == "magazine" else "h2"
        blocks = self.composer.body(rng, topic, slots, target, voice, heading, avoid)
        tags = list(topic.tags) + ([slots["town"]] if outlet.kind in ("daily", "weekly") else [])
        return Article(outlet.id, topic_key, title, blocks, when, self._authors(rng, outlet),
                       self._section(outlet, topic_key, slots["town"]), tags, "", slots=slots)

    def _stories(self) -> None:
        """The copies the truth declares: a dispatch, a release reprinted with cuts, and two
        takes on one topic that share nothing."""
        rng = self.rng("stories")
        daily, weekly, mag, agglo, blog = OUTLETS
        when = _moment(rng, daily, START + timedelta(days=200), END - timedelta(days=30))
        wire = self._make(rng, daily, "tdi", when, "31", "Toulouse", words=430)
        wire.blocks[0] = Block("lead", f"Toulouse ({AGENCY}) - {wire.lead}")
        wire.authors, wire.story_id = [AGENCY], "story-dispatch-1"
        wire.modified = None
        retitled = self.composer.headline(rng, TOPICS["tdi"], wire.slots)
        copies = [
            _copy(wire, mag, when + timedelta(hours=3, minutes=12), "territoires", retitled),
            _copy(wire, weekly, when + timedelta(days=2), "economie"),
        ]
        self.articles[daily.id].append(wire)
        for copy in copies:
            self.articles[copy.outlet].append(copy)

        when = _moment(rng, agglo, START + timedelta(days=100), END - timedelta(days=30))
        release = self._make(rng, agglo, "tdi", when, "30", "Alès", words=520)
        release.story_id = "story-release-1"
        cut = [i for i, b in enumerate(release.blocks[1:-1], 1)
               if b.kind == "p" and release.blocks[i + 1].kind != "li"]
        drop = set(rng.sample(cut, 2))  # a reprint trims, it does not rewrite
        reprint = _copy(release, weekly, when + timedelta(days=3), "economie")
        reprint.blocks = [b for i, b in enumerate(release.blocks) if i not in drop]
        self.articles[agglo.id].append(release)
        self.articles[weekly.id].append(reprint)

        when = _moment(rng, daily, START + timedelta(days=300), END - timedelta(days=30))
        first = self._make(rng, daily, "technopole", when, "81", "Castres", words=560)
        first.story_id = "story-topic-technopole-press"
        second = self._make(rng, blog, "technopole", when + timedelta(days=1, hours=2), "81",
                            "Castres", words=380, avoid=self.composer.last_drawn)
        second.story_id = "story-topic-technopole-blog"
        self.articles[daily.id].append(first)
        self.articles[blog.id].append(second)
        self.same_topic = [(first, second)]

    def _regular(self, outlet: Outlet) -> None:
        rng = self.rng("outlet", outlet.id)
        missing = outlet.count - len(self.articles[outlet.id])
        topics = [outlet.topics[i % len(outlet.topics)] for i in range(missing)]
        rng.shuffle(topics)
        long_topic, long_words = LONG_READS.get(outlet.id, ("", 0))
        for topic in topics:
            words = long_words if topic == long_topic else None
            long_topic = "" if words else long_topic
            territory = outlet.department
            if outlet.kind == "magazine":
                territory = rng.choice(("31", "31", "81", "30"))
            towns = TERRITORIES[territory].towns
            town = rng.choice(towns if outlet.kind == "daily" else towns[:6]).name
            article = self._make(rng, outlet, topic, _moment(rng, outlet), territory, town, words)
            later = article.published + timedelta(hours=rng.randrange(1, 40),
                                                  minutes=rng.randrange(60))
            if outlet.kind in ("daily", "magazine", "blog") and rng.random() < 0.3 and later <= END:
                article.modified = later
            self.articles[outlet.id].append(article)

    def _finish(self, outlet: Outlet) -> None:
        """Number articles in date order and give them their URL paths."""
        rng = self.rng("urls", outlet.id)
        items = sorted(self.articles[outlet.id], key=lambda a: (a.published, a.title))
        seen: set[str] = set()
        for n, art in enumerate(items, 1):
            art.n = n
            art.story_id = art.story_id or f"story-{outlet.id}-{n}"
            art.comments = rng.choice((0, 0, 1, 2, 3, 5, 8, 12)) if outlet.kind != "institution" else 0
            d = art.published
            slug = slugify(art.title, keep_case=outlet.kind == "magazine")
            while slug in seen:
                slug += "-2"
            seen.add(slug)
            if outlet.kind == "daily":
                art.path = f"/{d:%Y/%m/%d}/{2_340_000 + n * 1000 + rng.randrange(1000)}-{slug}.html"
            elif outlet.kind == "weekly":
                art.path = f"/actualite/{5200 + n * 7 + rng.randrange(7)}-{slug}.html"
            elif outlet.kind == "magazine":
                art.path = f"/{slug[0].upper()}{slug[1:]}.html"
            elif outlet.kind == "institution":
                art.path = f"/fr/communiques/{d:%Y}/{slug}"
            else:
                art.path = f"/{d:%Y/%m/%d}/{slug}/"
                art.alt_paths.append(f"/?p={100 + n * 3 + rng.randrange(3)}")
        self.articles[outlet.id] = items


def _copy(source: Article, outlet: Outlet, when: datetime, section: str,
          title: str | None = None) -> Article:
    return Article(outlet.id, source.topic, title or source.title, list(source.blocks), when,
                   list(source.authors), section, list(source.tags), source.story_id)
