"""The HTML way in: the blog's own link graph (`spiders.linkgraph` decides what a link is)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from spiders.extraction.discovery import (
    home_url,
)
from spiders.extraction.document import Document
from spiders.extraction.text import split_url
from spiders.linkgraph import Harvest, LinkGraph, links_prefix, static_copy_url
from spiders.state import (
    CALLBACK_STATUSES,
    Site,
    conditional_headers,
    meta_refresh,
    requested_url,
    response_validators,
    site_step,
)
from spiders.urls import (
    in_scope,
    normalise_url,
    url_digest,
)


class LinksWay:
    """Follows the blog's links from its home page until no new post or page turns up; on a
    re-crawl, stands a listing's 304 for its stored links and asks unlisted archived posts directly."""

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
        site.queued.add(url_digest(home_response.url))
        site.proof = "link graph exhausted"
        doc = Document.parse(home_response.text, home_response.url)
        declared = links_prefix(doc, site.home) or home_url(doc)
        if declared and in_scope(declared, site.home) and split_url(declared).path != split_url(site.home).path:
            yield self._request(
                site,
                declared,
                self.parse_declared_home,
                errback=self.declared_home_failed,
                meta={"handle_httpstatus_list": CALLBACK_STATUSES, "home_response": home_response},
            )
            return
        yield from self._listing_page(home_response, site)

    @site_step
    def parse_declared_home(self, response: Response, site: Site) -> Iterator[Any]:
        assert site.graph is not None
        declared = requested_url(response)
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
        stored = self._stored_listing(site, requested_url(response))
        if response.status == 304 and site.graph is not None and stored is not None:
            # Unchanged since the last complete crawl: its links are the ones stored then.
            self.count("not_modified/listing")
            site.validators.append({"url": requested_url(response), **stored})
            harvest = site.graph.harvest_links(stored["links"], stored["marked"], stored.get("pages", []))
            yield from self._follow(site, harvest, requested_url(response))
            return
        if response.status >= 400 or not isinstance(response, TextResponse):
            self.count(f"listing_unavailable/{response.status}")
            return
        target = meta_refresh(response)
        if target and site.graph is not None:
            self.count("meta_refresh")
            target = site.graph.canonical(target)
            if in_scope(target, site.home) and site.graph.offer(target) and self._first_time(site, target):
                site.listings_queued += 1
                yield self._request(
                    site, target, self.parse_listing, meta={"handle_httpstatus_list": CALLBACK_STATUSES}
                )
            return
        doc = Document.parse(response.text, response.url)
        if site.graph is None:
            return
        if self._duplicate(site, response.body, doc.url):
            self.count("duplicate_page")
            return
        links, marked, pages = site.graph.page_links(doc)
        validators = response_validators(response)
        if validators.get("etag") or validators.get("last_modified"):
            site.validators.append(
                {"url": requested_url(response), **validators, "links": links, "marked": marked, "pages": pages}
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
                    meta={"handle_httpstatus_list": CALLBACK_STATUSES},
                    headers=conditional_headers(stored) if stored else None,
                )

    @staticmethod
    def _stored_listing(site: Site, url: str) -> dict[str, Any] | None:
        """A listing page's validators and links from the last complete crawl (re-crawls only)."""
        if site.state is None or site.mode == "full":
            return None
        stored = site.state.validators.get(url)
        return stored if stored and stored.get("links") is not None else None

    def _check_unlisted(self, site: Site) -> Iterator[Any]:
        """Archived posts the blog's links no longer reach are asked for at their own URL: only a
        404 or 410 there marks one missing."""
        if site.state is None:
            return
        for post in site.state.posts:
            if post.missing or post.id in site.seen or url_digest(post.url) in site.found:
                continue
            if self._first_time(site, post.url):
                self.count("unlisted_checked")
                stored = site.state.validators.get(post.url, {}) if site.mode != "full" else {}
                yield self._post_request(post.url, site, rest=None, known=post, validators=stored)
