"""A bounded request dupefilter: a Bloom filter in one Redis bitmap, checked against the archive.

The exact dupefilter (scrapy-redis' Redis set of 40-character SHA-1 fingerprints) grows
with every URL ever seen; see docs/distributed.md for the measured bytes per URL. This one
takes a fixed ``m`` bits for ``NEWSARCHIVE_BLOOM_CAPACITY`` URLs at a false-positive rate
``NEWSARCHIVE_BLOOM_ERROR_RATE`` (defaults in :mod:`crawler.default_settings`): about 1.8
bytes per URL of capacity, allocated up front.

A Bloom filter's false positive says "seen" for a URL that was never fetched. Dropping it
would silently lose an article (or a list page and every article only it links to), so a
positive is not trusted: it is confirmed by looking the URL up in the archive's raw
captures (``capture.url`` is indexed). Only a URL that was really fetched is filtered;
an unconfirmed positive — a false positive, or a URL another worker is fetching right
now — is let through and counted (``newsarchive/dupefilter/bloom_unconfirmed``); the
archive's content identity makes a second fetch harmless. Negatives, the common case for
new URLs, cost no database query; each true duplicate costs one.
"""

from __future__ import annotations

import math
from typing import Any

from scrapy import Request
from crawler.default_settings import read
from crawler.distributed.dupefilter import ExactDupeFilter
from sqlalchemy import select

from crawler.distributed.frontier import FrontierKeys
from models.engine import database_url, make_engine
from models.schema import Capture

#: Redis strings (and so bitmaps) hold at most 512 MiB.
MAX_BITS = 2**32

#: KEYS: bitmap, queue. ARGV: score, payload ('' = only mark), bit positions…
#: Sets the bits and, unless all were set already, pushes the payload; returns 1 if it was new.
MARK_AND_PUSH_SCRIPT = """
local seen = 1
for i = 3, #ARGV do
  if redis.call('SETBIT', KEYS[1], ARGV[i], 1) == 0 then seen = 0 end
end
if seen == 0 and ARGV[2] ~= '' then redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2]) end
return 1 - seen
"""


def bloom_size(capacity: int, error_rate: float) -> tuple[int, int]:
    """``(bits, hash functions)`` of the optimal Bloom filter for ``capacity`` items at ``error_rate``."""
    if capacity < 1 or not 0 < error_rate < 1:
        raise ValueError("Bloom filter capacity must be >= 1 and error rate between 0 and 1, e.g. 10000000 and 0.001")
    bits = math.ceil(-capacity * math.log(error_rate) / math.log(2) ** 2)
    if bits > MAX_BITS:
        raise ValueError(f"a Bloom filter for {capacity} URLs at {error_rate} needs {bits} bits, more than one "
                         "Redis string holds (2**32): lower NEWSARCHIVE_BLOOM_CAPACITY or raise the error rate")
    return bits, max(1, round(bits / capacity * math.log(2)))


def bit_positions(fingerprint: str, bits: int, hashes: int) -> list[int]:
    """Positions from a hex SHA-1 fingerprint by double hashing (Kirsch–Mitzenmacher)."""
    first, second = int(fingerprint[:16], 16), int(fingerprint[16:32], 16) | 1
    return [(first + i * second) % bits for i in range(hashes)]


class BloomDupeFilter(ExactDupeFilter):
    """Drop a request only if the Bloom filter has seen it *and* the archive has captured its URL."""

    def __init__(self, server: Any, key: str, *, bits: int, hashes: int, database: str, stats: Any,
                 debug: bool = False) -> None:
        super().__init__(server, key, debug=debug)
        self.bits = bits
        self.hashes = hashes
        self.stats = stats
        self.engine = make_engine(database)
        self._mark_and_push = server.register_script(MARK_AND_PUSH_SCRIPT)

    @classmethod
    def from_frontier(cls, server: Any, keys: FrontierKeys, settings: Any, stats: Any) -> BloomDupeFilter:
        bits, hashes = bloom_size(read(settings, "NEWSARCHIVE_BLOOM_CAPACITY"),
                                  read(settings, "NEWSARCHIVE_BLOOM_ERROR_RATE"))
        return cls(server, keys.bloom, bits=bits, hashes=hashes, stats=stats,
                   database=database_url(settings.get("NEWSARCHIVE_DATABASE_URL")),
                   debug=settings.getbool("DUPEFILTER_DEBUG"))

    def push_if_new(self, request: Request, payload: str | bytes, queue_key: str) -> bool:
        """Mark ``request`` and push ``payload`` (atomically if new); a positive is pushed too
        unless the archive proves the URL was fetched. False means: really seen, dropped."""
        positions = bit_positions(self.request_fingerprint(request), self.bits, self.hashes)
        if self._mark_and_push(keys=[self.key, queue_key], args=[-request.priority, payload, *positions]):
            return True
        if self.archived(request.url):
            return False
        self.stats.inc_value("newsarchive/dupefilter/bloom_unconfirmed")
        if payload:
            self.server.zadd(queue_key, {payload: -request.priority})
        return True

    def request_seen(self, request: Request) -> bool:
        return not self.push_if_new(request, "", self.key)

    def archived(self, url: str) -> bool:
        """Whether the archive holds a capture of ``url``: the proof that it was fetched."""
        with self.engine.connect() as conn:
            return conn.execute(select(Capture.id).where(Capture.url == url).limit(1)).first() is not None

    def close(self, reason: str = "") -> None:
        """Keep the bitmap (the frontier outlives workers); only release the database pool."""
        super().close(reason)
        self.engine.dispose()
