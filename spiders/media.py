"""Media kept with the posts: images (the largest srcset candidate and the src), featured images and
attachments under wp-content/uploads, fetched once a crawl each, after the post they belong to.

Their bytes are kept in the crawl's WACZ (pipelines/capture.py); a `Media` item tells the archive
the file's post, type, size, digest and record. Files on the blog's own host and on WordPress's
CDNs are fetched; other hosts only when ARCHIVE_MEDIA_HOSTS names them (`*`: every host). A file
the archive already holds is not fetched again. robots.txt and the crawl's politeness apply."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import CannotResolveHostError
from scrapy.http import Response
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from spiders.items import Media, Post
from spiders.state import Site, by_choice, failure_reason, site_step

# Jetpack's image CDN (i0-i3.wp.com), WordPress.com's file hosts (<blog>.files.wordpress.com) and its
# static and LaTeX image hosts (s0-s9.wordpress.com, s0-s2.wp.com): never another blog's host.
_WORDPRESS_CDN = re.compile(r"i[0-3]\.wp\.com|s[0-2]\.wp\.com|s[0-9]\.wordpress\.com|[a-z0-9-]+\.files\.wordpress\.com")


def media_host_allowed(url: str, blog_home: str, extra_hosts: frozenset[str], cdns: bool = True) -> bool:
    """Whether a file is fetched: on the blog's host, on WordPress's CDNs (unless `cdns` is off), or
    on a host the user named (`*` names every host)."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return False
    if host == (urlsplit(blog_home).hostname or "").lower() or (cdns and _WORDPRESS_CDN.fullmatch(host)):
        return True
    return "*" in extra_hosts or host in extra_hosts


class MediaFetching:
    """Hands a finished post on, then asks for its files."""

    def _post_done(self, site: Site, post: Post) -> Iterator[Any]:
        self.count("posts")
        yield post
        if not self.settings.getbool("ARCHIVE_MEDIA", True) or not self._media_kept():
            return
        hosts = frozenset(h.strip().lower() for h in self.settings.getlist("ARCHIVE_MEDIA_HOSTS") if h.strip())
        captions = {
            url: (image.alt, image.caption) for image in post.images for url in (image.largest, image.src) if url
        }
        for url in post.media_urls:
            if url in site.media_seen:
                continue
            site.media_seen.add(url)
            if site.state is not None and url in site.state.media:
                self.count("media_archived_already")
                continue
            if not media_host_allowed(url, site.home, hosts, self.settings.getbool("ARCHIVE_MEDIA_CDNS", True)):
                self.count("media_skipped/other_host")
                continue
            alt, caption = captions.get(url, (None, None))
            yield self._request(
                site,
                url,
                self.parse_media,
                errback=self.media_failed,
                meta={"download_maxsize": self.settings.getint("ARCHIVE_MEDIA_MAX_BYTES")},
                cb_kwargs={"post_url": post.url, "alt": alt, "caption": caption},
                priority=-10,
            )

    def _media_kept(self) -> bool:
        """Media are fetched to be kept in the crawl's WACZ (or answered from one, in a rebuild)."""
        settings = self.settings
        return settings.getbool("ARCHIVE_CAPTURE", True) or bool(settings.get("ARCHIVE_REPLAY_FROM"))

    @site_step
    def parse_media(
        self, response: Response, site: Site, post_url: str, alt: str | None, caption: str | None
    ) -> Iterator[Any]:
        if response.status != 200:
            self.count(f"media_failed/{response.status}")
            return
        captured = response.meta.get("capture") or {}
        self.count("media")
        yield Media(
            site_url=site.home,
            post_url=post_url,
            url=response.request.url,
            content_type=(response.headers.get("Content-Type") or b"").decode("latin-1").split(";")[0].strip() or None,
            bytes=len(response.body),
            sha256=hashlib.sha256(response.body).hexdigest(),
            alt=alt,
            caption=caption,
            wacz=captured.get("wacz"),
            record_id=captured.get("record_id"),
        )

    @site_step
    def media_failed(self, failure: Failure, **_: Any) -> None:
        site: Site = failure.request.cb_kwargs["site"]
        response = getattr(failure.value, "response", None)
        if by_choice(failure):
            self.count("media_skipped/robots")
        elif response is not None and response.status in (404, 410):
            self.count(f"media_gone/{response.status}")  # a broken image on the blog: nothing to keep
        elif failure.check(CannotResolveHostError, DNSLookupError):
            self.count("media_gone/no_such_host")  # a host that no longer exists: nothing to keep
        elif "download max size" in str(failure.value) or "larger than" in str(failure.value):
            self.count("media_skipped/too_large")  # over ARCHIVE_MEDIA_MAX_BYTES: left by choice
        else:
            self.count("media_failed")
            site.failures += 1
            site.error = site.error or f"{failure.request.url}: {failure_reason(failure)}"
