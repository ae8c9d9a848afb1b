"""Adapters of the crawler to the frameworks it runs in (as Spidermon's ``contrib``)."""
