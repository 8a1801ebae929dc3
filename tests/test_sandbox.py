"""The sandbox press web: its truth is consistent, and its HTTP behaves like real outlets."""

from __future__ import annotations

import gzip
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest

from crawlers.registry import load_registry
from crawlers.sandbox import Sandbox, SandboxSite

TRACKING = re.compile(r"^(utm_|xtor$)")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=7, port=0) as sb:
        yield sb


@pytest.fixture(scope="module")
def truth(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.truth()


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def strip_tracking(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k)]
    return urlunsplit(parts._replace(query=urlencode(query)))


class PageParser(HTMLParser):
    """h1 text, rel=canonical and every href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.h1, self.canonical, self.links, self._in_h1 = "", None, [], False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h1":
            self._in_h1 = True
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data


def parse_page(body: bytes, headers: Any) -> PageParser:
    charset = headers.get_content_charset() or "utf-8"
    parser = PageParser()
    parser.feed(body.decode(charset))
    return parser


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


# ------------------------------------------------------------------------ pure site


def test_same_seed_same_bytes_other_seed_other_content() -> None:
    a, b, c = SandboxSite(seed=7), SandboxSite(seed=7), SandboxSite(seed=8)
    assert json.dumps(a.truth(), sort_keys=True) == json.dumps(b.truth(), sort_keys=True)
    for outlet in a.outlet_ids:
        for key in list(a.routes(outlet))[:15]:
            assert a.render(outlet, key) == b.render(outlet, key)
    titles_a = {x["title"] for x in a.truth()["articles"]}
    titles_c = {x["title"] for x in c.truth()["articles"]}
    assert titles_a != titles_c
    assert len(titles_a & titles_c) < len(titles_a) // 2


def test_generation_is_fast() -> None:
    start = time.perf_counter()
    SandboxSite(seed=11).truth()
    assert time.perf_counter() - start < 2.0  # budget is 1 s; slack for slow CI machines


def test_five_outlets_and_enough_articles(truth: dict[str, Any]) -> None:
    outlets = truth["outlets"]
    assert len(outlets) == 5
    assert {o["kind"] for o in outlets} == {"daily", "weekly", "magazine", "institution", "blog"}
    assert len({o["template"] for o in outlets}) == 5
    assert [o["encoding"] for o in outlets].count("iso-8859-1") == 1
    per_outlet = Counter(a["outlet"] for a in truth["articles"])
    assert len(truth["articles"]) >= 160
    assert all(30 <= n <= 40 for n in per_outlet.values()), per_outlet
    assert len({a["id"] for a in truth["articles"]}) == len(truth["articles"])
    assert len({a["url"] for a in truth["articles"]}) == len(truth["articles"])


def test_article_truth_fields(truth: dict[str, Any]) -> None:
    kinds = {o["id"]: o["kind"] for o in truth["outlets"]}
    words = []
    for art in truth["articles"]:
        published = art["published"]
        day = date.fromisoformat(published[:10])
        assert date(2015, 1, 1) <= day <= date(2026, 10, 31)
        if "T" in published:
            datetime.fromisoformat(published)
        if art["modified"]:
            assert art["published"] < art["modified"] <= "2026-10-31T23:59"
        assert art["canonical_url"] == art["url"] and art["title"] and art["section"]
        assert art["story_id"].startswith("story-")
        if kinds[art["outlet"]] == "institution":
            assert art["authors"] == []
        words.append(sum(len(p.split()) for p in art["paragraphs"]))
    assert min(words) <= 160 and max(words) >= 1000
    assert any(len(a["authors"]) == 2 for a in truth["articles"])
    assert any("T" not in a["published"] for a in truth["articles"])  # the weekly: date only
    assert any("/?p=" in u for a in truth["articles"] for u in a["alt_urls"])
    tracked = [u for a in truth["articles"] for u in a["alt_urls"] if "utm_source" in u or "xtor" in u]
    assert len({urlsplit(u).netloc for u in tracked}) >= 2


def test_no_paragraph_shared_across_stories(truth: dict[str, Any]) -> None:
    stories_of: dict[str, set[str]] = defaultdict(set)
    for art in truth["articles"]:
        for para in art["paragraphs"]:
            stories_of[norm(para)].add(art["story_id"])
    shared = {p: s for p, s in stories_of.items() if len(s) > 1}
    assert not shared, list(shared.items())[:3]


def test_declared_copies(truth: dict[str, Any]) -> None:
    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for art in truth["articles"]:
        by_story[art["story_id"]].append(art)
    kinds = {s["story_id"]: s["kind"] for s in truth["stories"]}
    dispatch = by_story[next(k for k, v in kinds.items() if v == "agency-dispatch")]
    assert len({a["outlet"] for a in dispatch}) == 3
    assert len({tuple(a["paragraphs"]) for a in dispatch}) == 1
    assert len({a["title"] for a in dispatch}) == 2  # one outlet changed the headline
    release, reprint = sorted(
        by_story[next(k for k, v in kinds.items() if v == "press-release-reprint")], key=lambda a: -len(a["paragraphs"])
    )
    assert release["outlet"] != reprint["outlet"] and release["authors"] == []
    assert set(reprint["paragraphs"]) < set(release["paragraphs"])
    assert [p for p in release["paragraphs"] if p in reprint["paragraphs"]] == reprint["paragraphs"]
    ((first, second),) = truth["same_topic"]
    a, b = (next(x for x in truth["articles"] if x["id"] == i) for i in (first, second))
    assert a["outlet"] != b["outlet"] and a["story_id"] != b["story_id"]
    assert not {norm(p) for p in a["paragraphs"]} & {norm(p) for p in b["paragraphs"]}


def test_latin1_outlet_texts_fit_latin1(truth: dict[str, Any]) -> None:
    latin = {o["id"] for o in truth["outlets"] if o["encoding"] == "iso-8859-1"}
    for art in truth["articles"]:
        if art["outlet"] in latin:
            for text in (art["title"], *art["paragraphs"], *art["authors"]):
                text.encode("iso-8859-1")


def test_bodies_have_intertitles_quotes_and_lists() -> None:
    site = SandboxSite(seed=7)
    markup = Counter()
    for outlet in site.outlet_ids:
        for key, route in site.routes(outlet).items():
            if route.kind == "article":
                body = site.render(outlet, key)[2]
                for tag in (b"<h2", b"<h3", b"<blockquote", b"<li>", b"\xc2\xab", b"\xab"):
                    markup[tag] += tag in body
    assert markup[b"<h2"] + markup[b"<h3"] > 50
    assert markup[b"<blockquote"] > 50 and markup[b"<li>"] > 50


def test_pure_render_statuses() -> None:
    site = SandboxSite(
        seed=7, base_urls={o: f"http://127.0.0.1:{9000 + i}" for i, o in enumerate(SandboxSite.OUTLET_IDS)}
    )
    outlet = site.outlet_ids[0]
    status, headers, body = site.render(outlet, "/")
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert site.render(outlet, "/", {"If-None-Match": headers["ETag"]})[0] == 304
    assert site.render(outlet, "/", {"If-None-Match": '"other"'})[0] == 200
    assert site.render(outlet, "/", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert site.render(outlet, "/nope/")[0] == 404
    assert site.render(outlet, "/?utm_source=x&fbclid=y")[2] == body
    with pytest.raises(ValueError):
        SandboxSite(seed=7, base_urls={"voix-du-tarn": "http://127.0.0.1:1"})


# ------------------------------------------------------------------------- over HTTP


def test_sockets_bind_loopback_only(sandbox: Sandbox) -> None:
    assert len(sandbox.addresses) == 5
    assert {host for host, _ in sandbox.addresses} == {"127.0.0.1"}
    assert len({port for _, port in sandbox.addresses}) == 5
    for url in sandbox.base_urls.values():
        assert urlsplit(url).hostname == "127.0.0.1"


def test_every_article_url_answers_with_title_and_canonical(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    for art in truth["articles"]:
        for url in (art["url"], *art["alt_urls"]):
            status, headers, body = fetch(url)
            assert status == 200, url
            page = parse_page(body, headers)
            assert norm(page.h1) == norm(art["title"]), url
            assert page.canonical == art["canonical_url"]
            assert b'<html lang="fr"' in body


def test_latin1_outlet_serves_latin1_bytes(truth: dict[str, Any]) -> None:
    outlet = next(o for o in truth["outlets"] if o["encoding"] == "iso-8859-1")
    art = next(a for a in truth["articles"] if a["outlet"] == outlet["id"] and any(ch in a["title"] for ch in "éèàÉç"))
    status, headers, body = fetch(art["url"])
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert b'<meta charset="iso-8859-1">' in body
    assert art["title"].encode("iso-8859-1") in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_feeds_parse_and_link_articles(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    articles = {a["url"] for a in truth["articles"]}
    for source in sandbox.site.registry_sources():
        status, _headers, body = fetch(source["feeds"][0])
        assert status == 200
        root = ET.fromstring(body)
        if root.tag == f"{ATOM}feed":
            links = [
                e.get("href")
                for e in root.iter(f"{ATOM}link")
                if e.get("rel") == "alternate" and e.get("href", "").count("/") > 3
            ]
        else:
            assert root.tag == "rss" and root.get("version") == "2.0"
            links = [e.text or "" for e in root.iter("link")][1:]  # first is the channel's
        assert 15 <= len(links) <= 20
        for link in links:
            assert strip_tracking(link) in articles, link
            assert urlsplit(link).netloc == source["allowed_domains"][0]


def test_sitemaps_list_every_article(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    listed: set[str] = set()
    saw_gzip = False
    for source in sandbox.site.registry_sources():
        status, _, body = fetch(source["sitemaps"][0])
        assert status == 200
        root = ET.fromstring(body)
        if root.tag == f"{SM}sitemapindex":
            children = [e.text or "" for e in root.iter(f"{SM}loc")]
            assert len(children) == 2 and any(c.endswith(".xml.gz") for c in children)
            for child in children:
                status, headers, data = fetch(child)
                assert status == 200
                if child.endswith(".gz"):
                    saw_gzip = True
                    assert headers["Content-Type"] in ("application/x-gzip", "application/gzip")
                    data = gzip.decompress(data)
                listed |= {e.text or "" for e in ET.fromstring(data).iter(f"{SM}loc")}
        else:
            listed |= {e.text or "" for e in root.iter(f"{SM}loc")}
    assert saw_gzip
    assert {a["url"] for a in truth["articles"]} <= listed


def test_section_listings_reach_every_article(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    for source in sandbox.site.registry_sources():
        todo, seen, found = list(source["sections"]), set(), set()
        while todo:
            url = todo.pop()
            if url in seen:
                continue
            seen.add(url)
            status, headers, body = fetch(url)
            assert status == 200, url
            for href in parse_page(body, headers).links:
                link = urljoin(url, href)
                if re.search(source["article_pattern"], link):
                    found.add(link)
                elif (
                    urlsplit(link)
                    .path.rstrip("/")
                    .startswith(tuple(urlsplit(s).path.rstrip("/") for s in source["sections"]))
                ):
                    todo.append(link)
        expected = {a["url"] for a in truth["articles"] if a["outlet"] == source["id"]}
        assert expected <= found, (source["id"], len(expected - found))
        assert any("page" in u for u in seen)


def test_robots_txt(sandbox: Sandbox) -> None:
    for url in sandbox.base_urls.values():
        status, headers, body = fetch(url + "/robots.txt")
        text = body.decode()
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        assert f"Sitemap: {url}/sitemap.xml" in text
        assert re.search(r"^Disallow: /\S+", text, re.M)


def test_conditional_get_and_gzip(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    zipped = 0
    for outlet in truth["outlets"]:
        art = next(a for a in truth["articles"] if a["outlet"] == outlet["id"])
        status, headers, plain = fetch(art["url"])
        assert status == 200
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert etag and modified
        assert fetch(art["url"], {"If-None-Match": etag})[0] == 304
        assert fetch(art["url"], {"If-None-Match": '"stale"'})[0] == 200
        status, headers, body = fetch(art["url"], {"Accept-Encoding": "gzip"})
        assert status == 200
        if headers.get("Content-Encoding") == "gzip":
            zipped += 1
            assert gzip.decompress(body) == plain
            assert fetch(art["url"], {"If-None-Match": headers["ETag"], "Accept-Encoding": "gzip"})[0] == 304
        else:
            assert body == plain
    assert zipped >= 2


def test_unknown_paths_are_404(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    base = next(iter(sandbox.base_urls.values()))
    assert fetch(base + "/cette-page-n-existe-pas.html")[0] == 404
    art = truth["articles"][0]
    assert fetch(art["url"].replace(".html", "-x.html") + "x")[0] == 404
    blog = next(a for a in truth["articles"] if any("/?p=" in u for u in a["alt_urls"]))
    assert fetch(urljoin(blog["url"], "/?p=999999"))[0] == 404


def test_request_log(sandbox: Sandbox) -> None:
    sandbox.clear_requests()
    base = next(iter(sandbox.base_urls.values()))
    fetch(base + "/robots.txt?x=1", {"X-Probe": "yes"})
    fetch(base + "/absent")
    log = sandbox.requests
    assert [r["status"] for r in log] == [200, 404]
    assert log[0]["path"] == "/robots.txt?x=1" and log[0]["method"] == "GET"
    assert log[0]["headers"]["X-Probe"] == "yes" and log[0]["bytes"] > 0
    assert log[0]["outlet"] in sandbox.base_urls and isinstance(log[0]["time"], float)
    sandbox.clear_requests()
    assert sandbox.requests == []


def test_registry_round_trip_and_patterns(sandbox: Sandbox, truth: dict[str, Any], tmp_path: Path) -> None:
    sources = load_registry(sandbox.write_registry(tmp_path / "sources.toml"))
    assert [s.id for s in sources] == [o["id"] for o in truth["outlets"]]
    for source in sources:
        assert source.delay == 0.0 and source.region == "Occitanie" and source.feeds
        assert source.allowed_domains == [urlsplit(source.homepage).netloc]
        for art in truth["articles"]:
            if art["outlet"] == source.id:
                assert source.is_article_url(art["url"]), art["url"]
                assert source.allows(art["url"])
        for page in truth["pages"]:
            if page["outlet"] == source.id:  # gate pages (article_like) mimic article URLs on purpose
                assert source.is_article_url(page["url"]) == page["article_like"], page["url"]
    written = json.loads(sandbox.write_truth(tmp_path / "truth.json").read_text("utf-8"))
    assert written == json.loads(json.dumps(truth))


def test_trafilatura_finds_the_body() -> None:
    trafilatura = pytest.importorskip("trafilatura")
    site = SandboxSite(seed=7)
    truth = site.truth()
    for outlet in site.outlet_ids:
        arts = [a for a in truth["articles"] if a["outlet"] == outlet]
        for art in (arts[0], max(arts, key=lambda a: len(a["paragraphs"]))):
            status, headers, body = site.render(outlet, urlsplit(art["url"]).path)
            assert status == 200
            charset = headers["Content-Type"].split("charset=")[1]
            text = trafilatura.extract(body.decode(charset)) or ""
            got = Counter(re.findall(r"\w+", text.lower()))
            gold = Counter(re.findall(r"\w+", " ".join(art["paragraphs"]).lower()))
            common = sum((got & gold).values())
            precision, recall = common / max(1, sum(got.values())), common / sum(gold.values())
            assert 2 * precision * recall / (precision + recall) >= 0.9, art["id"]


def test_start_stop_and_fixed_ports() -> None:
    for _ in range(5):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first > 65000:
            continue
        sb = Sandbox(seed=7, port=first)
        try:
            sb.start()
        except OSError:
            continue
        try:
            assert [p for _, p in sb.addresses] == list(range(first, first + 5))
            assert fetch(sb.base_urls["voix-du-tarn"] + "/")[0] == 200
        finally:
            sb.stop()
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", first), timeout=1).close()
        return
    pytest.skip("no free run of 5 ports")


def test_serve_until_stopped(tmp_path: Path) -> None:
    registry, truth, log = tmp_path / "r.toml", tmp_path / "t.json", tmp_path / "log.jsonl"
    code = (
        "from pathlib import Path; from crawlers.sandbox import serve_until_stopped;"
        f"serve_until_stopped(0, Path({str(registry)!r}), Path({str(truth)!r}), seed=3,"
        f" log_out=Path({str(log)!r}))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 15
        while not (truth.exists() and truth.stat().st_size) and time.time() < deadline:
            time.sleep(0.05)
        sources = load_registry(registry)
        assert fetch(sources[0].homepage)[0] == 200
        assert json.loads(truth.read_text("utf-8"))["seed"] == 3
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert sources[0].homepage.rstrip("/") in out
    entry = json.loads(log.read_text("utf-8").splitlines()[0])
    assert entry["status"] == 200 and entry["path"] == "/"
