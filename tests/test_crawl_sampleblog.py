"""End to end: the real spider crawls the sample course blog on 127.0.0.1 into a real SQLite file.

The archive is compared row by row with `tests/sampleblog/data.py`, the blog's own content, for
each way in: the REST API, `?rest_route=` (with `/wp-json/` blocked), sitemaps, feeds and plain
HTML archive pages; then a re-crawl, a single post, and several blogs at once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archive.db import open_db
from tests.conftest import crawl_stats, run_crawl
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread

WAYS = {
    "rest": {},
    "rest_route": {"block_wp_json": True},
    "sitemap": {"rest": False},
    "feed": {"rest": False, "sitemap": False},
    "html": {"rest": False, "sitemap": False, "feeds": False},
}
_results: dict[str, dict] = {}


def crawl_sample(key: str, tmp: Path, **server_options) -> dict:
    """Serve the blog with these options, crawl it once (cached under `key`), and keep the rows
    and the server's request log."""
    if key not in _results:
        server, base = serve_in_thread(port=0, **server_options)
        try:
            db_path = tmp / f"{key.replace('/', '_')}.db"
            run_crawl(base + "/", db_path)
            requests = server.requests()
        finally:
            server.shutdown()
            server.server_close()
        db = open_db(db_path)
        _results[key] = {"db": db, "base": base, "requests": requests, "stats": crawl_stats(db)}
    return _results[key]


@pytest.fixture(params=list(WAYS), ids=list(WAYS))
def crawled(request, tmp_path_factory) -> tuple[str, dict]:
    return request.param, crawl_sample(request.param, tmp_path_factory.getbasetemp(), **WAYS[request.param])


def expected_posts(way: str) -> dict[int, dict]:
    posts = {}
    for entry in data.all_entries():
        # Like WordPress's themes, the blog prints no author or date on pages: without the REST
        # API they are unknown, and the archive says NULL rather than guess.
        unknown = entry.type == "page" and not way.startswith("rest")
        posts[entry.id] = {
            "type": entry.type,
            "title": entry.title,
            "author": None if unknown else data.user(entry.author).display_name,
            "published": None if unknown else entry.date.isoformat(),
            "categories": sorted(data.term(t).name for t in entry.categories),
            "tags": sorted(data.term(t).name for t in entry.tags),
        }
    return posts


def archived_posts(db) -> dict[int, dict]:
    rows = db.query(
        """select p.wp_id, p.type, p.title, p.author, p.published,
             (select json_group_array(t.name) from post_terms pt join terms t on t.id = pt.term_id
               where pt.post_id = p.id and t.taxonomy = 'category') as categories,
             (select json_group_array(t.name) from post_terms pt join terms t on t.id = pt.term_id
               where pt.post_id = p.id and t.taxonomy = 'post_tag') as tags
           from posts p"""
    )
    return {
        row["wp_id"]: {
            **{k: row[k] for k in ("type", "title", "author", "published")},
            "categories": sorted(json.loads(row["categories"])),
            "tags": sorted(json.loads(row["tags"])),
        }
        for row in rows
    }


def test_site_row(crawled) -> None:
    way, result = crawled
    rows = list(result["db"].query("select url, name, discovery from sites"))
    assert rows == [{"url": result["base"] + "/", "name": data.SITE.name, "discovery": way}]


def test_every_post_and_page_with_its_fields(crawled) -> None:
    way, result = crawled
    assert archived_posts(result["db"]) == expected_posts(way)


def test_every_comment_with_its_place_in_the_thread(crawled) -> None:
    way, result = crawled
    rows = {
        row["wp_id"]: row
        for row in result["db"].query(
            """select c.wp_id, p.wp_id as post, parent.wp_id as parent, c.depth, c.author, c.published, c.type
               from comments c join posts p on p.id = c.post_id left join comments parent on parent.id = c.parent_id"""
        )
    }
    expected = {}
    for entry in data.all_entries():
        for comment in data.comments_on(entry.id):
            expected[comment.id] = {
                "wp_id": comment.id,
                "post": comment.post,
                "parent": comment.parent or None,
                "depth": data.depth(comment),
                "author": comment.author_name,
                # The theme prints local time without an offset; the REST API gives the offset.
                "published": comment.date.isoformat()
                if way.startswith("rest") and comment.type == "comment"
                else comment.date.replace(tzinfo=None).isoformat(),
                "type": comment.type,
            }
    assert rows == expected


def test_comment_order_and_pagination(crawled) -> None:
    _, result = crawled
    order = [
        row["wp_id"]
        for row in result["db"].query(
            "select c.wp_id from comments c join posts p on p.id = c.post_id where p.wp_id = 75 order by c.position"
        )
    ]
    page_one = [c.id for c in data.comments_on(75) if data.comment_page(c) == 1]
    page_two = [c.id for c in data.comments_on(75) if data.comment_page(c) == 2]
    assert set(order) == set(page_one) | set(page_two)
    assert order.index(max(page_two, key=order.index)) == len(order) - 1  # page 2 comes after page 1
    assert result["stats"]["wparchive/comment_pages"] == 1


def test_breadcrumbs_and_share_links(crawled) -> None:
    way, result = crawled
    db, base = result["db"], result["base"]
    post = data.entry(26)
    post_id = next(db.query("select id from posts where wp_id = 26"))["id"]
    category = data.term(post.categories[0])
    crumbs = [
        (r["label"], r["url"])
        for r in db.query("select label, url from breadcrumbs where post_id = ? order by position", [post_id])
    ]
    assert crumbs[0] == ("Home", base + "/")
    assert crumbs[1][0] == category.name and crumbs[1][1].startswith(base + "/category/")
    assert crumbs[2] == (post.title, None) and len(crumbs) == 3
    services = [
        r["service"] for r in db.query("select service from share_links where post_id = ? order by position", [post_id])
    ]
    sociable = ["digg", "stumbleupon", "reddit", "twitter"] + (["rss"] if WAYS[way].get("feeds", True) else [])
    assert services == [*sociable, "facebook", "email"]  # then Jetpack's ?share= links, kept as data


def test_hostile_comment_is_sanitised(crawled) -> None:
    _, result = crawled
    hostile = next(c for e in data.all_entries() for c in data.comments_on(e.id) if c.hostile)
    row = next(result["db"].query("select content_html, content_text from comments where wp_id = ?", [hostile.id]))
    lowered = row["content_html"].lower()
    for bad in ("<script", "onerror", "javascript:"):
        assert bad not in lowered
    assert row["content_text"]


def test_no_trap_is_fetched_and_requests_stay_few(crawled) -> None:
    way, result = crawled
    paths = [path for _, path, _ in result["requests"]]
    for trap in ("replytocom=", "share=", "?m=", "wp-login", "/embed", "?s="):
        assert not [p for p in paths if trap in p], trap
    post_pages = len(data.all_entries())
    # The HTML way reads every archive WordPress lists posts in (home pages, category, tag,
    # author, year and month archives, each with its pages): those are listing pages, each once.
    archives = [p for p in paths if re.fullmatch(r"/(\d{4}/(\d{2}/)?|(category|tag|author)/[^/]+/)?(page/\d+/)?", p)]
    if way != "html":
        assert archives in ([], ["/"])
    # The files the posts show or offer, each once: the image's two sizes (src and the largest
    # srcset candidate) and the PDF handout.
    media = [p for p in paths if p.startswith("/wp-content/uploads/")]
    assert len(media) == 2 * len(data.MEDIA) + len(data.FILES)
    # One request per post and page, plus robots.txt, the home page, one comment page and a
    # handful of listing requests (REST pages, sitemaps, feeds).
    assert len(paths) - len(archives) - len(media) <= post_pages + 12
    assert len(paths) == len(set(paths))


def test_recrawl_changes_nothing(tmp_path) -> None:
    server, base = serve_in_thread(port=0)
    try:
        db_path = tmp_path / "twice.db"
        run_crawl(base + "/", db_path)
        db = open_db(db_path)
        tables = ["sites", "posts", "comments", "breadcrumbs", "share_links", "terms", "post_terms", "images"]
        ignore = {"last_crawl"}
        before = {t: sorted(repr({k: v for k, v in r.items() if k not in ignore}) for r in db[t].rows) for t in tables}
        db.close()
        run_crawl(base + "/", db_path)
        db = open_db(db_path)
        after = {t: sorted(repr({k: v for k, v in r.items() if k not in ignore}) for r in db[t].rows) for t in tables}
        assert after == before
        assert [r["status"] for r in db["crawls"].rows] == ["finished", "finished"]
        assert {r["last_crawl"] for r in db["posts"].rows} == {2}
    finally:
        server.shutdown()
        server.server_close()


def test_single_post_url(tmp_path) -> None:
    server, base = serve_in_thread(port=0, prefix="/hist380")
    try:
        post = data.entry(75)
        url = f"{base}/{post.date:%Y/%m/%d}/{post.slug}/"
        db_path = tmp_path / "single.db"
        run_crawl(url, db_path)
        db = open_db(db_path)
        assert [r["wp_id"] for r in db.query("select wp_id from posts")] == [75]
        assert db["comments"].count == len(data.comments_on(75))
        assert next(db.query("select url, discovery from sites")) == {"url": base + "/", "discovery": "single"}
    finally:
        server.shutdown()
        server.server_close()


def test_several_blogs_from_a_urls_file(tmp_path) -> None:
    first, first_base = serve_in_thread(port=0, prefix="/hist380")
    second, second_base = serve_in_thread(port=0, prefix="/engl102", rest=False)
    try:
        urls = tmp_path / "blogs.txt"
        urls.write_text(f"# course blogs\n{first_base}/\n\n{second_base}/\n")
        db_path = tmp_path / "many.db"
        run_crawl("", db_path, "-a", f"urls_file={urls}")
        db = open_db(db_path)
        sites = {r["url"]: r["discovery"] for r in db.query("select url, discovery from sites")}
        assert sites == {first_base + "/": "rest", second_base + "/": "sitemap"}
        counts = [r["n"] for r in db.query("select count(*) as n from posts group by site_id")]
        assert counts == [len(data.all_entries())] * 2
    finally:
        for server in (first, second):
            server.shutdown()
            server.server_close()
