"""The shared frontier in Redis: a priority queue with leases, so a dead worker loses nothing.

scrapy-redis pops a request off the queue when a worker takes it; if that worker dies
the request is gone. Here a pop *moves* the request, in one Lua script, from the queue
into the worker's own processing set (``<frontier>:processing:<worker>``) and renews the
worker's lease in ``<frontier>:workers`` (a sorted set of lease expiry times, Redis
server clock, so machines' clocks do not matter). The request leaves Redis only when the
worker acknowledges it, which it does once everything the request produced is stored in
the archive (see :mod:`crawler.distributed.leases`). A worker renews its lease every third
of the lease time; any worker that finds an expired lease moves that worker's processing
set back into the queue (:meth:`LeasedQueue.reap`). This is the "reliable queue" pattern
(Redis ``RPOPLPUSH`` documentation) with a lease instead of a per-item timer.

Delivery is therefore at least once: a request that was fully stored just before its
worker died is fetched again by another worker, and the archive's content identity turns
the second copy into "unchanged". A request that has now been handed out
``max_deliveries`` times because its workers keep dying with it is parked in
``<frontier>:failed`` instead of killing every worker in turn.

Keys, under ``newsarchive:<frontier>`` (see :class:`FrontierKeys`): ``requests`` (queue,
score = -priority), ``dupefilter``, ``bloom``, ``processing:<worker>``, ``workers``,
``deliveries``, ``failed``, ``arguments``, ``dead`` (entries refused by the schema of
:mod:`crawler.distributed.entries`, newest first, with their reason; the newest
:data:`DEAD_LETTERS_KEPT` are kept) and ``dead:total`` (how many were ever refused).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scrapy import Request
from scrapy_redis.queue import Base

from crawler.distributed.entries import BadEntry, read_entry

logger = logging.getLogger(__name__)

KEY_ROOT = "newsarchive"
#: Dead letters kept (newest first) and bytes of each refused entry kept with its reason.
DEAD_LETTERS_KEPT = 1000
DEAD_ENTRY_BYTES = 2000

#: KEYS: queue, processing, workers. ARGV: worker, lease seconds.
POP_SCRIPT = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local now = redis.call('TIME')
redis.call('ZADD', KEYS[3], tonumber(now[1]) + tonumber(ARGV[2]), ARGV[1])
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
redis.call('ZADD', KEYS[2], item[2], item[1])
return item[1]
"""

#: KEYS: queue, workers, deliveries, failed. ARGV: processing key prefix, max deliveries,
#: worker or "" for every worker whose lease expired. Returns [workers released, requests requeued, parked].
RELEASE_SCRIPT = """
local workers
if ARGV[3] ~= '' then
  workers = {ARGV[3]}
else
  local now = redis.call('TIME')
  workers = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. now[1])
end
local requeued, parked = 0, 0
for _, worker in ipairs(workers) do
  local processing = ARGV[1] .. worker
  local items = redis.call('ZRANGE', processing, 0, -1, 'WITHSCORES')
  for i = 1, #items, 2 do
    local member, score = items[i], items[i + 1]
    local deliveries = 0
    if ARGV[3] == '' then
      deliveries = redis.call('HINCRBY', KEYS[3], redis.sha1hex(member), 1)
    end
    if deliveries >= tonumber(ARGV[2]) then
      redis.call('ZADD', KEYS[4], score, member)
      parked = parked + 1
    else
      redis.call('ZADD', KEYS[1], score, member)
      requeued = requeued + 1
    end
  end
  redis.call('DEL', processing)
  redis.call('ZREM', KEYS[2], worker)
end
return {#workers, requeued, parked}
"""

#: KEYS: queue, workers. ARGV: processing key prefix. Returns [queued, leased by all workers].
COUNT_SCRIPT = """
local leased = 0
for _, worker in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  leased = leased + redis.call('ZCARD', ARGV[1] .. worker)
end
return {redis.call('ZCARD', KEYS[1]), leased}
"""


@dataclass(frozen=True)
class FrontierKeys:
    """Redis key names of one crawl's frontier (``newsarchive:<name>:…``)."""

    name: str

    @property
    def base(self) -> str:
        return f"{KEY_ROOT}:{self.name}"

    @property
    def requests(self) -> str:
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.base}:dupefilter"

    @property
    def bloom(self) -> str:
        return f"{self.base}:bloom"

    @property
    def workers(self) -> str:
        return f"{self.base}:workers"

    @property
    def deliveries(self) -> str:
        return f"{self.base}:deliveries"

    @property
    def failed(self) -> str:
        return f"{self.base}:failed"

    @property
    def dead(self) -> str:
        return f"{self.base}:dead"

    @property
    def dead_total(self) -> str:
        return f"{self.base}:dead:total"

    @property
    def arguments(self) -> str:
        return f"{self.base}:arguments"

    @property
    def stats(self) -> str:
        return f"{self.base}:stats"

    @property
    def processing_prefix(self) -> str:
        return f"{self.base}:processing:"

    def all_keys(self, server: Any) -> list[str]:
        """Every key of this frontier that exists now (for ``seed --reset`` and test clean-up)."""
        return [k.decode() if isinstance(k, bytes) else k for k in server.scan_iter(match=f"{self.base}:*", count=1000)]


def frontier_name(template: str, spider_name: str) -> str:
    """``NEWSARCHIVE_FRONTIER`` may contain ``%(spider)s``; a bare name is used as is."""
    return template % {"spider": spider_name}


def new_worker_id() -> str:
    """Host, process id and a random part: readable in Redis, unique across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class FrontierState:
    queued: int
    leased: int

    @property
    def empty(self) -> bool:
        return self.queued == 0 and self.leased == 0


class LeasedQueue(Base):
    """scrapy-redis queue whose pop leases the request to this worker instead of deleting it.

    ``key`` is the queue key (``…:requests``); the other keys are derived from ``frontier``.
    :meth:`pop` returns a request and remembers its payload; :meth:`ack` removes leases.
    """

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None, *, frontier: FrontierKeys,
                 worker: str, lease_seconds: int, max_deliveries: int = 3) -> None:
        super().__init__(server, spider, key, serializer)
        self.frontier = frontier
        self.worker = worker
        self.lease_seconds = max(1, int(lease_seconds))
        self.max_deliveries = max(1, int(max_deliveries))
        self.processing = frontier.processing_prefix + worker
        self.dead_lettered = 0
        self._pop = server.register_script(POP_SCRIPT)
        self._release = server.register_script(RELEASE_SCRIPT)
        self._count = server.register_script(COUNT_SCRIPT)

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def encode(self, request: Request) -> str:
        """The request as stored in Redis (JSON from :mod:`crawler.distributed.serializer`)."""
        return self._encode_request(request)

    def push(self, request: Request) -> None:
        self.push_payload(self.encode(request), request.priority)

    def push_payload(self, payload: str | bytes, priority: int = 0) -> None:
        self.server.execute_command("ZADD", self.key, -priority, payload)

    def pop(self, timeout: int = 0) -> tuple[Request, bytes] | None:  # type: ignore[override]
        """Lease the most urgent valid request: ``(request, payload)``, or None when the queue is empty.

        Entries that fail the schema (:mod:`crawler.distributed.entries`) are dead-lettered
        and acknowledged on the way, never handed to the engine.
        """
        while True:
            payload = self._pop(keys=[self.key, self.processing, self.frontier.workers],
                                args=[self.worker, self.lease_seconds])
            if payload is None:
                return None
            try:
                return read_entry(payload, self.spider), payload
            except BadEntry as exc:
                self.dead_letter(payload, str(exc))

    def dead_letter(self, payload: bytes, reason: str) -> None:
        """Move a refused entry to ``<frontier>:dead`` with its reason, and acknowledge it."""
        record = json.dumps({"reason": reason, "worker": self.worker, "at": time.time(),
                             "entry": _as_bytes(payload)[:DEAD_ENTRY_BYTES].decode("utf-8", "replace")},
                            ensure_ascii=False)
        with self.server.pipeline() as pipe:
            pipe.lpush(self.frontier.dead, record)
            pipe.ltrim(self.frontier.dead, 0, DEAD_LETTERS_KEPT - 1)
            pipe.incr(self.frontier.dead_total)
            pipe.execute()
        self.ack([payload])
        self.dead_lettered += 1
        logger.warning("frontier %s: refused an entry (%s); moved to %s", self.frontier.base, reason, self.frontier.dead)

    def join(self) -> None:
        """Register this worker with a fresh lease (before its first pop)."""
        self._set_expiry()

    def renew(self) -> bool:
        """Extend this worker's lease on everything it holds (the heartbeat).

        Returns False when the lease had already been taken away (the worker was too busy
        or cut off for longer than the lease; a pop in between re-registers it, so this is
        a hint for the log, not a guarantee): what it held was requeued.
        """
        return self._set_expiry() == 0

    def _set_expiry(self) -> int:
        seconds, _ = self.server.time()  # the Redis server's clock, as in the scripts
        return int(self.server.zadd(self.frontier.workers, {self.worker: int(seconds) + self.lease_seconds}))

    def ack(self, payloads: Iterable[bytes]) -> None:
        """Forget leased requests whose results are stored: they leave Redis for good."""
        payloads = list(payloads)
        if payloads:
            with self.server.pipeline() as pipe:
                pipe.zrem(self.processing, *payloads)
                pipe.zrem(self.frontier.failed, *payloads)  # parked while a slow (not dead) worker finished it
                pipe.hdel(self.frontier.deliveries, *(hashlib.sha1(_as_bytes(p)).hexdigest() for p in payloads))
                pipe.execute()

    def reap(self) -> tuple[int, int, int]:
        """Requeue what workers with expired leases held: ``(workers, requeued, parked)``."""
        return self._run_release("")

    def release_own(self) -> tuple[int, int, int]:
        """Give back everything this worker still holds (clean shutdown) and leave the worker set."""
        return self._run_release(self.worker)

    def _run_release(self, worker: str) -> tuple[int, int, int]:
        keys = [self.key, self.frontier.workers, self.frontier.deliveries, self.frontier.failed]
        found = self._release(keys=keys, args=[self.frontier.processing_prefix, self.max_deliveries, worker])
        return int(found[0]), int(found[1]), int(found[2])

    def state(self) -> FrontierState:
        queued, leased = self._count(keys=[self.key, self.frontier.workers], args=[self.frontier.processing_prefix])
        return FrontierState(queued=int(queued), leased=int(leased))


def _as_bytes(payload: str | bytes) -> bytes:
    return payload.encode("utf-8") if isinstance(payload, str) else payload


def store_arguments(server: Any, frontier: FrontierKeys, spider: str, arguments: dict[str, str]) -> None:
    """Remember what the crawl was seeded with, so workers can start with the same arguments."""
    server.set(frontier.arguments, json.dumps({"spider": spider, "arguments": arguments}, ensure_ascii=False))


def seeded_arguments(server: Any, frontier: FrontierKeys) -> tuple[str, dict[str, str]] | None:
    """``(spider, arguments)`` stored by the seed command, or None if the frontier was never seeded."""
    raw = server.get(frontier.arguments)
    if raw is None:
        return None
    data = json.loads(raw)
    return data["spider"], dict(data["arguments"])


def worker_arguments(server: Any, frontier: FrontierKeys, spider: str, given: dict[str, str]) -> dict[str, str]:
    """The spider arguments a worker runs with: those given, else those the frontier was seeded with.

    Workers with other arguments than the seed would read the same requests differently
    (another ``base_url``, other date bounds), so a mismatch is refused.
    """
    seeded = seeded_arguments(server, frontier)
    if seeded is None:
        raise LookupError(f"frontier {frontier.base} was never seeded: run `newsarchive seed {spider} -a …` first "
                          "(with the same --redis and --frontier)")
    seeded_spider, arguments = seeded
    if seeded_spider != spider:
        raise LookupError(f"frontier {frontier.base} was seeded for spider {seeded_spider!r}, not {spider!r}: "
                          "use another --frontier name")
    if given and given != arguments:
        raise LookupError(f"frontier {frontier.base} was seeded with {arguments}, this worker was given {given}: "
                          "start workers without -a (they take the seed's arguments) or with the same ones")
    return arguments
