"""Feed, sitemap and listing parsers, tested on bytes with no network (as Scrapy tests its sitemap parser)."""

from __future__ import annotations

import gzip

from crawlers.discovery import is_pagination, parse_feed, parse_html_links, parse_sitemap

BASE = "http://127.0.0.1:8100/"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>La Gazette</title>
<item><title>Un</title><link>http://127.0.0.1:8100/a/un.html?utm_source=rss</link>
<pubDate>Thu, 10 Mar 2016 18:52:00 +0100</pubDate></item>
<item><title>Deux</title><guid isPermaLink="true">http://127.0.0.1:8100/a/deux.html</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
<entry><title>Billet</title><link rel="alternate" href="/2021/02/03/billet/"/>
<link rel="replies" href="/2021/02/03/billet/#comments"/><published>2021-02-03T10:00:00+01:00</published></entry>
</feed>"""


def test_rss_and_atom_links_with_dates() -> None:
    links = parse_feed(RSS, BASE)
    assert [link.url for link in links] == [
        "http://127.0.0.1:8100/a/un.html?utm_source=rss",
        "http://127.0.0.1:8100/a/deux.html",
    ]
    assert links[0].listed_at == "Thu, 10 Mar 2016 18:52:00 +0100"
    (entry,) = parse_feed(ATOM, BASE)
    assert entry.url == "http://127.0.0.1:8100/2021/02/03/billet/"
    assert entry.listed_at == "2021-02-03T10:00:00+01:00"


def test_malformed_feed_gives_what_it_can() -> None:
    broken = RSS.replace(b"</channel></rss>", b"<item><title>cut")
    assert len(parse_feed(broken, BASE)) == 2
    assert parse_feed(b"not xml at all", BASE) == []


def test_sitemap_index_and_gzipped_urlset() -> None:
    index = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>http://127.0.0.1:8100/sitemap-1.xml.gz</loc></sitemap></sitemapindex>"
    )
    children, pages = parse_sitemap(index, BASE)
    assert [c.url for c in children] == ["http://127.0.0.1:8100/sitemap-1.xml.gz"] and pages == []
    urlset = gzip.compress(
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        b"<url><loc>http://127.0.0.1:8100/a/un.html</loc><lastmod>2016-03-10</lastmod></url>"
        b"<url><loc>http://127.0.0.1:8100/a/deux.html</loc><news:news><news:publication_date>"
        b"2020-09-17T08:00:00+02:00</news:publication_date></news:news></url></urlset>"
    )
    children, pages = parse_sitemap(urlset, BASE)
    assert children == []
    assert [(p.url, p.listed_at) for p in pages] == [
        ("http://127.0.0.1:8100/a/un.html", "2016-03-10"),
        ("http://127.0.0.1:8100/a/deux.html", "2020-09-17T08:00:00+02:00"),
    ]


def test_html_links_absolute_unique_without_fragments() -> None:
    html = (
        b'<html><head><link rel="next" href="?page=2"><link rel="stylesheet" href="/s.css"></head>'
        b'<body><a href="/a/un.html#comments">1</a><a href="/a/un.html">1</a>'
        b'<a href="mailto:x@y.fr">m</a><a href="https://ailleurs.fr/x">x</a></body></html>'
    )
    assert parse_html_links(html, "http://127.0.0.1:8100/economie/") == [
        "http://127.0.0.1:8100/economie/?page=2",
        "http://127.0.0.1:8100/a/un.html",
        "https://ailleurs.fr/x",
    ]


def test_pagination_stays_in_its_section() -> None:
    section = "http://127.0.0.1:8100/economie/"
    assert is_pagination("http://127.0.0.1:8100/economie/?page=3", section)
    assert is_pagination("http://127.0.0.1:8100/economie/page/2/", section)
    assert not is_pagination("http://127.0.0.1:8100/sport/?page=2", section)
    assert not is_pagination("http://127.0.0.1:8100/economie/un-article.html", section)
    assert is_pagination("http://127.0.0.1:8100/economie/page/3/", "http://127.0.0.1:8100/economie/page/2/")


def test_feeds_announced_by_a_page() -> None:
    from crawlers.discovery import parse_feed_links

    html = (
        b'<html><head><link rel="alternate" type="application/rss+xml" title="Une" href="/rss/une.xml">'
        b'<link rel="alternate" type="application/atom+xml" href="https://127.0.0.1:8100/feed/atom/">'
        b'<link rel="alternate" hreflang="en" href="/en/"><link rel="stylesheet" href="/s.css">'
        b'<link rel="alternate" type="application/rss+xml" href="/rss/une.xml"></head></html>'
    )
    assert parse_feed_links(html, BASE) == ["http://127.0.0.1:8100/rss/une.xml", "https://127.0.0.1:8100/feed/atom/"]
    assert parse_feed_links(b"", BASE) == []


def test_sitemap_lines_of_robots_txt() -> None:
    from crawlers.discovery import robots_sitemaps

    robots = (
        b"User-agent: *\nDisallow: /admin/\n\nSitemap: http://127.0.0.1:8100/sitemap.xml\n"
        b"sitemap: /news-sitemap.xml\nSitemap: http://127.0.0.1:8100/sitemap.xml\n# Sitemap: /commented.xml\n"
    )
    assert robots_sitemaps(robots, BASE + "robots.txt") == [
        "http://127.0.0.1:8100/sitemap.xml",
        "http://127.0.0.1:8100/news-sitemap.xml",
    ]


def test_binary_files_are_recognised() -> None:
    from crawlers.discovery import is_binary

    assert is_binary("http://x.fr/docs/Rapport.PDF") and is_binary("http://x.fr/p.jpg?w=300")
    assert not is_binary("http://x.fr/2016/03/article.html") and not is_binary("http://x.fr/pdf-et-photos/")


def test_nested_index_of_gzipped_news_sitemaps() -> None:
    inner = gzip.compress(
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>/a/trois.html</loc>'
        b"<lastmod>2026-11-01</lastmod><news:news><news:publication_date>2026-10-31T18:00:00+01:00"
        b"</news:publication_date></news:news></url></urlset>"
    )
    children, pages = parse_sitemap(inner, BASE)
    assert children == [] and [(p.url, p.listed_at) for p in pages] == [
        ("http://127.0.0.1:8100/a/trois.html", "2026-10-31T18:00:00+01:00")
    ]  # the news date wins
    nested = gzip.compress(
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
        b"<loc>http://127.0.0.1:8100/news-1.xml.gz</loc><lastmod>2026-11-01</lastmod>"
        b"</sitemap></sitemapindex>"
    )
    children, pages = parse_sitemap(nested, BASE)
    assert [(c.url, c.listed_at) for c in children] == [("http://127.0.0.1:8100/news-1.xml.gz", "2026-11-01")]
