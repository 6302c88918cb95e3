"""The `wordpress` spider: decides what to fetch from a blog; extraction lives in `extraction/`.

From a home page it lists every published post and page through the REST API (or its
`?rest_route=` form), else the sitemaps, else the feeds, else the HTML archive pages, and then
fetches each post's own page (breadcrumbs, share links, pingbacks and the theme's comment
threads exist only there), following comment pages. From a single post URL it archives that post.

A blog already in the archive is re-crawled for what changed only (`archive.db.read_site_state`
says what is there, and since when):

- **incremental** (after a complete crawl): REST `modified_after` for posts and pages, `after` for
  comments, the site's comments feed (conditional: 304 when nothing is new; pingbacks are only
  there), and, to notice what disappeared or was approved late, the post and page ids and every
  REST comment id with its post. Only the posts that changed, or whose comment ids differ from
  the archive's, are fetched again; their REST data and comments come from those listings and
  the archive, so their rows are what a full crawl writes. Without the REST API: sitemap
  `lastmod`, the comments feed, and conditional requests (`If-None-Match`, `If-Modified-Since`)
  for the pages.
- **resume** (no complete crawl yet, e.g. the last one was killed): everything is listed, and
  posts already archived with the same modification date and comments are not fetched again.
- **full** (first crawl, or `ARCHIVE_FULL_RECRAWL`): every page is fetched.

Every request of a site goes through `_request`, which counts it; when a site's last request is
answered the spider yields a `SiteCrawl`: how it went, which archived posts were seen, confirmed
or missing. A site that could not be listed completely marks nothing missing.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.html import get_meta_refresh

from archive.db import KnownPost, SiteState, read_archived_posts, read_site_state
from spiders.extraction.discovery import (
    comment_feed_links,
    comments_feed_url,
    feed_urls,
    home_url,
    is_content_sitemap,
    listing_links,
    parse_comment_feed,
    parse_feed,
    parse_sitemap,
    rest_comment,
    rest_post,
    rest_root,
)
from spiders.extraction.merge import merge_comments, merge_post
from spiders.extraction.page import Document, document_kind, extract_post, is_wordpress
from spiders.extraction.text import split_url
from spiders.items import Comment, Post, SiteCrawl, Term
from spiders.linkgraph import Harvest, LinkGraph, links_prefix, static_copy_url
from spiders.urls import (
    comment_page_number,
    dedupe_key,
    in_scope,
    normalise_url,
    post_url_of_comment_page,
    site_prefix,
    trap_reason,
)

VERSION = "0.1.0"
REST_EMBED = "author,wp:term"
# Incremental crawls list every REST comment id with its post, to notice what is gone or came late.
COMMENT_IDS = {"_fields": "id,post"}


@dataclass
class Site:
    """What the spider knows about one blog while it crawls it."""

    home: str
    discovery: str = "single"
    api: str | None = None  # REST root: ".../wp-json/" or ".../?rest_route=/"
    rest_posts: dict[str, Post] = field(default_factory=dict)  # by URL
    rest_comments: dict[int, dict[int, Comment]] = field(default_factory=dict)  # post wp_id -> id -> comment
    home_response: Response | None = None  # the home page, read again if the REST API fails
    pending_listings: int = 0
    listing_pages: int = 0
    feed_items: int = 0
    # Re-crawling: what the archive holds, and what this crawl observed.
    state: SiteState | None = None
    mode: str = "full"  # full, resume, incremental, single
    since: str | None = None  # incremental: changes after this instant (ISO 8601)
    clock: str | None = None  # the site's clock when this crawl began
    pending: int = 0  # requests not answered yet
    requests: int = 0
    queued: set[str] = field(default_factory=set)
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
    comment_ids_ok: bool | None = None  # the comment id listing answered, each id with its post
    refetch: dict[int, Post | None] = field(default_factory=dict)  # post wp_id -> REST data
    refetch_urls: set[str] = field(default_factory=set)  # pages with comments the archive lacks
    listed_urls: set[str] = field(default_factory=set)  # sitemap URLs (for missing posts)
    validators: list[dict[str, Any]] = field(default_factory=list)  # url, etag, last_modified (, links)
    finished: bool = False
    # How the listing was proven complete ("REST totals reached", "every sitemap read", "feed read
    # to its end", "link graph exhausted"); None: not proven, so the crawl is partial.
    proof: str | None = None
    graph: LinkGraph | None = None  # the HTML way: the blog's own links
    graph_capped: bool = False  # a listing guard stopped the graph before it was exhausted
    listings_queued: int = 0
    found: set[str] = field(default_factory=set)  # post and page URLs this crawl saw as posts
    feed_pages: list[frozenset[str]] = field(default_factory=list)
    listing_prints: dict[frozenset[str], str] = field(default_factory=dict)
    unlisted_checked: bool = False
    page_digests: dict[bytes, str] = field(default_factory=dict)  # page bodies read, by digest
    answered: set[int] = field(default_factory=set)  # archived posts whose own page answered as a post

    def known_by_wp_id(self) -> dict[int, KnownPost]:
        return self.state.by_wp_id if self.state else {}

    def known_url(self, url: str) -> KnownPost | None:
        if not self.state:
            return None
        post_id = self.state.urls.get(url) or self.state.urls.get(normalise_url(url))
        return self.state.by_id.get(post_id) if post_id else None


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
    def wrapper(self: WordPressSpider, first: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
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


class WordPressSpider(scrapy.Spider):
    name = "wordpress"

    def __init__(self, url: str | None = None, urls_file: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        urls = [u.strip() for u in (url or "").split(",") if u.strip()]
        if urls_file:
            for line in Path(urls_file).read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    urls.append(line)
        if not urls:
            raise ValueError("give a blog or post URL: -a url=URL[,URL2] or -a urls_file=FILE")
        self.start_urls = [normalise_url(u) for u in urls]
        self.archive_arguments = {"url": url, "urls_file": urls_file, "urls": self.start_urls}
        self.discovery: dict[str, str] = {}
        self.sites: list[Site] = []

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        contact = settings.get("ARCHIVE_CONTACT") or "contact not configured"
        if settings.getpriority("USER_AGENT") in (None, 0, 10):
            settings.set(
                "USER_AGENT",
                f"wparchive/{VERSION} (archiving course blogs; +{contact})",
                priority="spider",
            )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.settings.get("ARCHIVE_CONTACT"):
            self.logger.warning("ARCHIVE_CONTACT is not set: site owners cannot reach you")
        self.archive_arguments["full"] = self.settings.getbool("ARCHIVE_FULL_RECRAWL")
        for url in self.start_urls:
            yield scrapy.Request(
                url,
                callback=self.parse_start,
                errback=self.start_failed,
                meta={"handle_httpstatus_all": True},
                cb_kwargs={"start_url": url},
                dont_filter=True,
            )

    # --- Start: a home page or a single post ------------------------------------------------

    def parse_start(self, response: Response, start_url: str) -> Iterator[Any]:
        if response.status >= 400 or not isinstance(response, TextResponse):
            yield self._site_failed(start_url, f"HTTP {response.status}")
            return
        target = _meta_refresh(response)
        if target and response.meta.get("refreshes", 0) < 5:
            yield response.request.replace(
                url=target, meta={**response.meta, "refreshes": response.meta.get("refreshes", 0) + 1}
            )
            return
        doc = Document.parse(response.text, response.url)
        kind = document_kind(doc)
        if not is_wordpress(response.text):
            self.logger.warning("%s does not look like WordPress; extracting what it can", response.url)
            self.count("not_wordpress")
        if kind in ("post", "page"):
            home = normalise_url(home_url(doc) or site_prefix(response.url))
            site = Site(home=home, discovery="single", api=self._api_root(doc, home), mode="single", requests=1)
            site.proof = "single post"
            site.clock = _http_date(response) or _utc_now()
            self.sites.append(site)
            self.discovery[home] = "single"
            yield from self._single_post(response, site)
            yield from self._maybe_done(site)
            return
        home = site_prefix(response.url)
        site = Site(home=home, api=self._api_root(doc, home), home_response=response, requests=1)
        site.queued |= {dedupe_key(start_url), dedupe_key(response.url)}
        self.sites.append(site)
        self._prepare(site, response)
        order = self.settings.getlist("ARCHIVE_DISCOVERY")
        if "rest" in order and site.api:
            yield self._rest_first_request(site)
        else:
            yield from self._after_rest(site, response)
        yield from self._maybe_done(site)

    def start_failed(self, failure: Failure) -> Iterator[Any]:
        yield self._site_failed(failure.request.cb_kwargs["start_url"], _failure_reason(failure))

    def _site_failed(self, start_url: str, reason: str) -> SiteCrawl:
        self.count("sites_failed")
        self.logger.error("Cannot archive %s: %s", start_url, reason)
        return SiteCrawl(site_url=site_prefix(start_url), status="failed", mode="none", error=reason, requests=1)

    def _prepare(self, site: Site, response: Response) -> None:
        """Read what the archive holds about the site and choose the mode."""
        site.clock = _http_date(response) or _utc_now()
        if self.settings.getbool("ARCHIVE_ENABLED", True):
            site.state = read_site_state(self.settings.get("ARCHIVE_DB"), site.home)
        if site.state is None or self.settings.getbool("ARCHIVE_FULL_RECRAWL"):
            site.mode = "full"
        elif site.state.last_site_clock is None:
            site.mode = "resume"
        else:
            site.mode = "incremental"
            overlap = timedelta(seconds=self.settings.getfloat("ARCHIVE_RECRAWL_OVERLAP", 3600))
            since = datetime.fromisoformat(site.state.last_site_clock) - overlap
            site.since = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        self.count(f"mode/{site.mode}")
        self.logger.info("%s: %s crawl%s", site.home, site.mode, f" (changes since {site.since})" if site.since else "")

    def _single_post(self, response: Response, site: Site) -> Iterator[Any]:
        if site.api:
            wp_id = extract_post(response.text, response.url).wp_id
            if wp_id:
                # One REST call brings the post's comments with their parents, when the API answers.
                yield self._single_rest_comments_request(response, site, wp_id, 1)
                return
        yield from self._parse_post_page(response, site=site, rest=None)

    def _single_rest_comments_request(self, response: Response, site: Site, wp_id: int, page: int) -> scrapy.Request:
        return self._request(
            site,
            self._rest_url(site, "comments", page, extra={"post": wp_id}),
            self.parse_single_rest_comments,
            errback=self.single_rest_failed,
            meta={"handle_httpstatus_all": True},
            cb_kwargs={"response_for_post": response, "wp_id": wp_id, "page": page},
        )

    @site_step
    def parse_single_rest_comments(
        self, response: Response, response_for_post: Response, site: Site, wp_id: int, page: int
    ) -> Iterator[Any]:
        data = self._json_list(response)
        if data is not None:
            for item in data:
                post_id, comment = rest_comment(item)
                self._add_rest_comment(site, post_id or wp_id, comment)
            if page < self._total_pages(response):
                yield self._single_rest_comments_request(response_for_post, site, wp_id, page + 1)
                return
        yield from self._parse_post_page(response_for_post, site=site, rest=None)

    @site_step
    def single_rest_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs
        yield from self._parse_post_page(kwargs["response_for_post"], site=kwargs["site"], rest=None)

    # --- REST API ---------------------------------------------------------------------------

    def _api_root(self, doc: Document, home: str) -> str | None:
        return rest_root(doc) or home + "wp-json/"

    def _rest_url(
        self, site: Site, route: str, page: int, extra: dict[str, Any] | None = None, per_page: int = 100
    ) -> str:
        params: dict[str, Any] = {"per_page": per_page, "page": page}
        if route in ("posts", "pages") and "_fields" not in (extra or {}):
            params["_embed"] = REST_EMBED
        if route == "comments":
            params["orderby"] = "id"
            params["order"] = "asc"
        params.update(extra or {})
        api = site.api or site.home + "wp-json/"
        if "rest_route=" in api:
            base = api.split("?")[0]
            return f"{base}?{urlencode({'rest_route': f'/wp/v2/{route}', **params})}"
        return f"{api.rstrip('/')}/wp/v2/{route}?{urlencode(params)}"

    def _rest_request(
        self,
        site: Site,
        route: str,
        page: int,
        callback: Callable[..., Any],
        extra: dict[str, Any] | None = None,
        kind: str = "data",
        per_page: int = 100,
        more: bool = True,
    ) -> scrapy.Request:
        """A REST listing request; `kind` is data, ids or count; `more`: follow its other pages."""
        return self._request(
            site,
            self._rest_url(site, route, page, extra, per_page),
            callback,
            errback=self.rest_failed,
            meta={
                "handle_httpstatus_all": True,
                "route": route,
                "page": page,
                "kind": kind,
                "extra": extra or {},
                "more": more,
            },
        )

    def _rest_first_request(self, site: Site) -> scrapy.Request:
        extra = {"modified_after": site.since} if site.mode == "incremental" else {}
        return self._rest_request(site, "posts", 1, self.parse_rest_first, extra=extra)

    def _listing(self, site: Site, request: scrapy.Request) -> scrapy.Request:
        site.pending_listings += 1
        return request

    @site_step
    def parse_rest_first(self, response: Response, site: Site) -> Iterator[Any]:
        """The first page of REST posts: decides whether the API is usable."""
        data = self._json_list(response)
        if data is None:
            if site.api and "rest_route=" not in site.api:
                self.logger.info(
                    "REST API at %s did not answer (%s); trying ?rest_route=",
                    site.api,
                    response.status,
                )
                site.api = site.home + "?rest_route=/"
                yield self._rest_first_request(site)
                return
            self.logger.info("No usable REST API on %s; using sitemaps, feeds or HTML", site.home)
            yield from self._after_rest(site, site.home_response)
            return
        site.discovery = "rest_route" if "rest_route=" in (site.api or "") else "rest"
        self.discovery[site.home] = site.discovery
        self.count(f"discovery/{site.discovery}")
        self._add_rest_posts(site, data)
        extra = response.meta["extra"]
        total = self._total_pages(response)
        requests = [
            self._rest_request(site, "posts", p, self.parse_rest_listing, extra, more=False)
            for p in range(2, total + 1)
        ]
        requests.append(self._rest_request(site, "pages", 1, self.parse_rest_listing, extra))
        if site.mode == "incremental":
            requests.append(self._rest_request(site, "comments", 1, self.parse_rest_listing, {"after": site.since}))
            # What disappeared or came late: post and page ids (the first page, more when the total
            # is off), and every comment id with its post (100 a request).
            for route in ("posts", "pages"):
                requests.append(
                    self._rest_request(site, route, 1, self.parse_rest_listing, {"_fields": "id"}, "ids", more=False)
                )
            requests.append(self._rest_request(site, "comments", 1, self.parse_rest_listing, COMMENT_IDS, "ids"))
            requests.append(self._site_comments_feed_request(site, then=None))
            site.steps = [self._step_more_ids, self._step_compare, self._step_fetch]
        else:
            requests.append(self._rest_request(site, "comments", 1, self.parse_rest_listing))
            site.steps = [self._step_fetch_listed]
        for request in requests:
            yield self._listing(site, request)

    @site_step
    def parse_rest_listing(self, response: Response, site: Site) -> Iterator[Any]:
        route, page, kind = response.meta["route"], response.meta["page"], response.meta["kind"]
        data = self._json_list(response)
        if data is None:
            site.listing_ok = False
            site.error = site.error or f"REST {route} ({kind}) page {page}: HTTP {response.status}"
            self.count(f"rest_failed/{route}")
            self.logger.warning("REST %s page %s failed (HTTP %s)", route, page, response.status)
        elif kind == "ids" and route == "comments":
            if page == 1 and site.comment_ids_ok is None:
                site.comment_ids_ok = True
                if self._total(response) is not None:
                    site.totals[route] = self._total(response)
            for item in data:
                if isinstance(item, dict) and isinstance(item.get("id"), int) and isinstance(item.get("post"), int):
                    site.listed_comments.setdefault(item["post"], set()).add(item["id"])
                else:
                    site.comment_ids_ok = False  # not what was asked for: cannot say what is gone
        elif kind == "ids":
            site.ids.setdefault(route, set()).update(i["id"] for i in data if isinstance(i, dict) and "id" in i)
            if page == 1 and self._total(response) is not None:
                site.totals[route] = self._total(response)
                site.id_pages[route] = self._total_pages(response)
        elif route == "comments":
            if page == 1 and not response.meta["extra"] and self._total(response) is not None:
                site.totals[route] = self._total(response)  # the whole listing: its total is the count
            for item in data:
                post_id, comment = rest_comment(item)
                if post_id is not None:
                    self._add_rest_comment(site, post_id, comment)
        else:
            self._add_rest_posts(site, data)
        if data is not None and page == 1 and response.meta["more"]:
            extra = response.meta["extra"]
            for p in range(2, self._total_pages(response) + 1):
                yield self._listing(site, self._rest_request(site, route, p, self.parse_rest_listing, extra, kind))
        yield from self._listing_done(site)

    @site_step
    def rest_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        request = failure.request
        site: Site = request.cb_kwargs["site"]
        self.count(f"rest_failed/{request.meta.get('route')}")
        self.logger.warning("REST request %s failed: %s", request.url, failure.value)
        if request.callback == self.parse_rest_first:
            yield from self._after_rest(site, site.home_response)
            return
        site.listing_ok = False
        site.error = site.error or f"REST {request.meta.get('route')}: {_failure_reason(failure)}"
        yield from self._listing_done(site)

    def _listing_done(self, site: Site) -> Iterator[Any]:
        site.pending_listings -= 1
        if site.pending_listings > 0:
            return
        while site.steps and site.pending_listings == 0:
            step = site.steps.pop(0)
            yield from step(site)

    def _add_rest_posts(self, site: Site, data: list[dict]) -> None:
        for item in data:
            if not isinstance(item, dict) or item.get("status", "publish") != "publish":
                continue
            post = rest_post(item, site.home, users={}, terms={})
            site.rest_posts[normalise_url(post.url)] = post

    def _add_rest_comment(self, site: Site, post_wp_id: int, comment: Comment) -> None:
        key = comment.wp_id if comment.wp_id is not None else id(comment)
        site.rest_comments.setdefault(post_wp_id, {})[key] = comment

    # Full and resumed crawls: everything is listed.

    def _step_fetch_listed(self, site: Site) -> Iterator[Any]:
        """Fetch every listed post, except (resume) those archived with the same date and comments."""
        self.logger.info(
            "%s: %d posts and pages, %d comments listed by the REST API",
            site.home,
            len(site.rest_posts),
            sum(len(v) for v in site.rest_comments.values()),
        )
        known = site.known_by_wp_id()
        for url, post in site.rest_posts.items():
            archived = known.get(post.wp_id) if post.wp_id is not None else None
            if site.mode == "resume" and archived and not archived.missing and self._up_to_date(site, archived, post):
                site.seen.add(archived.id)
                site.confirmed.add(archived.id)
                self.count("skipped/up_to_date")
                continue
            yield self._post_request(url, site, rest=post, known=archived)
        if site.listing_ok:
            site.proof = "REST totals reached"
            listed = {p.wp_id for p in site.rest_posts.values()}
            site.missing |= {p.id for wp_id, p in known.items() if not p.missing and wp_id not in listed}

    def _up_to_date(self, site: Site, archived: KnownPost, post: Post) -> bool:
        rest_ids = set(site.rest_comments.get(post.wp_id or 0, {}))
        return _same_instant(archived.modified, post.modified) and rest_ids == set(archived.rest_comment_ids)

    # Incremental crawls: only what changed.

    def _step_more_ids(self, site: Site) -> Iterator[Any]:
        """The rest of an id listing, unless its total says nothing appeared or disappeared."""
        known = site.known_by_wp_id()
        for route, kind in (("posts", "post"), ("pages", "page")):
            if route not in site.totals:
                continue
            expected = {p.wp_id for p in known.values() if p.type == kind and not p.missing}
            expected |= {p.wp_id for p in site.rest_posts.values() if p.type == kind}
            first_page = site.ids.get(route, set())
            pages = site.id_pages.get(route, 1)
            if pages <= 1:
                site.ids_complete[route] = True
            elif site.totals[route] == len(expected) and first_page <= expected:
                site.ids_complete[route] = False  # settled by the count: nothing gone, nothing new
            else:
                site.ids_complete[route] = True
                for page in range(2, pages + 1):
                    yield self._listing(
                        site,
                        self._rest_request(site, route, page, self.parse_rest_listing, {"_fields": "id"}, "ids"),
                    )

    def _step_compare(self, site: Site) -> Iterator[Any]:
        """What must be fetched again: posts gone from the id listings are missing; new and changed
        posts, posts listed but not archived, and posts whose comment ids differ from the archive's
        REST comments (one gone, one new, one approved late) are fetched again. Their REST data and
        REST comments come from the listings and the archive; only comments approved late (listed
        by id but older than `after`) are asked for (`include=`)."""
        known = site.known_by_wp_id()
        listed = {p.wp_id for p in site.rest_posts.values()}
        for route, kind in (("posts", "post"), ("pages", "page")):
            if site.listing_ok and site.ids_complete.get(route):
                ids = site.ids.get(route, set()) | listed
                site.missing |= {
                    p.id for wp_id, p in known.items() if p.type == kind and not p.missing and wp_id not in ids
                }
        by_id = {p.wp_id: p for p in site.rest_posts.values()}
        for post in site.rest_posts.values():
            archived = known.get(post.wp_id) if post.wp_id is not None else None
            if archived is None or archived.missing or not _same_instant(archived.modified, post.modified):
                site.refetch[post.wp_id or 0] = post
        for route in ("posts", "pages"):
            for wp_id in site.ids.get(route, set()):
                if (wp_id not in known or known[wp_id].missing) and wp_id not in by_id:
                    site.refetch[wp_id] = None
        for post_wp_id, comments in site.rest_comments.items():
            archived = known.get(post_wp_id)
            if archived is None or not set(comments) <= archived.comment_ids:
                site.refetch.setdefault(post_wp_id, by_id.get(post_wp_id))
        complete = self._comment_ids_complete(site)
        if complete:
            present = {wp_id for wp_id, p in known.items() if not p.missing and p.id not in site.missing}
            present |= listed | site.ids.get("posts", set()) | site.ids.get("pages", set())
            for wp_id in sorted(present):
                archived = known.get(wp_id)
                if site.listed_comments.get(wp_id, set()) != (archived.rest_comment_ids if archived else frozenset()):
                    site.refetch.setdefault(wp_id, by_id.get(wp_id))
        for url in site.refetch_urls:
            archived = site.known_url(url) or site.known_url(post_url_of_comment_page(url))
            if archived is not None and archived.wp_id is not None:
                site.refetch.setdefault(archived.wp_id, by_id.get(archived.wp_id))
        site.refetch.pop(0, None)
        stored = read_archived_posts(self.settings.get("ARCHIVE_DB"), site.home, set(site.refetch) & set(known))
        lacking: dict[str, list[int]] = {"posts": [], "pages": [], "comments": []}
        for wp_id, rest in site.refetch.items():
            archived = stored.get(wp_id)
            if rest is None and archived is not None and "rest" in archived["sources"]:
                site.refetch[wp_id] = _archived_rest_post(archived, site.home)
            elif rest is None:
                page = (wp_id in known and known[wp_id].type == "page") or wp_id in site.ids.get("pages", set())
                lacking["pages" if page else "posts"].append(wp_id)
            # Its REST comments: the archived ones still listed (or all present ones, without a
            # complete listing), and the new ones from the `after` listing.
            kept = {
                c["wp_id"]: c
                for c in (archived or {}).get("comments", [])
                if c["type"] == "comment" and "rest" in c["sources"] and c["wp_id"] is not None
            }
            fresh = site.rest_comments.get(wp_id, {})
            if complete:
                ids = site.listed_comments.get(wp_id, set())
                kept = {i: c for i, c in kept.items() if i in ids}
                lacking["comments"] += sorted(ids - set(kept) - set(fresh))
            else:
                kept = {i: c for i, c in kept.items() if not c["missing"]}
            site.rest_comments[wp_id] = {**{i: _archived_comment(c) for i, c in kept.items()}, **fresh}
        if lacking["comments"]:
            self.count("comments_fetched_by_id", len(lacking["comments"]))
        for route, ids in lacking.items():
            for chunk in _chunked(sorted(ids), 100):
                yield self._listing(
                    site,
                    self._rest_request(site, route, 1, self.parse_rest_listing, {"include": ",".join(map(str, chunk))}),
                )

    def _comment_ids_complete(self, site: Site) -> bool:
        """Whether every REST comment id was listed, with its post."""
        return bool(site.comment_ids_ok) and site.listing_ok

    def _step_fetch(self, site: Site) -> Iterator[Any]:
        """Fetch what changed; everything else archived and still listed was seen, unchanged."""
        known = site.known_by_wp_id()
        by_id = {p.wp_id: p for p in site.rest_posts.values()}
        fetched: set[int] = set()
        for wp_id, rest in sorted(site.refetch.items()):
            rest = rest or by_id.get(wp_id)
            archived = known.get(wp_id)
            url = rest.url if rest else archived.url if archived else None
            if url is None or not self._first_time(site, url):
                continue
            fetched.add(wp_id)
            yield self._post_request(url, site, rest=rest, known=archived)
        for url in sorted(site.refetch_urls):
            page = post_url_of_comment_page(url)
            if not site.known_url(url) and not site.known_url(page) and self._first_time(site, page):
                yield self._post_request(page, site, rest=None)
        self.logger.info(
            "%s: %d posts to fetch again, %d gone, %d unchanged",
            site.home,
            len(fetched),
            len(site.missing),
            sum(1 for p in known.values() if not p.missing and p.wp_id not in fetched and p.id not in site.missing),
        )
        if site.listing_ok:
            site.proof = "REST totals reached"
            unchanged = {p.id for wp_id, p in known.items() if not p.missing and wp_id not in fetched} - site.missing
            site.seen |= unchanged
            site.confirmed |= unchanged

    # --- The site's comments feed (new comments, pingbacks and trackbacks) ---------------------

    def _site_comments_feed_request(self, site: Site, then: str | None) -> scrapy.Request:
        doc = Document.parse(site.home_response.text, site.home_response.url) if site.home_response else None
        url = (comments_feed_url(doc) if doc else None) or site.home + "comments/feed/"
        stored = site.state.validators.get(url, {}) if site.state and site.mode != "full" else {}
        return self._request(
            site,
            url,
            self.parse_site_comments_feed,
            errback=self.site_comments_feed_failed,
            meta={"handle_httpstatus_all": True, "then": then},
            headers=_conditional_headers(stored),
        )

    @site_step
    def parse_site_comments_feed(self, response: Response, site: Site) -> Iterator[Any]:
        if response.status == 304:
            self.count("not_modified/comments_feed")
        elif response.status == 200:
            links = comment_feed_links(response.body)
            known = site.state.comment_ids if site.state else frozenset()
            new = [(url, i) for url, i in links if i not in known]
            for url, _ in new:
                site.refetch_urls.add(normalise_url(url))
            if links and len(new) == len(links):
                self.count("comments_feed_saturated")  # more may be new than the feed shows
            site.validators.append({"url": _requested_url(response), **_validators(response)})
        elif response.status < 500:
            # No comments feed on this site (feeds turned off): new pingbacks show only when their
            # post is fetched again for another reason.
            self.count("comments_feed_unavailable")
        else:
            site.listing_ok = False
            site.error = site.error or f"comments feed: HTTP {response.status}"
        yield from self._after_comments_feed(site, response.meta.get("then"))

    @site_step
    def site_comments_feed_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        site: Site = failure.request.cb_kwargs["site"]
        site.listing_ok = False
        site.error = site.error or f"comments feed: {_failure_reason(failure)}"
        yield from self._after_comments_feed(site, failure.request.meta.get("then"))

    def _after_comments_feed(self, site: Site, then: str | None) -> Iterator[Any]:
        if then == "after_rest":
            yield from self._after_rest(site, site.home_response)
        else:
            yield from self._listing_done(site)

    # --- Sitemaps, feeds and HTML archives -----------------------------------------------------

    def _after_rest(self, site: Site, home_response: Response) -> Iterator[Any]:
        order = self.settings.getlist("ARCHIVE_DISCOVERY")
        if site.mode != "full" and not site.steps and "comments_feed" not in site.queued:
            # Which pages have comments the archive lacks: before deciding what to fetch again.
            site.queued.add("comments_feed")
            yield self._site_comments_feed_request(site, then="after_rest")
            return
        if "sitemap" in order:
            yield self._sitemap_root_request(
                # WordPress core, Yoast, generic; `?sitemap=index` is core without pretty permalinks.
                site,
                "wp-sitemap.xml",
                ["sitemap_index.xml", "sitemap.xml", "?sitemap=index"],
                home_response,
            )
            return
        yield from self._after_sitemaps(site, home_response)

    def _sitemap_root_request(
        self, site: Site, path: str, fallbacks: list[str], home_response: Response
    ) -> scrapy.Request:
        return self._request(
            site,
            site.home + path,
            self.parse_sitemap,
            errback=self.sitemap_failed,
            meta={"handle_httpstatus_all": True, "fallbacks": fallbacks, "home_response": home_response, "root": True},
        )

    @site_step
    def parse_sitemap(self, response: Response, site: Site) -> Iterator[Any]:
        children, urls = parse_sitemap(response.body) if response.status == 200 else ([], [])
        if response.meta.get("root"):
            if not children and not urls:
                if response.status == 200:
                    self.count("listing_rejected/not_a_sitemap")  # e.g. the home page for ?sitemap=index
                fallbacks = response.meta["fallbacks"]
                if fallbacks:
                    yield self._sitemap_root_request(site, fallbacks[0], fallbacks[1:], response.meta["home_response"])
                else:
                    yield from self._after_sitemaps(site, response.meta["home_response"])
                return
            site.discovery = "sitemap"
            site.proof = "every sitemap read"
            self.discovery[site.home] = "sitemap"
            self.count("discovery/sitemap")
        elif response.status != 200:
            site.listing_ok = False
            site.error = site.error or f"sitemap {response.url}: HTTP {response.status}"
        for child in children:
            if is_content_sitemap(child) and in_scope(child, site.home) and self._first_time(site, child):
                yield self._request(
                    site, child, self.parse_sitemap, errback=self.sitemap_failed, meta={"handle_httpstatus_all": True}
                )
        for url, lastmod in urls:
            if self._allowed(url, site):
                site.listed_urls.add(normalise_url(url))
                yield from self._listed_post(site, url, lastmod)

    @site_step
    def sitemap_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        request = failure.request
        site = request.cb_kwargs["site"]
        self.logger.info("Sitemap %s failed: %s", request.url, failure.value)
        if request.meta.get("root"):
            yield from self._after_sitemaps(site, request.meta["home_response"])
        else:
            site.listing_ok = False
            site.error = site.error or f"sitemap {request.url}: {_failure_reason(failure)}"

    def _after_sitemaps(self, site: Site, home_response: Response) -> Iterator[Any]:
        order = self.settings.getlist("ARCHIVE_DISCOVERY")
        if "feed" in order:
            doc = Document.parse(home_response.text, home_response.url)
            feeds = feed_urls(doc) or [site.home + "feed/"]
            yield self._request(
                site,
                feeds[0],
                self.parse_feed,
                errback=self.feed_failed,
                meta={"handle_httpstatus_all": True, "home_response": home_response, "page": 1},
                cb_kwargs={"feed": feeds[0]},
            )
        elif "html" in order:
            yield from self._start_html(site, home_response)
        else:
            self.logger.error("No way to list the posts of %s", site.home)
            self.count("sites_failed")
            site.listing_ok = False
            site.error = "no way to list the posts"

    @site_step
    def parse_feed(self, response: Response, site: Site, feed: str) -> Iterator[Any]:
        """One page of the posts feed. The feed proves the listing complete only when its pages
        run to an empty one (as WordPress serves a page past the end); a page that repeats an
        earlier one (a host that ignores `paged`) or a feed that stops otherwise is not proof, and
        the blog's own links are followed as well."""
        entries = parse_feed(response.body) if response.status == 200 else []
        page = response.meta["page"]
        home_response = response.meta["home_response"]
        if page == 1 and not entries:
            if response.status == 200:
                self.count("listing_rejected/not_a_feed")
            yield from self._start_html(site, home_response)
            return
        if page == 1:
            site.discovery = "feed"
            self.discovery[site.home] = "feed"
            self.count("discovery/feed")
            # Feeds list posts only: pages come from the site's page menu.
            _, _, page_links = listing_links(Document.parse(home_response.text, home_response.url))
            for url in page_links:
                if self._allowed(url, site):
                    yield from self._listed_post(site, static_copy_url(url))
        if not entries:
            if response.status == 200:
                site.proof = "feed read to its end"
                return
            self.count("listing_ended_unproven/feed")
            yield from self._start_html(site, home_response)
            return
        links = frozenset(dedupe_key(static_copy_url(url)) for url, _ in entries)
        if links in site.feed_pages:
            self.count("listing_repeated/feed")
            self.logger.info("%s: feed page %d repeats an earlier page; following the blog's links", site.home, page)
            yield from self._start_html(site, home_response)
            return
        site.feed_pages.append(links)
        for url, _published in entries:
            url = static_copy_url(url)
            if self._allowed(url, site):
                yield from self._listed_post(site, url)
        next_url = f"{feed}{'&' if '?' in feed else '?'}paged={page + 1}"
        if page < self.settings.getint("ARCHIVE_MAX_LISTING_PAGES") and self._first_time(site, next_url):
            yield self._request(
                site,
                next_url,
                self.parse_feed,
                errback=self.feed_failed,
                meta={"handle_httpstatus_all": True, "home_response": home_response, "page": page + 1},
                cb_kwargs={"feed": feed},
            )
        else:
            self.count("listing_ended_unproven/feed")
            yield from self._start_html(site, home_response)

    @site_step
    def feed_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        request = failure.request
        yield from self._start_html(request.cb_kwargs["site"], request.meta["home_response"])

    # --- The HTML way: the blog's own link graph ---------------------------------------------

    def _start_html(self, site: Site, home_response: Response) -> Iterator[Any]:
        """Follow the blog's links from its home page (after a feed that proved nothing, too).
        When the home page names another home than where it is served and that one answers 404
        (a static copy moved to another path), its links are read as moved."""
        if site.graph is not None:
            return
        site.discovery = "html" if site.discovery in ("single", "html") else f"{site.discovery}+html"
        self.discovery[site.home] = site.discovery
        self.count("discovery/html")
        site.graph = LinkGraph(site.home)
        site.graph.offer(site.home)
        site.graph.offer(static_copy_url(home_response.url))
        site.queued.add(dedupe_key(home_response.url))
        site.proof = "link graph exhausted"
        doc = Document.parse(home_response.text, home_response.url)
        declared = links_prefix(doc, site.home) or home_url(doc)
        if declared and in_scope(declared, site.home) and split_url(declared).path != split_url(site.home).path:
            yield self._request(
                site,
                declared,
                self.parse_declared_home,
                errback=self.declared_home_failed,
                meta={"handle_httpstatus_all": True, "home_response": home_response},
            )
            return
        yield from self._listing_page(home_response, site)

    @site_step
    def parse_declared_home(self, response: Response, site: Site) -> Iterator[Any]:
        assert site.graph is not None
        declared = _requested_url(response)
        if response.status in (404, 410):
            site.graph.rebase = (normalise_url(declared), site.home)
            self.count("static_copy_rebased")
            self.logger.info(
                "%s: its links name %s, which answers %d: read as moved", site.home, declared, response.status
            )
        yield from self._listing_page(response.meta["home_response"], site)
        if response.status == 200 and isinstance(response, TextResponse):
            site.graph.offer(declared)
            yield from self._listing_page(response, site)

    @site_step
    def declared_home_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        yield from self._listing_page(failure.request.meta["home_response"], failure.request.cb_kwargs["site"])

    @site_step
    def parse_listing(self, response: Response, site: Site) -> Iterator[Any]:
        yield from self._listing_page(response, site)

    def _listing_page(self, response: Response, site: Site) -> Iterator[Any]:
        if response.status >= 500:
            site.failures += 1
            site.error = site.error or f"listing {response.url}: HTTP {response.status}"
            return
        stored = self._stored_listing(site, _requested_url(response))
        if response.status == 304 and site.graph is not None and stored is not None:
            # Unchanged since the last complete crawl: its links are the ones stored then.
            self.count("not_modified/listing")
            site.listing_pages += 1
            site.validators.append({"url": _requested_url(response), **stored})
            harvest = site.graph.harvest_links(stored["links"], stored["marked"], stored.get("pages", []))
            yield from self._follow(site, harvest, _requested_url(response))
            return
        if response.status >= 400 or not isinstance(response, TextResponse):
            self.count(f"listing_unavailable/{response.status}")
            return
        target = _meta_refresh(response)
        if target and site.graph is not None:
            self.count("meta_refresh")
            target = site.graph.canonical(target)
            if in_scope(target, site.home) and site.graph.offer(target) and self._first_time(site, target):
                site.listings_queued += 1
                yield self._request(site, target, self.parse_listing, meta={"handle_httpstatus_all": True})
            return
        site.listing_pages += 1
        doc = Document.parse(response.text, response.url)
        if site.graph is None:
            return
        if self._duplicate(site, response.body, doc.url):
            self.count("duplicate_page")
            return
        links, marked, pages = site.graph.page_links(doc)
        validators = _validators(response)
        if validators.get("etag") or validators.get("last_modified"):
            site.validators.append(
                {"url": _requested_url(response), **validators, "links": links, "marked": marked, "pages": pages}
            )
        yield from self._follow(site, site.graph.harvest_links(links, marked, pages), doc.url)

    @staticmethod
    def _duplicate(site: Site, body: bytes, url: str) -> bool:
        """Whether this body was read before under another URL (the home page answered for an
        unknown URL, `?paged=2` ignored)."""
        digest = hashlib.blake2b(body, digest_size=16).digest()
        return site.page_digests.setdefault(digest, url) != url

    def _follow_links(self, site: Site, doc: Document, body: bytes) -> Iterator[Any]:
        """The page's new links: posts to fetch, listings to read (up to the listing guard). A page
        that is byte for byte one already read under another URL (a host that answers unknown
        URLs with its home page) adds nothing: its relative links would only grow new paths."""
        if site.graph is None:
            return
        if self._duplicate(site, body, doc.url):
            self.count("duplicate_page")
            return
        yield from self._follow(site, site.graph.harvest(doc), doc.url)

    def _follow(self, site: Site, harvest: Harvest, page_url: str) -> Iterator[Any]:
        """Fetch what a page's links add: posts (those marked or shaped like one first), and
        listings up to the listing guard (conditionally when their links are stored)."""
        if len(harvest.marked) > 1:
            seen_at = site.listing_prints.setdefault(harvest.marked, page_url)
            if seen_at != page_url:
                self.count("listing_repeated/html")  # the same posts as another listing page
        for url in harvest.likely_posts:
            yield from self._listed_post(site, url, priority=1, marked=url in harvest.marked)
        for url in harvest.posts:
            yield from self._listed_post(site, url)
        limit = self.settings.getint("ARCHIVE_MAX_LISTING_PAGES")
        for url in harvest.listings:
            if site.listings_queued >= limit:
                site.graph_capped = True
                self.count("listing_guard_reached")
                continue
            if self._first_time(site, url):
                site.listings_queued += 1
                stored = self._stored_listing(site, url)
                yield self._request(
                    site,
                    url,
                    self.parse_listing,
                    meta={"handle_httpstatus_all": True},
                    headers=_conditional_headers(stored) if stored else None,
                )

    @staticmethod
    def _stored_listing(site: Site, url: str) -> dict[str, Any] | None:
        """A listing page's validators and links from the last complete crawl (re-crawls only)."""
        if site.state is None or site.mode == "full":
            return None
        stored = site.state.validators.get(url)
        return stored if stored and stored.get("links") is not None else None

    def _listed_post(
        self, site: Site, url: str, lastmod: str | None = None, priority: int = 0, marked: bool = False
    ) -> Iterator[Any]:
        """A post found in a sitemap, feed or HTML listing: skipped when its sitemap lastmod is the
        archived one, asked for conditionally when it has validators, else fetched."""
        if not self._first_time(site, url):
            return
        archived = site.known_url(url)
        if archived is None or archived.missing or site.mode == "full" or normalise_url(url) in site.refetch_urls:
            yield self._post_request(
                url, site, rest=None, known=archived, lastmod=lastmod, priority=priority, marked=marked
            )
            return
        stored = site.state.validators.get(url) or site.state.validators.get(normalise_url(url)) or {}
        if lastmod and stored.get("lastmod") == lastmod:
            site.seen.add(archived.id)
            site.found.add(normalise_url(url))
            self.count("skipped/same_lastmod")
            return
        yield self._post_request(
            url, site, rest=None, known=archived, lastmod=lastmod, validators=stored, priority=priority, marked=marked
        )

    # --- Post pages and their comment pages -------------------------------------------------

    def _post_request(
        self,
        url: str,
        site: Site,
        rest: Post | None,
        known: KnownPost | None = None,
        lastmod: str | None = None,
        validators: dict[str, str | None] | None = None,
        priority: int = 0,
        marked: bool = False,
    ) -> scrapy.Request:
        """`marked`: the blog links it as a post (`rel="bookmark"`, its page menu), so an old theme's
        page that carries no sign of being one is still taken as one."""
        headers = _conditional_headers(validators or {})
        return self._request(
            site,
            url,
            self.parse_post,
            errback=self.post_failed,
            meta={
                "known": known.id if known else None,
                "lastmod": lastmod,
                "listed_url": normalise_url(url),
                "marked": marked,
                **({"handle_httpstatus_list": [304]} if headers else {}),
            },
            cb_kwargs={"rest": rest},
            headers=headers,
            priority=priority,
        )

    @site_step
    def parse_post(self, response: Response, site: Site, rest: Post | None) -> Iterator[Any]:
        if response.status == 304:
            known = response.meta.get("known")
            if known is not None:
                site.seen.add(known)
                site.confirmed.add(known)
                site.answered.add(known)
            site.found.add(response.meta.get("listed_url") or normalise_url(response.url))
            self.count("not_modified")
            return
        yield from self._parse_post_page(response, site, rest)

    def _parse_post_page(self, response: Response, site: Site, rest: Post | None) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.count("skipped/not_html")
            return
        target = _meta_refresh(response)
        if target:
            # A stub that sends readers on (a static copy's old URL): its target is the post.
            self.count("meta_refresh")
            target = site.graph.canonical(target) if site.graph is not None else static_copy_url(target)
            if self._allowed(target, site):
                if site.graph is not None:
                    site.graph.offer(target)
                yield from self._listed_post(site, target, marked=bool(response.meta.get("marked")))
            return
        url = static_copy_url(response.url)
        doc = Document.parse(response.text, url)
        yield from self._follow_links(site, doc, response.body)
        if rest is None and site.discovery != "single":
            doc_kind = document_kind(doc)
            marked = response.meta.get("marked") or (site.graph is not None and site.graph.is_marked(url))
            # An old theme's post or page may carry no sign of being one (no body_class(), at most
            # one `id="post-N"`): the blog's own permalink or page-menu link to it says so.
            one_entry = doc_kind == "other" and marked and _single_entry(doc)
            if doc_kind == "other" and site.graph is not None and site.graph.in_page_menu(url):
                one_entry = True  # a page menu names WordPress pages only
            duplicate = site.graph is not None and self._duplicate(site, response.body, url)
            if duplicate:
                doc_kind = "copy of another page"
            if duplicate or (doc_kind not in ("post", "page") and not one_entry):
                self.count("skipped/not_a_post")
                self.logger.info("Skipping %s: %s, not a post or page", response.url, doc_kind)
                if response.meta.get("known") is not None:
                    # An archived post's URL answers with something else (the home page, a login
                    # wall): that proves nothing about the post, and the crawl is not complete.
                    site.failures += 1
                    site.error = site.error or f"{response.url}: an archived post answered with a {doc_kind} page"
                return
        if response.meta.get("known") is not None:
            site.answered.add(response.meta["known"])
        post = extract_post(response.text, url, doc=doc)
        # A static copy names its pages `.../index.html`, or by the path it was exported from.
        move = site.graph.canonical if site.graph is not None else static_copy_url
        post.url = normalise_url(move(post.url))
        post.comment_page_urls = [move(u) for u in post.comment_page_urls]
        if site.graph is not None:
            site.graph.learn(url)
        site.found.add(response.meta.get("listed_url") or normalise_url(url))
        post.site_url = site.home
        post.fetched = [
            {
                "url": response.meta.get("listed_url") or normalise_url(response.url),
                "lastmod": response.meta.get("lastmod"),
                **_validators(response),
            }
        ]
        self._note_truncated(post, response.url)
        paging = CommentPaging(post=post, rest=rest, complete=post.comments_complete)
        paging.pages[comment_page_number(response.url) or post.comment_page_number] = post.comments
        paging.seen.add(normalise_url(response.url))
        self._queue_comment_pages(paging, post.comment_page_urls, site)
        yield from self._next_comment_page(paging, site)

    def _queue_comment_pages(self, paging: CommentPaging, urls: list[str], site: Site) -> None:
        limit = self.settings.getint("ARCHIVE_MAX_COMMENT_PAGES")
        for url in urls:
            key = normalise_url(url)
            if comment_page_number(url) in paging.pages:
                continue  # the page already fetched under another URL (the post's own)
            if key not in paging.seen and in_scope(url, site.home) and len(paging.seen) < limit:
                paging.seen.add(key)
                paging.queue.append(url)

    def _next_comment_page(self, paging: CommentPaging, site: Site) -> Iterator[Any]:
        if paging.queue:
            url = paging.queue.pop(0)
            yield self._request(
                site,
                url,
                self.parse_comment_page,
                errback=self.comment_page_failed,
                cb_kwargs={"paging": paging},
            )
            return
        yield from self._finish_post(paging, site)

    @site_step
    def parse_comment_page(self, response: Response, paging: CommentPaging, site: Site) -> Iterator[Any]:
        self.count("comment_pages")
        page = extract_post(response.text, response.url)
        move = site.graph.canonical if site.graph is not None else static_copy_url
        page.comment_page_urls = [move(u) for u in page.comment_page_urls]
        self._note_truncated(page, response.url)
        paging.complete = paging.complete and page.comments_complete
        paging.pages[comment_page_number(response.url) or page.comment_page_number] = page.comments
        self._queue_comment_pages(paging, page.comment_page_urls, site)
        yield from self._next_comment_page(paging, site)

    @site_step
    def comment_page_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs
        paging: CommentPaging = kwargs["paging"]
        paging.complete = False
        self.count("comment_pages_failed")
        self.logger.warning("Comment page %s failed: %s", failure.request.url, failure.value)
        yield from self._next_comment_page(paging, kwargs["site"])

    def _finish_post(self, paging: CommentPaging, site: Site) -> Iterator[Any]:
        """All comment pages in page order (the post URL shows the page no link points to)."""
        numbered = sorted(n for n in paging.pages if n is not None)
        main_number = next(n for n in range(1, len(numbered) + 2) if n not in numbered)
        ordered: list[Comment] = []
        for number in sorted([*numbered, main_number]):
            ordered.extend(paging.pages.get(None if number == main_number else number, []))
        post = merge_post(paging.rest, paging.post)
        rest_comments = list(site.rest_comments.get(post.wp_id, {}).values()) if post.wp_id is not None else []
        post.comments = merge_comments(ordered, rest_comments)
        post.comments_complete = paging.complete
        if rest_comments:
            post.comment_count_rest = len(rest_comments)
        undated = {c.wp_id for c in post.comments if c.published is None and c.wp_id is not None}
        if undated and post.comment_feed_url:
            # Themes often show no date for pingbacks; the post's comments feed has it.
            yield self._comment_feed_request(site, post, post.comment_feed_url, undated, 1)
            return
        self.count("posts")
        yield post

    def _comment_feed_request(
        self, site: Site, post: Post, feed: str, undated: set[int], page: int, seen: frozenset[int] = frozenset()
    ) -> scrapy.Request:
        url = feed if page == 1 else f"{feed}{'&' if '?' in feed else '?'}paged={page}"
        return self._request(
            site,
            url,
            self.parse_comment_feed,
            errback=self.comment_feed_failed,
            meta={"handle_httpstatus_all": True},
            cb_kwargs={"post": post, "feed": feed, "undated": undated, "page": page, "seen": seen},
        )

    @site_step
    def parse_comment_feed(
        self, response: Response, site: Site, post: Post, feed: str, undated: set[int], page: int, seen: frozenset[int]
    ) -> Iterator[Any]:
        dates, had_items = parse_comment_feed(response.body) if response.status == 200 else ({}, False)
        for comment in post.comments:
            if comment.wp_id in undated and comment.wp_id in dates:
                comment.published = dates[comment.wp_id]
                undated.discard(comment.wp_id)
        # WordPress's comment feeds show the latest comments and ignore `paged`: a page that brings
        # nothing new is the last.
        fresh = set(dates) - seen
        if undated and had_items and fresh and page < self.settings.getint("ARCHIVE_MAX_COMMENT_PAGES"):
            yield self._comment_feed_request(site, post, feed, undated, page + 1, seen | fresh)
            return
        self.count("posts")
        yield post

    @site_step
    def comment_feed_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        self.count("comment_feed_failed")
        self.count("posts")
        yield failure.request.cb_kwargs["post"]

    @site_step
    def post_failed(self, failure: Failure, **_: Any) -> None:
        site: Site = failure.request.cb_kwargs["site"]
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt forbids it (or a middleware dropped it): not fetched by choice, not a failure.
            self.count("skipped/ignored")
            self.logger.info("Not fetched: %s (%s)", failure.request.url, failure.value)
            return
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else type(failure.value).__name__
        self.count(f"post_failed/{status}")
        self.logger.warning("Post %s failed: %s", failure.request.url, failure.value)
        known = failure.request.meta.get("known")
        if isinstance(failure.value, HttpError) and status in (404, 410) and known is not None and not site.rest_posts:
            site.gone.add(known)  # the archived page is gone (not a REST-listed post: that would be odd)
        elif status not in (404, 410):
            site.failures += 1
            site.error = site.error or f"{failure.request.url}: {status}"

    # --- Requests and the end of a site --------------------------------------------------------

    def _request(
        self,
        site: Site,
        url: str,
        callback: Callable[..., Any],
        errback: Callable[..., Any] | None = None,
        meta: dict[str, Any] | None = None,
        cb_kwargs: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        priority: int = 0,
    ) -> scrapy.Request:
        """Every request of a site: counted, so that the site's end is known."""
        site.pending += 1
        site.requests += 1
        return scrapy.Request(
            url,
            callback=callback,
            errback=errback or self.request_failed,
            meta=meta or {},
            cb_kwargs={**(cb_kwargs or {}), "site": site},
            headers=headers or None,
            dont_filter=True,
            priority=priority,
        )

    @site_step
    def request_failed(self, failure: Failure, **_: Any) -> None:
        site: Site = failure.request.cb_kwargs["site"]
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.count("skipped/ignored")
            self.logger.info("Not fetched: %s (%s)", failure.request.url, failure.value)
            return
        site.failures += 1
        site.error = site.error or f"{failure.request.url}: {_failure_reason(failure)}"
        self.logger.warning("Request %s failed: %s", failure.request.url, failure.value)

    def _maybe_done(self, site: Site) -> Iterator[Any]:
        if site.pending == 0 and not site.finished and site.graph is None and self._listed_short(site):
            # The way in listed fewer posts than the archive holds: the blog's links add to it.
            self.count(f"listing_short/{site.discovery}")
            self.logger.info("%s: %s listed fewer posts than archived; following its links", site.home, site.discovery)
            home = site.home_response
            if home is not None and "html" in self.settings.getlist("ARCHIVE_DISCOVERY"):
                yield from self._start_html(site, home)
        if site.pending == 0 and not site.finished and site.graph is not None and not site.unlisted_checked:
            site.unlisted_checked = True
            yield from self._check_unlisted(site)
        if site.pending == 0 and not site.finished:
            site.finished = True
            yield self.site_report(site)

    def _listed_short(self, site: Site) -> bool:
        """Whether this crawl's listing reached fewer posts than the archive holds (not counting
        those already marked missing)."""
        if site.state is None or site.mode not in ("full", "resume") or site.home_response is None:
            return False  # an incremental listing lists what changed, by design
        archived = sum(1 for post in site.state.posts if not post.missing)
        listed = max(len(site.found), len(site.rest_posts), len(site.listed_urls), len(site.seen))
        return listed < archived

    def _check_unlisted(self, site: Site) -> Iterator[Any]:
        """Archived posts the blog's links no longer reach are asked for at their own URL: only a
        404 or 410 there marks one missing."""
        if site.state is None:
            return
        found = {dedupe_key(url) for url in site.found}
        for post in site.state.posts:
            if post.missing or post.id in site.seen or dedupe_key(post.url) in found:
                continue
            if self._first_time(site, post.url):
                self.count("unlisted_checked")
                stored = site.state.validators.get(post.url, {}) if site.mode != "full" else {}
                yield self._post_request(post.url, site, rest=None, known=post, validators=stored)

    def site_report(self, site: Site, status: str | None = None) -> SiteCrawl:
        """How the site's crawl went (`status` overrides, e.g. interrupted)."""
        complete = site.listing_ok and not site.failures and self._listing_proven(site)
        if status is None:
            status = "complete" if complete else "partial"
        if status == "interrupted":
            return SiteCrawl(site.home, status, site.mode, site.discovery, site.clock, site.requests, site.error)
        missing = set(site.gone)
        if site.listing_ok and site.state and site.discovery == "sitemap" == site.state.discovery:
            # A complete sitemap lists every post: archived posts it no longer lists are gone.
            listed = {p for url, p in site.state.urls.items() if normalise_url(url) in site.listed_urls}
            missing |= {p.id for p in site.state.posts if not p.missing and p.id not in listed}
        elif site.listing_ok:
            missing |= site.missing
        missing -= site.answered  # its own page answered as a post: not missing, whatever a listing said
        self.count("sites_crawled")
        if status != "complete":
            self.count(f"sites_{status}")
        return SiteCrawl(
            site_url=site.home,
            status=status,
            mode=site.mode,
            discovery=site.discovery,
            site_clock=site.clock,
            requests=site.requests,
            error=site.error,
            rest_comment_total=site.totals.get("comments"),
            seen=sorted(site.seen - missing),
            confirmed=sorted(site.confirmed - missing),
            missing=sorted(missing),
            validators=site.validators if status == "complete" else [],
            proof=site.proof if status == "complete" else None,
        )

    def _listing_proven(self, site: Site) -> bool:
        """Whether the listing is complete by a rule the crawl can state (kept in `site.proof`);
        a crawl that found clearly fewer posts than the archive holds proves nothing."""
        if site.graph_capped:
            site.error = site.error or "the listing guard (ARCHIVE_MAX_LISTING_PAGES) stopped the link graph"
            site.proof = None
        if site.proof is None:
            site.error = site.error or "no listing of the blog could be proven complete"
            return False
        if site.state is not None and site.discovery not in ("single", "rest", "rest_route"):
            archived = sum(1 for post in site.state.posts if not post.missing)
            seen = max(len({dedupe_key(url) for url in site.found}), len(site.seen))
            if archived and seen < archived / 2:
                self.count("listing_clearly_short")
                site.error = site.error or f"the listing reached {seen} posts where the archive holds {archived}"
                site.proof = None
                return False
        return True

    def unfinished_sites(self) -> list[Site]:
        """Sites whose crawl did not end (interrupted, or a request lost)."""
        return [site for site in self.sites if not site.finished]

    # --- Helpers -------------------------------------------------------------------------------

    def _first_time(self, site: Site, url: str) -> bool:
        key = dedupe_key(url)
        if key in site.queued:
            return False
        site.queued.add(key)
        return True

    def _allowed(self, url: str, site: Site) -> bool:
        if not in_scope(url, site.home):
            self.count("skipped/out_of_scope")
            return False
        reason = trap_reason(url)
        if reason:
            self.count(f"skipped/trap/{reason}")
            return False
        return True

    @staticmethod
    def _total_pages(response: Response) -> int:
        try:
            return int(response.headers.get(b"X-WP-TotalPages", b"1").decode())
        except ValueError:
            return 1

    @staticmethod
    def _total(response: Response) -> int | None:
        """X-WP-Total, or None when the response does not say (a proxy may strip it)."""
        try:
            return int(response.headers[b"X-WP-Total"].decode())
        except (KeyError, ValueError, TypeError):
            return None

    def _json_list(self, response: Response) -> list[dict] | None:
        if response.status != 200:
            return None
        try:
            data = json.loads(response.body)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, list):
            return None
        site: Site | None = response.request.cb_kwargs.get("site") if response.request else None
        if site is not None and len(data) >= 100 and b"X-WP-TotalPages" not in response.headers:
            # A full page and no paging headers (a proxy stripped them): the listing may go on,
            # so it cannot say what is gone.
            site.listing_ok = False
            site.error = site.error or "REST listing without X-WP-TotalPages: cannot tell it is complete"
        return data

    def _note_truncated(self, post: Post, url: str) -> None:
        """Count and log a page the HTML parser could not read whole: its comments are kept, and
        none archived before is marked missing for not being among them."""
        if not post.comments_complete:
            self.count("pages_nested_too_deep")
            self.logger.warning("%s nests its markup deeper than the parser reads: comments may be missing", url)

    def count(self, key: str, amount: int = 1) -> None:
        self.crawler.stats.inc_value(f"wparchive/{key}", amount)


def _single_entry(doc: Document) -> bool:
    """Whether the page holds one entry as old themes mark it: one `id="post-N"` (the_ID()), or
    without ids, one element of class `post`, `hentry` or `entry`."""
    ids = [e for e in doc.index.id_starting("post-") if e.get("id", "")[5:].isdigit()]
    if ids:
        return len(ids) == 1
    return len(doc.index.with_class("post", "hentry", "entry")) == 1


def _meta_refresh(response: TextResponse) -> str | None:
    """Where a `<meta http-equiv="refresh">` page sends its reader at once, if it does."""
    interval, url = get_meta_refresh(response.text[:8192], response.url)
    return url if url and interval is not None and interval <= 10 and url != response.url else None


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _http_date(response: Response) -> str | None:
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


def _requested_url(response: Response) -> str:
    """The URL as requested, before redirects."""
    return normalise_url((response.meta.get("redirect_urls") or [response.url])[0])


def _validators(response: Response) -> dict[str, str | None]:
    etag = response.headers.get(b"ETag")
    last_modified = response.headers.get(b"Last-Modified")
    return {
        "etag": etag.decode("latin-1") if etag else None,
        "last_modified": last_modified.decode("latin-1") if last_modified else None,
    }


def _conditional_headers(stored: dict[str, str | None]) -> dict[str, str]:
    headers = {}
    if stored.get("etag"):
        headers["If-None-Match"] = str(stored["etag"])
    if stored.get("last_modified"):
        headers["If-Modified-Since"] = str(stored["last_modified"])
    return headers


def _same_instant(a: str | None, b: str | None) -> bool:
    """Whether two ISO 8601 dates name the same instant (or, without offsets, the same text)."""
    if a is None or b is None:
        return a == b
    try:
        first, second = datetime.fromisoformat(a), datetime.fromisoformat(b)
    except ValueError:
        return a == b
    if (first.tzinfo is None) != (second.tzinfo is None):
        return first.replace(tzinfo=None) == second.replace(tzinfo=None)
    return first == second


def _failure_reason(failure: Failure) -> str:
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(failure.value).__name__}: {failure.value}"


def _chunked(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _archived_rest_post(data: dict[str, Any], site_url: str) -> Post:
    """A post's REST fields as the archive holds them (`archive.db.archived_posts`), to merge with
    its page fetched again: what the API would say of a post that did not change."""
    return Post(
        url=data["url"],
        site_url=site_url,
        wp_id=data["wp_id"],
        type=data["type"] or "post",
        title=data["title"],
        author=data["author"],
        published=data["published"],
        modified=data["modified"],
        terms=[Term(t["taxonomy"], t["name"], t["url"]) for t in data["terms"]],
        content_html=data["content_html"],
        content_text=data["content_text"],
        protected=data["protected"],
        sources=["rest"],
    )


def _archived_comment(data: dict[str, Any]) -> Comment:
    """An archived REST comment, as the API would give it again (depth follows from its parents)."""
    return Comment(
        wp_id=data["wp_id"],
        parent_wp_id=data["parent_wp_id"],
        author=data["author"],
        author_url=data["author_url"],
        published=data["published"],
        type="comment",
        content_html=data["content_html"],
        content_text=data["content_text"],
        sources=["rest"],
    )
