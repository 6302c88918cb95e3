"""History in the archive, on real SQLite: versions only on change, missing and back, what a
re-crawl reads back, the crawl lock, dead crawls, views, and migrating an older archive."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict

import pytest

from archive.db import (
    ArchiveLock,
    ArchiveLocked,
    archived_posts,
    close_dead_crawls,
    finish_site,
    open_db,
    read_archived_posts,
    read_site_state,
    save_post_result,
    save_site,
    site_state,
    start_crawl,
)
from spiders.items import Comment, Post, SiteCrawl, Term

SITE = "http://blogs.example.edu/hist380/"


def post(**changes) -> dict:
    data = asdict(
        Post(
            url=SITE + "2013/04/07/hungary/",
            site_url=SITE,
            wp_id=412,
            title="Hungary, 1956",
            author="Jane Student",
            published="2013-04-07T10:15:00-04:00",
            modified="2013-04-07T10:15:00-04:00",
            terms=[Term("category", "Reading Responses")],
            content_html="<p>Rakosi.</p>",
            content_text="Rakosi.",
            comments=[
                Comment(
                    wp_id=41,
                    author="Tom",
                    published="2013-04-08T09:02:00-04:00",
                    content_text="Two issues.",
                    sources=["html", "rest"],
                ),
                Comment(wp_id=45, parent_wp_id=41, depth=2, author="Jane", content_text="Thanks!", sources=["html"]),
                Comment(wp_id=44, author="Ping", type="pingback", content_text="[…] linked […]", sources=["html"]),
            ],
            fetched=[{"url": SITE + "2013/04/07/hungary/", "etag": '"abc"', "last_modified": None, "lastmod": None}],
            sources=["html", "rest"],
        )
    )
    data.update(changes)
    return data


def changes(db, crawl: int) -> list[tuple]:
    return [
        (r["kind"], r["change"], r["comment_wp"])
        for r in db.query(
            "select ch.kind, ch.change, c.wp_id as comment_wp from changes ch"
            " left join comments c on c.id = ch.comment_id where ch.crawl_id = ? order by ch.kind desc, c.wp_id",
            [crawl],
        )
    ]


def test_a_version_only_when_something_changed(db) -> None:
    first = start_crawl(db, {})
    site = save_site(db, SITE, first)
    result = save_post_result(db, site, post(), first)
    assert result.change == "new" and dict(result.comments) == {"new": 3}
    assert changes(db, first) == [
        ("post", "new", None),
        ("comment", "new", 41),
        ("comment", "new", 44),
        ("comment", "new", 45),
    ]
    second = start_crawl(db, {})
    result = save_post_result(db, site, post(), second)
    assert result.change == "unchanged" and dict(result.comments) == {"unchanged": 3}
    assert changes(db, second) == []
    third = start_crawl(db, {})
    result = save_post_result(
        db, site, post(title="Hungary, 1956 (revised)", modified="2013-05-01T09:00:00-04:00"), third
    )
    assert result.change == "changed"
    versions = list(db.query("select crawl_id, title from post_versions order by crawl_id"))
    assert versions == [
        {"crawl_id": first, "title": "Hungary, 1956"},
        {"crawl_id": third, "title": "Hungary, 1956 (revised)"},
    ]
    assert db["posts"].get(result.post_id)["title"] == "Hungary, 1956 (revised)"
    assert result.counts() == {"posts_changed": 1, "comments_unchanged": 3}


def test_comments_missing_and_back(db) -> None:
    first = start_crawl(db, {})
    site = save_site(db, SITE, first)
    save_post_result(db, site, post(), first)
    second = start_crawl(db, {})
    fewer = post()
    fewer["comments"] = fewer["comments"][:2]
    fewer["comments"][0]["content_text"] = "Two issues, edited."
    result = save_post_result(db, site, fewer, second)
    assert dict(result.comments) == {"changed": 1, "unchanged": 1, "missing": 1}
    assert changes(db, second) == [("comment", "changed", 41), ("comment", "missing", 44)]
    row = next(db.query("select missing_since, content_text from comments where wp_id = 44"))
    assert row == {"missing_since": second, "content_text": "[…] linked […]"}  # kept, marked
    assert db["posts"].get(result.post_id)["comment_count_captured"] == 2
    third = start_crawl(db, {})
    result = save_post_result(db, site, post(), third)
    assert dict(result.comments) == {"back": 1, "changed": 1, "unchanged": 1}
    assert db.execute("select count(*) from comments where missing_since is not null").fetchone()[0] == 0


@pytest.mark.parametrize(
    "incomplete",
    [{"comments_complete": False}, {"external_comments": "disqus"}, {"protected": True}, {"comment_count_declared": 3}],
    ids=["a comment page failed", "disqus", "protected", "more declared than found"],
)
def test_an_incomplete_comment_list_marks_nothing_missing(db, incomplete) -> None:
    first = start_crawl(db, {})
    site = save_site(db, SITE, first)
    save_post_result(db, site, post(), first)
    fewer = post(**incomplete)
    fewer["comments"] = fewer["comments"][:1]
    result = save_post_result(db, site, fewer, start_crawl(db, {}))
    assert "missing" not in result.comments
    assert db.execute("select count(*) from comments where missing_since is not null").fetchone()[0] == 0


def test_finish_site_marks_seen_confirmed_and_missing(db) -> None:
    first = start_crawl(db, {})
    site = save_site(db, SITE, first)
    kept = save_post_result(db, site, post(), first).post_id
    gone = save_post_result(db, site, post(wp_id=500, url=SITE + "gone/", comments=[]), first).post_id
    second = start_crawl(db, {})
    report = SiteCrawl(
        site_url=SITE,
        status="complete",
        mode="incremental",
        discovery="rest",
        site_clock="2024-05-01T02:00:00+00:00",
        requests=9,
        rest_comment_total=3,
        seen=[kept],
        confirmed=[kept],
        missing=[gone],
        validators=[{"url": SITE + "comments/feed/", "etag": '"f1"', "last_modified": "Wed, 01 May 2024 02:00:00 GMT"}],
    )
    added = finish_site(db, second, asdict(report), {"comments_new": 2})
    assert added == {"posts_unchanged": 1, "comments_unchanged": 3, "posts_missing": 1}
    assert db["posts"].get(kept)["last_crawl"] == second and db["posts"].get(gone)["missing_since"] == second
    assert {r["last_crawl"] for r in db.query("select last_crawl from comments")} == {second}
    row = next(db.query("select * from site_crawls"))
    assert (row["status"], row["mode"], row["requests"], row["comments_new"], row["posts_missing"]) == (
        "complete",
        "incremental",
        9,
        2,
        1,
    )
    assert changes(db, second) == [("post", "missing", None)]
    state = site_state(db, SITE)
    assert state is not None
    assert (state.last_complete_crawl, state.last_site_clock) == (second, "2024-05-01T02:00:00+00:00")
    assert state.discovery == db.execute("select discovery from sites").fetchone()[0]
    assert row["rest_comment_total"] == 3
    known = state.by_wp_id[412]
    assert (set(known.comment_ids), set(known.rest_comment_ids), known.missing) == ({41, 44, 45}, {41}, False)
    assert state.by_wp_id[500].missing
    assert state.urls[SITE + "2013/04/07/hungary/"] == kept
    assert state.validators[SITE + "comments/feed/"]["etag"] == '"f1"'
    assert state.validators[SITE + "2013/04/07/hungary/"]["etag"] == '"abc"'


def test_archived_posts_give_back_what_a_refetch_merges_again(db, tmp_path) -> None:
    first = start_crawl(db, {})
    site = save_site(db, SITE, first)
    save_post_result(db, site, post(), first)
    fewer = post()
    fewer["comments"] = [c for c in fewer["comments"] if c["wp_id"] != 45]
    save_post_result(db, site, fewer, start_crawl(db, {}))
    got = archived_posts(db, SITE, [412, 999])
    assert list(got) == [412]
    stored = got[412]
    assert {k: v for k, v in stored.items() if k not in ("terms", "comments")} == {
        "url": SITE + "2013/04/07/hungary/",
        "wp_id": 412,
        "type": "post",
        "title": "Hungary, 1956",
        "author": "Jane Student",
        "author_url": None,
        "author_slug": None,
        "author_user_id": None,
        "published": "2013-04-07T10:15:00-04:00",
        "modified": "2013-04-07T10:15:00-04:00",
        "content_html": "<p>Rakosi.</p>",
        "content_text": "Rakosi.",
        "protected": False,
        "sources": ["html", "rest"],
    }
    assert stored["terms"] == [{"taxonomy": "category", "name": "Reading Responses", "url": None}]
    comments = {c["wp_id"]: c for c in stored["comments"]}
    assert comments[41] == {
        "wp_id": 41,
        "parent_wp_id": None,
        "depth": 1,
        "author": "Tom",
        "author_url": None,
        "author_user_id": None,
        "published": "2013-04-08T09:02:00-04:00",
        "type": "comment",
        "content_html": None,
        "content_text": "Two issues.",
        "sources": ["html", "rest"],
        "missing": False,
    }
    assert (comments[44]["type"], comments[44]["sources"], comments[44]["missing"]) == ("pingback", ["html"], False)
    assert (comments[45]["parent_wp_id"], comments[45]["depth"], comments[45]["missing"]) == (41, 2, True)
    assert archived_posts(db, "http://blogs.example.edu/other/", [412]) == {}
    assert read_archived_posts(tmp_path / "none.db", SITE, [412]) == {}


def test_a_failed_or_partial_site_changes_no_post(db) -> None:
    first = start_crawl(db, {})
    site = save_site(db, SITE, first)
    kept = save_post_result(db, site, post(), first).post_id
    second = start_crawl(db, {})
    report = asdict(
        SiteCrawl(site_url=SITE, status="failed", mode="none", error="HTTP 500", seen=[kept], missing=[kept])
    )
    assert finish_site(db, second, report, {}) == {}
    assert db["posts"].get(kept)["missing_since"] is None and db["posts"].get(kept)["last_crawl"] == first
    assert site_state(db, SITE).last_complete_crawl is None  # a failed crawl is never the one to start from
    unknown = asdict(SiteCrawl(site_url="http://down.example/", status="failed", mode="none", error="refused"))
    finish_site(db, second, unknown, {})
    assert next(db.query("select site_id from site_crawls where url = 'http://down.example/'"))["site_id"] is None


def test_read_site_state_is_read_only_and_none_when_unknown(tmp_path) -> None:
    path = tmp_path / "archive.db"
    assert read_site_state(path, SITE) is None
    db = open_db(path)
    crawl = start_crawl(db, {})
    save_post_result(db, save_site(db, SITE, crawl), post(), crawl)
    db.close()
    state = read_site_state(path, SITE)
    assert state is not None and state.last_complete_crawl is None and len(state.posts) == 1
    assert read_site_state(path, "http://other.example/") is None


def test_one_crawl_at_a_time_and_dead_crawls_are_closed(tmp_path) -> None:
    path = tmp_path / "archive.db"
    first, second = ArchiveLock(path), ArchiveLock(path)
    first.acquire()
    with pytest.raises(ArchiveLocked, match=r"another crawl \(pid \d+\) is writing"):
        second.acquire(timeout=0.3)
    first.release()
    second.acquire()
    second.release()
    db = open_db(path)
    dead = start_crawl(db, {})
    assert close_dead_crawls(db) == [dead]
    assert db["crawls"].get(dead)["status"] == "killed"


def test_views_for_changes_late_comments_and_missing(db) -> None:
    first = start_crawl(db, {})
    site = save_site(db, SITE, first, name="HIST 380")
    save_post_result(db, site, post(), first)
    finish_site(db, first, asdict(SiteCrawl(SITE, "complete", "full")), {})
    second = start_crawl(db, {})
    later = post()
    later["comments"] = [
        *later["comments"][:2],
        asdict(Comment(wp_id=90, author="Alum", published="2014-01-10T12:00:00-05:00", content_text="Years later.")),
    ]
    save_post_result(db, site, later, second)
    finish_site(db, second, asdict(SiteCrawl(SITE, "complete", "incremental")), {})
    assert sorted(
        (r["kind"], r["change"], r["comment_author"]) for r in db.query("select * from last_crawl_changes")
    ) == [
        ("comment", "missing", "Ping"),
        ("comment", "new", "Alum"),
    ]
    # Without a course_end, the course ended with its last post (here the only one, on April 7).
    late = list(db.query("select author, course_end, days_after from late_comments order by days_after"))
    assert late == [
        {"author": "Tom", "course_end": "2013-04-07", "days_after": 1},
        {"author": "Alum", "course_end": "2013-04-07", "days_after": 278},
    ]
    db.execute("update sites set course_end = '2014-02-01'")
    assert list(db.query("select * from late_comments")) == []
    assert [(r["kind"], r["author"]) for r in db.query("select * from missing")] == [("comment", "Ping")]


def test_an_older_archive_is_migrated(tmp_path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE crawls (id INTEGER PRIMARY KEY, started TEXT, finished TEXT, status TEXT);
        CREATE TABLE sites (id INTEGER PRIMARY KEY, url TEXT, name TEXT, discovery TEXT, first_crawl INTEGER,
          last_crawl INTEGER);
        CREATE TABLE posts (id INTEGER PRIMARY KEY, site_id INTEGER, wp_id INTEGER, type TEXT, url TEXT,
          title TEXT, author TEXT, published TEXT, content_html TEXT, content_text TEXT, first_crawl INTEGER,
          last_crawl INTEGER);
        INSERT INTO crawls VALUES (1, '2013-05-01T00:00:00+00:00', '2013-05-01T00:10:00+00:00', 'finished');
        INSERT INTO sites VALUES (1, 'http://blogs.example.edu/hist380/', 'HIST 380', 'html', 1, 1);
        INSERT INTO posts VALUES (1, 1, 412, 'post', 'http://blogs.example.edu/hist380/2013/04/07/hungary/',
          'Hungary', 'Jane Student', '2013-04-07T10:15:00-04:00', '<p>Old.</p>', 'Old.', 1, 1);
        """
    )
    old.commit()
    old.close()
    db = open_db(path)
    assert "missing_since" in db["posts"].columns_dict and "content_hash" in db["comments"].columns_dict
    assert ("missing_since", "crawls") in {(fk.column, fk.other_table) for fk in db["posts"].foreign_keys}
    crawl = start_crawl(db, {})
    result = save_post_result(db, 1, post(title="Hungary, 1956"), crawl)
    assert result.change == "changed"
    titles = [r["title"] for r in db.query("select title from post_versions order by crawl_id")]
    assert titles == ["Hungary", "Hungary, 1956"]  # the content from before versions is kept
