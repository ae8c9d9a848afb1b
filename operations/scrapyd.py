"""Talking to a Scrapyd server: deploy the project, start crawls, check it is up.

Scrapyd runs any code uploaded to it, so it must not be reachable by strangers: the
shipped ``scrapyd.conf`` binds to 127.0.0.1, and before exposing it an operator sets
``username``/``password`` there (Scrapyd then demands HTTP basic auth on every call; see
README). :class:`Scrapyd` sends those credentials, taken from the URL
(``http://user:secret@host:6800``) or from ``$NEWSARCHIVE_SCRAPYD_USERNAME`` /
``$NEWSARCHIVE_SCRAPYD_PASSWORD``, so they need not appear on command lines.

Deploying builds the project egg in memory (packages plus an ``EGG-INFO`` naming
``crawler.settings`` as the Scrapy settings module, exactly what ``scrapyd-deploy``
produces, without writing a ``setup.py`` into the checkout) and uploads it through
``addversion.json``.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

#: Repository root: the packages an egg carries live here.
REPO = Path(__file__).resolve().parents[1]
#: Packages the crawl needs inside Scrapyd (the CLI and read side stay out).
EGG_PACKAGES = ("crawler", "pipelines", "models", "migrations", "operations")
#: Non-Python files those packages read at run time.
EGG_DATA_SUFFIXES = (".json", ".toml", ".mako")
DEFAULT_PROJECT = "newsarchive"
USERNAME_ENV = "NEWSARCHIVE_SCRAPYD_USERNAME"
PASSWORD_ENV = "NEWSARCHIVE_SCRAPYD_PASSWORD"


class ScrapydError(RuntimeError):
    """Scrapyd could not be reached or refused a call; the message says what to do."""


@dataclass(frozen=True)
class Scrapyd:
    """One Scrapyd server. ``url`` carries no credentials (safe to log)."""

    url: str
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0

    @classmethod
    def from_url(cls, url: str) -> Scrapyd:
        """Read credentials from the URL's user part, else from the environment."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ScrapydError(f"{url!r} is not a Scrapyd URL: use e.g. http://127.0.0.1:6800")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        clean = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        return cls(clean, parts.username or os.environ.get(USERNAME_ENV),
                   parts.password or os.environ.get(PASSWORD_ENV))

    def _call(self, method: str, endpoint: str, data: Any = None, files: Any = None) -> dict[str, Any]:
        auth = (self.username, self.password or "") if self.username else None
        try:
            response = requests.request(method, f"{self.url}/{endpoint}", data=data, files=files,
                                        auth=auth, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ScrapydError(f"Scrapyd at {self.url} is unreachable ({type(exc).__name__}): start it "
                               "(`scrapyd` in a folder holding scrapyd.conf) or fix the URL") from exc
        if response.status_code == 401:
            raise ScrapydError(f"Scrapyd at {self.url} wants a username and password: give them in the URL "
                               f"(http://user:secret@host:port) or in ${USERNAME_ENV} / ${PASSWORD_ENV}")
        try:
            body = response.json()
        except ValueError as exc:
            raise ScrapydError(f"Scrapyd at {self.url} answered {endpoint} with HTTP {response.status_code}, "
                               "not JSON: is that URL really Scrapyd?") from exc
        if body.get("status") != "ok":
            raise ScrapydError(f"Scrapyd at {self.url} refused {endpoint}: {body.get('message', body)}")
        return body

    def status(self) -> dict[str, Any]:
        """``daemonstatus.json``: running, pending and finished job counts."""
        return self._call("GET", "daemonstatus.json")

    def schedule(self, spider: str, arguments: Mapping[str, Any], *, project: str = DEFAULT_PROJECT,
                 settings: Mapping[str, Any] | None = None) -> str:
        """Queue a crawl (``schedule.json``); returns Scrapyd's job id."""
        data = [("project", project), ("spider", spider)]
        data += [("setting", f"{name}={value}") for name, value in (settings or {}).items()]
        data += [(name, str(value)) for name, value in arguments.items()]
        return str(self._call("POST", "schedule.json", data=data)["jobid"])

    def deploy(self, *, project: str = DEFAULT_PROJECT, version: str | None = None) -> str:
        """Upload this checkout as a new project version (``addversion.json``); returns the version."""
        version = version or str(int(time.time()))
        egg = build_egg(version)
        self._call("POST", "addversion.json", data={"project": project, "version": version},
                   files={"egg": (f"{project}-{version}.egg", egg)})
        return version


def build_egg(version: str) -> bytes:
    """The project as a Scrapy egg: what ``scrapyd-deploy`` would build from a ``setup.py``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as egg:
        for package in EGG_PACKAGES:
            for path in sorted((REPO / package).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and (
                    path.suffix == ".py" or path.suffix in EGG_DATA_SUFFIXES
                ):
                    egg.write(path, path.relative_to(REPO).as_posix())
        egg.writestr("EGG-INFO/PKG-INFO", f"Metadata-Version: 1.1\nName: {DEFAULT_PROJECT}\nVersion: {version}\n")
        egg.writestr("EGG-INFO/entry_points.txt", "[scrapy]\nsettings = crawler.settings\n")
        egg.writestr("EGG-INFO/top_level.txt", "\n".join(EGG_PACKAGES) + "\n")
        egg.writestr("EGG-INFO/zip-safe", "")
    return buffer.getvalue()
