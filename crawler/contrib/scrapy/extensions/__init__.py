"""Scrapy extensions every crawl runs: job record, progress line, spider state."""
