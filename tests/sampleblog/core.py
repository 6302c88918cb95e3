"""What every part of the sample blog shares: server options, the response type and URL builders."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from . import data
from .data import Comment, Media, Post, Term, User

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass(frozen=True)
class Options:
    """Switches that make the blog look like older or locked-down installs."""

    rest: bool = True
    block_wp_json: bool = False
    sitemap: bool = True
    feeds: bool = True
    prefix: str = ""
    plain_permalinks: bool = False
    # A security plugin that hides the API from anonymous users: every listing answers 200 [] with
    # X-WP-Total: 0 (the pages themselves are still there).
    hidden_rest: bool = False
    # A broken cache or plugin: post and page views answer 200 with the theme's 404 page.
    soft_404: bool = False

    def __post_init__(self) -> None:
        prefix = "/" + self.prefix.strip("/") if self.prefix.strip("/") else ""
        object.__setattr__(self, "prefix", prefix)


@dataclass
class Response:
    """A complete HTTP answer: status, headers and body."""

    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=UTF-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def html(status: int, page: str, headers: list[tuple[str, str]] | None = None) -> Response:
    """An HTML response."""
    return Response(status, page.encode(), headers=headers or [])


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None,
                  ) -> Response:
    """A JSON response, encoded like ``wp_json_encode`` (non-ASCII as ``\\u`` escapes)."""
    return Response(status, json.dumps(payload).encode(), "application/json; charset=UTF-8",
                    headers or [])


def xml(document: str, content_type: str = "application/xml; charset=UTF-8") -> Response:
    """A 200 XML response (feeds and sitemaps)."""
    return Response(200, document.encode(), content_type)


def text(status: int, body: str) -> Response:
    """A plain-text response."""
    return Response(status, body.encode(), "text/plain; charset=UTF-8")


def redirect(location: str, status: int = 301) -> Response:
    """A redirect, as ``wp_redirect`` / ``redirect_canonical`` send it."""
    return Response(status, b"", headers=[("Location", location)])


def long_date(when: datetime) -> str:
    """WordPress's default date format ``F j, Y``: "April 7, 2013"."""
    return f"{MONTHS[when.month - 1]} {when.day}, {when.year}"


def short_time(when: datetime) -> str:
    """WordPress's default time format ``g:i a``: "9:02 am"."""
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'}"


def add_query(url: str, **params: Any) -> str:
    """``add_query_arg``: append parameters to a URL that may already have a query string."""
    return url + ("&" if "?" in url else "?") + urlencode(params)


def site_urls(home: str, options: Options) -> Urls:
    """The URL builders for a blog with these options: pretty or plain permalinks."""
    return PlainUrls(home) if options.plain_permalinks else Urls(home)


class Urls:
    """Every URL the blog prints, built from its home URL (pretty permalinks)."""

    def __init__(self, home: str) -> None:
        self.home = home.rstrip("/")

    def at(self, path: str = "/") -> str:
        """A URL below the home URL; ``path`` starts with a slash."""
        return self.home + path

    def permalink(self, post: Post) -> str:
        """``/YYYY/MM/DD/slug/`` for posts, ``/slug/`` for pages."""
        if post.type == "page":
            return self.at(f"/{post.slug}/")
        return self.at(f"/{post.date:%Y/%m/%d}/{post.slug}/")

    def shortlink(self, entry_id: int) -> str:
        """``?p=N``, which redirects to the permalink."""
        return self.at(f"/?p={entry_id}")

    def attachment(self, media: Media) -> str:
        """The attachment page, below its parent post's permalink."""
        parent = data.entry(media.parent)
        assert parent is not None
        return f"{self.permalink(parent)}{media.slug}/"

    def upload(self, media: Media, size: str = "full") -> str:
        """The file of an image size under ``/wp-content/uploads/``."""
        if size == "full":
            return self.at(f"/wp-content/uploads/{media.file}")
        _, width, height = next(s for s in media.sizes if s[0] == size)
        stem, dot, ext = media.file.rpartition(".")
        return self.at(f"/wp-content/uploads/{stem}-{width}x{height}{dot}{ext}")

    def comment_page(self, post: Post, page: int) -> str:
        """A comment page: the permalink itself for page 1, ``comment-page-N/`` otherwise."""
        base = self.permalink(post)
        return base if page == 1 else f"{base}comment-page-{page}/"

    def comment(self, c: Comment) -> str:
        """``get_comment_link``: the comment's page plus ``#comment-N``."""
        post = data.entry(c.post)
        assert post is not None
        return f"{self.comment_page(post, data.comment_page(c))}#comment-{c.id}"

    def reply(self, post: Post, page: int, c: Comment) -> str:
        """A Reply link: ``?replytocom=N`` added to the comment page shown (as WordPress did
        before 4.4, with ``add_query_arg`` on the current URL), then ``#respond``."""
        return add_query(self.comment_page(post, page), replytocom=c.id) + "#respond"

    def share(self, post: Post, service: str) -> str:
        """A Jetpack-style ``?share=SERVICE`` link on the post (the theme adds ``nb=1``)."""
        return add_query(self.permalink(post), share=service)

    def term(self, t: Term) -> str:
        """A category or tag archive."""
        base = "category" if t.taxonomy == "category" else "tag"
        return self.at(f"/{base}/{t.slug}/")

    def author(self, u: User) -> str:
        """An author archive."""
        return self.at(f"/author/{u.slug}/")

    def date_archive(self, year: int, month: int | None = None, day: int | None = None) -> str:
        """A yearly, monthly or daily archive."""
        path = f"/{year:04d}/"
        if month:
            path += f"{month:02d}/"
        if day:
            path += f"{day:02d}/"
        return self.at(path)

    def paged(self, url: str, page: int) -> str:
        """Page ``page`` of the list at ``url``: ``page/N/`` before any query string."""
        base, mark, query = url.partition("?")
        return base + (f"page/{page}/" if page > 1 else "") + mark + query

    def calendar(self, value: str) -> str:
        """A ``?m=YYYYMM`` or ``?m=YYYYMMDD`` link, as the calendar widget prints them."""
        return self.at(f"/?m={value}")

    def feed(self, page: int = 1) -> str:
        """The posts feed (``?paged=N`` for older items)."""
        url = self.at("/feed/")
        return add_query(url, paged=page) if page > 1 else url

    def comments_feed(self) -> str:
        """The site-wide comments feed."""
        return self.at("/comments/feed/")

    def post_feed(self, post: Post) -> str:
        """One post's comments feed."""
        return self.permalink(post) + "feed/"

    def sitemap_index(self) -> str:
        """The core sitemap index (``WP_Sitemaps_Index::get_index_url``)."""
        return self.at("/wp-sitemap.xml")

    def sitemap(self, name: str) -> str:
        """One sitemap by name: ``posts-post-1``, ``taxonomies-category-1``, ``users-1``."""
        return self.at(f"/wp-sitemap-{name}.xml")

    def rest(self, route: str, query: dict[str, Any] | None = None) -> str:
        """A REST URL in the ``/wp-json/`` form (as WordPress prints them with pretty links)."""
        url = self.at(f"/wp-json{route}")
        return f"{url}?{urlencode(query)}" if query else url

    def search(self, term: str) -> str:
        """A search results URL."""
        return self.at("/?" + urlencode({"s": term}))

    def expand(self, html: str) -> str:
        """An HTML field of ``data`` with its ``HOME`` links pointing at this blog."""
        return data.expand(html, self.home)


class PlainUrls(Urls):
    """WordPress's default "plain" permalinks: every page is a query on the home URL.

    As ``get_permalink``, ``get_term_link``, ``get_pagenum_link``, ``get_feed_link``,
    ``get_sitemap_url`` and ``get_rest_url`` build them when ``permalink_structure`` is empty:
    ``/?p=N``, ``/?page_id=N``, ``/?p=N&cpage=2``, ``/?paged=2``, ``/?cat=N``, ``/?tag=slug``,
    ``/?author=N``, ``/?m=YYYYMM``, ``/?feed=rss2``, ``/?sitemap=index``,
    ``/index.php?rest_route=/``.
    """

    def permalink(self, post: Post) -> str:
        """``?p=N`` for posts, ``?page_id=N`` for pages."""
        key = "page_id" if post.type == "page" else "p"
        return self.at(f"/?{key}={post.id}")

    def attachment(self, media: Media) -> str:
        """``?attachment_id=N``."""
        return self.at(f"/?attachment_id={media.id}")

    def comment_page(self, post: Post, page: int) -> str:
        """The permalink for page 1, ``&cpage=N`` otherwise."""
        base = self.permalink(post)
        return base if page == 1 else add_query(base, cpage=page)

    def term(self, t: Term) -> str:
        """``?cat=ID`` for a category, ``?tag=slug`` for a tag."""
        return self.at(f"/?cat={t.id}" if t.taxonomy == "category" else f"/?tag={t.slug}")

    def author(self, u: User) -> str:
        """``?author=ID``."""
        return self.at(f"/?author={u.id}")

    def date_archive(self, year: int, month: int | None = None, day: int | None = None) -> str:
        """``?m=YYYY``, ``?m=YYYYMM`` or ``?m=YYYYMMDD``."""
        return self.calendar(f"{year:04d}" + (f"{month:02d}" if month else "")
                             + (f"{day:02d}" if month and day else ""))

    def paged(self, url: str, page: int) -> str:
        """``&paged=N`` added to the list's URL."""
        return add_query(url, paged=page) if page > 1 else url

    def feed(self, page: int = 1) -> str:
        """``?feed=rss2`` (``&paged=N`` for older items)."""
        return self.paged(self.at("/?feed=rss2"), page)

    def comments_feed(self) -> str:
        """``?feed=comments-rss2``."""
        return self.at("/?feed=comments-rss2")

    def post_feed(self, post: Post) -> str:
        """``?feed=rss2&p=N`` (``page_id`` for pages)."""
        key = "page_id" if post.type == "page" else "p"
        return self.at("/?" + urlencode({"feed": "rss2", key: post.id}))

    def sitemap_index(self) -> str:
        """``?sitemap=index``."""
        return self.at("/?sitemap=index")

    def sitemap(self, name: str) -> str:
        """``?sitemap=posts&sitemap-subtype=post&paged=1`` (no subtype for users)."""
        provider, *subtype, page = name.split("-")
        params = {"sitemap": provider, "sitemap-subtype": "".join(subtype), "paged": page}
        return self.at("/?" + urlencode({k: v for k, v in params.items() if v}))

    def rest(self, route: str, query: dict[str, Any] | None = None) -> str:
        """``index.php?rest_route=ROUTE``: there is no ``/wp-json/`` without rewrite rules."""
        url = self.at(f"/index.php?rest_route={route}")
        return f"{url}&{urlencode(query)}" if query else url

    def expand(self, html: str) -> str:
        """The content's links to posts, pages and attachments, as their authors would have
        written them on a plain-permalink blog."""
        pretty = Urls(self.home)
        plain = {pretty.permalink(p): self.permalink(p) for p in data.all_entries()}
        plain |= {pretty.attachment(m): self.attachment(m) for m in data.MEDIA}
        return re.sub(r'href="([^"]*)"', lambda m: f'href="{plain.get(m[1], m[1])}"',
                      super().expand(html))
