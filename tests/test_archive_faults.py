"""The archive file itself in trouble, and the exit codes of `wparchive crawl` that say so.

- Zeroed last pages (a disk or copy that lost the file's end): damage, exit 6, the file untouched.
- A read-only archive (its folder on a read-only file system): exit 7 with a message that says so,
  the file untouched.
- Ctrl-C during `wparchive crawl`: exit 4, the crawl and the site recorded interrupted.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.db import open_db
from tests.conftest import ROOT, require
from tests.faults.server import serve_faulty
from tests.sampleblog.server import serve_in_thread

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "--contact", "tests@localhost"]
FAST += ["-s", "ARCHIVE_MEDIA_CDNS=False"]  # no test reaches beyond 127.0.0.1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wparchive_crawl(base: str, db_path: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "archive.cli", "crawl", f"{base}/", "--db", str(db_path), *FAST, *extra]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> tuple[Path, int]:
    """A good archive of the sample blog (its WAL folded into the file), and the blog's port."""
    port = free_port()
    db_path = tmp_path_factory.mktemp("archived") / "archive.db"
    server, base = serve_in_thread(port=port)
    try:
        assert wparchive_crawl(base, db_path).returncode == 0
    finally:
        server.shutdown()
        server.server_close()
    db = open_db(db_path)
    db.execute("pragma wal_checkpoint(TRUNCATE)")
    db.execute("pragma journal_mode = DELETE")
    db.close()
    return db_path, port


def test_zeroed_last_pages_are_damage_and_the_file_is_not_written(tmp_path, archived) -> None:
    db_path = tmp_path / "archive.db"
    shutil.copy(archived[0], db_path)
    size = db_path.stat().st_size
    page_size = 4096
    assert size > 8 * page_size
    with db_path.open("r+b") as handle:  # the file's last two pages lost, as a failed copy leaves it
        handle.seek(size - 2 * page_size)
        handle.write(b"\0" * 2 * page_size)
    before = digest(db_path)
    server, base = serve_in_thread(port=archived[1])
    try:
        result = wparchive_crawl(base, db_path)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 6, result.stderr[-2000:]
    assert "cannot be read" in result.stderr
    assert digest(db_path) == before
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").stat().st_size == 0


def test_a_read_only_archive_exits_7_and_says_so(tmp_path, archived) -> None:
    """The archive's folder on a read-only file system (a bind mount made read-only in a mount
    namespace of the crawl's own: util-linux `unshare`, no privileges needed beyond user namespaces)."""
    require(shutil.which("unshare") is not None, "unshare (util-linux) is not installed")
    folder = tmp_path / "read-only"
    folder.mkdir()
    db_path = folder / "archive.db"
    shutil.copy(archived[0], db_path)
    before = digest(db_path)
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"'
    server, base = serve_in_thread(port=archived[1])
    try:
        crawl = [sys.executable, "-m", "archive.cli", "crawl", f"{base}/", "--db", str(db_path), *FAST]
        command = ["unshare", "-rm", "sh", "-c", script, "sh", str(folder), *crawl]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 7, result.stderr[-2000:]
    assert "cannot be written" in result.stderr and str(db_path) in result.stderr
    assert digest(db_path) == before


def test_ctrl_c_during_wparchive_crawl_exits_4(tmp_path) -> None:
    db_path = tmp_path / "archive.db"
    # Post pages trickle in slower than anything finishes: the crawl is surely under way.
    server, base = serve_faulty(free_port(), "slow", "posts")
    command = [sys.executable, "-m", "archive.cli", "crawl", f"{base}/", "--db", str(db_path), *FAST]
    try:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not server.faulted and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.faulted, "no post page was requested"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=90)
    finally:
        server.shutdown()
        server.server_close()
    assert process.returncode == 4, stderr[-2000:]
    db = open_db(db_path)
    assert next(db.query("select status from crawls"))["status"] == "interrupted"
    assert [row["status"] for row in db.query("select status from site_crawls")] == ["interrupted"]
    assert db.execute("select count(*) from posts where missing_since is not null").fetchone()[0] == 0


def test_a_full_disk_mid_crawl_is_partial_and_the_next_crawl_archives_the_rest(tmp_path, archived) -> None:
    """The archive's files may not grow past a limit (RLIMIT_FSIZE: what a full disk or a quota
    does to SQLite's writes): saves fail part way, the site is partial (exit 5), the file stays
    sound, and a crawl without the limit archives every post."""
    import resource

    db_path = tmp_path / "archive.db"
    open_db(db_path).close()  # the empty archive: its schema fits
    limit = db_path.stat().st_size + 64 * 1024

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    server, base = serve_in_thread(port=archived[1])
    try:
        command = [sys.executable, "-m", "archive.cli", "crawl", f"{base}/", "--db", str(db_path), *FAST]
        full = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=small_disk)
        db = open_db(db_path)
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        saved = db["posts"].count
        site_rows = db.execute("select status, error from site_crawls").fetchall()
        db.close()
        assert full.returncode == 5, full.stderr[-2000:]
        # Its counts claim only what is in the file: the posts of a batch the disk undid are not
        # counted saved or new.
        for name in ("posts_saved", "posts_new"):
            said = re.search(rf"'wparchive/{name}': (\d+)", full.stderr)
            assert (int(said.group(1)) if said else 0) == saved, name
        # The site's record is written if the disk still takes it; it never says complete.
        assert all(status == "partial" and "could not be archived" in error for status, error in site_rows)
        again = wparchive_crawl(base, db_path)
    finally:
        server.shutdown()
        server.server_close()
    db = open_db(db_path)
    good = open_db(archived[0])
    assert 0 <= saved < good["posts"].count
    assert again.returncode == 0, again.stderr[-2000:]
    assert db["posts"].count == good["posts"].count and db["comments"].count == good["comments"].count
