"""Re-crawls of a real WordPress fetch only what changed, find exactly what changed, keep history.

A private WordPress (its own folder, `tests/wordpress/harness.py`) is seeded afresh, crawled,
changed through WordPress's own functions (a new post, new comments on a year-old post, a reply,
a pingback, an edited post, a trashed comment, a trashed post, a comment approved days after it
was written) and crawled again. The requests are counted at the site
(`WordPressSite.requests_since`), the findings read from the archive's `changes`, `post_versions`
and `missing_since`, and the incremental archive is compared row by row with a full crawl of the
same site. Then the same without the REST API, with page-cache validators (ETag / Last-Modified)
so that unchanged pages answer 304.
"""

from __future__ import annotations

import math
import re
import sqlite3
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.db import open_db
from tests.archive_rows import differences, snapshot
from tests.conftest import ROOT, require, run_crawl

sys.path.insert(0, str(ROOT / "tests" / "wordpress"))
import harness  # noqa: E402

pytestmark = pytest.mark.wordpress


@pytest.fixture(scope="module")
def site(wordpress_dirs):
    missing = harness.missing_requirements()
    require(not missing, f"real WordPress not installed (missing {missing}): make system-deps")
    with harness.WordPressSite(wordpress_dirs["incremental"], scale=1) as wp:  # stopped afterwards if it started here
        wp.reset()
        yield wp
        wp.reset()


def crawl(site, db: Path, *extra: str) -> dict[str, Any]:
    """One `scrapy crawl`; what the site answered, and the crawl's rows."""
    mark = site.request_log_mark()
    run_crawl(site.base_url + "/", db, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", *extra)
    requests = site.requests_since(mark)
    archive = open_db(db)
    crawl_row = next(archive.query("select * from crawls order by id desc limit 1"))
    site_row = next(archive.query("select * from site_crawls order by id desc limit 1"))
    changes = Counter(
        (r["kind"], r["change"], r["wp_id"], r["comment_wp_id"])
        for r in archive.query(
            """select ch.kind, ch.change, p.wp_id, c.wp_id as comment_wp_id from changes ch
               join posts p on p.id = ch.post_id left join comments c on c.id = ch.comment_id
               where ch.crawl_id = ?""",
            [crawl_row["id"]],
        )
    )
    archive.close()
    return {"requests": requests, "crawl": crawl_row, "site": site_row, "changes": changes}


def paths(result: dict[str, Any]) -> list[str]:
    return [path for _, _, path in result["requests"]]


def page_fetches(result: dict[str, Any]) -> list[tuple[int, str]]:
    """Post and page views requested (not robots.txt, the home page, REST or feeds), with status."""
    return [
        (status, path)
        for status, _, path in result["requests"]
        if not path.startswith(("/robots.txt", "/wp-json/", "/?", "/comments/feed", "/wp-sitemap", "/wp-content/"))
        and path != "/"
        and not path.endswith("/feed/")  # a post's comments feed: the dates of undated pingbacks
    ]


def posts_fetched(result: dict[str, Any]) -> set[str]:
    """The posts whose pages were fetched (comment pages count for their post)."""
    return {re.sub(r"comment-page-\d+/$", "", path) for status, path in page_fetches(result) if status == 200}


def one_comment_page(comments: list[dict]) -> bool:
    return bool(comments) and all(c["page"] == 1 for c in comments)


def comment_id_pages(result: dict[str, Any]) -> int:
    """Requests for REST comment ids (`_fields=id,post`, 100 a page), of the batches whose counts disagreed."""
    return len(comment_id_listings(result))


def comment_id_listings(result: dict[str, Any]) -> list[str]:
    return [path for path in paths(result) if "/wp/v2/comments" in path and "_fields=id%2Cpost" in path]


def comment_counts(result: dict[str, Any]) -> list[str]:
    """Requests for the REST comment count of a batch of posts (`post=` ids, one comment a page)."""
    return [path for path in paths(result) if "/wp/v2/comments" in path and "per_page=1&" in path and "post=" in path]


def posts_named(path: str) -> set[int]:
    return {int(i) for i in parse_qs(urlsplit(path).query)["post"][0].split(",")}


def listings(result: dict[str, Any]) -> Counter[str]:
    """Every request but the pages of posts (and their comment pages and comments feeds), the
    comment counts and the comment id listings, with the `after` / `modified_after` instants left
    out (they move)."""
    pages = set(page_fetches(result))
    skipped = set(comment_counts(result)) | set(comment_id_listings(result))
    return Counter(
        re.sub(r"((?:modified_)?after)=[^&]*", r"\1=SINCE", path)
        for status, _, path in result["requests"]
        if (status, path) not in pages and not is_post_feed(path) and path not in skipped
    )


def is_post_feed(path: str) -> bool:
    """A post's own comments feed (read for the dates of undated pingbacks), not the site's."""
    return path.endswith("/feed/") and not path.startswith("/comments/feed")


def rest_comment_pages(result: dict[str, Any]) -> int:
    """Pages of the REST comment listing a crawl read, from the total the site gave it."""
    return math.ceil(result["site"]["rest_comment_total"] / 100)


# The requests of an unchanged re-crawl besides the comment counts: robots.txt, the home page,
# posts, pages and comments changed since the last complete crawl, the site's comments feed, the
# first page of post ids and of page ids, and the site's comment total.
LISTINGS = 9


# --- With the REST API ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def story(site, tmp_path_factory) -> dict[str, Any]:
    """Crawl, crawl again unchanged, change the site, crawl again, undo and redo: every step kept."""
    db = tmp_path_factory.mktemp("incremental") / "archive.db"
    steps: dict[str, Any] = {"db": db}
    truth = site.ground_truth()
    steps["truth"] = truth
    steps["first"] = crawl(site, db)
    steps["unchanged"] = crawl(site, db)
    steps["unchanged_again"] = crawl(site, db)

    posts = [p for p in truth["posts"] if p["type"] == "post" and not p["password_protected"]]
    comments_of: dict[int, list[dict]] = {}
    for comment in truth["comments"]:
        comments_of.setdefault(comment["post_id"], []).append(comment)
    oldest = posts[0]
    replied = next(p for p in posts[20:] if one_comment_page(comments_of.get(p["id"], [])))
    pinged = next(p for p in posts[30:] if one_comment_page(comments_of.get(p["id"], [])))
    edited = posts[40]
    loser = next(
        p for p in posts[45:] if len(comments_of.get(p["id"], [])) >= 3 and one_comment_page(comments_of[p["id"]])
    )
    victim = [c for c in comments_of[loser["id"]] if c["type"] == "comment"][-1]
    new_post = site.add_post("Course reunion: where are they now?", "<p>Ten years on, we met again.</p>")
    made = {
        "links": {p["id"]: p["link"] for p in truth["posts"]} | {new_post["id"]: new_post["link"]},
        "new_post": new_post["id"],
        "oldest": oldest["id"],
        "edited": edited["id"],
        "victim": victim["id"],
        "loser": loser["id"],
        "comments": [
            site.add_comment(oldest["id"], "Alumna 2013", "Rereading this ten years later.")["id"],
            site.add_comment(oldest["id"], "Prof. Hélène Marchetti", "Still the right question.")["id"],
            site.add_comment(
                replied["id"], "Guest reader", "A late reply.", parent=comments_of[replied["id"]][0]["id"]
            )["id"],
            site.add_comment(new_post["id"], "José Álvarez", "Great to see everyone!")["id"],
        ],
        "pingback": site.add_comment(
            pinged["id"],
            "Urban Notes » Ten years later",
            "[&#8230;] we keep coming back to this post [&#8230;]",
            type="pingback",
            author_url="https://urban-notes.example.org/2024/ten-years/",
        )["id"],
        "pinged": pinged["id"],
        "replied": replied["id"],
    }
    site.edit_post(edited["id"], "<p>Update: the 1911 map is now in the city archive.</p>")
    site.delete_comment(victim["id"])
    steps["made"] = made
    steps["changed"] = crawl(site, db)
    steps["after_changes"] = snapshot(open_db(db), history=False)
    fresh = tmp_path_factory.mktemp("incremental") / "fresh.db"
    run_crawl(site.base_url + "/", fresh, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4")
    steps["fresh"] = snapshot(open_db(fresh), history=False)

    site.restore_comment(victim["id"])
    site.trash_post(edited["id"])
    steps["undone"] = crawl(site, db)
    site.restore_post(edited["id"])
    steps["restored"] = crawl(site, db)
    steps["full"] = crawl(site, db, "-s", "ARCHIVE_FULL_RECRAWL=True")
    return steps


def test_first_crawl_archives_everything(story) -> None:
    first, truth = story["first"], story["truth"]
    assert first["site"]["mode"] == "full" and first["site"]["status"] == "complete"
    assert first["crawl"]["posts_new"] == truth["counts"]["posts"] + truth["counts"]["pages"]
    assert first["crawl"]["comments_new"] == truth["counts"]["comments"]["total"]


def test_unchanged_recrawl_costs_a_few_listing_requests(story) -> None:
    first, again = story["first"], story["unchanged"]
    assert again["site"]["mode"] == "incremental" and again["site"]["status"] == "complete"
    # The listings, and the comment count of the posts and pages, 100 a request (the site has
    # fewer): no comment id is listed, though its comments fill 7 pages. No page is fetched.
    truth = story["truth"]
    assert comment_id_pages(again) == 0 and rest_comment_pages(again) == 7
    assert len(comment_counts(again)) == 1
    public = {p["id"] for p in truth["posts"] if not p["password_protected"]}
    assert posts_named(comment_counts(again)[0]) == public
    assert len(again["requests"]) == LISTINGS + 1, paths(again)
    assert page_fetches(again) == []
    crawl_row = again["crawl"]
    assert (crawl_row["posts_new"], crawl_row["posts_changed"], crawl_row["posts_missing"]) == (0, 0, 0)
    assert (crawl_row["comments_new"], crawl_row["comments_changed"], crawl_row["comments_missing"]) == (0, 0, 0)
    assert crawl_row["posts_unchanged"] == first["crawl"]["posts_new"]
    assert crawl_row["comments_unchanged"] == first["crawl"]["comments_new"]
    assert again["changes"] == Counter()


def test_unchanged_comments_feed_answers_304(story) -> None:
    result = story["unchanged_again"]
    feed = [(status, path) for status, _, path in result["requests"] if path.startswith("/comments/feed")]
    assert feed == [(304, "/comments/feed/")]
    assert listings(result) == listings(story["unchanged"])
    assert len(result["requests"]) == LISTINGS + 1


def test_changes_are_found_exactly(story) -> None:
    made, result = story["made"], story["changed"]
    expected = Counter(
        {
            ("post", "new", made["new_post"], None): 1,
            ("post", "changed", made["edited"], None): 1,
            ("comment", "missing", made["loser"], made["victim"]): 1,
            ("comment", "new", made["pinged"], made["pingback"]): 1,
        }
    )
    posts_of = [made["oldest"], made["oldest"], made["replied"], made["new_post"]]
    for post, comment in zip(posts_of, made["comments"], strict=True):
        expected[("comment", "new", post, comment)] = 1
    assert result["changes"] == expected
    row = result["crawl"]
    assert (row["posts_new"], row["posts_changed"], row["posts_missing"]) == (1, 1, 0)
    assert (row["comments_new"], row["comments_changed"], row["comments_missing"]) == (5, 0, 1)


def test_changes_cost_the_unchanged_requests_plus_the_changed_pages(story) -> None:
    unchanged, result, made = story["unchanged"], story["changed"], story["made"]
    fetched = page_fetches(result)
    # The new post, the edited one, the one that lost a comment, and the three with new comments
    # or a pingback: those pages, once each, and no other.
    assert len(fetched) == len(set(fetched)) == len(posts_fetched(result)) == 6, fetched
    assert {status for status, _ in fetched} == {200}
    wp_ids = [made["new_post"], made["edited"], made["loser"], made["oldest"], made["replied"], made["pinged"]]
    assert posts_fetched(result) == {urlsplit(made["links"][wp_id]).path for wp_id in wp_ids}
    # No other request: the same listings as the unchanged re-crawl (no REST data asked for the
    # posts fetched again). The one count disagreed (a comment was trashed): the batch was halved,
    # and only the comment ids of the half with the trashed comment's post were listed, not every
    # comment id of the site.
    assert listings(result) == listings(unchanged), paths(result)
    assert len(comment_counts(unchanged)) == 1 and len(comment_counts(result)) == 3
    assert 0 < comment_id_pages(result) < rest_comment_pages(result)
    assert all(made["loser"] in posts_named(path) for path in comment_id_listings(result))
    post_feeds = [p for p in paths(result) if is_post_feed(p)]
    checks = comment_id_pages(result) + len(comment_counts(result)) - len(comment_counts(unchanged))
    assert len(result["requests"]) == len(unchanged["requests"]) + len(fetched) + len(post_feeds) + checks


def test_incremental_archive_equals_a_full_crawl(story) -> None:
    incremental, full = story["after_changes"], story["fresh"]
    gone = [r for r in incremental["comments"] if dict(r)["missing"]]
    assert len(gone) == 1
    incremental["comments"] = [r for r in incremental["comments"] if not dict(r)["missing"]]
    assert differences(incremental, full) == [], "\n".join(differences(incremental, full))


def test_a_new_version_only_when_the_post_changed(story) -> None:
    db = open_db(story["db"])
    versions = {
        r["wp_id"]: r["n"]
        for r in db.query(
            "select p.wp_id, count(*) as n from post_versions v join posts p on p.id = v.post_id group by p.id"
        )
    }
    made = story["made"]
    assert versions.pop(made["edited"]) == 2
    assert set(versions.values()) == {1}
    texts = [
        r["content_text"]
        for r in db.query(
            "select v.content_text from post_versions v join posts p on p.id = v.post_id"
            " where p.wp_id = ? order by v.crawl_id",
            [made["edited"]],
        )
    ]
    assert "city archive" not in texts[0] and "city archive" in texts[1]


def test_gone_is_marked_missing_and_present_again_when_back(story) -> None:
    made, undone, restored = story["made"], story["undone"], story["restored"]
    # The trashed comment came back; the edited post went to the trash (its comments stay present:
    # only its own row is marked missing, and its page was not fetched).
    assert undone["changes"] == Counter(
        {("comment", "back", made["loser"], made["victim"]): 1, ("post", "missing", made["edited"], None): 1}
    )
    assert restored["changes"] == Counter({("post", "back", made["edited"], None): 1})
    # The comment back from the trash is listed again: its post is fetched again, and its REST data
    # is the archive's (no `include=` request).
    assert posts_fetched(undone) == {urlsplit(made["links"][made["loser"]]).path}
    assert not [p for p in paths(undone) if "include=" in p]
    db = open_db(story["db"])
    assert db.execute("select count(*) from posts where missing_since is not null").fetchone()[0] == 0
    assert db.execute("select count(*) from comments where missing_since is not null").fetchone()[0] == 0
    history = [
        (r["kind"], r["change"])
        for r in db.query(
            "select ch.kind, ch.change from changes ch join comments c on c.id = ch.comment_id"
            " where c.wp_id = ? order by ch.id",
            [made["victim"]],
        )
    ]
    assert history == [("comment", "new"), ("comment", "missing"), ("comment", "back")]


def test_unchanged_pages_do_not_make_their_comments_missing(story) -> None:
    # Every re-crawl left the pages of unchanged posts alone, and no comment but the trashed one
    # was ever marked missing.
    db = open_db(story["db"])
    marked = {
        r["wp_id"]
        for r in db.query(
            "select distinct c.wp_id from changes ch join comments c on c.id = ch.comment_id"
            " where ch.change = 'missing'"
        )
    }
    assert marked == {story["made"]["victim"]}


def test_full_recrawl_fetches_everything_and_changes_nothing(story) -> None:
    first, full = story["first"], story["full"]
    assert full["site"]["mode"] == "full"
    assert len(page_fetches(full)) > len(page_fetches(first))  # one post more than the first time
    assert full["changes"] == Counter()
    assert full["crawl"]["posts_changed"] == 0 and full["crawl"]["comments_changed"] == 0


def test_views_answer_what_changed_and_what_came_late(story) -> None:
    db = open_db(story["db"])
    # After the full re-crawl the last crawl changed nothing.
    assert list(db.query("select * from last_crawl_changes")) == []
    # The course ended with its last 2013 post; the reunion post came later, so say when.
    db.execute("update sites set course_end = '2013-05-15'")
    late = {r["comment_id"]: r for r in db.query("select * from late_comments")}
    new_ids = set(story["made"]["comments"]) | {story["made"]["pingback"]}
    late_wp = {db.execute("select wp_id from comments where id = ?", [i]).fetchone()[0] for i in late}
    assert new_ids <= late_wp
    row = next(iter(late.values()))
    assert row["course_end"].startswith("20") and row["days_after"] > 0 and row["first_seen"]
    assert list(db.query("select * from missing")) == []


def test_crawl_rows_record_each_run(story) -> None:
    db = open_db(story["db"])
    rows = list(db.query("select status, posts_new, comments_new, arguments, requests, finished from crawls"))
    assert [r["status"] for r in rows] == ["finished"] * 7
    assert all(r["finished"] and r["requests"] and r["arguments"] for r in rows)
    modes = [r["mode"] for r in db.query("select mode from site_crawls order by id")]
    assert modes == ["full", *["incremental"] * 5, "full"]


# --- Comments approved late ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def late(site, story, tmp_path_factory) -> dict[str, Any]:
    """Two comments held for moderation, one written three days ago and one sixty: crawled while
    they wait, then approved, and crawled again. Both are dated before the last crawl. The recent
    one is in the re-crawl's comment listing, which reaches ARCHIVE_LATE_APPROVAL_DAYS (30) further
    back; the old one is found by the comment count of its batch of posts."""
    folder = tmp_path_factory.mktemp("late")
    source, db = sqlite3.connect(story["db"]), folder / "archive.db"
    copy = sqlite3.connect(db)
    source.backup(copy)
    source.close()
    copy.execute("update sites set course_end = null")  # set by test_views_answer_what_changed_...
    copy.commit()
    copy.close()
    truth = site.ground_truth()
    posts = [p for p in truth["posts"] if p["type"] == "post" and not p["password_protected"]]
    comments_of: dict[int, list[dict]] = {}
    for comment in truth["comments"]:
        comments_of.setdefault(comment["post_id"], []).append(comment)
    recent_post, old_post = [p for p in posts[10:] if one_comment_page(comments_of.get(p["id"], []))][:2]
    recent = site.add_comment(
        recent_post["id"], "Quiet student", "Posted before the deadline, approved days later.", days_ago=3,
        approved=False,
    )
    old = site.add_comment(
        old_post["id"], "Forgotten reader", "Held for two months, then approved.", days_ago=60, approved=False
    )
    steps: dict[str, Any] = {"db": db, "recent": (recent_post["id"], recent["id"]), "old": (old_post["id"], old["id"])}
    steps["held"] = crawl(site, db)
    site.approve_comment(recent["id"])
    site.approve_comment(old["id"])
    steps["approved"] = crawl(site, db)
    steps["archive"] = snapshot(open_db(db), history=False)
    fresh = folder / "fresh.db"
    run_crawl(site.base_url + "/", fresh, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4")
    steps["fresh"] = snapshot(open_db(fresh), history=False)
    return steps


def test_a_comment_held_for_moderation_is_not_archived(late, story) -> None:
    held = late["held"]
    assert held["changes"] == Counter()
    assert page_fetches(held) == []
    assert listings(held) == listings(story["unchanged"])
    assert comment_id_pages(held) == 0


def test_comments_approved_late_are_archived(late, story) -> None:
    result, (recent_post, recent), (old_post, old) = late["approved"], late["recent"], late["old"]
    new = {("comment", "new", recent_post, recent): 1, ("comment", "new", old_post, old): 1}
    assert result["changes"] == Counter(new)
    # Their posts' pages; the old comment's own REST data (one `include=` request) after the comment
    # ids of the batch whose count rose; the recent one came with the comment listing.
    included = [p for p in paths(result) if "include=" in p]
    assert len(included) == 1 and included[0].startswith("/wp-json/wp/v2/comments?"), included
    assert parse_qs(urlsplit(included[0]).query)["include"] == [str(old)]
    assert len(posts_fetched(result)) == 2
    assert listings(result) == listings(story["unchanged"]) + Counter(included)
    assert comment_id_listings(result) and all(old_post in posts_named(p) for p in comment_id_listings(result))
    db = open_db(late["db"])
    held_since = datetime.fromisoformat(late["held"]["site"]["site_clock"])
    for comment, author, days in ((recent, "Quiet student", 2), (old, "Forgotten reader", 59)):
        row = next(db.query("select * from comments where wp_id = ?", [comment]))
        assert row["author"] == author and row["sources"] == "html,rest" and row["missing_since"] is None
        # Dated when it was written, long before the crawl that saw it held.
        assert datetime.fromisoformat(row["published"]) < held_since - timedelta(days=days)


def test_after_late_approvals_the_archive_equals_a_full_crawl(late) -> None:
    archive, fresh = late["archive"], late["fresh"]
    for _, comment in (late["recent"], late["old"]):
        assert any(dict(r)["key"] == f"wp:{comment}" for r in fresh["comments"])
    assert differences(archive, fresh) == [], "\n".join(differences(archive, fresh))


# --- Without the REST API, with validators -------------------------------------------------------


@pytest.fixture(scope="module")
def validated(site, story, tmp_path_factory) -> dict[str, Any]:
    """The same site read from its sitemaps, its pages answering conditional requests."""
    site.set_rest_mode("disabled")
    site.set_validators(True)
    try:
        db = tmp_path_factory.mktemp("validated") / "archive.db"
        steps: dict[str, Any] = {"first": crawl(site, db), "again": crawl(site, db)}
        truth = site.ground_truth()
        posts = [p for p in truth["posts"] if p["type"] == "post" and not p["password_protected"]]
        comments_of: dict[int, list[dict]] = {}
        for comment in truth["comments"]:
            comments_of.setdefault(comment["post_id"], []).append(comment)
        commented = next(p for p in posts[5:] if one_comment_page(comments_of.get(p["id"], [])))
        loser = next(
            p for p in posts[11:] if len(comments_of.get(p["id"], [])) >= 2 and one_comment_page(comments_of[p["id"]])
        )
        victim = comments_of[loser["id"]][-1]
        steps["made"] = {
            "comment": site.add_comment(commented["id"], "Late visitor", "Found this years later.")["id"],
            "commented": commented["id"],
            "loser": loser["id"],
            "victim": victim["id"],
        }
        site.delete_comment(victim["id"])
        steps["changed"] = crawl(site, db)
        gone = posts[20]
        site.trash_post(gone["id"])
        steps["gone"] = gone["id"]
        steps["trashed"] = crawl(site, db)
        site.restore_post(gone["id"])
        steps["db"] = db
        return steps
    finally:
        site.set_validators(False)
        site.set_rest_mode("open")


def test_unchanged_pages_answer_304_and_stay_present(validated) -> None:
    first, again = validated["first"], validated["again"]
    assert first["site"]["discovery"] == "sitemap" and again["site"]["mode"] == "incremental"
    pages = page_fetches(again)
    assert pages and {status for status, _ in pages} == {304}
    assert len(pages) == first["crawl"]["posts_new"]
    row = again["crawl"]
    assert (row["posts_missing"], row["comments_missing"], row["posts_changed"], row["comments_new"]) == (0, 0, 0, 0)
    assert row["comments_unchanged"] == first["crawl"]["comments_new"]


def test_without_rest_a_new_and_a_trashed_comment_are_found(validated) -> None:
    made, result = validated["made"], validated["changed"]
    assert result["changes"] == Counter(
        {
            ("comment", "new", made["commented"], made["comment"]): 1,
            ("comment", "missing", made["loser"], made["victim"]): 1,
        }
    )
    assert len(posts_fetched(result)) == 2  # the two changed pages; every other page answered 304


def test_without_rest_a_post_gone_from_the_sitemap_is_missing(validated) -> None:
    assert validated["trashed"]["changes"] == Counter({("post", "missing", validated["gone"], None): 1})
