"""Smoke test of the real-WordPress harness: the site starts, serves pages and the REST API in
its three modes and both themes, and its ground truth matches what seed.php promises.

Needs the Debian packages from ``tests/wordpress/install.sh``. Without them the tests are
skipped, except under ``CI=true`` where they fail: CI must install them.

HTTP goes through urllib only, and only to 127.0.0.1.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.wordpress


def _load_harness() -> Any:
    # By path, so the test does not depend on how tests/ is laid out as packages.
    name = "wparchive_tests_wordpress_harness"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "harness.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


harness = _load_harness()

# What seed.php promises; README.md lists the same figures.
SEEDED_COUNTS = {
    "posts": 64,
    "pages": 2,
    "password_protected": 1,
    "comments": {"comment": 639, "pingback": 8, "trackback": 1, "total": 648},
    "max_depth": 5,
    "posts_by_comment_pages": {"1": 55, "2": 2, "3": 2},
    "users": 10,
    "categories": 3,
    "tags": 10,
}
EXCLUDED_POST_REASONS = {"draft", "pending", "private", "trash"}
EXCLUDED_COMMENT_REASONS = {"unapproved", "spam", "trash", "post-trashed", "on_hidden_post"}

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
COMMENT_ID = re.compile(r'\bid="comment-(\d+)"')


def fetch(url: str) -> tuple[int, Any, str]:
    """GET ``url`` (on 127.0.0.1 only); returns status, headers and body, also for 4xx/5xx."""
    assert urllib.parse.urlsplit(url).hostname == "127.0.0.1", url
    try:
        with _OPENER.open(url, timeout=60) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8", "replace")


def is_json(headers: Any) -> bool:
    return (headers.get("Content-Type") or "").startswith("application/json")


def has_api_link(headers: Any, body: str) -> bool:
    link_headers = " ".join(headers.get_all("Link") or [])
    return "https://api.w.org/" in link_headers or 'rel="https://api.w.org/"' in body


@pytest.fixture(scope="module")
def site(wordpress_dirs) -> Iterator[Any]:
    missing = harness.missing_requirements()
    if missing:
        reason = f"real WordPress not installed (missing: {', '.join(missing)}); run: bash tests/wordpress/install.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    wp = harness.WordPressSite(wordpress_dirs["site"])
    started = wp.start()
    theme, rest_mode = wp.theme, wp.rest_mode
    yield wp
    # Leave the site as we found it: same theme and REST mode, stopped if we started it.
    wp.set_rest_mode(rest_mode)
    if wp.theme != theme:
        wp.set_theme(theme)
    if started:
        wp.stop()


@pytest.fixture(scope="module")
def truth(site: Any) -> dict[str, Any]:
    return site.ground_truth()


@pytest.fixture()
def rest_open(site: Any) -> Iterator[None]:
    site.set_rest_mode("open")
    yield
    site.set_rest_mode("open")


def busiest_post(truth: dict[str, Any]) -> dict[str, Any]:
    return max(truth["posts"], key=lambda p: (p["comment_pages"], p["comment_count"]))


def test_home_page(site: Any, truth: dict[str, Any], rest_open: None) -> None:
    status, headers, body = fetch(site.base_url + "/")
    assert status == 200
    text = html.unescape(body)
    assert truth["site"]["name"] in text
    sticky = next(p for p in truth["posts"] if p["sticky"])
    assert sticky["title_text"] in text
    assert has_api_link(headers, body)


def test_post_page_and_comment_pages(site: Any, truth: dict[str, Any]) -> None:
    post = busiest_post(truth)
    assert post["comment_pages"] == 3
    comments = [c for c in truth["comments"] if c["post_id"] == post["id"]]

    # default_comments_page is "newest": the post's own URL shows the last comment page.
    for url, page in [
        (post["link"], post["comment_pages"]),
        (post["link"] + "comment-page-1/", 1),
        (post["link"] + "comment-page-2/", 2),
    ]:
        status, _, body = fetch(url)
        assert status == 200, url
        assert post["title_text"] in html.unescape(body)
        shown = {int(n) for n in COMMENT_ID.findall(body)}
        expected = {c["id"] for c in comments if c["page"] == page}
        assert shown == expected, url
        assert f"comment-page-{page - 1}/" in body or page == 1


def test_rest_posts_total(site: Any, truth: dict[str, Any], rest_open: None) -> None:
    status, headers, body = fetch(site.base_url + "/wp-json/wp/v2/posts?per_page=1")
    assert status == 200
    assert int(headers["X-WP-Total"]) == truth["counts"]["posts"]
    items = json.loads(body)
    newest = max((p for p in truth["posts"] if p["type"] == "post"), key=lambda p: p["date_gmt"])
    assert [item["id"] for item in items] == [newest["id"]]


def test_rest_comments_leave_out_pingbacks(site: Any, truth: dict[str, Any], rest_open: None) -> None:
    pinged = {c["post_id"] for c in truth["comments"] if c["type"] != "comment"}
    post_id = min(pinged)
    url = f"{site.base_url}/wp-json/wp/v2/comments?post={post_id}&per_page=100"
    status, headers, _ = fetch(url)
    assert status == 200
    mine = [c for c in truth["comments"] if c["post_id"] == post_id]
    assert int(headers["X-WP-Total"]) == sum(c["type"] == "comment" for c in mine) < len(mine)


@pytest.mark.parametrize(
    ("mode", "wp_json", "rest_route", "api_link"),
    [
        ("open", 200, 200, True),
        ("wp-json-blocked", 403, 200, True),
        ("disabled", 404, 404, False),
    ],
)
def test_rest_modes(
    site: Any, truth: dict[str, Any], rest_open: None, mode: str, wp_json: int, rest_route: int, api_link: bool
) -> None:
    site.set_rest_mode(mode)
    assert site.rest_mode == mode

    status, headers, _ = fetch(site.base_url + "/wp-json/wp/v2/posts?per_page=1")
    assert status == wp_json
    assert is_json(headers) == (status == 200)
    if status == 200:
        assert int(headers["X-WP-Total"]) == truth["counts"]["posts"]

    status, headers, _ = fetch(site.base_url + "/?rest_route=/wp/v2/posts&per_page=1")
    assert status == rest_route
    assert is_json(headers) == (status == 200)
    if status == 200:
        assert int(headers["X-WP-Total"]) == truth["counts"]["posts"]

    status, headers, body = fetch(site.base_url + "/")
    assert status == 200
    assert 'class="entry-title' in body or "wp-block-post-title" in body
    assert has_api_link(headers, body) == api_link


def test_themes(site: Any, truth: dict[str, Any]) -> None:
    post = busiest_post(truth)
    expected = {c["id"] for c in truth["comments"] if c["post_id"] == post["id"] and c["page"] == 1}
    before = site.theme
    try:
        for theme, marker in [
            ("twentytwentythree", "wp-block-comment-template"),
            ("twentytwentyone", 'class="comment-list"'),
        ]:
            site.set_theme(theme)
            assert site.ground_truth()["site"]["theme"] == theme
            status, _, body = fetch(post["link"] + "comment-page-1/")
            assert status == 200
            assert marker in body, theme
            assert {int(n) for n in COMMENT_ID.findall(body)} == expected, theme
    finally:
        site.set_theme(before)


def test_ground_truth_counts(site: Any, truth: dict[str, Any]) -> None:
    counts = truth["counts"]
    assert counts == SEEDED_COUNTS
    summary = site.seed_summary()
    for key in ("posts", "pages", "comments", "max_depth", "posts_by_comment_pages", "users"):
        assert counts[key] == summary[key], key

    # The promises of the brief, checked on the rows rather than the sums.
    posts = [p for p in truth["posts"] if p["type"] == "post"]
    assert len(posts) >= 60
    assert all(p["date"].startswith("2013-") for p in truth["posts"])
    assert len({name for p in posts for name in p["categories"]}) == 3
    assert len({name for p in posts for name in p["tags"]}) == 10
    assert any(not p["title_text"].isascii() for p in posts)
    assert truth["site"]["timezone_string"] == "America/New_York"
    assert any(p["date"] != p["date_gmt"] for p in posts)

    comments = truth["comments"]
    assert len(comments) >= 400
    assert max(c["depth"] for c in comments) == 5
    assert all(1 <= c["depth"] <= truth["site"]["thread_comments_depth"] for c in comments)
    by_id = {c["id"]: c for c in comments}
    assert all(c["parent"] == 0 or by_id[c["parent"]]["depth"] == c["depth"] - 1 for c in comments)
    assert any(c["user_id"] == 1 for c in comments)  # the instructor
    assert any(c["user_id"] > 1 for c in comments)  # registered students
    assert any(c["user_id"] == 0 and c["author_url"] and c["type"] == "comment" for c in comments)
    assert any(not c["author"].isascii() for c in comments)
    assert any(not c["content"].isascii() for c in comments)

    students = [u for u in truth["users"] if "author" in u["roles"]]
    assert len(students) >= 8
    assert any(not u["display_name"].isascii() for u in truth["users"])

    excluded = truth["excluded"]
    assert set(excluded["posts"]) == EXCLUDED_POST_REASONS
    assert set(excluded["comments"]) == EXCLUDED_COMMENT_REASONS
    assert not set(excluded["post_ids"]) & {p["id"] for p in truth["posts"]}
    assert not set(excluded["comment_ids"]) & set(by_id)


def test_excluded_posts_are_not_served(site: Any, truth: dict[str, Any]) -> None:
    for post_id in truth["excluded"]["post_ids"]:
        status, _, _ = fetch(f"{site.base_url}/?p={post_id}")
        assert status == 404, post_id


def test_a_failed_start_up_stops_what_it_started(tmp_path: Path) -> None:
    """A start that fails after it started MariaDB and php -S (here: the seed summary cannot be
    written, a folder stands in its way) stops both, so nothing is left running."""
    missing = harness.missing_requirements()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("missing on CI: " + ", ".join(missing))
        pytest.skip("missing Debian packages: " + ", ".join(missing))
    site = harness.WordPressSite(tmp_path / "site")
    site.summary_path.mkdir(parents=True)
    with pytest.raises(IsADirectoryError):
        site.start()
    for name in ("mariadbd", "php"):
        assert (site.logdir / f"{name}.log").exists(), f"{name} was never started: the test proves nothing"
    left = [
        pid
        for pid in (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
        if harness._pid_alive(pid) and any(str(site.root) in part for part in harness._cmdline(pid))
    ]
    assert left == [], f"still running from {site.root}: {[harness._cmdline(pid) for pid in left]}"
