"""Spider arguments (``-a NAME=VALUE``) as data: which names a spider accepts and what each means.

A mistyped argument must not start a different crawl than the one asked for: ``-a
sinse=2020-01-01`` once ran a full crawl and exited 0, because Scrapy sets any ``-a`` as
an attribute and nothing reads ``sinse``. So the accepted names are derived from the
spider classes themselves (the keyword parameters of each ``__init__`` up the class
chain, which is what the spider really reads) plus the names its classes list in
``argument_help``, the ``{name: meaning}`` table every spider class keeps beside its
code; a test requires a meaning for every accepted name of every spider. Unknown names
are refused by :func:`check` for ``newsarchive crawl``, plain ``scrapy crawl`` (from
:meth:`crawler.spiders.base.ArchiveSpider.from_crawler`), ``schedule add`` and ``seed``.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterable, Mapping
from typing import TypeVar

Entry = TypeVar("Entry")

#: Scrapyd passes ``-a _job=…`` (and may pass other ``_`` names) to every spider it runs.
SCRAPYD_PREFIX = "_"


class UnknownArgument(ValueError):
    """An argument name the spider does not take; the message lists those it does."""


def table_entry(table: Mapping[str, Entry], value: str | None, argument: str, what: str) -> Entry:
    """The entry of a site table (channels, papers) that ``-a argument=value`` names; a
    missing or unknown name is refused with the names the table knows."""
    if value in table:
        return table[value]
    known = ", ".join(sorted(table))
    if value is None:
        raise ValueError(f"-a {argument}=NAME is required: the {what} to crawl, one of: {known}")
    raise ValueError(f"-a {argument}={value!r} is not a known {what}; use one of: {known}")


def channel_list_help(table: str) -> dict[str, str]:
    """The arguments of spiders that page through a channel's lists (``table`` in crawler/data/)."""
    return {
        "channel": f"the channel to crawl, a name from crawler/data/{table} (required)",
        "lists": "comma-separated list paths to start from instead of the channel's own",
        "max_list_pages": "at most this many pages of each list (default 50)",
    }


def accepted(spider_cls: type) -> dict[str, str]:
    """Every argument name ``spider_cls`` takes, with its meaning ("" where none is written)."""
    names: dict[str, str] = {}
    for cls in reversed(spider_cls.__mro__):
        if not hasattr(cls, "argument_help"):  # scrapy.Spider and object: their parameters are no arguments
            continue
        init = vars(cls).get("__init__")
        for parameter in inspect.signature(init).parameters.values() if init else ():
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY) and parameter.name != "self":
                names.setdefault(parameter.name, "")
        names.update(vars(cls).get("argument_help", {}))
    return names


def check(spider_cls: type, given: Iterable[str]) -> None:
    """Raise :class:`UnknownArgument` naming the first unknown argument, a likely intended
    name, and every name ``spider_cls`` accepts."""
    known = accepted(spider_cls)
    for name in given:
        if name in known or name.startswith(SCRAPYD_PREFIX):
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UnknownArgument(
            f"-a {name}=… is not an argument of the {getattr(spider_cls, 'name', spider_cls.__name__)} spider{hint}; "
            f"it takes: {', '.join(sorted(known))} (newsarchive crawl {getattr(spider_cls, 'name', '')} --help)"
        )


def help_lines(spider_cls: type) -> list[str]:
    """``-a NAME=…  meaning`` lines for ``newsarchive crawl SPIDER --help``."""
    known = accepted(spider_cls)
    width = max(map(len, known), default=0)
    return [f"  -a {name}=…{' ' * (width - len(name))}  {known[name]}" for name in sorted(known)]
