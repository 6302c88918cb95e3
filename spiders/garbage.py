"""GarbageCollection: Python's cyclic garbage collector set for a long crawl (an extension).

A crawl's objects are freed by reference counting as soon as a page is read and its post saved
(`tests/test_units.py` checks that reading a page leaves no reference cycle); what the collector
can still find is little. With Python's defaults it nevertheless runs about every other
response: a collection starts after 700 allocations not yet freed, which reading one page reaches
for a moment (its elements, their lists); every tenth collection takes the older objects too, and
every hundredth all of them, with every module, class and table loaded at start-up (about 125,000
objects: some 90 ms of CPU each time). So, once the engine has started:

- what start-up made and the crawl keeps to its end is moved out of the collector's way
  (`gc.freeze()`, after one collection, so that only live objects are frozen);
- a collection starts after 10,000 allocations not yet freed, not 700 (the two older
  generations keep their thresholds).

Both are undone when the spider closes (`gc.unfreeze()`, the thresholds as they were), so a
process that runs several crawls, or the tests, are left as they were. `ARCHIVE_GC_TUNING =
False` leaves the collector alone.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

# Allocations not yet freed before the youngest generation is collected (Python's default: 700).
YOUNG_THRESHOLD = 10_000


class GarbageCollection:
    """Freezes start-up's objects and raises the youngest generation's threshold for the crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.thresholds: tuple[int, int, int] | None = None
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GarbageCollection:
        if not crawler.settings.getbool("ARCHIVE_GC_TUNING", True):
            raise NotConfigured("ARCHIVE_GC_TUNING is off")
        return cls(crawler)

    def engine_started(self) -> None:
        if self.thresholds is not None or not gc.isenabled():
            return
        gc.collect()
        gc.freeze()
        self.thresholds = gc.get_threshold()
        gc.set_threshold(max(YOUNG_THRESHOLD, self.thresholds[0]), *self.thresholds[1:])

    def spider_closed(self) -> None:
        if self.thresholds is None:
            return
        gc.set_threshold(*self.thresholds)
        gc.unfreeze()
        self.thresholds = None
