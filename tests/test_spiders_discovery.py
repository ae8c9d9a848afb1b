"""Reading what sites announce: robots.txt Sitemap lines, sitemaps and indexes, RSS/Atom feeds."""

from __future__ import annotations

import gzip
from datetime import date

from scrapy.http import HtmlResponse

from crawler.spiders.discovery import feeds_linked, read_feed, read_sitemap, sitemaps_in_robots

URLSET = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          b"<url><loc>https://a.cn/1.html</loc><lastmod>2024-05-10T08:00:00+08:00</lastmod></url>"
          b"<url><loc>https://a.cn/2.html</loc></url><url><lastmod>2024-05-10</lastmod></url></urlset>")


def test_robots_txt_sitemap_lines_are_made_absolute_once_each() -> None:
    robots = b"User-agent: *\nDisallow: /x/\nSitemap: /sitemap.xml\nsitemap: https://a.cn/news.xml\nSitemap: /sitemap.xml\n"
    assert sitemaps_in_robots(robots, "https://a.cn/robots.txt") == ["https://a.cn/sitemap.xml", "https://a.cn/news.xml"]


def test_a_sitemap_gives_its_pages_with_their_lastmod_day_gzipped_or_not() -> None:
    for body in (URLSET, gzip.compress(URLSET)):
        sitemap = read_sitemap(body, "https://a.cn/sitemap.xml")
        assert not sitemap.is_index
        assert sitemap.pages == [("https://a.cn/1.html", date(2024, 5, 10)), ("https://a.cn/2.html", None)]


def test_a_sitemap_index_gives_its_sitemaps() -> None:
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.cn/s1.xml.gz</loc>'
             b"<lastmod>2023-01-02</lastmod></sitemap></sitemapindex>")
    sitemap = read_sitemap(index, "https://a.cn/index.xml")
    assert sitemap.is_index and sitemap.sitemaps == [("https://a.cn/s1.xml.gz", date(2023, 1, 2))] and sitemap.pages == []


def test_hostile_sitemaps_read_as_empty_and_never_resolve_entities(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.cn/&x;</loc></url></urlset>').encode()
    assert all("TOPSECRET" not in url for url, _ in read_sitemap(xxe, "https://a.cn/s.xml").pages)
    for body in (b"\x1f\x8b\x08broken gzip", b"", b"<html><body>not a sitemap</body></html>", b"\x00\xff" * 50):
        found = read_sitemap(body, "https://a.cn/s.xml")
        assert found.pages == [] and found.sitemaps == []


def test_rss_and_atom_entries_give_links_and_days() -> None:
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
           b"<item><title>a</title><link>https://a.cn/1.html</link><pubDate>Fri, 10 May 2024 08:00:00 +0800</pubDate></item>"
           b"<item><title>no link</title></item><item><link>/2.html</link></item></channel></rss>")
    assert read_feed(rss, "https://a.cn/rss.xml") == [("https://a.cn/1.html", date(2024, 5, 10)), ("https://a.cn/2.html", None)]
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>a</title>'
            b'<link href="https://a.cn/3.html"/><id>3</id><updated>2024-05-11T10:00:00Z</updated></entry></feed>')
    assert read_feed(atom, "https://a.cn/atom.xml") == [("https://a.cn/3.html", date(2024, 5, 11))]
    assert read_feed(b"<html>not a feed", "https://a.cn/x") == []


def test_feeds_a_page_announces_are_found_and_other_alternates_are_not() -> None:
    html = (b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
            b'<link rel="alternate" type="application/atom+xml" href="https://a.cn/atom.xml">'
            b'<link rel="alternate" hreflang="en" href="/en/"><link rel="stylesheet" href="/s.css"></head></html>')
    response = HtmlResponse("https://a.cn/news/", body=html, encoding="utf-8")
    assert feeds_linked(response) == ["https://a.cn/rss.xml", "https://a.cn/atom.xml"]
