"""The live progress line: what an operator watching a crawl sees."""

from __future__ import annotations

import io

from crawler.contrib.scrapy.extensions.progress import Progress
from operations.figures import progress_line


def test_progress_line_counts_pages_articles_rate_and_errors() -> None:
    stats = {
        "downloader/response_count": 120,
        "newsarchive/articles/new": 80,
        "newsarchive/articles/unchanged": 5,
        "newsarchive/articles/duplicate": 3,
        "newsarchive/http_status/200": 117,
        "newsarchive/http_status/404": 2,
        "newsarchive/http_status/503": 1,
        "downloader/exception_count": 4,
        "scheduler/enqueued": 150,
        "scheduler/dequeued": 121,
    }
    line = progress_line(stats, elapsed=60.0)
    assert "pages 120" in line
    assert "new 80" in line and "unchanged 5" in line and "dup 3" in line and "changed 0" in line
    assert "2.0 pages/s" in line
    assert "errors 7" in line  # 404 + 503 + 4 connection failures; 200s are not errors
    assert "queued 29" in line


def test_progress_redraws_one_line_and_ends_with_a_newline() -> None:
    class Stats:
        def get_stats(self) -> dict[str, int]:
            return {"downloader/response_count": 3}

    stream = io.StringIO()
    progress = Progress(Stats(), 1.0, stream)
    progress.draw()
    progress.closed(spider=None)
    out = stream.getvalue()
    assert out.count("\r") == 1 and out.endswith("\n")
    assert out.count("pages 3") == 2
