"""What every part of the sample blog shares: server options, the response type and URL builders."""

from __future__ import annotations

import json
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

    def calendar(self, value: str) -> str:
        """A ``?m=YYYYMM`` or ``?m=YYYYMMDD`` link, as the calendar widget prints them."""
        return self.at(f"/?m={value}")

    def feed(self) -> str:
        """The posts feed."""
        return self.at("/feed/")

    def comments_feed(self) -> str:
        """The site-wide comments feed."""
        return self.at("/comments/feed/")

    def post_feed(self, post: Post) -> str:
        """One post's comments feed."""
        return self.permalink(post) + "feed/"

    def rest(self, route: str, query: dict[str, Any] | None = None) -> str:
        """A REST URL in the ``/wp-json/`` form (as WordPress prints them with pretty links)."""
        url = self.at(f"/wp-json{route}")
        return f"{url}?{urlencode(query)}" if query else url

    def search(self, term: str) -> str:
        """A search results URL."""
        return self.at("/?" + urlencode({"s": term}))
