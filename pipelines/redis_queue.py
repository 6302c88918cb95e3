"""RedisQueuePipeline: a worker's items go to the writer through Redis, not into the archive.

In a crawl with workers (`spiders/workers.py`) it takes the archive pipeline's place in each
worker: posts and media are sent as they come, with how their site was listed; an item that a
pipeline before it failed on is sent as failed (its site is then not complete); a site's report
is handed in together with the release of its blog (`WorkQueue.release`), so a blog leaves the
worker's hands only with its report. The worker never opens the archive for writing: what the
archive holds reaches the spider through read-only connections (`ArchiveReader`) when
`ARCHIVE_DB` names a file this machine can read.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from pipelines.store import ArchiveReader
from spiders.items import Media, Post, SiteCrawl
from spiders.urls import site_prefix

logger = logging.getLogger(__name__)


class RedisQueuePipeline:
    def __init__(self, crawler: Crawler, archive_path: str | None) -> None:
        self.crawler = crawler
        self.archive_path = archive_path
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
        return item

    def item_error(self, item: object, failure: object) -> None:
        if isinstance(item, Post):
            spider = self.crawler.spider
            reason = str(getattr(failure, "value", failure))
            spider.queue.push(("failed", spider.run, spider.worker_id, item, reason))
