"""Secrets handed to crawls in files only their owner can read, never on command lines.

A process's command line is readable by every local user (``/proc/<pid>/cmdline``, ``ps``)
and Scrapyd writes the settings of each job it starts into its log. So a database or
Redis URL with a password reaches a crawl another way:

* a crawl the scheduler starts on this machine gets it in its environment
  (``NEWSARCHIVE_DATABASE_URL``; ``/proc/<pid>/environ`` is private to the user);
* a crawl started through Scrapyd gets the *path* of a file holding it, mode 0600, in
  the setting ``NEWSARCHIVE_DATABASE_URL_FILE`` (or ``NEWSARCHIVE_REDIS_URL_FILE`` for
  ``REDIS_URL``); the add-on :class:`crawler.contrib.scrapy.addons.SecretFiles` (enabled
  in ``crawler/settings.py``) reads the file when the crawl starts. :func:`secret_file` writes such files.

A file others can read is refused: the secret in it is no secret any more.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

#: Settings naming a file, and the setting the file's content becomes.
FILE_SETTINGS = {
    "NEWSARCHIVE_DATABASE_URL_FILE": "NEWSARCHIVE_DATABASE_URL",
    "NEWSARCHIVE_REDIS_URL_FILE": "REDIS_URL",
}


class SecretFileError(RuntimeError):
    """A secret file is missing or readable by others; the message says what to do."""


def secret_file(value: str, directory: Path) -> Path:
    """A file in ``directory`` (created 0700) holding ``value``, readable by its owner only.

    Named by a digest of ``value``, so dispatching many jobs with one URL reuses one file.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"secret-{hashlib.sha256(value.encode()).hexdigest()[:16]}"
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value)
    os.chmod(temporary, 0o600)  # whatever the umask
    os.replace(temporary, path)
    return path


def read_secret_file(path: str | Path) -> str:
    """The secret in ``path``; :class:`SecretFileError` if it is missing or others may read it."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
        value = path.read_text("utf-8").strip()
    except OSError as exc:
        raise SecretFileError(f"secret file {path} cannot be read ({exc.strerror}): "
                              "is the crawl running as the user that wrote it, on the same machine?") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretFileError(f"secret file {path} can be read by other users: `chmod 600 {path}`")
    return value

