"""Faults on a real WordPress: a crawl killed with `kill -9` resumes and ends identical to an
uninterrupted one; a site that is down (refused, 500s, timeouts) is recorded as failed and nothing
is marked missing; a second crawl on the same archive is refused while the first one runs."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from archive.db import open_db
from tests.archive_rows import differences, snapshot
from tests.conftest import ROOT, crawl_command, require, run_crawl

sys.path.insert(0, str(ROOT / "tests" / "wordpress"))
import harness  # noqa: E402

pytestmark = pytest.mark.wordpress
WPARCHIVE = str(Path(sys.executable).with_name("wparchive"))
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
SLOW = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "AUTOTHROTTLE_ENABLED=False"]
# Slow enough to be still running while two more commands start on a loaded machine (it is stopped).
BUSY = ["-s", "DOWNLOAD_DELAY=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture(scope="module")
def site(wordpress_dirs):
    missing = harness.missing_requirements()
    require(not missing, f"real WordPress not installed (missing {missing}): make system-deps")
    with harness.WordPressSite(wordpress_dirs["incremental"], scale=1) as wp:  # stopped afterwards if it started here
        wp.reset()
        yield wp
        if not wp.is_running():
            wp.start()  # a test stopped it: leave the site as it was found
        wp.set_outage(0)


@pytest.fixture(scope="module")
def complete(site, tmp_path_factory) -> Path:
    """An uninterrupted crawl's archive."""
    db = tmp_path_factory.mktemp("faults") / "complete.db"
    run_crawl(site.base_url + "/", db, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4")
    return db


def copy_of(db: Path, target: Path) -> Path:
    source, copy = sqlite3.connect(db), sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return target


def scrapy_command(site, db: Path, *extra: str) -> list[str]:
    return crawl_command(site.base_url + "/", db, *extra)


def count(db: Path, sql: str) -> int:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return connection.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet
    finally:
        connection.close()


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


# --- kill -9, then the same command again -----------------------------------------------------------


@pytest.fixture(scope="module")
def killed(site, complete, tmp_path_factory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("faults") / "killed.db"
    command = scrapy_command(site, db, *SLOW)
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: db.exists() and count(db, "select count(*) from posts") >= 15)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    saved = count(db, "select count(*) from posts")
    mark = site.request_log_mark()
    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    return {"db": db, "saved": saved, "requests": site.requests_since(mark), "stderr": resumed.stderr}


def test_killed_crawl_resumes_identical_to_an_uninterrupted_one(killed, complete) -> None:
    assert differences(snapshot(open_db(killed["db"])), snapshot(open_db(complete))) == []


def test_resumed_crawl_does_not_fetch_what_was_saved(killed, complete) -> None:
    db = open_db(killed["db"])
    posts = db["posts"].count
    assert 15 <= killed["saved"] < posts
    stats = json.loads(next(db.query("select stats from crawls order by id desc limit 1"))["stats"])
    # What the killed crawl saved is listed, found up to date, and not fetched again.
    assert stats["wparchive/skipped/up_to_date"] == killed["saved"]
    assert stats["wparchive/posts"] == posts - killed["saved"]
    pages = {
        re.sub(r"comment-page-\d+/$", "", p)
        for status, _, p in killed["requests"]
        if status == 200 and "/20" in p and "/feed/" not in p
    }
    assert len(pages) <= posts - killed["saved"]
    rows = list(db.query("select status, finished from crawls order by id"))
    assert [r["status"] for r in rows] == ["killed", "finished"]
    assert rows[0]["finished"] is None
    assert [(r["mode"], r["status"]) for r in db.query("select mode, status from site_crawls")] == [
        ("resume", "complete")
    ]
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("pragma foreign_key_check").fetchall() == []


# --- A site that is down ------------------------------------------------------------------------------


def crawl_down(site, complete: Path, target: Path, *extra: str) -> tuple[subprocess.CompletedProcess, Any]:
    db = copy_of(complete, target)
    before = snapshot(open_db(db), history=False)
    result = subprocess.run(
        [WPARCHIVE, "crawl", site.base_url + "/", "--db", str(db), "--contact", "tests@localhost", *FAST, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    archive = open_db(db)
    assert snapshot(archive, history=False) == before  # nothing missing, nothing touched
    return result, archive


@pytest.mark.parametrize("outage", ["refused", 500, "slow"])
def test_a_site_down_for_the_whole_run_is_recorded_and_nothing_is_missing(site, complete, tmp_path, outage) -> None:
    extra = ["-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_TIMEOUT=1"]
    if outage == "refused":
        site.stop()
        try:
            result, db = crawl_down(site, complete, tmp_path / "down.db", *extra)
        finally:
            site.start()
    else:
        site.set_outage(outage)
        try:
            result, db = crawl_down(site, complete, tmp_path / "down.db", *extra)
        finally:
            site.set_outage(0)
    assert result.returncode == 1, result.stderr[-2000:]
    crawl = next(db.query("select status, errors from crawls order by id desc limit 1"))
    assert crawl["status"] == "failed" and crawl["errors"] >= 1
    row = next(db.query("select * from site_crawls order by id desc limit 1"))
    assert row["status"] == "failed" and row["site_id"] == 1 and row["error"]
    reason = {"refused": "refused", 500: "HTTP 500", "slow": "Timeout"}[outage]
    assert reason.lower() in row["error"].lower()
    # The next crawl starts from the last complete one, as if the failed run had not happened.
    assert [r["status"] for r in db.query("select status from site_crawls order by id")] == ["complete", "failed"]


def test_a_healthy_recrawl_exits_0(site, complete, tmp_path) -> None:
    db = copy_of(complete, tmp_path / "ok.db")
    result = subprocess.run(
        [WPARCHIVE, "crawl", site.base_url + "/", "--db", str(db), "--contact", "tests@localhost", *FAST],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "complete incremental crawl" in result.stderr


# --- Two crawls at once ---------------------------------------------------------------------------------


def test_a_second_crawl_on_the_same_archive_is_refused(site, tmp_path) -> None:
    db = tmp_path / "busy.db"
    first = subprocess.Popen(
        scrapy_command(site, db, *BUSY), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(lambda: db.exists() and count(db, "select count(*) from posts") >= 3)
        second = subprocess.run(
            [WPARCHIVE, "crawl", site.base_url + "/", "--db", str(db)], capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 3
        assert f"another crawl (pid {first.pid}) is writing" in second.stderr
        third = subprocess.run(scrapy_command(site, db), cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert third.returncode != 0 and "Not crawling: another crawl" in third.stderr
    finally:
        first.send_signal(signal.SIGINT)
        _, stderr = first.communicate(timeout=60)
    archive = open_db(db)
    assert archive.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert archive.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert [r["status"] for r in archive.query("select status from crawls")] == ["interrupted"]
    assert [r["status"] for r in archive.query("select status from site_crawls")] == ["interrupted"]
