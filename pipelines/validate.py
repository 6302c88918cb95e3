"""ValidatePipeline: drop items that cannot be archived, with a logged and counted reason."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from pipelines.validation import rejection_reason
from spiders.items import Post


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
        return item
