"""The `wordpress` spider: decides what to fetch from a blog; extraction lives in `extraction/`.

From a home page it lists every published post and page through one of the ways in of
`spiders/ways/` (the REST API or its `?rest_route=` form, else the sitemaps, else the feed, else
the blog's own links; a way that proves nothing, or lists fewer posts than the archive holds,
hands over to the blog's links as well), and then fetches each post's own page (breadcrumbs,
share links, pingbacks and the theme's comment threads exist only there), following comment
pages. From a single post URL it archives that post.

A blog already in the archive is re-crawled for what changed only (`spider.archive`, which the
archive pipeline hands over, says what is there and since when; the spider never opens the
database):

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

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from spiders.extraction.discovery import (
    comment_feed_links,
    comments_feed_url,
    feed_urls,
    home_url,
    parse_comment_feed,
    rest_comment,
)
from spiders.extraction.document import Document
from spiders.extraction.merge import merge_comments, merge_post
from spiders.extraction.page import (
    PAGE_PROBLEMS,
    document_kind,
    extract_post,
    is_entry_page,
    is_wordpress,
    page_problem,
    single_entry,
)
from spiders.extraction.robots import asks_not_to_archive
from spiders.items import Comment, KnownPost, Post, SiteCrawl
from spiders.linkgraph import static_copy_url
from spiders.media import MediaFetching
from spiders.state import (
    CALLBACK_STATUSES,
    CommentPaging,
    Site,
    by_choice,
    capture_of,
    conditional_headers,
    failure_reason,
    http_date,
    meta_refresh,
    requested_url,
    response_validators,
    site_step,
    utc_now,
)
from spiders.urls import (
    blog_urls,
    comma_list,
    comment_page_number,
    in_scope,
    normalise_url,
    site_prefix,
    trap_reason,
    url_digest,
)
from spiders.ways.feed import FeedWay
from spiders.ways.links import LinksWay
from spiders.ways.rest import RestWay
from spiders.ways.sitemap import SitemapWay

VERSION = "0.1.0"


class WordPressSpider(RestWay, SitemapWay, FeedWay, LinksWay, MediaFetching, scrapy.Spider):
    """Starts each blog, tries the ways in (`spiders/ways/`, one class each) in the order of
    ARCHIVE_DISCOVERY, fetches post and comment pages, and reports each site's crawl."""

    name = "wordpress"
    archive = None  # what the archive holds (pipelines.store.ArchiveReader), set when the crawl opens
    needs_urls = True  # a worker (spiders/workers.py) takes its blogs from a queue instead

    def __init__(
        self, url: str | None = None, urls_file: str | None = None, instructors: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        # The instructors' display names or user slugs (-a instructors=NAME1,NAME2): their role in
        # the archive's people, kept by later crawls.
        self.instructors = comma_list(instructors)
        urls = blog_urls(url, urls_file)
        if not urls and self.needs_urls:
            raise ValueError("give a blog or post URL: -a url=URL[,URL2] or -a urls_file=FILE")
        self.start_urls = [normalise_url(u) for u in urls]
        self.archive_arguments = {"url": url, "urls_file": urls_file, "urls": self.start_urls}
        if self.instructors:
            self.archive_arguments["instructors"] = self.instructors
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
            yield self.start_request(url)

    def start_request(self, url: str) -> scrapy.Request:
        """The first request of a blog (its home page) or of a single post."""
        return scrapy.Request(
            url,
            callback=self.parse_start,
            errback=self.start_failed,
            meta={"handle_httpstatus_list": CALLBACK_STATUSES},
            cb_kwargs={"start_url": url},
            dont_filter=True,
        )

    # --- Start: a home page or a single post ------------------------------------------------

    def parse_start(self, response: Response, start_url: str) -> Iterator[Any]:
        if response.status >= 400 or not isinstance(response, TextResponse):
            yield self._site_failed(start_url, f"HTTP {response.status}")
            return
        target = meta_refresh(response)
        if target and response.meta.get("refreshes", 0) < 5:
            yield response.request.replace(
                url=target, meta={**response.meta, "refreshes": response.meta.get("refreshes", 0) + 1}
            )
            return
        doc = Document.parse(response.text, response.url)
        kind = document_kind(doc)
        problem = page_problem(doc)
        if problem is not None:
            # Nothing of the blog can be read behind a login wall or from an error page: the crawl
            # proves nothing (it must not be recorded complete with no posts).
            yield self._site_failed(start_url, f"{response.url} answered {PAGE_PROBLEMS[problem]}")
            return
        if not is_wordpress(response.text):
            self.logger.warning("%s does not look like WordPress; extracting what it can", response.url)
            self.count("not_wordpress")
        if kind in ("post", "page"):
            home = normalise_url(home_url(doc) or site_prefix(response.url))
            site = Site(home=home, discovery="single", api=self._api_root(doc, home), mode="single", requests=1)
            site.proof = "single post"
            site.clock = http_date(response) or utc_now()
            self.sites.append(site)
            self.discovery[home] = "single"
            yield from self._single_post(response, site)
            yield from self._maybe_done(site)
            return
        home = site_prefix(response.url)
        site = Site(home=home, api=self._api_root(doc, home), home_response=response, requests=1)
        site.queued |= {url_digest(start_url), url_digest(response.url)}
        self.sites.append(site)
        self._prepare(site, response)
        order = self.settings.getlist("ARCHIVE_DISCOVERY")
        if "rest" in order and site.api:
            yield self._rest_first_request(site)
        else:
            yield from self._after_rest(site, response)
        yield from self._maybe_done(site)

    def start_failed(self, failure: Failure) -> Iterator[Any]:
        yield self._site_failed(failure.request.cb_kwargs["start_url"], failure_reason(failure))

    def _site_failed(self, start_url: str, reason: str) -> SiteCrawl:
        self.count("sites_failed")
        self.logger.error("Cannot archive %s: %s", start_url, reason)
        return SiteCrawl(site_url=site_prefix(start_url), status="failed", mode="none", error=reason, requests=1)

    def _prepare(self, site: Site, response: Response) -> None:
        """Read what the archive holds about the site and choose the mode."""
        site.clock = http_date(response) or utc_now()
        if self.archive is not None:
            site.state = self.archive.site_state(site.home)
        if site.state is None or self.settings.getbool("ARCHIVE_FULL_RECRAWL"):
            site.mode = "full"
        elif site.state.last_site_clock is None:
            site.mode = "resume"
        else:
            site.mode = "incremental"
            overlap = timedelta(seconds=self.settings.getfloat("ARCHIVE_RECRAWL_OVERLAP", 3600))
            since = datetime.fromisoformat(site.state.last_site_clock) - overlap
            site.since = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            # Comments are listed from further back: one held for moderation and approved since
            # then is dated before the last crawl.
            held = timedelta(days=self.settings.getfloat("ARCHIVE_LATE_APPROVAL_DAYS", 30))
            site.comments_since = (since - held).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
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
            meta={"handle_httpstatus_list": CALLBACK_STATUSES},
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
            if page < min(self._total_pages(response), self.settings.getint("ARCHIVE_MAX_COMMENT_PAGES")):
                yield self._single_rest_comments_request(response_for_post, site, wp_id, page + 1)
                return
        yield from self._parse_post_page(response_for_post, site=site, rest=None)

    @site_step
    def single_rest_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs
        yield from self._parse_post_page(kwargs["response_for_post"], site=kwargs["site"], rest=None)

    # --- REST API ---------------------------------------------------------------------------

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
            meta={"handle_httpstatus_list": CALLBACK_STATUSES, "then": then},
            headers=conditional_headers(stored),
        )

    @site_step
    def parse_site_comments_feed(self, response: Response, site: Site) -> Iterator[Any]:
        if response.status == 304:
            self.count("not_modified/comments_feed")
        elif response.status == 200:
            links = comment_feed_links(response.body)
            state = site.state
            new = [(url, i) for url, i in links if not (state and state.has_comment(i))]
            for url, _ in new:
                site.refetch_urls.add(normalise_url(url))
            if links and len(new) == len(links):
                self.count("comments_feed_saturated")  # more may be new than the feed shows
            site.validators.append({"url": requested_url(response), **response_validators(response)})
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
        site.error = site.error or f"comments feed: {failure_reason(failure)}"
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
                meta={"handle_httpstatus_list": CALLBACK_STATUSES, "home_response": home_response, "page": 1},
                cb_kwargs={"feed": feeds[0]},
            )
        elif "html" in order:
            yield from self._start_html(site, home_response)
        else:
            self.logger.error("No way to list the posts of %s", site.home)
            self.count("sites_failed")
            site.listing_ok = False
            site.error = "no way to list the posts"

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
            site.found.add(url_digest(normalise_url(url)))
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
        headers = conditional_headers(validators or {})
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
            site.found.add(url_digest(response.meta.get("listed_url") or normalise_url(response.url)))
            self.count("not_modified")
            return
        yield from self._parse_post_page(response, site, rest)

    def _parse_post_page(self, response: Response, site: Site, rest: Post | None) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.count("skipped/not_html")
            return
        target = meta_refresh(response)
        if target:
            # A stub that sends readers on (a static copy's old URL): its target is the post.
            self.count("meta_refresh")
            target = site.graph.canonical(target) if site.graph is not None else static_copy_url(target)
            if self._allowed(target, site):
                if site.graph is not None:
                    site.graph.offer(target)
                yield from self._listed_post(site, target, marked=bool(response.meta.get("marked")))
            return
        if not in_scope(response.url, site.home):
            # Redirected off the blog (another host, another blog): not this blog's post.
            self.count("skipped/offsite_redirect")
            self.logger.warning("%s redirected off the blog to %s: not archived", response.request.url, response.url)
            if response.meta.get("known") is not None:
                site.failures += 1
                site.error = site.error or f"{response.request.url} redirects off the blog"
            return
        url = static_copy_url(response.url)
        doc = Document.parse(response.text, url)
        yield from self._follow_links(site, doc, response.body)
        if rest is None and site.discovery != "single":
            doc_kind = document_kind(doc)
            marked = response.meta.get("marked") or (site.graph is not None and site.graph.is_marked(url))
            # An old theme's post or page may carry no sign of being one (no body_class(), at most
            # one `id="post-N"`): the blog's own permalink or page-menu link to it says so.
            one_entry = doc_kind == "other" and marked and single_entry(doc)
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
        elif rest is not None and not is_entry_page(doc, rest.wp_id, rest.type, rest.title):
            # Not the post the REST API lists: the theme's error page with status 200 (a soft 404),
            # a login wall, a plain "not found" page, another entry. Its trail, share links, images
            # and pingbacks must not replace the archived ones, and the crawl is not complete (the
            # next one fetches it again).
            problem = page_problem(doc)
            what = PAGE_PROBLEMS[problem] if problem else "a page that is not the post"
            self.count("soft_404" if problem == "soft_404" else "not_the_post")
            self.logger.warning("%s answered %s: not archived", response.url, what)
            site.failures += 1
            site.error = site.error or f"{response.url}: {what}"
            return
        if self.settings.getbool("ARCHIVE_RESPECT_NOARCHIVE", True) and asks_not_to_archive(
            [value.decode("latin-1") for value in response.headers.getlist("X-Robots-Tag")],
            response.body,
            response.headers.get("Content-Type", b"").decode("latin-1"),
        ):
            # The page asks archivers not to keep it: skipped by choice, like robots.txt. An archived
            # copy from before stays as it was (it is seen, not missing).
            self.count("skipped/noarchive")
            self.logger.info("Not archiving %s: the page asks not to be archived (noarchive)", response.url)
            if response.meta.get("known") is not None:
                site.answered.add(response.meta["known"])
                site.seen.add(response.meta["known"])
            site.found.add(url_digest(response.meta.get("listed_url") or normalise_url(url)))
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
        site.found.add(url_digest(response.meta.get("listed_url") or normalise_url(url)))
        post.site_url = site.home
        post.fetched = [
            {
                "url": response.meta.get("listed_url") or normalise_url(response.url),
                "lastmod": response.meta.get("lastmod"),
                **response_validators(response),
            }
        ]
        post.captures = capture_of(response, "post page")
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
            if key in paging.seen or not in_scope(url, site.home):
                continue
            if len(paging.seen) >= limit:
                # The guard against endless comment pages: the post's comments are not all read,
                # and the site's crawl is not complete.
                self.count("comment_page_guard_reached")
                paging.complete = False
                site.failures += 1
                site.error = site.error or f"{paging.post.url}: more than {limit} comment pages (the guard)"
                return
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
        if not in_scope(response.url, site.home) or not isinstance(response, TextResponse):
            self.count("skipped/offsite_redirect")
            paging.complete = False  # its comments are not this post's
            yield from self._next_comment_page(paging, site)
            return
        page = extract_post(response.text, response.url)
        paging.post.captures += capture_of(response, "comment page")
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
        # The post's REST comments: merged here, then not kept (the post is saved with them).
        rest_comments = list(site.rest_comments.pop(post.wp_id, {}).values()) if post.wp_id is not None else []
        post.comments = merge_comments(ordered, rest_comments)
        post.comments_complete = paging.complete
        if rest_comments:
            post.comment_count_rest = len(rest_comments)
        undated = {c.wp_id for c in post.comments if c.published is None and c.wp_id is not None}
        if undated and post.comment_feed_url:
            # Themes often show no date for pingbacks; the post's comments feed has it.
            yield self._comment_feed_request(site, post, post.comment_feed_url, undated, 1)
            return
        yield from self._post_done(site, post)

    def _comment_feed_request(
        self, site: Site, post: Post, feed: str, undated: set[int], page: int, seen: frozenset[int] = frozenset()
    ) -> scrapy.Request:
        url = feed if page == 1 else f"{feed}{'&' if '?' in feed else '?'}paged={page}"
        return self._request(
            site,
            url,
            self.parse_comment_feed,
            errback=self.comment_feed_failed,
            meta={"handle_httpstatus_list": CALLBACK_STATUSES},
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
        yield from self._post_done(site, post)

    @site_step
    def comment_feed_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        self.count("comment_feed_failed")
        yield from self._post_done(failure.request.cb_kwargs["site"], failure.request.cb_kwargs["post"])

    @site_step
    def post_failed(self, failure: Failure, **_: Any) -> None:
        site: Site = failure.request.cb_kwargs["site"]
        if by_choice(failure):
            # robots.txt forbids it: not fetched by choice, not a failure.
            self.count("skipped/ignored")
            self.logger.info("Not fetched: %s (%s)", failure.request.url, failure.value)
            return
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else type(failure.value).__name__
        self.count(f"post_failed/{status}")
        self.logger.warning("Post %s failed: %s", failure.request.url, failure.value)
        known = failure.request.meta.get("known")
        if isinstance(failure.value, HttpError) and status in (404, 410) and known is not None and not site.rest_listed:
            site.gone.add(known)  # the archived page is gone (not a REST-listed post: that would be odd)
        elif status not in (404, 410):
            site.failures += 1
            site.error = site.error or f"{failure.request.url}: {failure_reason(failure)}"

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
        if by_choice(failure):
            self.count("skipped/ignored")
            self.logger.info("Not fetched: %s (%s)", failure.request.url, failure.value)
            return
        site.failures += 1
        site.error = site.error or f"{failure.request.url}: {failure_reason(failure)}"
        self.logger.warning("Request %s failed: %s", failure.request.url, failure.value)

    def _maybe_done(self, site: Site) -> Iterator[Any]:
        ahead = self.settings.getint("ARCHIVE_LISTING_AHEAD", 200)
        while site.deferred and site.pending <= ahead:
            yield site.deferred.pop(0)  # a listing page held back while many requests were outstanding
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
        archived = site.state.posts.present()
        listed = max(len(site.found), len(site.rest_listed), len(site.listed_urls), len(site.seen))
        return listed < archived

    def site_report(self, site: Site, status: str | None = None) -> SiteCrawl:
        """How the site's crawl went (`status` overrides, e.g. interrupted)."""
        complete = site.listing_ok and not site.failures and self._listing_proven(site)
        if status is None:
            status = "complete" if complete else "partial"
        report = SiteCrawl(
            site_url=site.home,
            status=status,
            mode=site.mode,
            discovery=site.discovery,
            site_clock=site.clock,
            requests=site.requests,
            error=site.error,
        )
        if status == "interrupted":
            return report
        missing = set(site.gone)  # its own URL answered 404 or 410: proof enough, whatever the status
        if status != "complete":
            pass  # a listing that is not proven complete says nothing about what is gone
        elif site.listing_ok and site.state and site.discovery == "sitemap" == site.state.discovery:
            # A complete sitemap lists every post: archived posts it no longer lists are gone.
            listed = {p for url, p in site.state.urls.items() if normalise_url(url) in site.listed_urls}
            missing |= {p.id for p in site.state.posts if not p.missing and p.id not in listed}
        elif site.listing_ok:
            missing |= site.missing
        missing -= site.answered  # its own page answered as a post: not missing, whatever a listing said
        self.count("sites_crawled")
        for reason, times in site.graph.skipped.items() if site.graph is not None else ():
            self.count(f"skipped/link/{reason}", times)  # links the blog's link graph did not follow
        if status != "complete":
            self.count(f"sites_{status}")
        report.rest_comment_total = site.totals.get("comments")
        # Lists made straight from the sets (a big blog's re-crawl has 100,000 ids in each).
        report.seen = sorted(post_id for post_id in site.seen if post_id not in missing)
        report.confirmed = sorted(post_id for post_id in site.confirmed if post_id not in missing)
        report.missing = sorted(missing)
        report.validators = site.validators if status == "complete" else []
        report.proof = site.proof if status == "complete" else None
        return report

    def _listing_proven(self, site: Site) -> bool:
        """Whether the listing is complete by a rule the crawl can state (kept in `site.proof`);
        a crawl that found clearly fewer posts than the archive holds proves nothing."""
        if site.graph_capped:
            site.error = site.error or "the listing guard (ARCHIVE_MAX_LISTING_PAGES) stopped the link graph"
            site.proof = None
        if site.proof is None:
            site.error = site.error or "no listing of the blog could be proven complete"
            return False
        if site.state is not None and site.discovery != "single":
            archived = site.state.posts.present()
            listed_ids = site.ids.get("posts", set()) | site.ids.get("pages", set())
            seen = max(
                len(site.found),
                len(site.seen) + sum(1 for post_id in site.answered if post_id not in site.seen),
                len(site.rest_listed),
                len(listed_ids),
            )
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
        key = url_digest(url)
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

    def _note_truncated(self, post: Post, url: str) -> None:
        """Count and log a page the HTML parser could not read whole: its comments are kept, and
        none archived before is marked missing for not being among them."""
        if not post.comments_complete:
            self.count("pages_nested_too_deep")
            self.logger.warning("%s nests its markup deeper than the parser reads: comments may be missing", url)

    def count(self, key: str, amount: int = 1) -> None:
        self.crawler.stats.inc_value(f"wparchive/{key}", amount)
