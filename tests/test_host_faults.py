"""A host that misbehaves (tests/faults/server.py) never costs an archived row and never gives a
false success.

Each fault is tried on a first crawl (an empty archive) and on a full re-crawl of a good archive of
the same blog. The rules checked, whatever the fault:
- a crawl recorded `complete` (exit code 0) holds the whole blog: its rows equal those of a crawl
  of the healthy blog, row by row;
- otherwise the site is `partial` (exit code 5) or `failed` (exit code 1) with its reason stated;
- every row a crawl did write is the healthy blog's row (nothing wrong, nothing less);
- a re-crawl keeps every row the archive had and marks nothing missing;
- the crawl ends within its limits, and `pragma integrity_check` says ok.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from archive.db import open_db
from tests.archive_rows import differences, snapshot
from tests.conftest import ROOT
from tests.faults.server import serve_faulty
from tests.sampleblog.server import serve_in_thread

EXIT_CODES = {"complete": 0, "failed": 1, "partial": 5}
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "--contact", "tests@localhost"]
FAST += ["-s", "ARCHIVE_MEDIA_CDNS=False"]  # no test reaches beyond 127.0.0.1

# (fault, target, once): which requests misbehave, and whether a retry gets the right answer.
CASES = [
    *[(fault, "posts", False) for fault in (
        "500", "503", "reset", "slow", "truncated", "redirect_loop", "gzip_bomb", "wrong_type", "login_wall",
        "not_found_page",
    )],
    *[(fault, "rest_listing", False) for fault in (
        "500", "reset", "truncated", "redirect_loop", "gzip_bomb", "wrong_type", "login_wall",
    )],
    *[(fault, "rest_comments", False) for fault in ("503", "reset", "truncated", "login_wall")],
    *[(fault, "all", False) for fault in ("500", "reset", "login_wall")],
    *[(fault, "posts", True) for fault in ("503", "reset", "truncated")],
]

IDS = [f"{fault}-{target}{'-once' if once else ''}" for fault, target, once in CASES]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = free_port()  # one port for the module: the archive knows a blog by its URL


def wparchive_crawl(base: str, db_path: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "archive.cli", "crawl", f"{base}/", "--db", str(db_path), *FAST, *extra]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def healthy(tmp_path_factory) -> tuple[Path, dict]:
    """An archive of the healthy blog, and its rows."""
    db_path = tmp_path_factory.mktemp("healthy") / "archive.db"
    server, base = serve_in_thread(port=PORT)
    try:
        result = wparchive_crawl(base, db_path)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr[-3000:]
    db = open_db(db_path)
    rows = snapshot(db, history=False)
    db.close()
    assert rows["posts"] and rows["comments"]
    return db_path, rows


def last_site_crawl(db_path: Path) -> dict:
    db = open_db(db_path)
    try:
        row = db.execute("select status, error from site_crawls order by id desc limit 1").fetchone()
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        missing = sum(
            db.execute(f"select count(*) from {table} where missing_since is not null").fetchone()[0]
            for table in ("posts", "comments")
        )
        return {"status": row[0], "error": row[1], "missing": missing, "rows": snapshot(db, history=False)}
    finally:
        db.close()


def crawl_faulty(db_path: Path, fault: str, target: str, once: bool, *extra: str) -> tuple[dict, int, list[str]]:
    server, base = serve_faulty(PORT, fault, target, once)
    try:
        result = wparchive_crawl(base, db_path, "-s", "DOWNLOAD_TIMEOUT=3", *extra)
    finally:
        server.shutdown()
        server.server_close()
    assert server.faulted, "the fault was never triggered"
    return last_site_crawl(db_path), result.returncode, server.faulted


KEYS = {"sites": ("url",), "posts": ("site_id", "url"), "comments": ("post_id", "key"), "people": ("site_id", "name")}


def same_or_less(name: str, value: object, good: object) -> bool:
    """A value read from the page alone (the REST API failed) may say less than the healthy crawl's,
    never something else: a date without its offset, the same HTML without WordPress's final
    newline, fewer sources."""
    if value == good or name in ("content_hash", "comments_complete", "discovery"):
        return True
    if name in ("identity", "role_source"):
        # What a person was first known by (a slug when no REST user id was read), and the words
        # saying why their role is what it is, or not known (the role itself is compared).
        return True
    if name in ("posts", "comments") and isinstance(value, int) and isinstance(good, int):
        return value <= good  # a person's count of what this crawl archived
    if name in ("published", "modified") and isinstance(good, str):
        return good.startswith(str(value))
    if name == "content_html" and isinstance(good, str):
        return str(value).strip() == good.strip()
    if name == "sources" and isinstance(good, str):
        return set(str(value).split(",")) <= set(good.split(","))
    return False


def wrong_rows(rows: dict, healthy_rows: dict) -> list[str]:
    """Rows (or values) a crawl wrote that the healthy blog does not have. A value left NULL is
    less, not wrong: a first crawl may lack what a failed fetch would have brought."""
    wrong = []
    for table, table_rows in rows.items():
        if table not in healthy_rows or not isinstance(table_rows, list):
            continue
        if table not in KEYS:
            wrong += [f"{table}: {row}" for row in table_rows if row not in healthy_rows[table]]
            continue
        keyed = {tuple(dict(row)[k] for k in KEYS[table]): dict(row) for row in healthy_rows[table]}
        for row in map(dict, table_rows):
            good = keyed.get(tuple(row[k] for k in KEYS[table]))
            if good is None:
                wrong.append(f"{table}: not on the blog: {row}")
                continue
            wrong += [
                f"{table} {row[KEYS[table][-1]]}: {name}={value!r}, the blog has {good.get(name)!r}"
                for name, value in row.items()
                if value is not None and not same_or_less(name, value, good.get(name))
            ]
    return wrong


def assert_truthful(report: dict, code: int, healthy_rows: dict) -> None:
    """The status and exit code agree; `complete` only with the whole blog; a row written is right."""
    assert code == EXIT_CODES[report["status"]], (report["status"], code, report["error"])
    if report["status"] == "complete":
        # The whole blog: every post and comment (their values are checked below: the same, or
        # less where another way than the REST API listed it), every trail, share link and image.
        for table, rows in healthy_rows.items():
            if table in KEYS:
                keys = {tuple(dict(row)[k] for k in KEYS[table]) for row in rows}
                assert {tuple(dict(row)[k] for k in KEYS[table]) for row in report["rows"][table]} == keys, table
            else:
                assert report["rows"][table] == rows, table
    else:
        assert report["error"], "a site that is not complete says why"
    assert report["missing"] == 0
    wrong = wrong_rows(report["rows"], healthy_rows)
    assert not wrong, wrong[:5]


@pytest.mark.parametrize(("fault", "target", "once"), CASES, ids=IDS)
def test_first_crawl(tmp_path, healthy, fault: str, target: str, once: bool) -> None:
    report, code, _ = crawl_faulty(tmp_path / "archive.db", fault, target, once)
    assert_truthful(report, code, healthy[1])
    if once:
        assert report["status"] == "complete"  # a retry got the right answer


@pytest.mark.parametrize(("fault", "target", "once"), CASES, ids=IDS)
def test_full_recrawl_keeps_every_row(tmp_path, healthy, fault: str, target: str, once: bool) -> None:
    db_path = tmp_path / "archive.db"
    shutil.copy(healthy[0], db_path)
    report, code, _ = crawl_faulty(db_path, fault, target, once, "--full")
    assert_truthful(report, code, healthy[1])
    rows = {**report["rows"], "sites": healthy[1]["sites"]}  # `discovery` says how this crawl listed it
    assert [dict(r)["url"] for r in report["rows"]["sites"]] == [dict(r)["url"] for r in healthy[1]["sites"]]
    changed = differences(rows, healthy[1])
    assert not changed, changed  # a re-crawl of an unchanged blog changes no row


INCREMENTAL = [(f, target) for target in ("rest_counts", "rest_comments") for f in ("503", "reset", "login_wall")]


@pytest.mark.parametrize(("fault", "target"), INCREMENTAL, ids=[f"{f}-{t}" for f, t in INCREMENTAL])
def test_incremental_recrawl_without_comment_counts_is_partial_and_marks_nothing(
    tmp_path, healthy, fault: str, target: str
) -> None:
    """The comment counts (or every comment listing) fail on a re-crawl: what is gone cannot be
    told, so the site is partial, nothing is marked missing and no row changes."""
    db_path = tmp_path / "archive.db"
    shutil.copy(healthy[0], db_path)
    report, code, faulted = crawl_faulty(db_path, fault, target, False)
    assert any("per_page=1&" in path and "post=" in path for path in faulted), faulted
    assert_truthful(report, code, healthy[1])
    assert report["status"] == "partial" and "comment" in report["error"], report["error"]
    db = open_db(db_path)
    assert db.execute("select mode from site_crawls order by id desc limit 1").fetchone()[0] == "incremental"
    db.close()
    rows = {**report["rows"], "sites": healthy[1]["sites"]}
    changed = differences(rows, healthy[1])
    assert not changed, changed


def test_a_host_that_says_when_to_come_back_is_asked_again_then(tmp_path, healthy) -> None:
    """429 with `Retry-After: 3` on the first request for each post: each is asked again no sooner
    than 3 seconds later, and the crawl is complete."""
    server, base = serve_faulty(PORT, "429", "posts", True)
    try:
        result = wparchive_crawl(base, tmp_path / "archive.db")
    finally:
        server.shutdown()
        server.server_close()
    assert server.faulted
    report = last_site_crawl(tmp_path / "archive.db")
    assert report["status"] == "complete" and result.returncode == 0, report["error"]
    assert_truthful(report, result.returncode, healthy[1])
    for target in server.faulted:
        times = [when for when, path in server.arrivals if path == target]
        assert len(times) == 2 and times[1] - times[0] >= 3, (target, times)
