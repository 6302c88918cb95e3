"""The archive of a real WordPress equals what WordPress's own tables say, exactly.

Crawled four ways (REST API, `/wp-json/` blocked so `?rest_route=` is used, REST disabled so only
sitemaps and HTML pages are left, and an old blog behind a cache: no REST API, no core sitemaps,
query strings ignored, so only the blog's own links are left) under a classic theme and a block
theme. Counts are equal, not
"at least"; drafts, private and trashed posts, unapproved and spam comments are absent.
"""

from __future__ import annotations

import html
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from archive.db import open_db
from archive.warc import read_wacz, validate_wacz
from spiders.extraction.dates import with_offset
from tests.conftest import ROOT, crawl_stats, require, run_crawl

sys.path.insert(0, str(ROOT / "tests" / "wordpress"))
import harness  # noqa: E402

pytestmark = pytest.mark.wordpress
# "legacy": an old blog behind a cache (no REST API, no core sitemaps, every query string
# ignored): its feed repeats its first page for ?paged=2, so the blog's own links are followed.
WAYS = {"open": "rest", "wp-json-blocked": "rest_route", "disabled": "sitemap", "legacy": "feed+html"}
PROOFS = {
    "open": "REST totals reached",
    "wp-json-blocked": "REST totals reached",
    "disabled": "every sitemap read",
    "legacy": "link graph exhausted",
}
THEMES = ["twentytwentyone", "twentytwentythree"]
_crawls: dict[tuple[str, str], dict[str, Any]] = {}


@pytest.fixture(scope="module")
def site(wordpress_dirs):
    missing = harness.missing_requirements()
    require(not missing, f"real WordPress not installed (missing {missing}): make system-deps")
    with harness.WordPressSite(wordpress_dirs["site"]) as wp:  # stopped afterwards if it started here
        yield wp
        wp.set_rest_mode("open")
        wp.set_theme("twentytwentyone")


@pytest.fixture(scope="module")
def truth(site) -> dict[str, Any]:
    return site.ground_truth()


def crawl(site, theme: str, mode: str, tmp: Path) -> dict[str, Any]:
    """Crawl once per (theme, way in) and keep what the tests compare."""
    key = (theme, mode)
    if key not in _crawls:
        site.set_theme(theme)
        site.set_rest_mode(mode)
        db_path = tmp / f"{theme}-{mode}.db"
        run_crawl(site.base_url + "/", db_path, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4")
        db = open_db(db_path)
        posts = {
            row["wp_id"]: row
            for row in db.query(
                """select p.*, (select json_group_array(t.name) from post_terms pt join terms t on t.id = pt.term_id
                     where pt.post_id = p.id and t.taxonomy = 'category') as cats,
                   (select json_group_array(t.name) from post_terms pt join terms t on t.id = pt.term_id
                     where pt.post_id = p.id and t.taxonomy = 'post_tag') as tags_
                   from posts p"""
            )
        }
        comments = list(
            db.query(
                """select c.*, p.wp_id as post_wp_id, parent.wp_id as parent_wp from comments c
                   join posts p on p.id = c.post_id left join comments parent on parent.id = c.parent_id"""
            )
        )
        _crawls[key] = {
            "posts": posts,
            "post_count": db["posts"].count,
            "comments": comments,
            "stats": crawl_stats(db),
            "site": next(db.query("select * from sites")),
            "integrity": list(db.query("select * from integrity")),
            "site_crawl": next(db.query("select * from site_crawls order by id desc limit 1")),
            "captures": list(db.query("select * from captures")),
            "media": {
                r["url"]: r
                for r in db.query("select m.*, p.wp_id as post_wp_id from media m join posts p on p.id = m.post_id")
            },
            "wacz": sorted((tmp / f"{theme}-{mode}.wacz").glob("*.wacz")),
            "db_path": db_path,
        }
        db.close()
    return _crawls[key]


def instant(value: str | None) -> datetime | None:
    """A comment time as an instant: a theme shows local time with its offset, a feed UTC."""
    return datetime.fromisoformat(value) if value else None


CASES = [(theme, mode) for theme in THEMES for mode in WAYS]
IDS = [f"{theme}-{mode}" for theme, mode in CASES]


@pytest.fixture(params=CASES, ids=IDS)
def archived(request, site, tmp_path_factory) -> tuple[str, str, dict[str, Any]]:
    theme, mode = request.param
    return theme, mode, crawl(site, theme, mode, tmp_path_factory.getbasetemp())


def test_discovery_way(archived) -> None:
    _, mode, result = archived
    assert result["site"]["discovery"] == WAYS[mode]
    for way in WAYS[mode].split("+"):
        assert result["stats"][f"wparchive/discovery/{way}"] == 1
    row = result["site_crawl"]
    assert (row["status"], row["listing_proof"], row["error"]) == ("complete", PROOFS[mode], None)


def test_every_published_post_and_page_exactly_once(archived, truth) -> None:
    _, _, result = archived
    expected = {p["id"] for p in truth["posts"]}
    assert result["post_count"] == len(expected) == truth["counts"]["posts"] + truth["counts"]["pages"]
    assert set(result["posts"]) == expected


def test_post_fields(archived, truth) -> None:
    _, mode, result = archived
    # Without the REST API a page's date is nowhere on the site (the themes print none, and the
    # sitemap's lastmod is the modification date): NULL, never a guess. Its author neither, unless
    # the author commented on it: WordPress marks those comments `bypostauthor`.
    author_of = {p["id"]: p["author_id"] for p in truth["posts"]}
    commented_by_author = {c["post_id"] for c in truth["comments"] if author_of.get(c["post_id"]) == c["user_id"]}
    wrong = []
    for post in truth["posts"]:
        row = result["posts"][post["id"]]
        unknown = {}
        if mode in ("disabled", "legacy") and post["type"] == "page":
            unknown = {"published": None} if post["id"] in commented_by_author else {"author": None, "published": None}
        want = {
            "type": post["type"],
            "title": html.unescape(post["title_text"]),
            "author": unknown.get("author", post["author"]),
            "published": unknown.get(
                "published", with_offset(post["date"].replace(" ", "T"), post["date_gmt"].replace(" ", "T"))
            ),
            "categories": sorted(post["categories"]) if post["type"] == "post" else [],
            "tags": sorted(post["tags"]),
            "protected": int(post["password_protected"]),
        }
        have = {
            "type": row["type"],
            "title": row["title"],
            "author": row["author"],
            "published": row["published"],
            "categories": sorted(__import__("json").loads(row["cats"])),
            "tags": sorted(__import__("json").loads(row["tags_"])),
            "protected": row["protected"],
        }
        for field, value in want.items():
            if have[field] != value:
                wrong.append((post["id"], field, have[field], value))
    assert wrong == [], "\n".join(map(str, wrong))


def test_protected_post_has_no_content(archived, truth) -> None:
    _, _, result = archived
    protected = [p["id"] for p in truth["posts"] if p["password_protected"]]
    assert protected
    for wp_id in protected:
        assert result["posts"][wp_id]["protected"] == 1
        assert not result["posts"][wp_id]["content_text"]


def test_every_approved_comment_exactly_once(archived, truth) -> None:
    _, _, result = archived
    have = Counter(c["wp_id"] for c in result["comments"])
    assert sum(have.values()) == truth["counts"]["comments"]["total"]
    assert set(have) == {c["id"] for c in truth["comments"]}
    assert max(have.values()) == 1


def test_comment_fields(archived, truth) -> None:
    _, _, result = archived
    have = {c["wp_id"]: c for c in result["comments"]}
    wrong = []
    for comment in truth["comments"]:
        row = have[comment["id"]]
        want = {
            "post": comment["post_id"],
            "parent": comment["parent"] or None,
            "depth": comment["depth"],
            "author": comment["author"],
            "published": instant(with_offset(comment["date"].replace(" ", "T"), comment["date_gmt"].replace(" ", "T"))),
            "type": comment["type"],
        }
        got = {
            "post": row["post_wp_id"],
            "parent": row["parent_wp"],
            "depth": row["depth"],
            "author": row["author"],
            "published": instant(row["published"]),
            "type": row["type"],
        }
        wrong.extend((comment["id"], f, got[f], v) for f, v in want.items() if got[f] != v)
    assert wrong == []


def test_nothing_that_must_not_be_archived(archived, truth) -> None:
    _, _, result = archived
    assert not set(result["posts"]) & set(truth["excluded"]["post_ids"])
    assert not {c["wp_id"] for c in result["comments"]} & set(truth["excluded"]["comment_ids"])


def test_sources_are_recorded(archived) -> None:
    _, mode, result = archived
    sources = Counter(c["sources"] for c in result["comments"])
    if mode in ("disabled", "legacy"):
        assert set(sources) == {"html"}
    else:
        # Pingbacks and trackbacks exist only in the HTML; every plain comment is in both.
        assert set(sources) == {"html,rest", "html"}
        assert sources["html"] == sum(1 for c in result["comments"] if c["type"] != "comment")


def test_integrity_view_is_empty_when_everything_matches(archived) -> None:
    _, _, result = archived
    assert result["integrity"] == []


def test_the_crawl_is_kept_whole_in_a_valid_wacz(archived) -> None:
    """Issue 14: one WACZ a crawl that py-wacz validates, with a response record for every response
    the downloader received (Scrapy's own count), each post's page among them."""
    _, _, result = archived
    assert len(result["wacz"]) == 1
    ok, said = validate_wacz(result["wacz"][0])
    assert ok, said
    _, recorded = read_wacz(result["wacz"][0])
    assert sum(len(answers) for answers in recorded.values()) == result["stats"]["downloader/response_count"]
    record_ids = {answer.captured.record_id for answers in recorded.values() for answer in answers}
    pages = [c for c in result["captures"] if c["kind"] == "post page"]
    assert {c["post_id"] for c in pages} and all(c["record_id"] in record_ids for c in result["captures"])
    assert len({c["post_id"] for c in pages}) == result["post_count"]


def test_every_file_of_the_seeded_posts_is_kept(archived, truth, site) -> None:
    """Issue 14: every file the posts show or link under wp-content/uploads (as WordPress's own
    table holds their content) has a media row with its post, and the bytes on WordPress's disk."""
    import hashlib
    import re

    _, _, result = archived
    expected = {}
    for post in truth["posts"]:
        if post.get("password_protected"):
            continue
        for url in re.findall(r"https?://[^\"\s,]+/wp-content/uploads/[^\"\s,]+", post["content"] or ""):
            expected[url] = post["id"]
    assert len(expected) == 3  # the map in two sizes and the PDF handout
    assert {url: row["post_wp_id"] for url, row in result["media"].items()} == expected
    for url, row in result["media"].items():
        body = (site.www / "wp-content" / "uploads" / url.split("/wp-content/uploads/", 1)[1]).read_bytes()
        assert (row["bytes"], row["sha256"]) == (len(body), hashlib.sha256(body).hexdigest()), url


def test_a_rebuild_from_the_wacz_equals_the_crawl(site, tmp_path_factory, tmp_path) -> None:
    """Issue 14: `wparchive rebuild` of a crawl's WACZ (the first theme, the REST way in), with
    WordPress's answers taken from it alone, gives the archive the crawl made, row by row (crawl
    ids and times aside)."""
    import subprocess
    import sys

    from tests.archive_rows import differences, snapshot
    from tests.conftest import ROOT

    result = crawl(site, *CASES[0], tmp_path_factory.getbasetemp())
    rebuilt = tmp_path / "rebuilt.db"
    command = [sys.executable, "-m", "archive.cli", "rebuild", str(result["wacz"][0]), "--db", str(rebuilt)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    crawled, again = snapshot(open_db(result["db_path"])), snapshot(open_db(rebuilt))
    assert crawled["posts"] and not differences(crawled, again), differences(crawled, again)
