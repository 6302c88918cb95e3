"""The `wordpress` spider: decides what to fetch from a blog; extraction lives in `extraction/`.

From a home page it lists every published post and page through the REST API (or its
`?rest_route=` form), else the sitemaps, else the feeds, else the HTML archive pages, and then
fetches each post's own page (breadcrumbs, share links, pingbacks and the theme's comment
threads exist only there), following comment pages. From a single post URL it archives that post.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from spiders.extraction.discovery import (
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
from spiders.items import Comment, Post
from spiders.urls import comment_page_number, in_scope, normalise_url, site_prefix, trap_reason

VERSION = "0.1.0"
REST_EMBED = "author,wp:term"


@dataclass
class Site:
    """What the spider knows about one blog while it crawls it."""

    home: str
    discovery: str = "single"
    api: str | None = None  # REST root: ".../wp-json/" or ".../?rest_route=/"
    rest_posts: dict[str, Post] = field(default_factory=dict)  # by URL
    rest_comments: dict[int, list[Comment]] = field(default_factory=dict)  # by post wp_id
    home_response: Response | None = None  # the home page, read again if the REST API fails
    pending_listings: int = 0
    listing_pages: int = 0
    feed_items: int = 0


@dataclass
class CommentPaging:
    """Comment pages of one post still to fetch, and the comments gathered so far."""

    post: Post
    rest: Post | None
    pages: dict[int | None, list[Comment]] = field(default_factory=dict)
    queue: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    complete: bool = True


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
        for url in self.start_urls:
            yield scrapy.Request(
                url,
                callback=self.parse_start,
                errback=self.start_failed,
                meta={"handle_httpstatus_all": True},
                cb_kwargs={"start_url": url},
            )

    # --- Start: a home page or a single post ------------------------------------------------

    def parse_start(self, response: Response, start_url: str) -> Iterator[Any]:
        if response.status >= 400 or not isinstance(response, TextResponse):
            self.count("sites_failed")
            self.logger.error("Cannot archive %s: HTTP %s", start_url, response.status)
            return
        doc = Document.parse(response.text, response.url)
        kind = document_kind(doc)
        if not is_wordpress(response.text):
            self.logger.warning("%s does not look like WordPress; extracting what it can", response.url)
            self.count("not_wordpress")
        if kind in ("post", "page"):
            home = normalise_url(home_url(doc) or site_prefix(response.url))
            site = Site(home=home, discovery="single", api=self._api_root(doc, home))
            self.discovery[home] = "single"
            yield from self._single_post(response, site)
            return
        home = site_prefix(response.url)
        site = Site(home=home, api=self._api_root(doc, home), home_response=response)
        order = self.settings.getlist("ARCHIVE_DISCOVERY")
        if "rest" in order and site.api:
            yield self._rest_request(site, "posts", 1, callback=self.parse_rest_first)
        else:
            yield from self._after_rest(site, response)

    def start_failed(self, failure: Failure) -> None:
        self.count("sites_failed")
        self.logger.error("Cannot reach %s: %s", failure.request.url, failure.value)

    def _single_post(self, response: Response, site: Site) -> Iterator[Any]:
        post_request_done = self.parse_post(response, site=site, rest=None)
        if site.api:
            wp_id = extract_post(response.text, response.url).wp_id
            if wp_id:
                # One REST call brings the post's comments with their parents, when the API answers.
                url = self._rest_url(site, "comments", 1, extra={"post": wp_id})
                yield scrapy.Request(
                    url,
                    callback=self.parse_single_rest_comments,
                    errback=self.single_rest_failed,
                    meta={"handle_httpstatus_all": True},
                    cb_kwargs={
                        "response_for_post": response,
                        "site": site,
                        "wp_id": wp_id,
                        "page": 1,
                    },
                    dont_filter=True,
                )
                return
        yield from post_request_done

    def parse_single_rest_comments(
        self, response: Response, response_for_post: Response, site: Site, wp_id: int, page: int
    ) -> Iterator[Any]:
        data = self._json_list(response)
        if data is not None:
            for item in data:
                post_id, comment = rest_comment(item)
                site.rest_comments.setdefault(post_id or wp_id, []).append(comment)
            if page < self._total_pages(response):
                yield scrapy.Request(
                    self._rest_url(site, "comments", page + 1, extra={"post": wp_id}),
                    callback=self.parse_single_rest_comments,
                    errback=self.single_rest_failed,
                    meta={"handle_httpstatus_all": True},
                    cb_kwargs={
                        "response_for_post": response_for_post,
                        "site": site,
                        "wp_id": wp_id,
                        "page": page + 1,
                    },
                    dont_filter=True,
                )
                return
        yield from self.parse_post(response_for_post, site=site, rest=None)

    def single_rest_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs
        yield from self.parse_post(kwargs["response_for_post"], site=kwargs["site"], rest=None)

    # --- REST API ---------------------------------------------------------------------------

    def _api_root(self, doc: Document, home: str) -> str | None:
        return rest_root(doc) or home + "wp-json/"

    def _rest_url(self, site: Site, route: str, page: int, extra: dict[str, Any] | None = None) -> str:
        params: dict[str, Any] = {"per_page": 100, "page": page}
        if route in ("posts", "pages"):
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

    def _rest_request(self, site: Site, route: str, page: int, callback: Any) -> scrapy.Request:
        return scrapy.Request(
            self._rest_url(site, route, page),
            callback=callback,
            errback=self.rest_failed,
            meta={"handle_httpstatus_all": True, "route": route, "page": page},
            cb_kwargs={"site": site},
            dont_filter=True,
        )

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
                yield self._rest_request(site, "posts", 1, callback=self.parse_rest_first)
                return
            self.logger.info("No usable REST API on %s; using sitemaps, feeds or HTML", site.home)
            yield from self._after_rest(site, site.home_response)
            return
        site.discovery = "rest_route" if "rest_route=" in (site.api or "") else "rest"
        self.discovery[site.home] = site.discovery
        self.count(f"discovery/{site.discovery}")
        self._add_rest_posts(site, data)
        total = self._total_pages(response)
        requests = [self._rest_request(site, "posts", p, self.parse_rest_listing) for p in range(2, total + 1)]
        requests.append(self._rest_request(site, "pages", 1, self.parse_rest_listing))
        requests.append(self._rest_request(site, "comments", 1, self.parse_rest_listing))
        site.pending_listings += len(requests)
        yield from requests

    def parse_rest_listing(self, response: Response, site: Site) -> Iterator[Any]:
        route, page = response.meta["route"], response.meta["page"]
        data = self._json_list(response)
        if data is None:
            self.count(f"rest_failed/{route}")
            self.logger.warning("REST %s page %s failed (HTTP %s)", route, page, response.status)
        elif route == "comments":
            for item in data:
                post_id, comment = rest_comment(item)
                if post_id is not None:
                    site.rest_comments.setdefault(post_id, []).append(comment)
        else:
            self._add_rest_posts(site, data)
        if data is not None and page == 1 and route in ("pages", "comments"):
            more = [
                self._rest_request(site, route, p, self.parse_rest_listing)
                for p in range(2, self._total_pages(response) + 1)
            ]
            site.pending_listings += len(more)
            yield from more
        yield from self._listing_done(site)

    def rest_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        site: Site = request.cb_kwargs["site"]
        self.count(f"rest_failed/{request.meta.get('route')}")
        self.logger.warning("REST request %s failed: %s", request.url, failure.value)
        if request.callback == self.parse_rest_first:
            yield from self._after_rest(site, site.home_response)
            return
        yield from self._listing_done(site)

    def _listing_done(self, site: Site) -> Iterator[Any]:
        site.pending_listings -= 1
        if site.pending_listings > 0:
            return
        self.logger.info(
            "%s: %d posts and pages, %d comments listed by the REST API",
            site.home,
            len(site.rest_posts),
            sum(len(v) for v in site.rest_comments.values()),
        )
        for url, post in site.rest_posts.items():
            yield self._post_request(url, site, rest=post)

    def _add_rest_posts(self, site: Site, data: list[dict]) -> None:
        for item in data:
            if not isinstance(item, dict) or item.get("status", "publish") != "publish":
                continue
            post = rest_post(item, site.home, users={}, terms={})
            site.rest_posts[normalise_url(post.url)] = post

    @staticmethod
    def _total_pages(response: Response) -> int:
        try:
            return int(response.headers.get(b"X-WP-TotalPages", b"1").decode())
        except ValueError:
            return 1

    def _json_list(self, response: Response) -> list[dict] | None:
        if response.status != 200:
            return None
        try:
            data = json.loads(response.body)
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, list) else None

    # --- Sitemaps, feeds and HTML archives -----------------------------------------------------

    def _after_rest(self, site: Site, home_response: Response) -> Iterator[Any]:
        order = self.settings.getlist("ARCHIVE_DISCOVERY")
        if "sitemap" in order:
            yield self._sitemap_root_request(
                site, "wp-sitemap.xml", ["sitemap_index.xml", "sitemap.xml"], home_response
            )
            return
        yield from self._after_sitemaps(site, home_response)

    def _sitemap_root_request(
        self, site: Site, path: str, fallbacks: list[str], home_response: Response
    ) -> scrapy.Request:
        return scrapy.Request(
            site.home + path,
            callback=self.parse_sitemap,
            errback=self.sitemap_failed,
            meta={"handle_httpstatus_all": True, "fallbacks": fallbacks, "home_response": home_response, "root": True},
            cb_kwargs={"site": site},
            dont_filter=True,
        )

    def parse_sitemap(self, response: Response, site: Site) -> Iterator[Any]:
        children, urls = parse_sitemap(response.body) if response.status == 200 else ([], [])
        if response.meta.get("root"):
            if not children and not urls:
                fallbacks = response.meta["fallbacks"]
                if fallbacks:
                    yield self._sitemap_root_request(site, fallbacks[0], fallbacks[1:], response.meta["home_response"])
                else:
                    yield from self._after_sitemaps(site, response.meta["home_response"])
                return
            site.discovery = "sitemap"
            self.discovery[site.home] = "sitemap"
            self.count("discovery/sitemap")
        for child in children:
            if is_content_sitemap(child) and in_scope(child, site.home):
                yield scrapy.Request(child, callback=self.parse_sitemap, cb_kwargs={"site": site})
        for url, _lastmod in urls:
            if self._allowed(url, site):
                yield self._post_request(url, site, rest=None)

    def sitemap_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        site = request.cb_kwargs["site"]
        self.logger.info("Sitemap %s failed: %s", request.url, failure.value)
        if request.meta.get("root"):
            yield from self._after_sitemaps(site, request.meta["home_response"])

    def _after_sitemaps(self, site: Site, home_response: Response) -> Iterator[Any]:
        order = self.settings.getlist("ARCHIVE_DISCOVERY")
        doc = Document.parse(home_response.text, home_response.url)
        _, _, page_links = listing_links(doc)
        if "feed" in order:
            feeds = feed_urls(doc) or [site.home + "feed/"]
            yield scrapy.Request(
                feeds[0],
                callback=self.parse_feed,
                errback=self.feed_failed,
                meta={"handle_httpstatus_all": True, "home_response": home_response, "page": 1},
                cb_kwargs={"site": site, "feed": feeds[0]},
                dont_filter=True,
            )
        elif "html" in order:
            yield from self._start_html(site, home_response)
        else:
            self.logger.error("No way to list the posts of %s", site.home)
            self.count("sites_failed")

    def parse_feed(self, response: Response, site: Site, feed: str) -> Iterator[Any]:
        entries = parse_feed(response.body) if response.status == 200 else []
        page = response.meta["page"]
        home_response = response.meta["home_response"]
        if not entries:
            if page == 1:
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
                    yield self._post_request(url, site, rest=None)
        new = 0
        for url, _published in entries:
            if self._allowed(url, site):
                new += 1
                yield self._post_request(url, site, rest=None)
        if new and page < self.settings.getint("ARCHIVE_MAX_LISTING_PAGES"):
            separator = "&" if "?" in feed else "?"
            yield scrapy.Request(
                f"{feed}{separator}paged={page + 1}",
                callback=self.parse_feed,
                errback=self.feed_failed,
                meta={
                    "handle_httpstatus_all": True,
                    "home_response": home_response,
                    "page": page + 1,
                },
                cb_kwargs={"site": site, "feed": feed},
            )

    def feed_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        if request.meta.get("page") == 1:
            yield from self._start_html(request.cb_kwargs["site"], request.meta["home_response"])

    def _start_html(self, site: Site, home_response: Response) -> Iterator[Any]:
        site.discovery = "html"
        self.discovery[site.home] = "html"
        self.count("discovery/html")
        yield from self.parse_listing(home_response, site)

    def parse_listing(self, response: Response, site: Site) -> Iterator[Any]:
        if response.status >= 400 or not isinstance(response, TextResponse):
            return
        site.listing_pages += 1
        doc = Document.parse(response.text, response.url)
        posts, listings, pages = listing_links(doc)
        for url in posts + pages:
            if self._allowed(url, site):
                yield self._post_request(url, site, rest=None)
        if site.listing_pages < self.settings.getint("ARCHIVE_MAX_LISTING_PAGES"):
            for url in listings:
                if in_scope(url, site.home):
                    yield scrapy.Request(url, callback=self.parse_listing, cb_kwargs={"site": site})

    # --- Post pages and their comment pages -------------------------------------------------

    def _post_request(self, url: str, site: Site, rest: Post | None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_post,
            errback=self.post_failed,
            cb_kwargs={"site": site, "rest": rest},
        )

    def parse_post(self, response: Response, site: Site, rest: Post | None) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.count("skipped/not_html")
            return
        post = extract_post(response.text, response.url)
        if rest is None and site.discovery != "single":
            doc_kind = document_kind(Document.parse(response.text, response.url))
            if doc_kind not in ("post", "page"):
                self.count("skipped/not_a_post")
                self.logger.info("Skipping %s: %s, not a post or page", response.url, doc_kind)
                return
        post.site_url = site.home
        paging = CommentPaging(post=post, rest=rest)
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
            yield scrapy.Request(
                url,
                callback=self.parse_comment_page,
                errback=self.comment_page_failed,
                cb_kwargs={"paging": paging, "site": site},
                dont_filter=True,
            )
            return
        yield from self._finish_post(paging, site)

    def parse_comment_page(self, response: Response, paging: CommentPaging, site: Site) -> Iterator[Any]:
        self.count("comment_pages")
        page = extract_post(response.text, response.url)
        paging.pages[comment_page_number(response.url) or page.comment_page_number] = page.comments
        self._queue_comment_pages(paging, page.comment_page_urls, site)
        yield from self._next_comment_page(paging, site)

    def comment_page_failed(self, failure: Failure) -> Iterator[Any]:
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
        rest_comments = site.rest_comments.get(post.wp_id, []) if post.wp_id is not None else []
        post.comments = merge_comments(ordered, rest_comments)
        post.comments_complete = paging.complete
        if rest_comments:
            post.comment_count_rest = len(rest_comments)
        undated = {c.wp_id for c in post.comments if c.published is None and c.wp_id is not None}
        if undated and post.comment_feed_url:
            # Themes often show no date for pingbacks; the post's comments feed has it.
            yield self._comment_feed_request(post, post.comment_feed_url, undated, 1)
            return
        self.count("posts")
        yield post

    def _comment_feed_request(self, post: Post, feed: str, undated: set[int], page: int) -> scrapy.Request:
        url = feed if page == 1 else f"{feed}{'&' if '?' in feed else '?'}paged={page}"
        return scrapy.Request(
            url,
            callback=self.parse_comment_feed,
            errback=self.comment_feed_failed,
            meta={"handle_httpstatus_all": True},
            cb_kwargs={"post": post, "feed": feed, "undated": undated, "page": page},
            dont_filter=True,
        )

    def parse_comment_feed(
        self, response: Response, post: Post, feed: str, undated: set[int], page: int
    ) -> Iterator[Any]:
        dates, had_items = parse_comment_feed(response.body) if response.status == 200 else ({}, False)
        for comment in post.comments:
            if comment.wp_id in undated and comment.wp_id in dates:
                comment.published = dates[comment.wp_id]
                undated.discard(comment.wp_id)
        if undated and had_items and page < self.settings.getint("ARCHIVE_MAX_COMMENT_PAGES"):
            yield self._comment_feed_request(post, feed, undated, page + 1)
            return
        self.count("posts")
        yield post

    def comment_feed_failed(self, failure: Failure) -> Iterator[Any]:
        self.count("comment_feed_failed")
        self.count("posts")
        yield failure.request.cb_kwargs["post"]

    def post_failed(self, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else type(failure.value).__name__
        self.count(f"post_failed/{status}")
        self.logger.warning("Post %s failed: %s", failure.request.url, failure.value)

    # --- Helpers -------------------------------------------------------------------------------

    def _allowed(self, url: str, site: Site) -> bool:
        if not in_scope(url, site.home):
            self.count("skipped/out_of_scope")
            return False
        reason = trap_reason(url)
        if reason:
            self.count(f"skipped/trap/{reason}")
            return False
        return True

    def count(self, key: str, amount: int = 1) -> None:
        self.crawler.stats.inc_value(f"wparchive/{key}", amount)
