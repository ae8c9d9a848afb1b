"""The news.cn replica channel announcing its articles by sitemaps and feeds, for the generic spider.

robots.txt names a sitemap index, which leads to a gzipped sitemap (the 2022 articles)
and a plain one (2021); the home page announces an RSS feed (the 2020 articles) and an
Atom feed, not linked anywhere, is given to the crawl by hand (the rest). No article is
linked from the home page, so only discovery finds them; every part must work for a
crawl to archive them all.
"""

from __future__ import annotations

import gzip
from datetime import datetime
from email.utils import format_datetime
from html import escape
from zoneinfo import ZoneInfo

from crawler.replica.pages import ReplicaPage
from crawler.replica.xinhua import XinhuaArticle, XinhuaSite, build_xinhua_site

ATOM_PATH = "/atom.xml"


def _xml(body: str, content_type: str = "application/xml") -> ReplicaPage:
    return ReplicaPage(200, content_type, body.encode("utf-8"))


def _urlset(articles: list[XinhuaArticle]) -> str:
    entries = "".join(f"<url><loc>{a.path}</loc><lastmod>{a.day}</lastmod></url>" for a in articles)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def build_announcing_site(base_url: str) -> XinhuaSite:
    """The channel's pages with sitemap and feed files whose URLs are absolute on ``base_url``."""
    site = build_xinhua_site()
    by_year = {year: [a for a in site.articles if a.day.startswith(year)] for year in ("2022", "2021", "2020")}
    absolute = {a.path: base_url + a.path for a in site.articles}
    site.pages["/robots.txt"] = ReplicaPage(200, "text/plain", f"User-agent: *\nDisallow: /search/\nSitemap: {base_url}/sitemap_index.xml\n".encode())
    site.pages["/sitemap_index.xml"] = _xml(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base_url}/sitemaps/2022.xml.gz</loc><lastmod>2022-06-20</lastmod></sitemap>"
        f"<sitemap><loc>{base_url}/sitemaps/2021.xml</loc><lastmod>2021-12-02</lastmod></sitemap>"
        "<sitemap><loc>http://elsewhere.example/sitemap.xml</loc></sitemap></sitemapindex>")
    site.pages["/sitemaps/2022.xml.gz"] = ReplicaPage(200, "application/x-gzip", gzip.compress(
        _urlset(by_year["2022"]).replace("<loc>/", f"<loc>{base_url}/").encode()))
    site.pages["/sitemaps/2021.xml"] = _xml(_urlset(by_year["2021"][:-2]).replace("<loc>/", f"<loc>{base_url}/"))
    rss_items = "".join(
        f"<item><title>{escape(a.title)}</title><link>{absolute[a.path]}</link>"
        f"<pubDate>{_rfc822(a)}</pubDate></item>" for a in by_year["2020"])
    site.pages["/rss.xml"] = _xml(f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>河北</title>'
                                  f"<link>{base_url}/</link>{rss_items}</channel></rss>", "application/rss+xml")
    atom_entries = "".join(
        f'<entry><title>{escape(a.title)}</title><link href="{absolute[a.path]}"/><id>{absolute[a.path]}</id>'
        f"<updated>{a.day}T00:00:00+08:00</updated></entry>" for a in by_year["2021"][-2:])
    site.pages[ATOM_PATH] = _xml(f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                                 f"<title>河北</title>{atom_entries}</feed>", "application/atom+xml")
    site.pages["/"] = ReplicaPage(200, "text/html; charset=utf-8", (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>新华网河北频道</title>'
        '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml"></head>'
        "<body><p>欢迎访问</p></body></html>").encode())
    return site


def _rfc822(article: XinhuaArticle) -> str:
    return format_datetime(datetime.fromisoformat(article.published_at).replace(tzinfo=ZoneInfo("Asia/Shanghai")))
