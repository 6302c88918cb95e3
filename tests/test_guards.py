"""The guards against endless listings hold, and a crawl they cut short is never recorded complete:
a REST listing that claims 50,000,000 pages, and a post whose comment pages never end."""

from __future__ import annotations

import re

from archive.db import open_db
from tests.conftest import crawl_stats, run_crawl
from tests.test_offsite_and_lock import POST, serve


def crawl(pages, tmp_path, *settings: str) -> tuple[dict, dict, list[str]]:
    requested: list[str] = []
    server = serve(pages, "127.0.0.1", requested)
    base = f"http://127.0.0.1:{server.server_port}"
    for path, (status, headers, body) in list(pages.items()):
        pages[path] = (status, headers, body.replace("{base}", base))
    try:
        run_crawl(f"{base}/", tmp_path / "archive.db", *settings)
    finally:
        server.shutdown()
        server.server_close()
    db = open_db(tmp_path / "archive.db")
    return next(db.query("select * from site_crawls")), crawl_stats(db), requested


def test_a_rest_listing_that_claims_endless_pages_is_read_to_the_guard_and_not_complete(tmp_path) -> None:
    endless = {"X-WP-Total": "5000000000", "X-WP-TotalPages": "50000000", "Content-Type": "application/json"}
    pages = {
        "/": (200, {}, '<html><head><link rel="https://api.w.org/" href="{base}/wp-json/"></head>'
                       '<body class="home blog"></body></html>'),
        "/wp-json/wp/v2/posts": (200, endless, "[]"),
        "/wp-json/wp/v2/pages": (200, endless, "[]"),
        "/wp-json/wp/v2/comments": (200, endless, "[]"),
    }  # fmt: skip
    row, stats, requested = crawl(pages, tmp_path, "-s", "ARCHIVE_MAX_LISTING_PAGES=3")
    rest = [path for path in requested if path.startswith("/wp-json/")]
    # Posts and pages: 3 listing pages each, not 50,000,000; comments: the total only (a full crawl
    # asks for comments by the posts it lists, and these list none).
    assert len(rest) == 7
    assert row["status"] == "partial" and "more than ARCHIVE_MAX_LISTING_PAGES" in row["error"]
    assert stats["wparchive/listing_guard_reached"] >= 1


def test_endless_comment_pages_stop_at_the_guard_and_the_crawl_is_not_complete(tmp_path) -> None:
    post = POST.format(id=5, cid=50, title="A post", author="Student")
    more = '<a class="prev page-numbers" href="{base}/post/comment-page-{n}/#comments">Older comments</a>'
    pages = {
        "/": (200, {}, '<html><body class="home blog"><article id="post-5" class="post"><h2 class="entry-title">'
                       '<a href="{base}/post/" rel="bookmark">A post</a></h2></article></body></html>'),
        "/post/": (200, {}, post.replace("</body>", more.replace("{n}", "2") + "</body>")),
    }  # fmt: skip
    for n in range(2, 40):
        page = POST.format(id=5, cid=50 + n, title="A post", author=f"Reader {n}")
        older = more.replace("{n}", str(n + 1))
        pages[f"/post/comment-page-{n}/"] = (200, {}, page.replace("</body>", older + "</body>"))
    row, stats, requested = crawl(pages, tmp_path, "-s", "ARCHIVE_MAX_COMMENT_PAGES=4")
    comment_pages = [path for path in requested if re.search(r"comment-page-\d+", path)]
    assert len(comment_pages) == 3  # the post's own page and 3 more: the guard of 4
    assert row["status"] == "partial" and "comment pages" in row["error"]
    assert stats["wparchive/comment_page_guard_reached"] == 1
    db = open_db(tmp_path / "archive.db")
    assert next(db.query("select comments_complete from posts"))["comments_complete"] == 0
