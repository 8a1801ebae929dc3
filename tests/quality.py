"""Extraction quality measures shared by the quality gates and the end-to-end tests.

Bag-of-tokens F1 is the measure trafilatura's own evaluation uses: it forgives
different line breaks and punctuation, and it punishes both missing paragraphs
(recall) and boilerplate kept (precision), counting repeated words as often as
they occur.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

_PARIS = ZoneInfo("Europe/Paris")
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Casefolded word tokens (``\\w+``, so accents kept and punctuation dropped)."""
    return _TOKEN.findall(text.casefold())


def token_f1(predicted_text: str | None, truth_paragraphs: Iterable[str] | str) -> float:
    """F1 of the token multisets of the prediction and the truth (1.0 when both are empty)."""
    truth_text = truth_paragraphs if isinstance(truth_paragraphs, str) else "\n".join(truth_paragraphs)
    predicted = Counter(tokens(predicted_text or ""))
    truth = Counter(tokens(truth_text))
    if not predicted and not truth:
        return 1.0
    common = sum((predicted & truth).values())
    if common == 0:
        return 0.0
    precision = common / sum(predicted.values())
    recall = common / sum(truth.values())
    return 2 * precision * recall / (precision + recall)


def _as_date(value: date | datetime | str | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        return (value.astimezone(_PARIS) if value.tzinfo else value).date()
    return value


def same_day(a: date | datetime | str | None, b: date | datetime | str | None) -> bool:
    """Both given and on the same calendar day in Paris (naive values are Paris wall-clock)."""
    day_a, day_b = _as_date(a), _as_date(b)
    return day_a is not None and day_a == day_b
