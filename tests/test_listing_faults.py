"""A REST API that lists nothing (a security plugin hides it from anonymous users: every listing
answers `200 []` with `X-WP-Total: 0`) proves nothing: a re-crawl marks no archived post missing
and is not recorded complete; a full re-crawl finds the posts through the blog's own links."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from archive.db import open_db
from tests.conftest import ROOT, run_crawl
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def crawl_sample(port: int, db_path, *settings: str, **options) -> None:
    """Serve the sample blog on `port` with these options and crawl it once into `db_path` (the
    same port each time: the archive knows a blog by its URL)."""
    server, base = serve_in_thread(port=port, **options)
    try:
        run_crawl(f"{base}/", db_path, *settings)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_an_empty_rest_listing_marks_nothing_missing(tmp_path, full: bool) -> None:
    port = free_port()
    db_path = tmp_path / "archive.db"
    crawl_sample(port, db_path)
    crawl_sample(port, db_path, *(["-s", "ARCHIVE_FULL_RECRAWL=True"] if full else []), hidden_rest=True)
    db = open_db(db_path)
    first, second = list(db.query("select status, mode, discovery, listing_proof, error from site_crawls order by id"))
    assert first["status"] == "complete"
    assert db.execute("select count(*) from posts where missing_since is not null").fetchone()[0] == 0
    assert db.execute("select count(*) from comments where missing_since is not null").fetchone()[0] == 0
    if full:
        # The REST API listed nothing; the blog's own links list everything, and prove it.
        assert (second["status"], second["discovery"], second["listing_proof"]) == (
            "complete",
            "rest+html",
            "link graph exhausted",
        )
        assert db["posts"].count == len(data.all_entries())
    else:
        assert (second["status"], second["mode"], second["listing_proof"]) == ("partial", "incremental", None)
        assert "where the archive holds" in second["error"]


def test_soft_404_post_pages_replace_nothing_archived(tmp_path) -> None:
    """A full re-crawl whose post pages answer 200 with the theme's error page (a broken cache)
    keeps every archived trail, share link, image and pingback, and is not complete."""
    port = free_port()
    db_path = tmp_path / "archive.db"

    def rows(db) -> tuple[int, ...]:
        tables = ("breadcrumbs", "share_links", "images", "comments", "posts")
        return tuple(db.execute(f"select count(*) from {table}").fetchone()[0] for table in tables)

    crawl_sample(port, db_path)
    db = open_db(db_path)
    before = rows(db)
    db.close()
    assert all(before)
    crawl_sample(port, db_path, "-s", "ARCHIVE_FULL_RECRAWL=True", soft_404=True)
    db = open_db(db_path)
    assert rows(db) == before
    assert db.execute("select count(*) from comments where missing_since is not null").fetchone()[0] == 0
    last = list(db.query("select status, error from site_crawls order by id"))[-1]
    assert last["status"] == "partial" and "soft 404" in last["error"]


def test_wparchive_crawl_exits_2_on_bad_arguments_and_5_on_a_partial_crawl(tmp_path) -> None:
    """The exit codes the README promises for these cases: 2 bad arguments, 5 partial."""

    def wparchive(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "archive.cli", "crawl", *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)

    assert wparchive("--db", str(tmp_path / "a.db")).returncode == 2  # no URL
    assert wparchive("http://127.0.0.1:9/", "-s", "no-equals-sign").returncode == 2
    port = free_port()
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "--contact", "tests@localhost"]
    fast += ["-s", "ARCHIVE_MEDIA_CDNS=False"]  # no test reaches beyond 127.0.0.1
    db_path = str(tmp_path / "archive.db")
    for soft_404, code in ((False, 0), (True, 5)):
        server, base = serve_in_thread(port=port, soft_404=soft_404)
        try:
            result = wparchive(f"{base}/", "--db", db_path, "--full", *fast)
        finally:
            server.shutdown()
            server.server_close()
        assert result.returncode == code, result.stderr[-2000:]
