"""A Scrapy extension for the benchmarks: one JSON line per request that reached the downloader.

Not part of the product. `bench_requests.py` enables it only for its own crawls::

    PYTHONPATH=benchmarks scrapy crawl wordpress ... \\
        -s 'EXTENSIONS={"request_log.RequestLog": 0}' -s BENCH_REQUEST_LOG=/tmp/requests.jsonl

Each line has the URL, the method, the spider callback that will read the response (that names
the kind of request: `parse_post`, `parse_comment_page`, ...; robots.txt has `NO_CALLBACK`), the
REST route and page when the spider set them, the HTTP status (None when no response came) and
the time in seconds since the spider opened. It counts exactly what Scrapy's
`downloader/request_count` counts: requests that passed the robots.txt middleware and were sent.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


class RequestLog:
    """Record every request sent and the status of its response; write them when the spider closes."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.entries: list[dict[str, Any]] = []
        self.by_request: dict[int, dict[str, Any]] = {}
        self.opened = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestLog:
        path = crawler.settings.get("BENCH_REQUEST_LOG")
        if not path:
            raise NotConfigured("BENCH_REQUEST_LOG is not set")
        extension = cls(path)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.opened = time.monotonic()

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        callback = request.callback
        entry = {
            "url": request.url,
            "method": request.method,
            "callback": getattr(callback, "__name__", None) if callback is not None else "parse",
            "route": request.meta.get("route"),
            "page": request.meta.get("page"),
            "redirected_from": (request.meta.get("redirect_urls") or [None])[0],
            "retry": request.meta.get("retry_times", 0),
            "status": None,
            "t": round(time.monotonic() - self.opened, 3),
        }
        self.entries.append(entry)
        self.by_request[id(request)] = entry

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        entry = self.by_request.pop(id(request), None)
        if entry is not None:
            entry["status"] = response.status
            entry["bytes"] = len(response.body)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("w", encoding="utf-8") as out:
            for entry in self.entries:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
