"""Distributed crawling: several workers, on any machines, sharing one frontier in Redis.

Built on scrapy-redis (scheduler and dupefilter in Redis) with what the archive needs on
top: JSON instead of pickle (:mod:`.serializer`), leased requests so a worker that dies
loses nothing (:mod:`.frontier`, :mod:`.leases`, :mod:`.store`), idle close and
heartbeats (:mod:`.scheduler`), a bounded dupefilter (:mod:`.bloom`), seeding from the
spider's own start requests (:mod:`.seeding`, :mod:`.start`) and the add-on that wires it
all into a normal crawl (:mod:`.addon`). Operators' guide: ``docs/distributed.md``.
"""
