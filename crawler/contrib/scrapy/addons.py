"""Scrapy add-ons of the project (enabled through the ``ADDONS`` setting)."""

from __future__ import annotations

from typing import Any

from crawler.secret_files import FILE_SETTINGS, read_secret_file


class SecretFiles:
    """Replace each ``*_FILE`` setting of :data:`crawler.secret_files.FILE_SETTINGS` by the
    file's content, so URLs with passwords never appear on command lines or in Scrapyd's log."""

    def update_settings(self, settings: Any) -> None:
        for file_setting, target in FILE_SETTINGS.items():
            path = settings.get(file_setting)
            if path:
                settings.set(target, read_secret_file(path), priority="cmdline")
