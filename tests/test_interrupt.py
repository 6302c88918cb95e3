"""A crawl stopped with Ctrl-C leaves a consistent archive: whole posts or none, a closed crawl row."""

from __future__ import annotations

import signal
import subprocess
import time

from archive.db import open_db
from tests.conftest import ROOT, crawl_command
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread


def test_ctrl_c_leaves_a_consistent_archive(tmp_path) -> None:
    server, base = serve_in_thread(port=0)
    db_path = tmp_path / "interrupted.db"
    try:
        process = subprocess.Popen(
            crawl_command(f"{base}/", db_path, "-s", "DOWNLOAD_DELAY=0.4", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Wait until some posts are saved, then press Ctrl-C.
        deadline = time.monotonic() + 60
        saved = 0
        while time.monotonic() < deadline and saved < 3:
            time.sleep(0.2)
            if db_path.exists():
                try:
                    db = open_db(db_path)
                    saved = db["posts"].count
                    db.close()
                except Exception:  # noqa: BLE001 - the file may be mid-creation
                    saved = 0
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    assert "shutdown" in stderr.lower()
    db = open_db(db_path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("pragma foreign_key_check").fetchall() == []
    crawl = next(db.query("select status, finish_reason, finished from crawls"))
    assert crawl["status"] == "interrupted" and crawl["finish_reason"] == "shutdown" and crawl["finished"]
    posts = list(db.query("select id, wp_id, type from posts"))
    assert 3 <= len(posts) < len(data.all_entries())
    for post in posts:
        # Every saved post has all of its comments, breadcrumbs and share links: nothing half-written.
        count = db.execute("select count(*) from comments where post_id = ?", [post["id"]]).fetchone()[0]
        assert count == len(data.comments_on(post["wp_id"]))
        crumbs = db.execute("select count(*) from breadcrumbs where post_id = ?", [post["id"]]).fetchone()[0]
        assert crumbs == (3 if post["type"] == "post" else 2)  # Home > Category > Title, or Home > Page
