"""What the spider knows about a blog while it crawls it, and small helpers on responses."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.html import get_meta_refresh

from spiders.items import Comment, KnownPost, Post, SiteState
from spiders.linkgraph import LinkGraph
from spiders.urls import (
    normalise_url,
)


@dataclass
class Site:
    """What the spider knows about one blog while it crawls it."""

    home: str
    discovery: str = "single"
    api: str | None = None  # REST root: ".../wp-json/" or ".../?rest_route=/"
    rest_posts: dict[str, Post] = field(default_factory=dict)  # by URL
    rest_comments: dict[int, dict[int, Comment]] = field(default_factory=dict)  # post wp_id -> id -> comment
    home_response: Response | None = None  # the home page, read again if the REST API fails
    # How the REST API failed (5xx, reset, timeout, a redirect loop), unlike an API not offered
    # (401, 403, 404, HTML instead of JSON): the blog is listed another way, but not completely.
    rest_trouble: str | None = None
    media_seen: set[str] = field(default_factory=set)  # files asked for (or skipped) in this crawl
    pending_listings: int = 0
    # A full crawl streams: the next listing page waits while many requests are outstanding.
    deferred: list[Any] = field(default_factory=list)  # listing requests held back (counted pending)
    listing_pages: dict[str, int] = field(default_factory=dict)  # route -> pages to read
    rest_listed: set[int] = field(default_factory=set)  # wp ids of every post and page listed
    # Re-crawling: what the archive holds, and what this crawl observed.
    state: SiteState | None = None
    mode: str = "full"  # full, resume, incremental, single
    since: str | None = None  # incremental: changes after this instant (ISO 8601)
    comments_since: str | None = None  # incremental: comments dated after this instant are listed
    clock: str | None = None  # the site's clock when this crawl began
    pending: int = 0  # requests not answered yet
    requests: int = 0
    queued: set[bytes | str] = field(default_factory=set)  # `url_digest` of each URL asked for
    steps: list[Callable[[Site], Iterator[Any]]] = field(default_factory=list)
    listing_ok: bool = True  # every listing answered: only then is anything marked missing
    failures: int = 0  # pages that failed (not 404/410)
    error: str | None = None
    seen: set[int] = field(default_factory=set)  # archive post ids confirmed present
    confirmed: set[int] = field(default_factory=set)  # archive post ids whose comments are unchanged
    missing: set[int] = field(default_factory=set)
    gone: set[int] = field(default_factory=set)  # known posts whose page answered 404 or 410
    ids: dict[str, set[int]] = field(default_factory=dict)  # REST id listing by route
    id_pages: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # X-WP-Total by route
    ids_complete: dict[str, bool] = field(default_factory=dict)
    listed_comments: dict[int, set[int]] = field(default_factory=dict)  # post wp_id -> REST comment ids
    comment_ids_ok: bool | None = None  # comments counted or listed by post, each listed id with its post
    comments_counted: set[int] = field(default_factory=set)  # post wp_ids whose comment count agreed
    refetch: dict[int, Post | None] = field(default_factory=dict)  # post wp_id -> REST data
    refetch_urls: set[str] = field(default_factory=set)  # pages with comments the archive lacks
    listed_urls: set[str] = field(default_factory=set)  # sitemap URLs (for missing posts)
    validators: list[dict[str, Any]] = field(default_factory=list)  # url, etag, last_modified (, links)
    finished: bool = False
    blog: str | None = None  # the start URL it was crawled from (a worker's entry in the queue)
    # How the listing was proven complete ("REST totals reached", "every sitemap read", "feed read
    # to its end", "link graph exhausted"); None: not proven, so the crawl is partial.
    proof: str | None = None
    graph: LinkGraph | None = None  # the HTML way: the blog's own links
    graph_capped: bool = False  # a listing guard stopped the graph before it was exhausted
    listings_queued: int = 0
    found: set[bytes] = field(default_factory=set)  # `url_digest` of the posts and pages this crawl saw
    feed_pages: list[frozenset[str]] = field(default_factory=list)
    listing_prints: dict[frozenset[str], str] = field(default_factory=dict)
    unlisted_checked: bool = False
    page_digests: dict[bytes, str] = field(default_factory=dict)  # page bodies read, by digest
    answered: set[int] = field(default_factory=set)  # archived posts whose own page answered as a post

    def known_by_wp_id(self) -> Mapping[int, KnownPost]:
        return self.state.by_wp_id if self.state else {}

    def known_url(self, url: str) -> KnownPost | None:
        if not self.state:
            return None
        post_id = self.state.urls.get(url) or self.state.urls.get(normalise_url(url))
        return self.state.by_id.get(post_id) if post_id else None


@dataclass
class ListingBatch:
    """One page of a REST listing (up to 100 posts) with their REST comments: its posts are fetched
    once their comments are in, and nothing of it is kept after (a full crawl streams)."""

    route: str
    page: int
    posts: dict[str, Post]  # by URL
    comments: dict[int, dict[int, Comment]] = field(default_factory=dict)  # post wp_id -> id -> comment
    pending: int = 0  # comment listing pages not answered yet


@dataclass
class CommentPaging:
    """Comment pages of one post still to fetch, and the comments gathered so far."""

    post: Post
    rest: Post | None
    pages: dict[int | None, list[Comment]] = field(default_factory=dict)
    queue: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    complete: bool = True


def site_step(method: Callable[..., Iterable[Any] | None]) -> Callable[..., Iterator[Any]]:
    """A callback or errback of one site's request: counts the request as answered, and when it
    was the site's last, yields the site's `SiteCrawl`. An exception is logged and makes the site
    partial rather than leaving it unfinished."""

    @functools.wraps(method)
    def wrapper(self: Any, first: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        site: Site = kwargs["site"] if "site" in kwargs else first.request.cb_kwargs["site"]
        try:
            yield from method(self, first, *args, **kwargs) or ()
        except Exception:
            site.failures += 1
            site.error = site.error or f"error in {method.__name__}"
            self.count("callback_errors")
            self.logger.exception("Error in %s for %s", method.__name__, site.home)
        site.pending -= 1
        yield from self._maybe_done(site)

    return wrapper


def meta_refresh(response: TextResponse) -> str | None:
    """Where a `<meta http-equiv="refresh">` page sends its reader at once, if it does."""
    interval, url = get_meta_refresh(response.text[:8192], response.url)
    return url if url and interval is not None and interval <= 10 and url != response.url else None


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def http_date(response: Response) -> str | None:
    """The server's clock from the `Date` header, as ISO 8601 UTC."""
    value = response.headers.get(b"Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.decode("latin-1"))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def requested_url(response: Response) -> str:
    """The URL as requested, before redirects."""
    return normalise_url((response.meta.get("redirect_urls") or [response.url])[0])


def response_validators(response: Response) -> dict[str, str | None]:
    etag = response.headers.get(b"ETag")
    last_modified = response.headers.get(b"Last-Modified")
    return {
        "etag": etag.decode("latin-1") if etag else None,
        "last_modified": last_modified.decode("latin-1") if last_modified else None,
    }


def conditional_headers(stored: dict[str, str | None]) -> dict[str, str]:
    headers = {}
    if stored.get("etag"):
        headers["If-None-Match"] = str(stored["etag"])
    if stored.get("last_modified"):
        headers["If-Modified-Since"] = str(stored["last_modified"])
    return headers


# Statuses that reach the callbacks of listings and start pages (which say what each means): 304
# Not Modified and the errors. Redirects are followed; a redirect loop fails the request.
CALLBACK_STATUSES = [304, *range(400, 600)]


def capture_of(response: Response, kind: str) -> list[dict[str, str]]:
    """Where the capture extension kept this response (nothing when capture is off)."""
    captured = response.meta.get("capture")
    return [{"url": response.url, "kind": kind, **captured}] if captured else []


def by_choice(failure: Failure) -> bool:
    """Whether a request was dropped on purpose (robots.txt forbids it, or it leaves the allowed
    hosts), not failed. Any other `IgnoreRequest` is a failure: a redirect loop (too many
    redirects), a body over DOWNLOAD_MAXSIZE (a decompression bomb)."""
    if not failure.check(IgnoreRequest) or failure.check(HttpError):
        return False
    message = str(failure.value)
    return message.startswith(("Forbidden by robots.txt", "Filtered offsite request"))


def failure_reason(failure: Failure) -> str:
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(failure.value).__name__}: {failure.value}"


def chunked(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
