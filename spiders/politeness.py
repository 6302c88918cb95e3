"""Asking again only when the host said it may be asked: `Retry-After` on a 429 or 503."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import sleep


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: a number of seconds or an HTTP date; None when absent or
    not readable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """A 429 or 503 that says when to come back (`Retry-After`) holds its request that long (at
    most ARCHIVE_RETRY_AFTER_MAX seconds) before Scrapy's retry middleware asks again; a request
    with no retry left is passed on at once. Sits just outside RetryMiddleware (550)."""

    STATUSES = (429, 503)

    def __init__(self, crawler: Crawler, longest: float, retries: int) -> None:
        self.crawler = crawler
        self.longest = longest
        self.retries = retries

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        settings = crawler.settings
        return cls(crawler, settings.getfloat("ARCHIVE_RETRY_AFTER_MAX", 120), settings.getint("RETRY_TIMES"))

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.STATUSES or request.meta.get("dont_retry"):
            return response
        if request.meta.get("retry_times", 0) >= request.meta.get("max_retry_times", self.retries):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if not wait:
            return response
        wait = min(wait, self.longest)
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("wparchive/retry_after/waited")
            stats.inc_value("wparchive/retry_after/seconds", round(wait))
        await sleep(wait)
        return response
