"""ArchivePipeline: save posts into the SQLite archive and record each crawl."""

from __future__ import annotations

import logging
from dataclasses import asdict

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.db import finish_crawl, open_db, save_post, save_site, start_crawl
from spiders.items import Post
from spiders.urls import site_prefix

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Writes each post with everything it carries in one transaction (`archive.db.save_post`)."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path
        self.db = None
        self.crawl_id: int | None = None
        self.site_ids: dict[str, int] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        if not crawler.settings.getbool("ARCHIVE_ENABLED", True):
            raise NotConfigured("ARCHIVE_ENABLED is off")
        return cls(crawler, crawler.settings.get("ARCHIVE_DB", "archive/archive.db"))

    def spider_opened(self) -> None:
        self.db = open_db(self.path)
        spider = self.crawler.spider
        arguments = getattr(spider, "archive_arguments", {})
        self.crawl_id = start_crawl(self.db, arguments)
        logger.info("Archiving into %s (crawl %s)", self.path, self.crawl_id)

    def process_item(self, item: object) -> object:
        if not isinstance(item, Post):
            return item
        site_url = item.site_url or site_prefix(item.url)
        discovery = getattr(self.crawler.spider, "discovery", {}).get(site_url)
        site_id = self.site_ids.get(site_url)
        if site_id is None or item.site_name:
            site_id = save_site(self.db, site_url, self.crawl_id, item.site_name, discovery)
            self.site_ids[site_url] = site_id
        save_post(self.db, site_id, asdict(item), self.crawl_id)
        stats = self.crawler.stats
        stats.inc_value("wparchive/posts_saved")
        stats.inc_value("wparchive/comments_saved", len(item.comments))
        return item

    def spider_closed(self, reason: str) -> None:
        if self.db is None or self.crawl_id is None:
            return
        stats = self.crawler.stats.get_stats()
        if reason == "finished":
            status = "failed" if stats.get("wparchive/sites_failed") else "finished"
        elif reason == "shutdown":
            status = "interrupted"
        else:
            status = reason
        finish_crawl(self.db, self.crawl_id, status, reason, stats)
        self.db.close()
        self.db = None
