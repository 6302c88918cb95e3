"""Shared test helpers: the repository root, the fixture corpus, and real crawls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


@pytest.fixture
def db():
    """An empty archive in memory, with the whole schema (storage tests)."""
    database = open_db(":memory:")
    yield database
    database.close()
