"""Scrapy settings for newsarchive.

Polite by default for real sites: robots.txt obeyed, AutoThrottle on, a descriptive
User-Agent, retries with back-off. Spiders pointed at a loopback ``base_url`` (the local
replica) lift the delays themselves (see ``crawler.spiders.base.ArchiveSpider``).
The components (middlewares, extensions, scheduler, add-ons) all live in
``crawler/contrib/scrapy/``; item pipelines in ``pipelines/``.
newsarchive's own settings (``NEWSARCHIVE_*``) are defined, with defaults and meanings, in
``crawler/default_settings.py`` (the one reference; ``docs/settings.md`` is generated from it).
"""

import os

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive; news archiving crawler)"
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
#: One request at a time per host (http and https of a host share Scrapy's slot).
CONCURRENT_REQUESTS_PER_DOMAIN = 1
#: Scrapy starts this many asyncio worker tasks for *every* response's callback output
#: (default 100). Our callbacks yield one article or a list page's few dozen links, and
#: the pipelines are synchronous, so 8 lose nothing; the default's 100 task start-ups per
#: response cost ~9 % of a crawl's CPU.
CONCURRENT_ITEMS = 8
DOWNLOAD_TIMEOUT = 30
#: Memory bounds per response (see crawler/contrib/scrapy/middlewares/size_limits.py). News
#: article pages are well under 0.5 MB: a page larger than NEWSARCHIVE_PAGE_MAXSIZE (2 MiB, crawler/default_settings.py) is
#: kept cut to that size with an ``oversized`` problem; a body that decompresses past
#: DOWNLOAD_MAXSIZE (a gzip/deflate/brotli bomb) is refused and counted in
#: ``newsarchive/problems/refused``; DOWNLOAD_WARNSIZE logs a warning for unusually large pages;
#: SCRAPER_SLOT_MAX_ACTIVE_SIZE bounds the bytes of responses waiting for the spider (Scrapy
#: then stops starting downloads).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 5_000_000
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
#: Scrapy's RemoteControl runs Python code sent to it over HTTP and leaves token files behind.
REMOTE_CONTROL_ENABLED = False
#: Only http and https are ever fetched (see crawler/contrib/scrapy/middlewares/gate.py): a page must not make us read local files.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 15.0
FEED_EXPORT_ENCODING = "utf-8"

SPIDER_MIDDLEWARES = {
    "crawler.contrib.scrapy.middlewares.capture.CaptureMiddleware": 950,
}

DOWNLOADER_MIDDLEWARES = {
    "crawler.contrib.scrapy.middlewares.gate.RequestGate": 10,
    "crawler.contrib.scrapy.middlewares.incremental.IncrementalMiddleware": 50,
    "crawler.contrib.scrapy.middlewares.size_limits.PageSizeMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.contrib.scrapy.middlewares.size_limits.BoundedDecompressionMiddleware": 590,
    # Crawl-delay, Retry-After, 429/503 back-off, block pages, unreachable hosts: sees
    # each answer before RetryMiddleware (550) retries it.
    "crawler.contrib.scrapy.middlewares.politeness.HostPoliteness": 560,
    # keeps each redirect answer for the capture (before RedirectMiddleware, 600, follows it)
    "crawler.contrib.scrapy.middlewares.capture.RedirectChain": 610,
}

#: URLs with passwords arrive as files, not settings (crawler/secret_files.py, crawler/contrib/scrapy/addons.py).
ADDONS = {
    "crawler.contrib.scrapy.addons.SecretFiles": 0,
}

EXTENSIONS = {
    "scrapy.extensions.spiderstate.SpiderState": None,
    "crawler.contrib.scrapy.extensions.spider_state.DiskFullSafeSpiderState": 0,  # the same, safe on a full disk
    "crawler.contrib.scrapy.extensions.jobs.JobRecorder": 100,
    "crawler.contrib.scrapy.extensions.progress.Progress": 200,
}

#: Scrapy's scheduler, but a job folder that cannot be written stops the crawl (see crawler/contrib/scrapy/scheduler.py).
SCHEDULER = "crawler.contrib.scrapy.scheduler.DiskFullSafeScheduler"

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalise.NormalisePipeline": 200,
    "pipelines.store.StorePipeline": 900,
}

#: Archive database; the ``--db`` option and ``NEWSARCHIVE_DATABASE_URL`` override it.
NEWSARCHIVE_DATABASE_URL = os.environ.get("NEWSARCHIVE_DATABASE_URL", "sqlite:///data/archive.db")
