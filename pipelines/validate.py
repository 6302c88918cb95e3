"""ValidatePipeline: drop items that cannot be archived, with a logged and counted reason."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from pipelines.validation import null_unstorable_numbers, rejection_reason
from spiders.items import Post

logger = logging.getLogger(__name__)


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        if isinstance(item, Post):
            reason = rejection_reason(item)
            if reason:
                self.stats.inc_value(f"wparchive/dropped/{reason}")
                raise DropItem(f"{reason}: {item.url}")
            for field in null_unstorable_numbers(item):
                self.stats.inc_value(f"wparchive/out_of_range/{field}")
                logger.warning("%s: %s out of range (past SQLite's integers): kept as NULL", item.url, field)
        return item
