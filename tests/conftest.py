"""Shared test helpers: the repository root, the fixture corpus, and real crawls."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.db import open_db

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "extract"
ARTIFACTS = ROOT / "tests" / "artifacts"
ON_CI = os.environ.get("CI") == "true"


def fixture_cases() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if (p / "expected.json").exists())


def require(condition: bool, reason: str) -> None:
    """Skip for a developer's convenience when a real part is missing; fail on CI."""
    if not condition:
        if ON_CI:
            pytest.fail(f"missing on CI: {reason}")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen, group: bool = False) -> None:
    """SIGTERM (to its whole session with `group`: a server's children too), then SIGKILL after 10 s."""
    def send(signal_number: int) -> None:
        try:
            if group:
                os.killpg(process.pid, signal_number)
            else:
                process.send_signal(signal_number)
        except ProcessLookupError:
            pass

    send(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()
    if group:
        send(signal.SIGKILL)  # a child that outlived the server (pywb ignores its parent's end)


@contextmanager
def serving(archive_path: Path, log_name: str) -> Iterator[str]:
    """`wparchive serve` on a free port of 127.0.0.1 until the block ends; yields its base URL."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / log_name
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "archive.cli", "serve", str(archive_path), "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its pywb child (the pages as archived) goes with it
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"datasette did not start:\n{log.read_text()[-3000:]}") from None
                    time.sleep(0.2)
            yield base
        finally:
            stop_process(process, group=True)


def crawl_command(url: str, db: Path, *extra: str) -> list[str]:
    """The real `scrapy crawl wordpress` command for a local server, fast and quiet (`extra`
    settings come last, so they win)."""
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "wordpress",
        "-a",
        f"url={url}",
        "-s",
        f"ARCHIVE_DB={db}",
        "-s",
        "ARCHIVE_CONTACT=tests@localhost",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "LOG_LEVEL=INFO",
        # No test reaches beyond 127.0.0.1: a real blog's images on WordPress's CDNs stay unfetched.
        "-s",
        "ARCHIVE_MEDIA_CDNS=False",
        *extra,
    ]


def run_crawl(url: str, db: Path, *extra: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the real `scrapy crawl wordpress` command against a local server."""
    result = subprocess.run(crawl_command(url, db, *extra), cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"crawl failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result


def crawl_stats(db) -> dict:
    row = db.execute("SELECT stats FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row[0])


@pytest.fixture(scope="session")
def wordpress_dirs(tmp_path_factory) -> dict[str, Path]:
    """This test session's own WordPress folders (the harness picks a free port for each): two
    sessions, or two checkouts, on one machine never share a site. A fresh site takes a few
    seconds to install and seed."""
    root = tmp_path_factory.mktemp("wordpress")
    return {"site": root / "site", "incremental": root / "incremental"}


@contextmanager
def redis_server(folder: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A redis-server of the caller's own on a free port of 127.0.0.1, with its own folder and
    nothing saved to disk, until the block ends; yields its URL and process (stopped by its pid,
    never the system's service)."""
    import shutil

    import redis

    server = shutil.which("redis-server")
    require(server is not None, "Debian's redis-server is not installed (make system-deps)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder), "--save", "",
         "--appendonly", "no", "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.StrictRedis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log = (folder / "redis.log").read_text()[-2000:]
                raise AssertionError(f"redis-server did not start: {log}") from None
            time.sleep(0.05)
    try:
        yield url, process
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A redis-server of this test module's own (`redis_server`)."""
    with redis_server(tmp_path_factory.mktemp("redis")) as (url, _):
        yield url


@pytest.fixture
def db():
    """An empty archive in memory, with the whole schema (storage tests)."""
    database = open_db(":memory:")
    yield database
    database.close()


# Real parts whose tests a developer's machine may lack: when any of them was skipped, the run
# says so in a box at its end, so that a green run without them is not taken for a full one.
REAL_PARTS = {
    "wordpress": "the real WordPress (make system-deps)",
    "browser": "headless Chromium (make system-deps)",
    "redis": "Debian's redis-server (make system-deps)",
}


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001 - pytest's hook signature
    """Count the tests of real parts that were skipped (told in `pytest_unconfigure`, last)."""
    missed: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        keywords = getattr(report, "keywords", {}) or {}
        parts = [part for part in REAL_PARTS if part in keywords]
        location = str(getattr(report, "nodeid", "") or "")
        if not parts and ("realpages" in location or "realsites" in location or "fuzz" in location):
            parts = ["real-data"]
        for part in parts:
            missed[part] = missed.get(part, 0) + 1
    config._wparchive_missed = missed


def pytest_unconfigure(config) -> None:
    """The last lines of the run: a loud box when real WordPress, browser or real-data tests did
    not run, so that a green run without them is not taken for a full one."""
    missed = getattr(config, "_wparchive_missed", None)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if not missed or reporter is None:
        return
    names = {**REAL_PARTS, "real-data": "the real pages and sites in ../shared"}
    reporter.write_sep("!", "NOT A FULL RUN", red=True, bold=True)
    for part, count in missed.items():
        reporter.write_line(f"{count} tests of {names[part]} did not run (their skip reasons are above)", red=True)
    reporter.write_sep("!", "", red=True, bold=True)
