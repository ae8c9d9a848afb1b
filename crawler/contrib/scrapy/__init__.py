"""The Scrapy adapters: every class Scrapy builds from the settings, in one place.

What they decide is Scrapy-free and lives elsewhere (:mod:`crawler.fetch_rules`,
:mod:`crawler.pauses`, :mod:`crawler.blocks`, :mod:`crawler.disk_full`,
:mod:`crawler.secret_files`, :mod:`operations.incremental`, :mod:`operations.jobs`,
:mod:`operations.figures`); here is only how each is wired into a crawl. Item pipelines
stay in the top-level :mod:`pipelines` package, the Redis worker in :mod:`crawler.distributed`.

- ``middlewares/``: ``gate`` (every request must be http(s) to the crawl's own sites),
  ``incremental`` (skip archived articles, re-check young ones), ``size_limits`` (memory
  bounds per response), ``politeness`` (Crawl-delay, Retry-After, block pages),
  ``capture`` (every response a Capture item, redirect chains kept);
- ``extensions/``: ``jobs`` (the crawl's job record and health checks), ``progress`` (the
  live line at a terminal), ``spider_state`` (Scrapy's, safe on a full disk);
- ``scheduler.py``: Scrapy's scheduler, stopping the crawl when its job folder is full;
- ``addons.py``: secrets read from 0600 files; ``stop.py``: ending a crawl loudly, once.

The seams between them and the spiders are declared, never attributes made up at run time:

- spider → adapters: :class:`crawler.spiders.base.ArchiveSpider` declares what adapters
  read (``allowed_sites``, ``private_addresses_allowed``, ``base_url``, ``arguments``) and
  the one thing one sets (``list_page_stale``, filled by the incremental middleware);
- request meta keys, each a constant of the module that sets it: ``HOPS_META`` (capture),
  ``BLOCK_META`` / ``BLOCK_RETRIES_META`` (politeness), ``CONDITIONAL`` (incremental); the
  response flag ``TRUNCATED`` (size_limits, read by the spiders through ``truncation_detail``);
- stats keys: ``STOPPED_KEY`` (stop), ``operations.figures`` names those the job record reads.
"""
