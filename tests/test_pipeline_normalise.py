"""URL canonicalisation, text fingerprints, charsets, French dates and bylines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.authors import byline_names, choose_authors
from pipeline.charset import decode_html, is_html
from pipeline.dates import labelled_date, parse_french_date, parse_machine_date, plausible
from pipeline.fingerprint import hamming, normalise_text, simhash64, text_hash
from pipeline.urls import canonical_url
from tests.quality import same_day, token_f1, tokens

ARTICLE = "https://www.ladepeche.fr/2020/09/17/tarn-une-ecole-d-ingenieurs,9000.html"


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        ARTICLE + "?utm_source=newsletter&utm_medium=email&utm_campaign=17092020",
        ARTICLE + "?xtor=RSS-3&at_medium=social&at_campaign=fb",
        ARTICLE + "?fbclid=IwAR0abc&gclid=xyz#commentaires",
        "HTTPS://WWW.LADEPECHE.FR:443/2020/09/17/tarn-une-ecole-d-ingenieurs,9000.html",
        ARTICLE + "?amp=1",
        ARTICLE + "?outputType=amp",
        ARTICLE.replace(".html", ".amp.html"),
        "https://www.ladepeche.fr/amp/2020/09/17/tarn-une-ecole-d-ingenieurs,9000.html",
    ],
)
def test_tracking_and_amp_variants_fold(variant: str) -> None:
    assert canonical_url(variant) == ARTICLE


def test_wordpress_amp_suffix_and_param_order() -> None:
    base = "https://blog.depute.fr/2016/03/technopole/"
    assert canonical_url(base + "amp/") == base
    assert canonical_url("https://x.fr/a?b=2&a=1&utm_term=z") == "https://x.fr/a?a=1&b=2"
    assert canonical_url("https://x.fr/article?id=12&page=2") == "https://x.fr/article?id=12&page=2"


def test_rel_canonical_same_site_only() -> None:
    fetched = "http://127.0.0.1:8001/eco/periscope.html?utm_source=rss"
    # relative, same site: taken, and normalised too
    assert canonical_url(fetched, "/eco/le-periscope.html?xtor=1") == ("http://127.0.0.1:8001/eco/le-periscope.html")
    # another outlet on the same host but another port: a syndicated copy, ignored
    assert canonical_url(fetched, "http://127.0.0.1:8002/eco/periscope.html") == (
        "http://127.0.0.1:8001/eco/periscope.html"
    )
    # another host: ignored; https canonical of an http page on the same host: taken
    assert canonical_url("http://a.fr/x", "https://b.fr/x") == "http://a.fr/x"
    assert canonical_url("http://www.a.fr/x", "https://a.fr/x") == "https://a.fr/x"
    assert canonical_url("http://a.fr/x", "javascript:void(0)") == "http://a.fr/x"
    assert canonical_url("http://a.fr/x", "  ") == "http://a.fr/x"


def test_text_hash_ignores_invisible_differences() -> None:
    a = "« Nous voulons mutualiser les moyens », explique-t-elle.\nL’inauguration : au printemps !"
    b = '"Nous voulons  mutualiser les moyens", explique-t-elle. L\'inauguration: au printemps!'
    c = (
        "«\u00a0NOUS voulons mutualiser les moyens\u00a0», explique\u2011t\u2011elle."
        "\n\nL’inau\u00adguration\u202f: au printemps\u202f!"
    )
    assert text_hash(a) == text_hash(b) == text_hash(c)
    assert normalise_text(b) == normalise_text(a)
    assert text_hash(a) != text_hash(a.replace("printemps", "été"))
    assert text_hash(a) != text_hash(a.replace("moyens", "moyens,"))
    assert len(text_hash(a)) == 40


def _reference_normal_form(text: str) -> str:
    """The normal form as first written (translate table, regex per sign): the fast one must equal it."""
    import re
    import unicodedata

    from pipeline.fingerprint import PUNCT, _drop_format_chars

    text = unicodedata.normalize("NFKC", _drop_format_chars(text)).translate(str.maketrans(PUNCT)).casefold()
    text = re.sub(r"([\"'])\1+", r"\1", text)
    text = re.sub(r"\s*([^\w\s])\s*", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def test_normal_form_equals_reference_definition() -> None:
    """Stored text_hash values must not move: the fast normal form is the reference one, exactly."""
    import random

    rng = random.Random(2016)
    alphabet = list("ab é,.:;!?'\"«»’“”–—-•·_0(…ﬁ½²ßİǅ\t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2009\u202f\u3000\u00ad\u200b")
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(20_000)]
    samples += [chr(cp) + sep + chr(cp) for cp in range(0x2100) for sep in (" ", "a ")]
    for sample in samples:
        assert normalise_text(sample) == _reference_normal_form(sample), repr(sample)


def test_simhash_near_duplicates() -> None:
    words = [f"mot{i % 97}x{i % 13}" for i in range(400)]
    text = " ".join(words)
    edited = "Communiqué de presse. " + " ".join(words[:370])  # new lead line, last lines cut
    other = " ".join(f"autre{i % 89}y{i % 7}" for i in range(400))
    assert simhash64(text) == simhash64(text.replace(" ", "\n"))
    assert hamming(simhash64(text), simhash64(edited)) <= 10
    assert hamming(simhash64(text), simhash64(other)) >= 20
    assert simhash64("") == 0 and 0 <= simhash64(text) < 2**64


def test_charset_detection() -> None:
    text = "<html><head><title>Fête à Alès</title></head><body>é</body></html>"
    assert decode_html(text.encode("utf-8"), "text/html")[0] == text
    assert decode_html(text.encode("latin-1"), "text/html; charset=ISO-8859-1")[0] == text
    assert decode_html(text.encode("latin-1"), "text/html")[0] == text  # fallback
    meta = '<meta charset="windows-1252">' + text + "’"
    assert decode_html(meta.encode("cp1252"), None)[0] == meta
    # the HTTP header wins over the page
    wrong_meta = '<meta charset="utf-8">' + text
    assert decode_html(wrong_meta.encode("latin-1"), "text/html; charset=latin1")[0] == wrong_meta
    assert decode_html(b"\xef\xbb\xbf" + text.encode(), "text/html; charset=latin-1")[0] == text
    assert is_html("text/html; charset=utf-8", b"") and is_html("application/xhtml+xml", b"")
    assert not is_html("application/json", b"<html>") and is_html(None, b"<!DOCTYPE html><p>")


def test_dates() -> None:
    assert parse_machine_date("2016-03-10T17:52:00Z") == datetime(2016, 3, 10, 18, 52)
    assert parse_machine_date("2016-07-10T18:52:00+02:00") == datetime(2016, 7, 10, 18, 52)
    assert parse_machine_date("2016-07-10 18:52:00") == datetime(2016, 7, 10, 18, 52)
    assert parse_machine_date("2016-07-10") == datetime(2016, 7, 10)
    assert parse_machine_date("Thu, 10 Mar 2016 17:52:00 GMT") == datetime(2016, 3, 10, 18, 52)
    assert parse_machine_date("hier") is None
    label = "Publié le jeudi 10 mars 2016 à 18h52min par Aurélie Martin"
    assert labelled_date(label, "published") == datetime(2016, 3, 10, 18, 52)
    assert labelled_date("Publié le 1er avril 2021, mis à jour le 2 avril 2021 à 9h05",
                         "modified") == datetime(2021, 4, 2, 9, 5)  # fmt: skip
    assert parse_french_date("le 17/09/2020") == datetime(2020, 9, 17)
    assert parse_french_date("17 septembre 2020") == datetime(2020, 9, 17)
    assert parse_french_date("Mis en ligne le 3 févr. 2019 - 14:30") == datetime(2019, 2, 3, 14, 30)
    fetched = datetime(2020, 1, 1, 12, tzinfo=UTC)
    assert plausible(datetime(2020, 1, 1, 13, 0), fetched) == datetime(2020, 1, 1, 13, 0)
    assert plausible(datetime(2020, 1, 2), fetched) is None
    assert plausible(datetime(1900, 1, 1), fetched) is None


def test_bylines() -> None:
    assert byline_names("Par Aurélie Martin et Jean Dupont") == ["Aurélie Martin", "Jean Dupont"]
    assert byline_names("Publié le jeudi 10 mars 2016 à 18h52min par Aurélie Martin") == ["Aurélie Martin"]
    assert byline_names("Par Jean Dupont, journaliste (avec AFP)") == ["Jean Dupont"]
    assert byline_names("Par Marie Curie (correspondante) jean@exemple.fr") == ["Marie Curie"]
    assert byline_names("Marie Dupont | Publié le 10/03/2016") == ["Marie Dupont"]
    assert byline_names("Le 10/03/2016") == []
    person = {"@type": "Person", "name": "Aurélie de Varax"}
    publisher = {"@type": "Organization", "name": "ToulÉco"}
    assert choose_authors([person, publisher], [], [], {"ToulÉco"}) == ["Aurélie de Varax"]
    assert choose_authors("Jean Dupont, Marie Curie", [], [], set()) == ["Jean Dupont", "Marie Curie"]
    assert choose_authors(None, ["https://facebook.com/x", "Le Site"], ["Par Léa Roux"],
                          {"Le Site"}) == ["Léa Roux"]  # fmt: skip


def test_quality_helpers() -> None:
    assert tokens("L'école, c'est À Alès !") == ["l", "école", "c", "est", "à", "alès"]
    assert token_f1("a b c", ["a b", "c"]) == 1.0
    assert token_f1("a a b", ["a b"]) == pytest.approx(0.8)
    assert token_f1("", ["a"]) == 0.0 and token_f1("", []) == 1.0
    assert same_day(datetime(2016, 3, 10, 23, 59), "2016-03-10")
    assert same_day("2016-03-10T23:30:00Z", datetime(2016, 3, 11, 0, 30))  # Paris day
    assert not same_day(None, None) and not same_day(datetime(2016, 3, 10), "2016-03-11")
