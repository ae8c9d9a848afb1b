"""A bundled, deterministic imitation of a people.com.cn provincial channel.

The demo, the tests and the benchmarks crawl it on 127.0.0.1 instead of a real site:
``build_site()`` (in :mod:`crawler.replica.site`) makes the pages and their ground truth,
:mod:`crawler.replica.server` serves them. Modules: ``vocabulary`` and ``content``
generate article text, ``templates`` renders HTML, ``pages`` holds the lazily rendered
page map, ``variants`` lists named site variations.
"""
