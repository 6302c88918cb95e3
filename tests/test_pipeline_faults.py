"""A post that a pipeline cannot archive (a bug, a full disk) is never lost silently: the site's
crawl is recorded partial with the reason, the other posts are archived, and the next crawl, which
starts from the last complete one, archives the post once the fault is gone."""

from __future__ import annotations

import json

from archive.db import open_db
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
