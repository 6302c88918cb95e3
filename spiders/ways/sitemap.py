"""The sitemap way in: WordPress core, Yoast and generic sitemaps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.extraction.discovery import (
    is_content_sitemap,
    parse_sitemap,
)
from spiders.state import (
    CALLBACK_STATUSES,
    Site,
    failure_reason,
    site_step,
)
from spiders.urls import (
    in_scope,
    normalise_url,
)


class SitemapWay:
    """Reads the sitemap index and every content sitemap; complete when every one answered."""

    def _sitemap_root_request(
        self, site: Site, path: str, fallbacks: list[str], home_response: Response
    ) -> scrapy.Request:
        return self._request(
            site,
            site.home + path,
            self.parse_sitemap,
            errback=self.sitemap_failed,
            meta={
                "handle_httpstatus_list": CALLBACK_STATUSES,
                "fallbacks": fallbacks,
                "home_response": home_response,
                "root": True,
            },
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
                    site,
                    child,
                    self.parse_sitemap,
                    errback=self.sitemap_failed,
                    meta={"handle_httpstatus_list": CALLBACK_STATUSES},
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
            site.error = site.error or f"sitemap {request.url}: {failure_reason(failure)}"
