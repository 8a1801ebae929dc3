"""Text fingerprints: the exact hash of dedup rule 2, the near-duplicate signature of rule 3.

Two fetches of one article differ in ways a reader does not see: typographic
quotes versus straight ones, a narrow no-break space before ``:``, a re-wrapped
line, a soft hyphen, a capital letter in a title-cased intertitle. The hash
must not change for those, yet must change when a word or a sign changes, so
the normal form keeps every word and punctuation sign but spells them one way
and drops the whitespace around signs (French typography spaces them, others
do not).

``simhash64`` serves rule 3 (the same press release republished with a new
title line or a cut paragraph): word 3-shingles vote on 64 bits, so texts that
share most shingles differ in few bits, compared with ``hamming``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Typographic variants → one ASCII spelling. NFKC already turns "…" into "..." and
# no-break spaces into spaces, but leaves quotes, apostrophes and dashes alone.
PUNCT = {
    **dict.fromkeys("‘’‚‛′ʼʹ`´", "'"),
    **dict.fromkeys("“”„‟«»″‹›", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "•": "-",
    "·": ".",
}
# One str.replace per variant present: most texts hold two or three of them, and a
# membership test is a C scan, where str.translate with a dict costs a lookup per character.
_PUNCT_ITEMS = tuple(PUNCT.items())
# Whitespace on either side of a sign: « Bonjour » == "Bonjour", "mot : suite" == "mot: suite".
# Applied after the whitespace is collapsed, so only single spaces are left to look at: a space
# preceded or followed by a sign goes (a literal first character lets the regex skip to spaces).
_SPACE_BY_SIGN = re.compile(r" (?:(?<=[^\w ] )|(?=[^\w ]))")
_REPEATED_QUOTES = re.compile(r"([\"'])\1+")


# Unicode "Cf" characters met in web text: soft hyphen, Arabic/Syriac marks, zero-width
# space/joiners, bidi marks and isolates, word joiner, invisible operators, BOM, annotations.
_FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def _drop_format_chars(text: str) -> str:
    """Soft hyphens, zero-width spaces and joiners, BOMs: invisible, so not part of the text."""
    return _FORMAT_CHARS.sub("", text)


def normalise_text(text: str) -> str:
    """The normal form hashed by ``text_hash``: NFKC, casefolded, one spelling per sign.

    Spaces next to a sign are dropped and the others collapsed to one (the result equals
    ``\\s*([^\\w\\s])\\s*`` → ``\\1``, then whitespace runs → " ", stripped; see the tests).
    """
    text = unicodedata.normalize("NFKC", _drop_format_chars(text))
    for variant, spelling in _PUNCT_ITEMS:
        if variant in text:
            text = text.replace(variant, spelling)
    text = _REPEATED_QUOTES.sub(r"\1", text.casefold())
    return _SPACE_BY_SIGN.sub("", " ".join(text.split()))


def text_hash(text: str) -> str:
    """sha1 hex of ``normalise_text(text)``: equal for texts a reader cannot tell apart."""
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()


_WORDS = re.compile(r"\w+")
SHINGLE = 3
# _BIT_TABLES[k] maps a byte to 1 if its bit k is set, else 0: per-bit counts stay in C.
_BIT_TABLES = [bytes((value >> k) & 1 for value in range(256)) for k in range(8)]


def simhash64(text: str) -> int:
    """64-bit SimHash of the word 3-shingles of the normalised text (unsigned, 0 for no words)."""
    words = _WORDS.findall(normalise_text(text))
    if not words:
        return 0
    shingles = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    data = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles)
    half = len(shingles) / 2
    result = 0
    for bit in range(64):  # bit 63 is the top bit of byte 0 (big-endian)
        column = data[bit // 8 :: 8].translate(_BIT_TABLES[7 - bit % 8])
        if column.count(1) > half:
            result |= 1 << (63 - bit)
    return result


def hamming(a: int, b: int) -> int:
    """Number of differing bits; near-duplicates of a few hundred words differ in under ~10."""
    return (a ^ b).bit_count()
