"""Whole real blogs saved as static sites (../shared/realsites), crawled from their home page.

Each site is served on 127.0.0.1 as a static host serves it (`tests/realsites/server.py`): no
REST API, no sitemap, query strings ignored. Four crawls of each into one archive, on one port:

1. the first crawl: every post and page of `gold/<site>.tsv` (the posts and pages as the live blog
   served them, counted from the files), each with exactly the distinct comment ids its files hold,
   recorded complete with the rule that proves it;
2. a second crawl of the unchanged site: complete, nothing missing, post pages answered 304;
3. the site now answers every URL with its home page: partial, nothing marked missing;
4. the site now answers 503: failed, nothing marked missing.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import require, run_crawl
from tests.realsites.server import SHARED, StaticSiteServer, gold, site_table, unpack

SITES = sorted(site_table()) if (SHARED / "sites.tsv").exists() else []
# Posts and pages of the gold list that no page reachable from the home page links to: only the
# files named here link to them (checked by `test_unreachable_pages_are_truly_unlinked`).
UNREACHABLE = {"fluffysblog.com": {"/about-2/": r"^about-2/|^index\.html_p=\d+$"}}
# Listing pages: home, category, tag, author, year and month archives, each with its pages
# (`page/2/`, or `page/2.html` as a static export names them).
LISTING = re.compile(r"/((\d{4}/(\d{2}/)?)|((category|tag|author)/[^?]+/))?(page/\d+(/|\.html))?(index\.html)?")
_results: dict[str, dict] = {}


def crawl_site(name: str, tmp: Path) -> dict:
    """The four crawls of one site (cached): each crawl's site_crawls row and request log."""
    if name in _results:
        return _results[name]
    require((SHARED / f"{name}.tar.xz").exists(), f"the real sites are not there: {SHARED}")
    root = unpack(name, tmp / "sites")
    hosts = site_table()[name]["hosts_in_links"].split(",")
    db_path = tmp / f"{name}.db"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    crawls = []
    for mode in ("static", "static", "home", "503"):
        server = StaticSiteServer(root, hosts, port=port, mode=mode)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            run_crawl(f"{server.base_url}/", db_path, timeout=600)
        finally:
            server.shutdown()
            server.server_close()
        with sqlite3.connect(db_path) as db:
            db.row_factory = sqlite3.Row
            row = dict(db.execute("SELECT * FROM site_crawls ORDER BY id DESC LIMIT 1").fetchone())
            row["missing_now"] = db.execute("SELECT count(*) FROM posts WHERE missing_since IS NOT NULL").fetchone()[0]
            row["stats"] = json.loads(db.execute("SELECT stats FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0])
        crawls.append({"row": row, "requests": list(server.request_log)})
    _results[name] = {"db": db_path, "root": root, "crawls": crawls}
    return _results[name]


@pytest.fixture(params=SITES or ["(no sites)"])
def site(request, tmp_path_factory) -> tuple[str, dict]:
    require(bool(SITES), f"the real sites are not there: {SHARED}")
    return request.param, crawl_site(request.param, tmp_path_factory.getbasetemp())


def archived(db_path: Path) -> dict[str, tuple[int, int]]:
    """Path -> (distinct comment ids, comments without an id) of every archived post and page."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT p.url, count(DISTINCT c.wp_id), sum(c.id IS NOT NULL AND c.wp_id IS NULL)"
            " FROM posts p LEFT JOIN comments c ON c.post_id = p.id GROUP BY p.id"
        ).fetchall()
    return {urlsplit(url).path: (ids, without or 0) for url, ids, without in rows}


def expected(name: str) -> dict[str, int]:
    return {path: n for path, n in gold(name).items() if path not in UNREACHABLE.get(name, {})}


def test_every_post_and_page_is_archived(site) -> None:
    name, result = site
    assert set(archived(result["db"])) == set(expected(name))


def test_each_post_has_exactly_the_comments_its_files_hold(site) -> None:
    name, result = site
    got = archived(result["db"])
    wrong = {path: (got[path][0], n) for path, n in expected(name).items() if path in got and got[path][0] != n}
    assert wrong == {}
    with sqlite3.connect(result["db"]) as db:
        kinds = {kind for (kind,) in db.execute("SELECT DISTINCT type FROM comments WHERE wp_id IS NULL")}
    # Comments the files show without an id are pingbacks and trackbacks (gold counts ids only).
    assert kinds <= {"pingback", "trackback"}


def test_first_crawl_is_complete_by_a_stated_rule(site) -> None:
    _, result = site
    row = result["crawls"][0]["row"]
    assert (row["status"], row["mode"], row["error"]) == ("complete", "full", None)
    assert row["listing_proof"] == "link graph exhausted"
    assert row["discovery"] in ("html", "feed+html")


def test_answers_that_are_not_what_was_asked_for_are_recognised(site) -> None:
    """A static host answers `?rest_route=/...` and `?sitemap=index` with the home page."""
    _, result = site
    stats = result["crawls"][0]["row"]["stats"]
    assert stats["wparchive/listing_rejected/not_a_rest_listing"] == 1
    assert stats["wparchive/listing_rejected/not_a_sitemap"] == 1


def test_requests_stay_few(site) -> None:
    """At most 1.5 requests per archived post and page, besides listing pages, comment pages and the
    files the posts show (each asked for once: issue 14's media, most of them not in the static copy)."""
    name, result = site
    paths = [urlsplit(target).path for _, target, _ in result["crawls"][0]["requests"]]
    with sqlite3.connect(result["db"]) as db:
        stats = json.loads(db.execute("select stats from crawls order by id limit 1").fetchone()[0])
    asked = {k: v for k, v in stats.items() if k.startswith(("wparchive/media_gone/", "wparchive/media_failed"))}
    media = stats.get("wparchive/media", 0) + sum(asked.values())  # every file asked for, by its answer
    listings = [p for p in paths if LISTING.fullmatch(p)]
    comment_pages = [p for p in paths if "/comment-page-" in p]
    others = len(paths) - len(listings) - len(comment_pages) - media
    posts = len(archived(result["db"]))
    print(f"{name}: {len(paths)} requests: {len(listings)} listing pages, {len(comment_pages)} comment pages, "
          f"{media} files, {others} others for {posts} posts and pages")
    assert others <= 1.5 * posts
    assert len(comment_pages) == len(set(comment_pages))


def test_second_crawl_is_cheap_and_marks_nothing_missing(site) -> None:
    _, result = site
    first, second = result["crawls"][0], result["crawls"][1]
    row = second["row"]
    assert (row["status"], row["mode"], row["posts_missing"], row["missing_now"]) == ("complete", "incremental", 0, 0)
    assert row["posts_new"] == 0
    # Every post page is asked for conditionally and answers 304: none is downloaded again.
    posts = {urlsplit(target).path for _, target, _ in first["requests"]} & set(archived(result["db"]))
    downloaded = [p for _, p, status in second["requests"] if status == 200 and urlsplit(p).path in posts]
    assert downloaded == []


def test_a_site_answering_its_home_page_everywhere_marks_nothing_missing(site) -> None:
    _, result = site
    row = result["crawls"][2]["row"]
    assert row["status"] == "partial" and row["error"]
    assert (row["posts_missing"], row["missing_now"]) == (0, 0)


def test_a_site_answering_503_marks_nothing_missing(site) -> None:
    _, result = site
    row = result["crawls"][3]["row"]
    assert row["status"] == "failed"
    assert (row["posts_missing"], row["missing_now"]) == (0, 0)


@pytest.mark.parametrize("name", sorted(UNREACHABLE))
def test_unreachable_pages_are_truly_unlinked(name, tmp_path) -> None:
    """The gold pages left out above are linked from no file but their own and orphan copies."""
    require((SHARED / f"{name}.tar.xz").exists(), f"the real sites are not there: {SHARED}")
    root = unpack(name, tmp_path)
    for path, allowed in UNREACHABLE[name].items():
        assert path in gold(name)
        pattern = re.compile(rf"href=[\"'](?:[a-z]+://[^/\"']+)?{re.escape(path)}")
        linking = [
            str(file.relative_to(root))
            for file in root.rglob("*")
            if file.is_file() and pattern.search(file.read_text(encoding="utf-8", errors="replace"))
        ]
        assert linking and all(re.search(allowed, f) for f in linking), linking
