"""Take the screenshots in docs/ui/ of each main page, with Debian's headless chromium.

    .venv/bin/python docs/ui/screenshots.py --db sqlite:///data/archive.db   # after `make demo`

Pages: search (with facets and histogram), an article, a version diff, a capture view,
an editor's page, the operators' page and a job. The diff needs an article with two
versions; when the archive has none, that shot is taken on the web tests' small archive.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from models.engine import make_engine, session_factory  # noqa: E402
from models.operations import Schedule  # noqa: E402
from models.schema import Article, ArticlePerson, CrawlJob, Person, VersionCapture  # noqa: E402
from operations.crawl import prepare_archive  # noqa: E402
from operations.schedules import add_schedule  # noqa: E402
from tests.browser import LiveServer, chromium_driver  # noqa: E402
from tests.web_support import build_web_archive  # noqa: E402
from web.auth import hash_password  # noqa: E402
from web.app import WebConfig  # noqa: E402

OUT = Path(__file__).resolve().parent
PASSWORD = "screenshots"


def targets(url: str) -> dict[str, str]:
    """Page paths worth showing in this archive (and a schedule for the operators' page)."""
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            if session.scalar(select(func.count()).select_from(Schedule)) == 0:
                add_schedule(session, "js-daily", "people", {"channel": "js"}, every="1d")
            article = session.scalar(select(Article.id).where(Article.current_version > 1).limit(1)) or session.scalar(
                select(Article.id).join(ArticlePerson).order_by(Article.id).limit(1))
            editor = session.scalar(select(Person.name).join(ArticlePerson).where(ArticlePerson.role == "editor").limit(1))
            capture = session.scalar(select(VersionCapture.capture_id).where(VersionCapture.capture_id.is_not(None)).limit(1))
            job = session.scalar(select(func.max(CrawlJob.id)))
            word = (session.scalar(select(Article.title).where(Article.title.is_not(None)).limit(1)) or "新闻")[:2]
    finally:
        engine.dispose()
    pages = {"search": f"/?q={word}", "article": f"/articles/{article}", "capture": f"/captures/{capture}",
             "person": f"/editors/{editor}", "operators": "/ops"}
    if job:
        pages["job"] = f"/ops/jobs/{job}"
    return pages


def shoot(url: str, pages: dict[str, str]) -> None:
    with LiveServer(WebConfig(url, hash_password(PASSWORD))) as server:
        browser = chromium_driver()
        try:
            browser.get(server.url + "/login")
            browser.find_element("id", "password").send_keys(PASSWORD)
            browser.find_element("id", "login").click()
            WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/ops"))
            for name, path in pages.items():
                browser.get(server.url + path)
                time.sleep(0.8)  # charts drawn, frame loaded
                height = browser.execute_script("return document.body.scrollHeight")
                browser.set_window_size(1280, min(max(height, 700), 1800))
                browser.save_screenshot(str(OUT / f"{name}.png"))
                print(f"docs/ui/{name}.png  {path}")
        finally:
            browser.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="archive to show (e.g. the demo's sqlite:///data/archive.db)")
    args = parser.parse_args()
    url = prepare_archive(args.db)
    shoot(url, targets(url))
    with tempfile.TemporaryDirectory() as folder:
        small = build_web_archive(f"sqlite:///{Path(folder) / 'web.db'}")
        shoot(small.url, {"diff": f"/articles/{small.nantong_id}?old=1&new=2#diff"})


if __name__ == "__main__":
    main()
