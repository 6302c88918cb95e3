"""A post that a pipeline cannot archive (a bug, a full disk) is never lost silently: the site's
crawl is recorded partial with the reason, the other posts are archived, and the next crawl, which
starts from the last complete one, archives the post once the fault is gone."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from scrapy.utils.test import get_crawler

from archive.db import open_db, save_post, save_site, start_crawl
from pipelines.validate import ValidatePipeline
from spiders.items import Comment, Post
from tests.conftest import run_crawl
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread

PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "tests.faults.pipelines.FailOn": 150,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.store.ArchivePipeline": 300,
}
VICTIM = "/2013/03/12/thirteen-days-in-october-seen-from-moscow/"


def test_a_post_the_pipeline_cannot_archive_makes_the_site_partial(tmp_path) -> None:
    server, base = serve_in_thread(port=0)
    db_path = tmp_path / "archive.db"
    try:
        faulty = ("-s", f"ITEM_PIPELINES={json.dumps(PIPELINES)}", "-s", f"FAIL_ON={VICTIM}")
        result = run_crawl(f"{base}/", db_path, *faulty)
        db = open_db(db_path)
        row = next(db.query("select status, error, listing_proof from site_crawls"))
        urls = [r["url"] for r in db.query("select url from posts")]
        stats = json.loads(next(db.query("select stats from crawls"))["stats"])
        db.close()
        assert row["status"] == "partial" and "could not be archived" in row["error"]
        assert row["listing_proof"] is None
        assert len(urls) == len(data.all_entries()) - 1 and not any(VICTIM in url for url in urls)
        assert stats["wparchive/posts_not_archived"] == 1
        assert "Not archived:" in result.stderr
        # The fault is gone: the next crawl (a resume, as no crawl of the site completed) archives it.
        run_crawl(f"{base}/", db_path)
    finally:
        server.shutdown()
        server.server_close()
    db = open_db(db_path)
    rows = list(db.query("select status, mode from site_crawls order by id"))
    assert rows[-1] == {"status": "complete", "mode": "resume"}
    assert db["posts"].count == len(data.all_entries())
    assert any(VICTIM in r["url"] for r in db.query("select url from posts"))


def test_ids_past_sqlites_integers_lose_only_themselves(tmp_path) -> None:
    """A REST comment id, parent id or depth past 2^63 (JSON numbers have no limit) cannot be
    stored as an integer: saving the post failed and lost it with all its comments. The validate
    pipeline now clears just those numbers (counted in the stats), and the post is archived."""

    def post() -> Post:
        return Post(
            url="https://blog.example.edu/2013/04/07/post/",
            title="A post",
            wp_id=7,
            comments=[
                Comment(wp_id=11, author="Ann", content_text="First."),
                Comment(wp_id=2**64, parent_wp_id=11, depth=2**70, author="Bob", content_text="Huge id."),
                Comment(wp_id=12, parent_wp_id=2**65, author="Cy", content_text="Huge parent."),
            ],
        )

    db = open_db(tmp_path / "archive.db")
    crawl = start_crawl(db, {})
    site = save_site(db, "https://blog.example.edu/", crawl, "Blog", None)
    with pytest.raises(OverflowError):
        save_post(db, site, asdict(post()), crawl)
    assert db["posts"].count == 0  # before: the post and its three comments lost

    crawler = get_crawler()
    item = ValidatePipeline(crawler).process_item(post())
    save_post(db, site, asdict(item), crawl)
    rows = list(db.query("select wp_id, parent_wp_id, depth, author from comments order by position"))
    assert rows == [
        {"wp_id": 11, "parent_wp_id": None, "depth": 1, "author": "Ann"},
        {"wp_id": None, "parent_wp_id": 11, "depth": 1, "author": "Bob"},
        {"wp_id": 12, "parent_wp_id": None, "depth": 1, "author": "Cy"},
    ]
    assert crawler.stats.get_stats() == {
        "wparchive/out_of_range/comment_wp_id": 1,
        "wparchive/out_of_range/comment_depth": 1,
        "wparchive/out_of_range/comment_parent_wp_id": 1,
    }
