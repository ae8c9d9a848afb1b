"""Spider arguments as data: every spider's arguments have a meaning, and a name no spider
reads is refused everywhere a crawl can be asked for, before anything runs or is stored."""

from __future__ import annotations

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from cli.main import main
from crawler.spiders.arguments import UnknownArgument, accepted, check
from crawler.spiders.people import PeopleSpider

SPIDERS = SpiderLoader.from_settings(get_project_settings())


@pytest.mark.parametrize("name", SPIDERS.list())
def test_every_argument_of_every_spider_has_a_meaning(name):
    arguments = accepted(SPIDERS.load(name))
    assert {"since", "until", "base_url", "incremental"} <= set(arguments)
    assert {argument for argument, meaning in arguments.items() if not meaning} == set()


def test_the_arguments_a_spider_reads_are_accepted_and_a_typo_is_refused_with_a_suggestion():
    check(PeopleSpider, ["channel", "since", "max_list_pages", "recheck_days", "_job"])  # _job: Scrapyd's
    with pytest.raises(UnknownArgument, match=r"-a sinse=… is not an argument of the people spider \(did you mean since\?\)"):
        check(PeopleSpider, ["channel", "sinse"])


def test_plain_scrapy_refuses_an_unknown_argument_before_the_spider_starts():
    with pytest.raises(UnknownArgument, match="chanel"):
        PeopleSpider.from_crawler(get_crawler(PeopleSpider), chanel="js")


@pytest.mark.parametrize("typo", ["sinse=2020-01-01", "chanel=js", "foo=bar"])
def test_a_crawl_with_an_unknown_argument_is_refused_and_stores_nothing(typo, tmp_path, capsys):
    db = tmp_path / "archive.db"
    assert main(["--db", f"sqlite:///{db}", "crawl", "people", "-a", "channel=js", "-a", typo]) == 2
    err = capsys.readouterr().err
    assert f"-a {typo.partition('=')[0]}=… is not an argument of the people spider" in err
    assert "it takes: base_url, channel," in err
    assert not db.exists()


def test_a_schedule_with_an_unknown_argument_is_not_stored(sqlite_url, capsys):
    assert main(["--db", sqlite_url, "schedule", "add", "js", "people", "-a", "channel=js", "-a", "foo=bar",
                 "--every", "1d"]) == 2
    assert "-a foo=… is not an argument" in capsys.readouterr().err
    assert main(["--db", sqlite_url, "schedule", "list"]) == 0
    assert "no schedules" in capsys.readouterr().out


@pytest.mark.parametrize("name", SPIDERS.list())
def test_crawl_spider_help_lists_its_arguments_with_their_meanings(name, capsys):
    assert main(["crawl", name, "--help"]) == 0
    out = capsys.readouterr().out
    for argument, meaning in accepted(SPIDERS.load(name)).items():
        assert f"-a {argument}=…" in out and meaning[:40] in " ".join(out.split())


def test_seeding_a_frontier_with_an_unknown_argument_is_refused_before_redis_is_asked(capsys):
    assert main(["seed", "people", "-a", "channel=js", "-a", "foo=bar", "--redis", "redis://127.0.0.1:1/0"]) == 2
    assert "-a foo=… is not an argument of the people spider" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "argument", "known"), [("people", "channel", "js"), ("xinhua", "channel", "js"),
                                                         ("epaper", "paper", "xhrb")])
def test_a_missing_or_unknown_table_name_is_refused_with_the_names_the_table_knows(name, argument, known):
    spider = SPIDERS.load(name)
    with pytest.raises(ValueError, match=rf"-a {argument}=NAME is required: .* one of: .*\b{known}\b"):
        spider()
    with pytest.raises(ValueError, match=rf"-a {argument}='nowhere' is not a known .*; use one of: .*\b{known}\b"):
        spider(**{argument: "nowhere", "date": "2024-05-10"})
