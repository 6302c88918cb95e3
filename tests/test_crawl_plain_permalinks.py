"""End to end: the real spider crawls the sample course blog with plain permalinks.

Old course blogs often never turned on pretty permalinks: every URL is a query on the home URL
(`/?p=N`, `/?page_id=N`, `/?p=N&cpage=2`, `/?paged=2`, `/?feed=rss2`, `/?sitemap=index`), the
REST API answers only at `?rest_route=` and pretty paths are 404s. The archive is compared row
by row with `tests/sampleblog/data.py`, as `test_crawl_sampleblog.py` does for pretty links, for
each way in: `?rest_route=`, sitemaps, feeds and the HTML archive pages.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from archive.db import open_db
from tests.conftest import run_crawl
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread
from tests.test_crawl_sampleblog import archived_posts, crawl_sample, expected_posts

# Way in (the discovery the archive should record) -> sample blog options.
WAYS = {
    "rest_route": {},
    "sitemap": {"rest": False},
    "feed": {"rest": False, "sitemap": False},
    "html": {"rest": False, "sitemap": False, "feeds": False},
}
TRAP_PARAMS = {"replytocom", "share", "m", "s", "attachment_id"}


def ways() -> list:
    """Every way in as a test parameter."""
    return [pytest.param(way, id=way) for way in WAYS]


@pytest.fixture
def crawled(request, tmp_path_factory) -> tuple[str, dict]:
    way = request.node.callspec.params["way"]
    return way, crawl_sample(f"plain_{way}", tmp_path_factory.getbasetemp(), plain_permalinks=True, **WAYS[way])


def requested(result: dict) -> list[str]:
    """Paths with query strings the spider asked for, in order."""
    return [target for _, target, _ in result["requests"]]


def plain_url(base: str, entry: data.Post) -> str:
    return f"{base}/?{'page_id' if entry.type == 'page' else 'p'}={entry.id}"


@pytest.mark.parametrize("way", ways())
def test_site_row(way, crawled) -> None:
    _, result = crawled
    rows = list(result["db"].query("select url, name, discovery from sites"))
    assert rows == [{"url": result["base"] + "/", "name": data.SITE.name, "discovery": way}]


@pytest.mark.parametrize("way", ways())
def test_listing_speaks_the_plain_forms(way, crawled) -> None:
    _, result = crawled
    paths = requested(result)
    listing = {
        "rest_route": ["/index.php?rest_route=%2Fwp%2Fv2%2Fposts&", "/index.php?rest_route=%2Fwp%2Fv2%2Fcomments&"],
        "sitemap": ["/?sitemap=index", "/?sitemap=posts&sitemap-subtype=post&paged=1"],
        "feed": ["/?feed=rss2", "/?feed=rss2&paged=2"],
        "html": ["/?paged=2", "/?paged=3"],
    }[way]
    for expected in listing:
        assert any(p == expected or (expected.endswith("&") and p.startswith(expected)) for p in paths), (
            expected,
            paths,
        )


@pytest.mark.parametrize("way", ways())
def test_every_post_and_page_with_its_fields(way, crawled) -> None:
    _, result = crawled
    assert archived_posts(result["db"]) == expected_posts(way)


@pytest.mark.parametrize("way", ways())
def test_posts_are_archived_under_their_plain_urls(way, crawled) -> None:
    _, result = crawled
    urls = {row["wp_id"]: row["url"] for row in result["db"].query("select wp_id, url from posts")}
    assert urls == {entry.id: plain_url(result["base"], entry) for entry in data.all_entries()}


@pytest.mark.parametrize("way", ways())
def test_every_comment_with_its_place_in_the_thread(way, crawled) -> None:
    _, result = crawled
    rows = {
        row["wp_id"]: row
        for row in result["db"].query(
            """select c.wp_id, p.wp_id as post, parent.wp_id as parent, c.depth, c.author, c.published, c.type
               from comments c join posts p on p.id = c.post_id left join comments parent on parent.id = c.parent_id"""
        )
    }
    expected = {
        comment.id: {
            "wp_id": comment.id,
            "post": comment.post,
            "parent": comment.parent or None,
            "depth": data.depth(comment),
            "author": comment.author_name,
            # The theme prints local time without an offset; the REST API gives the offset.
            "published": comment.date.isoformat()
            if way == "rest_route" and comment.type == "comment"
            else comment.date.replace(tzinfo=None).isoformat(),
            "type": comment.type,
        }
        for entry in data.all_entries()
        for comment in data.comments_on(entry.id)
    }
    assert rows == expected


@pytest.mark.parametrize("way", ways())
def test_comment_page_two_is_fetched_in_order(way, crawled) -> None:
    _, result = crawled
    assert "/?p=75&cpage=2" in requested(result)
    assert result["stats"]["wparchive/comment_pages"] == 1
    order = [
        row["wp_id"]
        for row in result["db"].query(
            "select c.wp_id from comments c join posts p on p.id = c.post_id where p.wp_id = 75 order by c.position"
        )
    ]
    page_two = [c.id for c in data.comments_on(75) if data.comment_page(c) == 2]
    assert sorted(order) == sorted(c.id for c in data.comments_on(75))
    assert order[-len(page_two) :] == page_two  # page 2 comes after page 1


@pytest.mark.parametrize("way", ways())
def test_breadcrumbs_and_share_links(way, crawled) -> None:
    _, result = crawled
    db, base = result["db"], result["base"]
    post = data.entry(26)
    post_id = next(db.query("select id from posts where wp_id = 26"))["id"]
    category = data.term(post.categories[0])
    crumbs = [
        (r["label"], r["url"])
        for r in db.query("select label, url from breadcrumbs where post_id = ? order by position", [post_id])
    ]
    assert crumbs == [("Home", base + "/"), (category.name, f"{base}/?cat={category.id}"), (post.title, None)]
    links = [
        (r["service"], r["url"])
        for r in db.query("select service, url from share_links where post_id = ? order by position", [post_id])
    ]
    sociable = ["digg", "stumbleupon", "reddit", "twitter"] + (["rss"] if WAYS[way].get("feeds", True) else [])
    assert [service for service, _ in links] == [*sociable, "facebook", "email"]
    assert links[-1] == ("email", f"{base}/?p=26&share=email&nb=1")  # kept as data, not followed


@pytest.mark.parametrize("way", ways())
def test_no_trap_is_fetched_and_requests_stay_few(way, crawled) -> None:
    _, result = crawled
    paths = requested(result)
    for path in paths:
        parts = urlsplit(path)
        assert not {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} & TRAP_PARAMS, path
        assert "wp-login" not in parts.path and "/embed" not in parts.path, path
    # The files the posts show or offer, each once: the image's two sizes and the PDF handout.
    media = [p for p in paths if p.startswith("/wp-content/uploads/")]
    assert len(media) == 2 * len(data.MEDIA) + len(data.FILES), media
    # One request per post and page, plus robots.txt, the home page, one comment page and a
    # handful of listing requests (REST pages, sitemap probes, feeds or archive pages).
    assert len(paths) - len(media) <= len(data.all_entries()) + 12, paths
    assert len(paths) == len(set(paths))


def test_single_plain_post_url(tmp_path) -> None:
    server, base = serve_in_thread(port=0, plain_permalinks=True, prefix="/hist380")
    try:
        db_path = tmp_path / "single.db"
        run_crawl(f"{base}/?p=75", db_path)
        db = open_db(db_path)
        assert [(r["wp_id"], r["url"]) for r in db.query("select wp_id, url from posts")] == [(75, f"{base}/?p=75")]
        assert sorted(r["wp_id"] for r in db.query("select wp_id from comments")) == sorted(
            c.id for c in data.comments_on(75)
        )
        assert next(db.query("select url, discovery from sites")) == {"url": base + "/", "discovery": "single"}
        assert ("GET", "/hist380/?p=75&cpage=2", 200) in server.requests()
        assert json.loads(next(db.query("select stats from crawls"))["stats"])["wparchive/comment_pages"] == 1
    finally:
        server.shutdown()
        server.server_close()
