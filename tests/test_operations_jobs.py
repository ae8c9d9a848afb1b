"""The job recorder saves a running crawl's stats on its job row (live progress for
operators), and never overwrites a finished job's final stats."""

from __future__ import annotations

from scrapy import Spider
from scrapy.utils.test import get_crawler

from models.engine import make_engine, session_factory
from models.repository import finish_job
from models.schema import CrawlJob
from crawler.contrib.scrapy.extensions.jobs import JobRecorder


def test_a_running_crawls_stats_reach_its_job_and_a_finished_jobs_do_not_change(migrated_db_url):
    crawler = get_crawler(Spider, {"NEWSARCHIVE_DATABASE_URL": migrated_db_url,
                                   "NEWSARCHIVE_JOB_PROGRESS_INTERVAL": 0})
    recorder = JobRecorder(crawler)
    recorder.spider_opened(Spider(name="people"))
    crawler.stats.set_value("downloader/response_count", 17)
    recorder.report_progress()
    sessions = session_factory(make_engine(migrated_db_url))
    with sessions.begin() as session:
        job = session.get_one(CrawlJob, recorder.job_id)
        assert job.finished_at is None and job.stats["downloader/response_count"] == 17
        finish_job(session, recorder.job_id, "finished", {"downloader/response_count": 20})
    crawler.stats.set_value("downloader/response_count", 99)
    recorder.report_progress()
    with sessions() as session:
        assert session.get_one(CrawlJob, recorder.job_id).stats["downloader/response_count"] == 20
    sessions.kw["bind"].dispose()
