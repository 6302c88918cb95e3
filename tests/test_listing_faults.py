"""A REST API that lists nothing (a security plugin hides it from anonymous users: every listing
answers `200 []` with `X-WP-Total: 0`) proves nothing: a re-crawl marks no archived post missing
and is not recorded complete; a full re-crawl finds the posts through the blog's own links."""

from __future__ import annotations

import socket

import pytest

from archive.db import open_db
from tests.conftest import run_crawl
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_an_empty_rest_listing_marks_nothing_missing(tmp_path, full: bool) -> None:
    port = free_port()
    db_path = tmp_path / "archive.db"
    server, base = serve_in_thread(port=port)
    try:
        run_crawl(f"{base}/", db_path)
    finally:
        server.shutdown()
        server.server_close()
    server, base = serve_in_thread(port=port, hidden_rest=True)
    try:
        run_crawl(f"{base}/", db_path, *(["-s", "ARCHIVE_FULL_RECRAWL=True"] if full else []))
    finally:
        server.shutdown()
        server.server_close()
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
