"""Extraction on whole real blogs against what WordPress itself said: the sites' own feeds.

Three of the saved blogs of ../shared/realsites kept the RSS feeds WordPress wrote: the category
feeds (each post's title, author and publication time) and each post's comment feed (each
comment's author and time, under its `#comment-N` link). Those are the source of truth here: every
post page and comment page of the site is read with `extract_post`, and what it finds is compared
with the feeds, item by item. Nothing here reads the feeds with the project's own code.

A feed states times in GMT; a page shows the blog's local time (and old themes print it with a
`+00:00` that is not true). So a time is right when it is the feed's time moved by a whole
quarter-hour offset of at most 14 hours, the same offset (or that and its summer hour) across the
site; a page that shows minutes only may be up to a minute short.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree

from spiders.extraction.page import extract_post
from tests.conftest import require
from tests.realsites.server import SHARED, site_table, unpack

# The sites whose files hold WordPress's feeds, and whether their post pages show the post's author
# in a byline (Kubrick, fluffysblog's theme, prints none on a single post: "This entry was posted
# on ...").
FEED_SITES = {"fluffysblog.com": False, "veganyumyum": True, "whizzy": True}
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_QUARTER_HOUR = 15 * 60


def squash(value: str | None) -> str | None:
    return " ".join(value.split()) if value else value


def feed_items(root: Path) -> tuple[dict[str, dict], dict[int, dict]]:
    """Posts by path and comments by id, as the site's RSS feeds state them."""
    posts: dict[str, dict] = {}
    comments: dict[int, dict] = {}
    for path in root.rglob("*"):
        if "feed" not in path.relative_to(root).parts or not path.is_file():
            continue
        data = path.read_bytes().strip()
        if b"<rss" not in data[:2000]:
            continue
        feed = etree.fromstring(data, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
        for item in feed.iter("item") if feed is not None else ():
            link = (item.findtext("link") or "").strip()
            when = item.findtext("pubDate")
            value = {
                "title": squash(html.unescape(item.findtext("title") or "")),
                "author": squash(html.unescape(item.findtext(DC_CREATOR) or "")),
                "gmt": parsedate_to_datetime(when.strip()).replace(tzinfo=None) if when else None,
            }
            comment = re.search(r"#comment-(\d+)$", link)
            if comment:
                comments[int(comment.group(1))] = value
            else:
                page = re.sub(r"index\.html$", "", unquote(urlsplit(link).path))
                posts[page if page.endswith("/") else page + "/"] = value
    return posts, comments


def shown_offset(shown: str | None, gmt: datetime) -> timedelta | None:
    """The offset between the time a page shows (its wall clock, whatever zone it claims) and the
    feed's GMT time, or None when the page's time is not the feed's moved by a whole zone."""
    if not shown:
        return None
    wall = datetime.fromisoformat(shown).replace(tzinfo=None)
    if len(shown) == 10:  # a day only
        return timedelta(0) if abs((wall.date() - gmt.date()).days) <= 1 else None
    offset = (wall - gmt).total_seconds()
    short_by = (offset + 60) % _QUARTER_HOUR  # up to a minute short: a page that shows minutes only
    if abs(offset) > 14 * 3600 or short_by > 60:
        return None
    return timedelta(minutes=round(offset / 60 / 15) * 15)


def check_time(where: str, shown: str | None, gmt: datetime, wrong: list[str], offsets: set[timedelta]) -> None:
    """A time the page shows against the feed's: its zone offset kept, or the difference noted."""
    offset = shown_offset(shown, gmt)
    if offset is None:
        wrong.append(f"{where}: {shown!r}, the feed says {gmt} GMT")
    else:
        offsets.add(offset)


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    require((SHARED / "sites.tsv").exists(), f"the real sites are not there: {SHARED}")
    folder = tmp_path_factory.mktemp("feeds")
    return {name: unpack(name, folder) for name in FEED_SITES}


@pytest.mark.parametrize("name", sorted(FEED_SITES))
def test_posts_and_comments_agree_with_the_sites_own_feeds(name: str, sites: dict[str, Path]) -> None:
    root = sites[name]
    host = site_table()[name]["hosts_in_links"].split(",")[0]
    posts, comments = feed_items(root)
    wrong: list[str] = []
    offsets: set[timedelta] = set()
    checked_posts = checked_comments = 0
    for path, want in sorted(posts.items()):
        page = root / path.strip("/") / "index.html"
        if not page.is_file():
            continue  # a post of the feed that the mirror did not save
        checked_posts += 1
        post = extract_post(page.read_text("utf-8", "replace"), host + path)
        if squash(post.title) != want["title"]:
            wrong.append(f"{path} title: {post.title!r}, the feed says {want['title']!r}")
        # Without a byline, the name is shown only where the author comments (`bypostauthor`).
        if squash(post.author) != want["author"] and (FEED_SITES[name] or post.author is not None):
            wrong.append(f"{path} author: {post.author!r}, the feed says {want['author']!r}")
        check_time(f"{path} published", post.published, want["gmt"], wrong, offsets)
        # The post's comments, on its page and its comment pages.
        comment_pages = sorted(page.parent.glob("comment-page-*/index.html"))
        for found in [post, *(extract_post(more.read_text("utf-8", "replace"), host + path) for more in comment_pages)]:
            for comment in found.comments:
                stated = comments.get(comment.wp_id) if comment.wp_id else None
                if stated is None:
                    continue
                checked_comments += 1
                where = f"{path} comment {comment.wp_id}"
                if squash(comment.author) != squash(html.unescape(stated["author"])):
                    wrong.append(f"{where} author: {comment.author!r}, the feed says {stated['author']!r}")
                check_time(f"{where} published", comment.published, stated["gmt"], wrong, offsets)
    assert checked_posts >= 20 and checked_comments >= 90, (checked_posts, checked_comments)
    assert wrong == []
    # One zone for the site: its offset and, where it keeps summer time, that plus an hour.
    zone = {offset for offset in offsets if offset}
    assert len(zone) <= 2 and (len(zone) < 2 or max(zone) - min(zone) == timedelta(hours=1)), zone
