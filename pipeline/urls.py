"""Canonical URLs: one spelling per article, so that dedup rule 1 can join on it.

The same article reaches the crawler under many URLs: with ``utm_*``/``xtor``
campaign parameters, as an AMP page, with a fragment, with a differently cased
host. ``canonical_url`` folds those variants (courlan does the generic
normalisation: lowercased scheme and host, default port dropped, path quoting,
sorted query) and prefers the page's own ``rel=canonical`` when it points to
the same site. A canonical on another host is ignored: a syndicated piece
points to the original outlet, and coverage is counted per outlet.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan.clean import TRACKERS_RE, normalize_url, scrub_url

# Parameters that never change the article shown; checked after lowercasing the name.
# courlan's TRACKERS_RE already covers utm_*, *clid, xtor, ref, source, campaign, ...
_EXTRA_TRACKERS = re.compile(
    r"^(?:at_|pk_|mtm_|hsa_|_hs|mc_|oly_|vero_|wt[._]|cmp|ito|ns_|_ga|_gl|s_cid|icid|ncid)"
    r"|^(?:fbclid|gclid|dclid|msclkid|yclid|igshid|mibextid|spm|sr_share|share|shared"
    r"|cmpid|xts|xtref|xtcr|xtdt|mkt_tok|trk|trkid)$"
)
# Query parameters that mark an AMP rendering of the same article.
_AMP_PARAMS = {"amp", "amp_js_v", "amp_gsa", "usqp", "outputtype", "_amp", "ampshare"}
_AMP_VALUES = {"", "1", "true", "yes", "amp"}
# Path shapes of AMP variants: /amp/... prefix, .../amp or .../amp/ suffix, name.amp.html.
_AMP_PREFIX = re.compile(r"^/amp(?=/)", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"(?<=.)/amp(/?)$", re.IGNORECASE)
_AMP_INFIX = re.compile(r"\.amp(?=\.[a-z0-9]+$)", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracker(name: str) -> bool:
    lowered = name.lower()
    return bool(TRACKERS_RE.search(lowered) or _EXTRA_TRACKERS.search(lowered))


def _is_amp_param(name: str, value: str) -> bool:
    lowered = name.lower()
    if lowered == "outputtype":
        return value.lower() == "amp"
    return lowered in _AMP_PARAMS and value.lower() in _AMP_VALUES


def _fold_amp_path(path: str) -> str:
    path = _AMP_PREFIX.sub("", path, count=1)
    path = _AMP_SUFFIX.sub(r"\1", path, count=1)
    return _AMP_INFIX.sub("", path, count=1)


def normalise_url(url: str) -> str:
    """Generic normalisation of one absolute URL: trackers, AMP, fragment, case, order."""
    parts = urlsplit(scrub_url(url.strip()))
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracker(name) and not _is_amp_param(name, value)
    ]
    query.sort()
    rebuilt = urlunsplit((parts.scheme, parts.netloc, _fold_amp_path(parts.path) or "/", urlencode(query), ""))
    # courlan lowercases scheme and host, strips the default port, quotes the path; the query
    # is already clean, so its own tracker pass changes nothing but keeps the order sorted.
    return normalize_url(rebuilt, strict=False, trailing_slash=True)


def site_key(url: str) -> tuple[str, int | None]:
    """(host without ``www.``, port) – what "the same site" means for a canonical link.

    The port is part of the key because outlets may share a host (the sandbox serves
    every outlet on 127.0.0.1, each on its own port); the scheme is not, so an
    ``http`` page that declares its ``https`` canonical keeps it.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None
    return host, port


def canonical_url(url: str, html_canonical: str | None = None) -> str:
    """The normalised URL that identifies the article fetched from ``url``.

    ``html_canonical`` is the page's ``<link rel="canonical">`` (or ``og:url``), possibly
    relative; it wins when it resolves to an http(s) URL on the same site as ``url``.
    """
    if html_canonical and html_canonical.strip():
        candidate = urljoin(url, html_canonical.strip())
        scheme = urlsplit(candidate).scheme.lower()
        if scheme in ("http", "https") and site_key(candidate) == site_key(url):
            try:
                return normalise_url(candidate)
            except ValueError:
                pass
    return normalise_url(url)
