"""The feed way in: `/feed/?paged=N`, read to its end or not trusted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.extraction.discovery import (
    page_menu_links,
    parse_feed,
)
from spiders.extraction.document import Document
from spiders.linkgraph import static_copy_url
from spiders.state import (
    CALLBACK_STATUSES,
    Site,
    site_step,
)
from spiders.urls import (
    dedupe_key,
)


class FeedWay:
    """Pages through the posts feed; a page that repeats an earlier one, or a feed that stops short,
    hands over to the blog's own links."""

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
            for url in page_menu_links(Document.parse(home_response.text, home_response.url)):
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
                meta={"handle_httpstatus_list": CALLBACK_STATUSES, "home_response": home_response, "page": page + 1},
                cb_kwargs={"feed": feed},
            )
        else:
            self.count("listing_ended_unproven/feed")
            yield from self._start_html(site, home_response)

    @site_step
    def feed_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        request = failure.request
        yield from self._start_html(request.cb_kwargs["site"], request.meta["home_response"])
