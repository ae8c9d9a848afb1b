"""Downloader and spider middlewares every crawl runs (their order: ``crawler/settings.py``)."""
