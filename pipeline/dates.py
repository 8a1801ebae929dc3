"""Dates as French outlets write them, stored as Paris wall-clock time.

Outlets give dates three ways: machine values (JSON-LD, ``article:published_time``,
``<time datetime>``) with or without a UTC offset, visible French text ("Publié
le jeudi 10 mars 2016 à 18h52min", "le 17/09/2020", "17 septembre 2020"), and
nothing at all. The archive stores naive datetimes in the outlet's local time
(Europe/Paris), because that is the day an analyst means by "published on the
10th"; offset-aware values are converted, naive ones are taken as local.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# Older than this is a parsing accident (a "1900-01-01" default), not a press article.
EARLIEST = datetime(1990, 1, 1)
# Server clocks and time zones drift a little; a date this far past the fetch is still "now".
FUTURE_SLACK = timedelta(minutes=10)

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T\s](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1,
    "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2, "fev": 2,
    "mars": 3, "mar": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7,
    "août": 8, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAYNAME = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\.?,?\s+"
_TIME = r"(?:\s*(?:à|a|,|-|–|—)?\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?:\s*min)?)?"
_TEXT_DATE = re.compile(
    rf"(?:{_DAYNAME})?(\d{{1,2}})(?:er)?\s+({_MONTH_ALT})\.?\s+(\d{{4}}){_TIME}",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(rf"\b(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}})\b{_TIME}")
_LABEL_PUBLISHED = r"\b(?:publiée?|parue?|postée?|mise? en ligne|créée?)\b"
_LABEL_MODIFIED = r"\b(?:mise? à jour|modifiée?|actualisée?|màj|maj)\b"
_ANY_DATE = rf"(?:{_TEXT_DATE.pattern}|{_NUMERIC_DATE.pattern})"
_LABELLED = {
    kind: re.compile(rf"{label}\s*(?:le|:)?\s*(?:{_DAYNAME})?(?P<date>.{{0,60}})", re.IGNORECASE)
    for kind, label in (("published", _LABEL_PUBLISHED), ("modified", _LABEL_MODIFIED))
}


def to_local_naive(value: datetime) -> datetime:
    """Paris wall-clock time without tzinfo; naive input is already local."""
    if value.tzinfo is not None:
        value = value.astimezone(PARIS).replace(tzinfo=None)
    return value.replace(microsecond=0)


def local_to_utc(value: datetime) -> datetime:
    """A naive Paris wall-clock time as an aware UTC datetime (for comparisons)."""
    return value.replace(tzinfo=PARIS).astimezone(UTC)


def parse_machine_date(value: object) -> datetime | None:
    """ISO 8601 (with ``Z``/offset, space or ``T``, date only) or RFC 2822, as local naive."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    match = _ISO.match(text)
    if match:
        year, month, day, hour, minute, second, zone = match.groups()
        try:
            parsed = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        except ValueError:
            return None
        if zone and hour is not None:
            parsed = parsed.replace(tzinfo=UTC) - _offset(zone)
        return to_local_naive(parsed)
    try:
        return to_local_naive(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _offset(zone: str) -> timedelta:
    if zone.upper() == "Z":
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))


def _build(year: str, month: int, day: str, hour: str | None, minute: str | None) -> datetime | None:
    try:
        return datetime(int(year), month, int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return None


def parse_french_date(text: str) -> datetime | None:
    """The first French date in ``text``: "10 mars 2016 à 18h52", "17/09/2020", ..."""
    best: tuple[int, datetime] | None = None
    for match in _TEXT_DATE.finditer(text):
        month = MONTHS[match.group(2).lower()]
        built = _build(match.group(3), month, match.group(1), match.group(4), match.group(5))
        if built:
            best = (match.start(), built)
            break
    for match in _NUMERIC_DATE.finditer(text):
        if best is not None and match.start() > best[0]:
            break
        built = (
            _build(match.group(3), int(match.group(2)), match.group(1), match.group(4), match.group(5))
            if 1 <= int(match.group(2)) <= 12
            else None
        )
        if built:
            best = (match.start(), built)
            break
    return best[1] if best else None


def labelled_date(text: str, kind: str) -> datetime | None:
    """The date after a "Publié le" (kind="published") or "Mis à jour le" ("modified") label."""
    for match in _LABELLED[kind].finditer(text):
        found = parse_french_date(match.group("date"))
        if found is not None and _starts_date(match.group("date")):
            return found
    return None


def _starts_date(fragment: str) -> bool:
    """The label must be followed by the date itself, not by another sentence with a date."""
    head = fragment.lstrip(" :,le\u00a0")
    return bool(re.match(_ANY_DATE, head, re.IGNORECASE))


def plausible(value: datetime | None, fetched_at: datetime | None) -> datetime | None:
    """``value`` unless it is absurdly old or in the future of the fetch (then None)."""
    if value is None or value < EARLIEST:
        return None
    if fetched_at is not None:
        fetched = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
        if local_to_utc(value) > fetched + FUTURE_SLACK:
            return None
    return value


def from_date(value: date) -> datetime:
    """A date without time is stored as local midnight."""
    return datetime(value.year, value.month, value.day)


_RELATIVE = re.compile(
    r"\bil y a\s+(?P<n>\d+|une?|quelques)\s+(?P<unit>minutes?|mn|min|heures?|h|jours?|semaines?)\b", re.IGNORECASE
)
_DAY_WORD = re.compile(rf"\b(?P<day>aujourd'hui|aujourd’hui|hier|avant-hier)\b{_TIME}", re.IGNORECASE)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "j": timedelta(days=1), "s": timedelta(weeks=1)}
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|-|$)")


def relative_date(text: str, fetched_at: datetime | None) -> datetime | None:
    """ "il y a 3 heures", "hier à 18h52", "aujourd'hui" counted back from the fetch (Paris time)."""
    if fetched_at is None:
        return None
    now = to_local_naive(fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC))
    if match := _RELATIVE.search(text):
        raw = match.group("n").lower()
        count = int(raw) if raw.isdigit() else (3 if raw == "quelques" else 1)
        unit = match.group("unit").lower()
        step = _UNITS["m"] if unit.startswith("m") else _UNITS.get(unit[0], _UNITS["h"])
        return now - count * step
    if match := _DAY_WORD.search(text):
        back = {"hier": 1, "avant-hier": 2}.get(match.group("day").lower(), 0)
        day = now.date() - timedelta(days=back)
        hour, minute = match.group(2), match.group(3)
        return datetime(day.year, day.month, day.day, int(hour or 0), int(minute or 0))
    return None


def url_date(url: str) -> datetime | None:
    """The /2016/03/10/ of a dated article URL, as local midnight."""
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
