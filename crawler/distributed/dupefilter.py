"""The exact request dupefilter: scrapy-redis' Redis set of fingerprints, marked and pushed atomically.

A worker that marks a URL as seen and then dies before pushing its request would lose it
for good: the parent page is fetched again by a survivor, but its link is now "seen" and
filtered. So marking and pushing happen in one Lua script (:meth:`push_if_new`): a URL
in the set is always in the queue, leased, or done.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy_redis.dupefilter import RFPDupeFilter

#: KEYS: fingerprint set, queue. ARGV: fingerprint, score, payload ('' = only mark). 1 if new.
MARK_AND_PUSH_SCRIPT = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) end
return 1
"""


class ExactDupeFilter(RFPDupeFilter):
    def __init__(self, server: Any, key: str, debug: bool = False) -> None:
        super().__init__(server, key, debug=debug)
        self._mark_and_push = server.register_script(MARK_AND_PUSH_SCRIPT)

    def push_if_new(self, request: Request, payload: str | bytes, queue_key: str) -> bool:
        """Mark ``request`` seen and push ``payload`` to ``queue_key`` in one step; False if it was seen."""
        fingerprint = self.request_fingerprint(request)
        return bool(self._mark_and_push(keys=[self.key, queue_key], args=[fingerprint, -request.priority, payload]))

    def request_seen(self, request: Request) -> bool:
        return not self.push_if_new(request, "", self.key)

    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: the frontier outlives any one worker (scrapy-redis deletes them here)."""
