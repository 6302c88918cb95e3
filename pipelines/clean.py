"""CleanPipeline: whitespace, sanitised HTML, ISO dates and safe URLs on every post."""

from __future__ import annotations

from scrapy.crawler import Crawler

from pipelines.cleaning import clean_post
from spiders.items import Post


class CleanPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        if isinstance(item, Post):
            return clean_post(item)
        return item
