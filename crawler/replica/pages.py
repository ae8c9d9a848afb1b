"""Served pages and the lazily rendered path → page map of the replica.

Rendering is deferred until a page is first requested: a 10,000-article site is built in
about a second because only the ground truth is computed up front, and a crawl renders
just the pages it fetches.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ReplicaPage:
    """One HTTP response: status, ``Content-Type`` header value, body bytes, extra headers.

    ``content_type`` carries the charset the page *declares*, which may not be the real
    byte encoding (the replica imitates servers that lie). ``headers`` holds anything
    else to send, e.g. ``Last-Modified`` or ``Location``.
    """

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        """Strong validator derived from the body, quoted as HTTP wants it."""
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


#: A function that renders a page when it is first needed.
PageMaker = Callable[[], ReplicaPage]


class LazyPages(MutableMapping[str, ReplicaPage]):
    """``dict[str, ReplicaPage]`` whose values may be rendered on first access.

    :meth:`defer` registers a maker; reading the key renders and caches the page.
    Iteration order is insertion order, so listings are deterministic. Safe to read from
    the server's threads: a page is rendered at most once.
    """

    def __init__(self) -> None:
        self._entries: dict[str, ReplicaPage | PageMaker] = {}
        self._lock = threading.Lock()

    def defer(self, path: str, make: PageMaker) -> None:
        """Register ``make`` to render ``path`` when it is first requested."""
        self._entries[path] = make

    def __getitem__(self, path: str) -> ReplicaPage:
        entry = self._entries[path]
        if isinstance(entry, ReplicaPage):
            return entry
        with self._lock:
            entry = self._entries[path]
            if not isinstance(entry, ReplicaPage):
                entry = self._entries[path] = entry()
        return entry

    def __setitem__(self, path: str, page: ReplicaPage) -> None:
        self._entries[path] = page

    def __delitem__(self, path: str) -> None:
        del self._entries[path]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, path: object) -> bool:
        return path in self._entries
