"""The sources registry: outlets are data (one TOML file), validated before anything is crawled."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_REGISTRY = Path(__file__).with_name("sources.toml")


class RegistryError(ValueError):
    """A registry that cannot be used; the message names the file, the source and the field."""


class Kind(StrEnum):
    daily = "daily"
    weekly = "weekly"
    magazine = "magazine"
    institution = "institution"
    blog = "blog"


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


class Source(BaseModel):
    """One outlet. Unknown fields are refused so that a typo never goes unnoticed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    name: str = Field(min_length=1)
    homepage: str
    region: str = Field(min_length=1)
    department: str = Field(pattern=r"^(\d{2}|2A|2B|\d{3})$", description="INSEE code")
    kind: Kind
    language: str = Field(default="fr", pattern=r"^[a-z]{2}$")
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list)
    article_pattern: str | None = None
    allowed_domains: list[str] = Field(default_factory=list)
    delay: float = Field(default=1.0, ge=0, le=600, description="seconds between requests")
    concurrency: int | None = Field(
        default=None, ge=1, le=16, description="requests in flight at once; default CONCURRENT_REQUESTS_PER_DOMAIN"
    )

    @field_validator("homepage")
    @classmethod
    def _homepage(cls, value: str) -> str:
        return _check_url(value)

    @field_validator("feeds", "sitemaps", "sections")
    @classmethod
    def _urls(cls, values: list[str]) -> list[str]:
        return [_check_url(v) for v in values]

    @field_validator("article_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _default_domains(self) -> Source:
        if not self.allowed_domains:
            object.__setattr__(self, "allowed_domains", [urlsplit(self.homepage).netloc])
        return self

    def allows(self, url: str) -> bool:
        """True when ``url`` is on one of the source's domains (host or host:port; subdomains too)."""
        parts = urlsplit(url)
        netloc, host = parts.netloc.lower(), (parts.hostname or "").lower()
        for domain in self.allowed_domains:
            domain = domain.lower()
            if ":" in domain:
                if netloc == domain:
                    return True
            elif host == domain or host.endswith("." + domain):
                return True
        return False

    def is_article_url(self, url: str) -> bool:
        if self.article_pattern is None:
            return True
        return re.search(self.article_pattern, url) is not None


def parse_registry(data: dict[str, Any], origin: str = "<registry>") -> list[Source]:
    """Validate a parsed registry; every problem is reported, not just the first."""
    raw = data.get("sources")
    if not isinstance(raw, list) or not raw:
        raise RegistryError(f"{origin}: expected one or more [[sources]] tables")
    problems: list[str] = []
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        label = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or "(source)"
                problems.append(f"source {label!r}, field {field!r}: {err['msg']}")
            continue
        if source.id in seen:
            problems.append(f"source {label!r}, field 'id': duplicate id")
        seen.add(source.id)
        sources.append(source)
    if problems:
        listing = "\n  ".join(problems)
        raise RegistryError(f"{origin}: invalid sources registry, nothing will be crawled:\n  {listing}")
    return sources


def load_registry(path: str | Path = DEFAULT_REGISTRY) -> list[Source]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"{path}: registry file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    return parse_registry(data, str(path))


def select(sources: Iterable[Source], ids: Iterable[str] | None) -> list[Source]:
    """The sources named by ``ids`` (all when None); an unknown id is an error, not a silent skip."""
    sources = list(sources)
    if not ids:
        return sources
    wanted = list(ids)
    by_id = {s.id: s for s in sources}
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        raise RegistryError(f"unknown source id(s): {', '.join(unknown)}; known: {', '.join(sorted(by_id))}")
    return [by_id[i] for i in wanted]


def dump_registry(sources: Iterable[Source]) -> str:
    """TOML text for ``sources`` (used by the sandbox to publish its own registry)."""
    lines: list[str] = []
    for source in sources:
        lines.append("[[sources]]")
        for key, value in source.model_dump(mode="json", exclude_none=True).items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
