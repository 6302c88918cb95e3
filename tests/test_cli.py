"""The `wparchive` command as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import FIXTURES, ROOT
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread


def wparchive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "archive.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_extract_a_saved_page() -> None:
    case = FIXTURES / "theme-you-are-here"
    expected = json.loads((case / "expected.json").read_text())
    result = wparchive("extract", str(case / "page.html"), "--url", expected["url"])
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    for key in (
        "url",
        "title",
        "author",
        "published",
        "modified",
        "categories",
        "tags",
        "content_text",
        "breadcrumbs",
        "share_links",
        "comment_count_declared",
        "comments",
    ):
        assert key in out
    assert out["title"] == expected["title"]
    assert out["breadcrumbs"] == expected["breadcrumbs"]
    assert [c["wp_id"] for c in out["comments"]] == [c["wp_id"] for c in expected["comments"]]
    assert set(out["comments"][0]) >= {
        "wp_id",
        "parent_wp_id",
        "depth",
        "author",
        "author_url",
        "published",
        "type",
        "content_text",
    }


def test_extract_several_files_prints_json_lines() -> None:
    cases = [FIXTURES / "twentyten", FIXTURES / "kubrick-default"]
    result = wparchive("extract", *(str(c / "page.html") for c in cases))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(c / "page.html") for c in cases]
    assert [line["title"] for line in lines] == [json.loads((c / "expected.json").read_text())["title"] for c in cases]


def test_extract_a_live_page() -> None:
    server, base = serve_in_thread(port=0)
    try:
        post = data.entry(75)
        result = wparchive("extract", f"{base}/{post.date:%Y/%m/%d}/{post.slug}/")
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["wp_id"] == 75 and out["title"] == post.title
    assert out["comment_page_urls"] == [f"{base}/{post.date:%Y/%m/%d}/{post.slug}/comment-page-2/"]


def test_extract_reports_a_missing_file() -> None:
    result = wparchive("extract", "/nonexistent/page.html")
    assert result.returncode == 1
    assert "nonexistent" in result.stderr


def test_serve_refuses_a_missing_database(tmp_path) -> None:
    result = wparchive("serve", str(tmp_path / "none.db"))
    assert result.returncode != 0
    assert "no archive" in result.stderr


def test_extract_says_when_the_declared_count_disagrees() -> None:
    result = wparchive("extract", str(FIXTURES / "twentynineteen" / "page.html"))
    out = json.loads(result.stdout)
    assert (out["comment_count_declared"], out["comment_count_extracted"], out["comment_count_agrees"]) == (5, 4, False)
    result = wparchive("extract", str(FIXTURES / "twentyten" / "page.html"))
    out = json.loads(result.stdout)
    assert out["comment_count_agrees"] is True
