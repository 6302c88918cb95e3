"""RedisQueuePipeline: a worker's items go to the writer through Redis, not into the archive.

In a crawl with workers (`spiders/workers.py`) it takes the archive pipeline's place in each
worker: posts and media are sent as they come, with how their site was listed; an item that a
pipeline before it failed on is sent as failed (its site is then not complete); a site's report
is handed in together with the release of its blog (`WorkQueue.release`), so a blog leaves the
worker's hands only with its report. When Redis fails, the worker stops and reports nothing more
(its blogs go to other workers). The worker never opens the archive for writing: what the
archive holds reaches the spider through read-only connections (`ArchiveReader`) when
`ARCHIVE_DB` names a file this machine can read.
"""

from __future__ import annotations

import logging
from pathlib import Path

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from pipelines.store import ArchiveReader
from spiders.items import Media, Post, SiteCrawl
from spiders.urls import site_prefix

logger = logging.getLogger(__name__)


class RedisQueuePipeline:
    def __init__(self, crawler: Crawler, archive_path: str | None) -> None:
        self.crawler = crawler
        self.archive_path = archive_path
        self.broken = False  # an item could not be sent: nothing more is
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisQueuePipeline:
        if not hasattr(crawler.spidercls, "blog_done"):
            raise NotConfigured("not a worker's crawl (spiders.workers.WorkerSpider)")
        return cls(crawler, crawler.settings.get("ARCHIVE_DB"))

    def spider_opened(self) -> None:
        if self.archive_path and Path(self.archive_path).exists():
            self.crawler.spider.archive = ArchiveReader(self.archive_path)
            logger.info("Reading what the archive holds from %s (read-only)", self.archive_path)
        else:
            logger.warning("No archive to read at %s: every blog is crawled in full", self.archive_path)

    def process_item(self, item: object) -> object:
        if self.broken:
            # An item was lost on the way: no report from this worker may say a site is complete.
            # It stops; the writer gives its blogs to other workers.
            if isinstance(item, SiteCrawl):
                logger.error("Not reporting %s: an item of this worker could not be sent", item.site_url)
            raise DropItem("this worker cannot reach Redis any more")
        try:
            self._send(item)
        except redis.RedisError as error:
            self._break(error)
            raise
        return item

    def _break(self, error: Exception) -> None:
        self.broken = True
        logger.error("Redis failed (%s): this worker stops, and its blogs go to other workers", error)
        self.close_worker("redis_failed")

    def close_worker(self, reason: str) -> None:
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def _send(self, item: object) -> None:
        spider = self.crawler.spider
        if isinstance(item, SiteCrawl):
            blog = spider.blog_done(item)
            if blog is None:
                logger.error("A report for %s, which no blog of this worker started", item.site_url)
            elif not spider.queue.release(spider.worker_id, blog, ("report", spider.run, spider.worker_id, blog, item)):
                # The writer took the blog back (this worker's heartbeat stopped): another worker reports it.
                self.crawler.stats.inc_value("wparchive/worker/reports_too_late")
                logger.warning("%s was taken back from this worker: its report is not handed in", blog)
        elif isinstance(item, Post | Media):
            site_url = item.site_url or site_prefix(item.url)
            discovery = {site_url: spider.discovery[site_url]} if site_url in spider.discovery else {}
            spider.queue.push(("item", spider.run, spider.worker_id, item, discovery))

    def item_error(self, item: object, failure: object) -> None:
        if isinstance(item, Post) and not self.broken:
            spider = self.crawler.spider
            reason = str(getattr(failure, "value", failure))
            try:
                spider.queue.push(("failed", spider.run, spider.worker_id, item, reason))
            except redis.RedisError as error:
                self._break(error)
