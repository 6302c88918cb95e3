"""QuietLogFormatter: Scrapy's debug line for every response and every item, only when the log
shows debug lines.

Scrapy filters the log by LOG_LEVEL in its root handler, not in its loggers, so each response's
"Crawled (200)" and each item's "Scraped from" record is made in full (the caller's frame looked
up, the record built with the item) and only then dropped by a log at INFO. A log formatter
method that returns None logs nothing (Scrapy's `LogFormatter`): these two do so unless
LOG_LEVEL is DEBUG (or lower).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class QuietLogFormatter(LogFormatter):
    def __init__(self, debug: bool = True) -> None:
        super().__init__()
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietLogFormatter:
        level = crawler.settings.get("LOG_LEVEL", "DEBUG")
        if isinstance(level, str):
            level = logging.getLevelNamesMapping().get(level.upper(), logging.DEBUG)
        return cls(debug=crawler.settings.getbool("LOG_ENABLED", True) and level <= logging.DEBUG)

    def crawled(self, request: Request, response: Response, spider: Spider) -> LogFormatterResult | None:  # type: ignore[override]
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult | None:  # type: ignore[override]
        return super().scraped(item, response, spider) if self.debug else None
