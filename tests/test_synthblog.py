"""The scale benchmark's synthetic blog (benchmarks/synthblog.py) answers what the spider reads: the
REST shapes and headers of the sample blog's API, post pages the extractor reads whole, and 304s.
A real server process on 127.0.0.1, stopped by its PID; a few seconds."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from spiders.extraction.discovery import rest_comment, rest_post
from spiders.extraction.page import extract_post
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def blog():
    process = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "synthblog.py"), "--posts", "250"],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        base = process.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_rest_listings_page_and_count_like_wordpress(blog):
    status, headers, body = get(f"{blog}/wp-json/wp/v2/posts?per_page=100&page=3&_embed=author,wp:term")
    posts = json.loads(body)
    assert status == 200 and headers["X-WP-Total"] == "250" and headers["X-WP-TotalPages"] == "3"
    assert [p["id"] for p in posts] == list(range(50, 0, -1))  # newest first
    assert 'rel="prev"' in headers["Link"] and 'rel="next"' not in headers["Link"]
    post = rest_post(posts[0], f"{blog}/", users={}, terms={})
    assert post.wp_id == 50 and post.author == posts[0]["_embedded"]["author"][0]["name"]
    assert {t.taxonomy for t in post.terms} == {"category", "post_tag"}
    assert "replies" not in posts[0]["_embedded"]  # only what `_embed` names
    assert get(f"{blog}/wp-json/wp/v2/posts?per_page=100&page=4")[0] == 400

    status, headers, body = get(f"{blog}/wp-json/wp/v2/comments?per_page=100&page=25&orderby=id&order=asc")
    comments = json.loads(body)
    assert headers["X-WP-Total"] == "2500" and [c["id"] for c in comments] == list(range(2401, 2501))
    post_id, comment = rest_comment(comments[3])
    assert post_id == 241 and comment.parent_wp_id == 2403
    assert json.loads(get(f"{blog}/wp-json/wp/v2/comments?per_page=100&page=26")[2]) == []

    ids = json.loads(get(f"{blog}/wp-json/wp/v2/comments?post=3,5&_fields=id,post&per_page=100")[2])
    assert sorted(ids, key=lambda c: c["id"]) == [{"id": i, "post": 3 if i <= 30 else 5}
                                                   for i in [*range(21, 31), *range(41, 51)]]
    assert json.loads(get(f"{blog}/wp-json/wp/v2/posts?include=7,9&_fields=id")[2]) == [{"id": 9}, {"id": 7}]
    changed = get(f"{blog}/wp-json/wp/v2/posts?modified_after=2010-08-01T00:00:00&per_page=100")[1]
    assert changed["X-WP-Total"] == str(250 - 212)  # posts are one a day from 2010-01-01


def test_post_page_reads_whole_and_answers_304(blog):
    status, headers, body = get(f"{blog}/")
    assert status == 200 and 'rel="https://api.w.org/"' in headers["Link"]
    assert f'<link rel="https://api.w.org/" href="{blog}/wp-json/"' in body.decode()
    url = f"{blog}/2010/01/05/post-5/"
    status, headers, body = get(url)
    post = extract_post(body.decode(), url)
    assert (post.wp_id, post.type, post.published) == (5, "post", "2010-01-05T09:00:00+00:00")
    assert [(c.wp_id, c.parent_wp_id, c.depth) for c in post.comments] == [
        (41, None, 1), (42, None, 1), (43, None, 1), (44, 43, 2), (45, None, 1), (46, None, 1), (47, 46, 2),
        (48, 47, 3), (49, None, 1), (50, None, 1)]
    assert all(c.published and c.author for c in post.comments)
    assert get(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert get(f"{blog}/2010/01/06/post-5/")[0] == 404
    assert get(f"{blog}/robots.txt")[0] == 200
