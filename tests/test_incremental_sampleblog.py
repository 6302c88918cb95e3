"""Re-crawls of the sample blog every way in (REST, ?rest_route=, sitemaps, feeds, HTML): nothing
changes, nothing is marked missing, and only what the way in cannot vouch for is fetched again."""

from __future__ import annotations

import json

import pytest

from archive.db import open_db
from tests.archive_rows import differences, snapshot
from tests.conftest import run_crawl
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread
from tests.test_crawl_sampleblog import WAYS

# Post pages fetched again by an unchanged re-crawl: none when the REST API or the sitemap's
# lastmod says nothing changed; every one from feeds and HTML listings (no dates to compare, and
# the sample blog sends no validators).
REFETCHED = {"rest": 0, "rest_route": 0, "sitemap": 0, "feed": None, "html": None}


@pytest.mark.parametrize("way", list(WAYS))
def test_an_unchanged_recrawl_changes_nothing(way, tmp_path) -> None:
    server, base = serve_in_thread(port=0, **WAYS[way])
    try:
        db_path = tmp_path / "archive.db"
        run_crawl(base + "/", db_path)
        before = snapshot(open_db(db_path), history=False)
        server.reset_log()
        run_crawl(base + "/", db_path)
        requests = server.requests()
    finally:
        server.shutdown()
        server.server_close()
    db = open_db(db_path)
    assert differences(snapshot(db, history=False), before) == []
    site = next(db.query("select * from site_crawls order by id desc limit 1"))
    assert (site["mode"], site["status"], site["discovery"]) == ("incremental", "complete", way)
    assert (site["posts_new"], site["posts_changed"], site["posts_missing"]) == (0, 0, 0)
    assert (site["comments_new"], site["comments_changed"], site["comments_missing"]) == (0, 0, 0)
    assert db.execute("select count(*) from changes where crawl_id = 2").fetchone()[0] == 0
    pages = [p for _, p, _ in requests if p.startswith("/20") and "/feed" not in p]
    expected = REFETCHED[way]
    if expected is not None:
        assert pages == []
        assert site["posts_unchanged"] == len(data.all_entries())
    else:
        assert len(pages) >= len(data.POSTS)
    stats = json.loads(next(db.query("select stats from crawls where id = 2"))["stats"])
    assert stats["wparchive/mode/incremental"] == 1
