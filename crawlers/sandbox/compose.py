"""Compose one article (headline + body blocks) from the sentence bank.

A single ``Composer`` writes every article of the site in a fixed order and remembers every
block it has used, so no two articles share a paragraph, an intertitle or a list item: the
truth can then say that only declared copies of one story have text in common.
"""

from __future__ import annotations

import random
import re
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from . import bank_generic as g
from .bank_eco import ECO_TOPICS
from .bank_generic import Topic
from .bank_local import LOCAL_TOPICS
from .bank_names import FEMALE, MALE, PROGRAMMES, STARTUPS, SURNAMES, Territory, to_a, to_de

TOPICS: dict[str, Topic] = {t.key: t for t in (*ECO_TOPICS, *LOCAL_TOPICS)}
# Related topics a longer piece drifts into once its own material is used up.
SECOND = {
    "technopole": ("emploi", "tdi"), "usine": ("tdi", "emploi", "energie"),
    "club": ("commerce", "emploi"), "tdi": ("usine", "emploi", "technopole"),
    "ess": ("emploi", "commerce"), "energie": ("conseil", "mobilite", "tdi"),
    "conseil": ("commerce", "mobilite"), "emploi": ("usine", "ess", "club"),
    "commerce": ("mobilite", "conseil", "club"), "mobilite": ("conseil", "energie", "commerce"),
    "assemblee": ("tdi", "usine", "mobilite"),
}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
NTH = ("deuxième", "troisième", "quatrième", "cinquième", "sixième")
Voice = Literal["press", "blog", "agglo"]
BlockKind = Literal["lead", "p", "h2", "h3", "quote", "li"]
_ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")


@dataclass(frozen=True)
class Block:
    """One unit of the body a reader sees; ``li`` blocks in a row form one list."""

    kind: BlockKind
    text: str


def french_day(when: datetime) -> str:
    """'jeudi 10 mars', the way a local paper names a day."""
    day = "1er" if when.day == 1 else str(when.day)
    return f"{WEEKDAYS[when.weekday()]} {day} {MONTHS[when.month - 1]}"


def person(rng: random.Random, female: bool | None = None) -> tuple[str, bool]:
    female = rng.random() < 0.5 if female is None else female
    first = rng.choice(FEMALE if female else MALE)
    return f"{first} {rng.choice(SURNAMES)}", female


def _num(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _amount(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return f"{_num(rng.randrange(150, 990) * 1000)} euros"
    millions = rng.randrange(11, 480) / 10
    text = f"{millions:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} million{'s' if millions >= 2 else ''} d'euros"


def cap(text: str) -> str:
    """Capitalise the first letter (after an opening guillemet), as at a sentence start."""
    for i, ch in enumerate(text):
        if ch.isalnum():
            return text[:i] + ch.upper() + text[i + 1 :]
    return text


def slots_for(rng: random.Random, territory: Territory, topic: Topic, when: datetime,
              town: str | None = None) -> dict[str, str]:
    """Every slot the bank uses, fixed for one article so that its figures agree."""
    towns = {t.name: t for t in territory.towns}
    place = towns[town] if town else rng.choice(territory.towns[:6])
    company, sector, product = rng.choice(territory.companies)
    (startup, activity), (startup2, activity2) = rng.sample(STARTUPS, 2)
    name1, fem1 = person(rng)
    name2, fem2 = person(rng)
    dept_in = {"le Tarn": "dans le Tarn", "le Gard": "dans le Gard"}.get(
        territory.name, "en " + territory.name.removeprefix("la "))
    later = when + timedelta(days=rng.randrange(8, 40))
    slots: dict[str, str] = {
        "town": place.name, "town_a": place.a, "town_de": place.de, "pop": _num(place.population),
        "dept": territory.name, "dept_de": to_de(territory.name), "dept_in": dept_in,
        "agglo": territory.agglo, "technopole": territory.technopole, "club": territory.club,
        "ess": territory.ess, "zone": territory.zone, "energy": rng.choice(territory.energy),
        "company": company, "sector": sector, "product": product,
        "startup": startup, "activity": activity, "startup2": startup2, "activity2": activity2,
        "programme": rng.choice(PROGRAMMES), "person": name1, "person2": name2,
        "jobs": str(rng.randrange(12, 160)), "jobs2": str(rng.randrange(180, 2400)),
        "amount": _amount(rng), "amount2": f"{_num(rng.randrange(20, 400) * 1000)} euros",
        "surface": f"{_num(rng.randrange(8, 120) * 100)} m²",
        "surface2": f"{rng.randrange(2, 19)} hectares", "n": str(rng.randrange(3, 13)),
        "n2": str(rng.randrange(21, 95)), "pct": str(rng.randrange(12, 88)),
        "price": _num(rng.randrange(3, 60) * 100), "mw": str(rng.randrange(2, 40)),
        "homes": _num(rng.randrange(8, 150) * 100), "km": str(rng.randrange(6, 48)),
        "unemp": f"{rng.randrange(62, 139) / 10:.1f}".replace(".", ","),
        "votes_for": str(rng.randrange(19, 29)), "votes_against": str(rng.randrange(2, 9)),
        "nth": rng.choice(NTH), "year": str(when.year), "year_prev": str(when.year - rng.randrange(2, 9)),
        "year_target": str(when.year + rng.randrange(1, 4)), "day": french_day(when),
        "next_day": french_day(later),
    }
    for key in ("agglo", "technopole", "club", "ess", "zone", "energy", "company", "startup"):
        slots[key + "_de"] = to_de(slots[key])
        slots[key + "_a"] = to_a(slots[key])
    (m1, f1), (m2, f2) = topic.roles
    slots["role"] = (f1 if fem1 else m1).format_map(slots)
    slots["role2"] = (f2 if fem2 else m2).format_map(slots)
    for key in list(slots):
        slots[key + "_cap"] = cap(slots[key])
    return slots


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


class Composer:
    """Writes articles one after the other, never reusing a block or a headline."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.titles: set[str] = set()
        self.last_drawn: frozenset[str] = frozenset()

    def _take(self, text: str) -> bool:
        key = _norm(text)
        if key in self.used:
            return False
        self.used.add(key)
        return True

    def headline(self, rng: random.Random, topic: Topic, slots: dict[str, str]) -> str:
        options = list(topic.headlines)
        rng.shuffle(options)
        candidates = [cap(h.format_map(slots)) for h in options]
        candidates += [f"{c} ({slots['town']}, {slots['year']})" for c in candidates]
        for title in candidates:
            if _norm(title) not in self.titles:
                self.titles.add(_norm(title))
                return title
        raise RuntimeError("sentence bank exhausted for headlines")  # pragma: no cover

    def body(self, rng: random.Random, topic: Topic, slots: dict[str, str], target: int,
             voice: Voice = "press", heading: Literal["h2", "h3"] = "h2",
             avoid: frozenset[str] = frozenset()) -> list[Block]:
        """Lead, paragraphs, intertitles, a list and quotes until about ``target`` words.

        ``avoid``: sentence templates not to draw (another outlet's take on the same topic
        must not read like a copy); the templates drawn are left in ``last_drawn``.
        """
        fill = _Filler(rng, topic, slots, voice, avoid)
        blocks: list[Block] = []
        for _ in range(20):
            lead = fill.lead()
            if self._take(lead):
                blocks.append(Block("lead", lead))
                break
        if not blocks:
            raise RuntimeError("sentence bank exhausted for leads")  # pragma: no cover
        words = len(blocks[0].text.split())
        since_title, quotes, listed = 0, 0, False
        while words < target:
            new: list[Block] = []
            roll = rng.random()
            if target >= 350 and since_title >= 2 and words < target - 80 and roll < 0.45:
                title = fill.intertitle()
                if title and self._take(title):
                    new.append(Block(heading, title))
                    since_title = 0
            elif not listed and target >= 280 and words > target * 0.3 and roll < 0.6:
                listed = True
                new = self._list(rng, fill)
            elif quotes < 2 and target >= 250 and roll < 0.72 and blocks[-1].kind == "p":
                quotes += 1
                text = fill.quote()
                if text and self._take(text):
                    new.append(Block("quote", text))
            else:
                for _ in range(6):
                    text = fill.paragraph(rng.randrange(2, 5))
                    if not text:
                        break
                    if self._take(text):
                        new.append(Block("p", text))
                        since_title += 1
                        break
                else:
                    fill.refill()
            if not new and fill.exhausted():
                fill.refill()
            blocks.extend(new)
            words += sum(len(b.text.split()) for b in new)
        closing = fill.closing()
        if closing and blocks[-1].kind == "p":
            merged = blocks[-1].text + " " + closing
            if self._take(merged):
                blocks[-1] = Block("p", merged)
        while blocks[-1].kind in ("h2", "h3"):
            blocks.pop()
        self.last_drawn = frozenset(fill.drawn)
        return blocks

    def _list(self, rng: random.Random, fill: _Filler) -> list[Block]:
        intro = fill.list_intro()
        items = [cap(i.format_map(fill.slots)) if i[0] == "{" else i.format_map(fill.slots)
                 for i in rng.sample(fill.topic.list_items, len(fill.topic.list_items))]
        fresh = [i for i in items if _norm(i) not in self.used][: rng.randrange(3, 6)]
        if len(fresh) < 3 or _norm(intro) in self.used:
            return []
        for text in (intro, *fresh):
            self._take(text)
        return [Block("p", intro), *(Block("li", i) for i in fresh)]


class _Filler:
    """Per-article pools of sentences, quotes and intertitles, drawn without replacement."""

    def __init__(self, rng: random.Random, topic: Topic, slots: dict[str, str], voice: Voice,
                 avoid: frozenset[str]):
        self.rng, self.topic, self.slots, self.voice = rng, topic, slots, voice
        self.second = TOPICS[rng.choice(SECOND[topic.key])]
        self.avoid = avoid
        self.mentioned: set[str] = set()
        self.drawn: set[str] = set()
        self.refill()

    def refill(self) -> None:
        """Main-topic sentences first, a context sentence every second one, then the rest."""
        rng, avoid = self.rng, self.avoid
        main = [s for s in self.topic.sentences if s not in avoid]
        context = [s for s in g.GENERIC if s not in avoid]
        if self.voice == "blog":
            context += g.BLOG_SENTENCES
        drift = [s for s in self.second.sentences if s not in avoid]
        rng.shuffle(main)
        rng.shuffle(context)
        rng.shuffle(drift)
        # Each piece opens on part of its topic's material, so two pieces on one topic differ;
        # only long pieces reach the rest, and drift into a related topic last of all.
        cut = max(6, len(main) * 2 // 3)
        rest = main[cut:]
        order: list[str] = []
        for i, sentence in enumerate(main[:cut]):
            order.append(sentence)
            if i % 2 == 1 and context:
                order.append(context.pop())
        rest += context
        rng.shuffle(rest)
        self.sentences = deque(order + rest + drift)
        self.quotes = rng.sample(self.topic.quotes, len(self.topic.quotes))
        self.titles = rng.sample(self.topic.intertitles, len(self.topic.intertitles))
        self.titles += rng.sample(g.GENERIC_INTERTITLES, 3)

    def exhausted(self) -> bool:
        return not self.sentences

    def _f(self, template: str) -> str:
        """Pick one wording of each ``[a|b|c]`` group, then fill the slots."""
        worded = _ALTERNATIVES.sub(lambda m: self.rng.choice(m.group(1).split("|")), template)
        return cap(worded.format_map(self.slots))

    def lead(self) -> str:
        if self.voice == "blog" and self.topic.key != "assemblee":
            visit = self.rng.choice(self.topic.visits).format_map(self.slots)
            return self._f(self.rng.choice(g.BLOG_LEADS).replace("{visit}", visit))
        if self.voice == "agglo":
            obj = self.rng.choice(self.topic.objects).format_map(self.slots)
            first = self._f(self.rng.choice(g.AGGLO_LEADS).replace("{object}", obj))
            second = self.sentences.popleft()
            self.drawn.add(second)
            return first + " " + self._f(second)
        return self._f(self.rng.choice(self.topic.leads))

    def _speaker(self) -> str:
        key = self.rng.choice(("person", "person2"))
        name = self.slots[key]
        if name in self.mentioned:
            return name
        self.mentioned.add(name)
        return f"{name}, {self.slots['role' if key == 'person' else 'role2']}"

    def quote(self) -> str | None:
        if not self.quotes:
            return None
        text = self.quotes.pop().format_map(self.slots)
        return f"« {text} », {self.rng.choice(g.QUOTE_VERBS)} {self._speaker()}."

    def paragraph(self, count: int) -> str | None:
        picked = [self.sentences.popleft() for _ in range(min(count, len(self.sentences)))]
        self.drawn.update(picked)
        chosen = [self._f(s) for s in picked]
        if chosen and self.quotes and self.rng.random() < 0.2:
            chosen.insert(self.rng.randrange(1, len(chosen) + 1), self.quote() or "")
        return " ".join(s for s in chosen if s) or None

    def intertitle(self) -> str | None:
        return self._f(self.titles.pop()) if self.titles else None

    def list_intro(self) -> str:
        return self._f(self.rng.choice(self.topic.list_intros))

    def closing(self) -> str | None:
        pool = {"blog": g.BLOG_CLOSINGS, "agglo": g.AGGLO_CLOSINGS}.get(self.voice, g.CLOSINGS)
        if self.voice == "press" and self.rng.random() < 0.5:
            return None
        return self._f(self.rng.choice(pool))
