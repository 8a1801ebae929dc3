"""Author names from JSON-LD, meta tags or a French byline, as a clean list.

Bylines mix names with everything around them: "Par", "Publié le … par",
roles ("journaliste", "correspondante"), e-mail addresses, "avec AFP", social
handles. Analysts count articles per author, so the list must hold names only,
each once, in byline order.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.pagemeta import clean_space

_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"^(?:https?:)?//|^www\.", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
# "… par Aurélie Martin" inside a dateline, or "Par Aurélie Martin" opening a byline.
_PAR = re.compile(r"(?:^|\s)(?:par|by)\s*:?\s+(?P<names>.+)$", re.IGNORECASE)
_LEADING = re.compile(
    r"^(?:(?:écrit|ecrit|rédigé|redige|publié|publiée|signé)\s+)?(?:par|by)\s*:?\s+",
    re.IGNORECASE,
)
_SEGMENTS = re.compile(r"\s+[|•·–—-]\s+")
_SPLIT = re.compile(r"\s*(?:,|;|&|\bet\b|\band\b|/|\s\+\s)\s*", re.IGNORECASE)
_ROLE_WORDS = (
    r"journaliste|rédacteur|rédactrice|redacteur|redactrice|correspondant|correspondante"
    r"|envoyé spécial|envoyée spéciale|photographe|photos?|reporter|chroniqueur|chroniqueuse"
    r"|éditorialiste|directeur|directrice|rédacteur en chef|rédactrice en chef|stagiaire"
    r"|pigiste|service communication|chargée? de communication"
)
_ROLE = re.compile(rf"\s*[,(–—-]\s*(?:{_ROLE_WORDS})\b.*$", re.IGNORECASE)
_ONLY_ROLE = re.compile(rf"^(?:{_ROLE_WORDS})\b", re.IGNORECASE)
_WITH_AGENCY = re.compile(r"\s*[(,]?\s*avec\s+(?:l')?(?:afp|reuters|ap)\b.*$", re.IGNORECASE)
# An agency credited after the names: "X avec AFP", "X (AFP)", "X / Reuters". Case-sensitive
# on purpose: agencies are acronyms or capitalised names, "avec" + a common word is prose.
_AGENCY_SUFFIX = re.compile(
    r"(?:\s*[(,]?\s*(?i:avec)\s+(?:l')?|\s*[(/]\s*)(?P<agency>Reuters|Associated Press|Agence [A-ZÉ][\w-]*"
    r"(?: [A-ZÉ][\w-]*)*|[A-Z]{2,6})\)?\s*$"
)
_AGENCY_NAME = re.compile(r"^(?:agence\b|afp$|reuters$|associated press$|ap$|aps$|ansa$|dpa$|belga$)", re.I)
_DATE_TAIL = re.compile(r"\s*[,|–—-]?\s*(?:le|publié|mis à jour|modifié)\b.*$", re.IGNORECASE)
_NOT_NAMES = {
    "", "admin", "administrateur", "redaction", "rédaction", "la rédaction", "la redaction",
    "staff", "webmaster", "auteur", "author", "anonyme", "unknown", "invité",
}  # fmt: skip
_MAX_NAME_WORDS = 5


def clean_name(raw: str) -> str | None:
    """One author name, or None when the text is not a person's (or desk's) name."""
    name = _EMAIL.sub(" ", raw)
    name = _HANDLE.sub(" ", name)
    name = clean_space(name).strip(" .,;:|-–—()[]")
    name = _LEADING.sub("", name)
    name = _WITH_AGENCY.sub("", name)
    name = _AGENCY_SUFFIX.sub("", name)
    name = _ROLE.sub("", name)
    name = _DATE_TAIL.sub("", name) if re.search(r"\d", name) else name
    name = clean_space(name).strip(" .,;:|-–—()[]")
    if (
        not name
        or name.casefold() in _NOT_NAMES
        or _URL.search(name)
        or _ONLY_ROLE.match(name)
        or any(ch.isdigit() for ch in name)
        or len(name.split()) > _MAX_NAME_WORDS
        or not any(ch.isalpha() for ch in name)
        or not name[0].isupper()
    ):
        return None
    return name


def split_names(text: str) -> list[str]:
    """ "Aurélie Martin et Jean Dupont, journaliste" → ["Aurélie Martin", "Jean Dupont"]."""
    text = _EMAIL.sub(" ", text)
    text = _WITH_AGENCY.sub("", clean_space(text))
    text = _AGENCY_SUFFIX.sub("", text)
    text = _LEADING.sub("", text)
    names = []
    for part in _SPLIT.split(text):
        if (name := clean_name(part)) is not None:
            names.append(name)
    return names


def byline_names(text: str) -> list[str]:
    """Names of a visible byline: "Par X et Y", "Publié le … par X", or a bare "X"."""
    text = clean_space(text)
    match = _PAR.search(text)
    if match:
        return split_names(match.group("names"))
    names: list[str] = []
    for segment in _SEGMENTS.split(text):
        # a dateline segment without "par" holds no name
        if not re.search(r"\d", segment) and not _DATE_TAIL.match(segment):
            names.extend(split_names(segment))
    return names


def _jsonld_names(value: Any, site_names: set[str]) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, str):
            names.extend(split_names(item))
        elif isinstance(item, dict):
            raw = item.get("name")
            if isinstance(raw, list):
                raw = " ".join(str(r) for r in raw)
            if not isinstance(raw, str):
                given, family = item.get("givenName"), item.get("familyName")
                raw = " ".join(str(p) for p in (given, family) if p)
            kind = str(item.get("@type", "")).lower()
            if kind == "organization" and clean_space(raw) in site_names:
                continue  # the publisher as author: no person to credit
            names.extend(split_names(raw))
    return names


def dedupe(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def choose_authors(jsonld_author: Any, meta_authors: list[str], bylines: list[str], site_names: set[str]) -> list[str]:
    """First non-empty of JSON-LD authors, meta authors (URLs skipped), visible byline."""
    names = _jsonld_names(jsonld_author, site_names) if jsonld_author else []
    if not names:
        for value in meta_authors:
            if not _URL.search(value) and clean_space(value) not in site_names:
                names.extend(split_names(value))
    if not names:
        for text in bylines:
            if found := byline_names(text):
                names = found
                break
    return dedupe(names)


def agency_of(bylines: list[str], names: list[str]) -> str | None:
    """The news agency credited: a byline's suffix ("… avec AFP") first, else an author that is one."""
    for text in bylines:
        if match := _AGENCY_SUFFIX.search(clean_space(text)):
            return match.group("agency")
        if match := _WITH_AGENCY.search(clean_space(text)):
            return clean_space(re.sub(r"^[\s(,]*avec\s+(?:l')?", "", match.group(0), flags=re.I)).strip(" ()")
    return next((name for name in names if _AGENCY_NAME.match(name)), None)
