"""The archive store pipeline, acknowledging leased requests once their items are written.

Used instead of :class:`pipelines.store.StorePipeline` in distributed crawls (see
:func:`crawler.distributed.settings.distributed_settings`). Items are written in batches,
so a request's lease is acknowledged at the first flush *after* the engine has finished
with the request: at that moment every item it produced is in the batch being written
(or was written before). A batch the database refuses goes to the on-disk spool, which is
fsync'd and replayed by the next crawl on that machine; that counts as written, as it does
for a single-process crawl. A batch neither could keep (a full disk) is not acknowledged:
its requests go back to the frontier when their leases expire. Idle workers flush at once, so their leases do not keep the
other workers from closing.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.distributed.leases import Leases, leases_for
from pipelines.store import StorePipeline


class AckingStorePipeline(StorePipeline):
    leases: Leases

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AckingStorePipeline:
        pipeline = super().from_crawler(crawler)
        pipeline.leases = leases_for(crawler)
        crawler.signals.connect(pipeline.flush_when_idle, signal=signals.spider_idle)
        return pipeline  # type: ignore[return-value]

    def flush(self) -> bool:
        finished = self.leases.finished()  # before writing: only these are sure to be in the batch
        kept = super().flush()
        if kept:
            self.leases.ack(finished)
        else:  # their items are lost (a full disk): the frontier hands them out again when the leases expire
            self.leases.release(finished)
        return kept

    def flush_when_idle(self, spider: Any = None) -> None:
        self.flush()
