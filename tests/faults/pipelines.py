"""A pipeline that fails on chosen posts, as a bug or a full disk would: for fault-injection tests.

    -s 'ITEM_PIPELINES={"pipelines.clean.CleanPipeline": 100, "tests.faults.pipelines.FailOn": 150, ...}'
    -s FAIL_ON=/slug-of-a-post/
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from spiders.items import Post


class FailOn:
    def __init__(self, needle: str) -> None:
        self.needle = needle

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailOn:
        return cls(crawler.settings.get("FAIL_ON", ""))

    def process_item(self, item: object) -> object:
        if isinstance(item, Post) and self.needle and self.needle in item.url:
            raise OSError(28, "No space left on device (injected)")
        return item
