"""``newsarchive replica`` sub-commands."""

from __future__ import annotations

import threading
import urllib.request

import pytest

from cli import replica as replica_cli
from cli.main import main


def test_list_prints_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replica", "list", "--articles", "60", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "seed 5" in out
    assert any(line.split() == ["articles", "60"] for line in out.splitlines())
    assert "mirror articles" in out and "/GB/360302/index.html" in out


def test_too_few_articles_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["replica", "list", "--articles", "3"])
    assert exit_info.value.code == 2
    assert "at least" in capsys.readouterr().err


def serving_once(probe: str | None = None):
    """A stand-in for ``serve_forever`` that answers one request (for ``probe``, else the start page) and returns."""
    from crawler.replica import server as server_module

    def serve_once(site, host, port, *, on_ready):
        running = server_module.ReplicaServer(site, host, port)
        on_ready(running.base_url)
        worker = threading.Thread(target=running.handle_request)
        worker.start()
        with urllib.request.urlopen(running.base_url + (probe or site.start_path), timeout=10) as response:
            assert response.status == 200
        worker.join()
        running.server_close()

    return serve_once


def test_serve_announces_the_base_url_and_serves(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(replica_cli, "serve_forever", serving_once())
    assert main(["replica", "serve", "--port", "0", "--articles", "20"]) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:" in out and "/GB/360302/index.html" in out


@pytest.mark.parametrize(("site", "spider", "probe"), [
    ("epaper", "crawl epaper -a paper=xhrb -a date=2015-05-11", "/mp2/html/2015-05/11/node_1.htm"),
    ("xinhua", "crawl xinhua -a channel=he", "/society/index.htm"),
    ("xhby", "crawl xhby", "/channel/jiangsu.html"),
])
def test_serve_site_serves_that_replica_and_prints_the_crawls_that_archive_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], site: str, spider: str, probe: str
) -> None:
    monkeypatch.setattr(replica_cli, "serve_forever", serving_once(probe))
    assert main(["replica", "serve", "--site", site, "--port", "0"]) == 0
    out = capsys.readouterr().out
    assert spider in out and "-a base_url=http://127.0.0.1:" in out
