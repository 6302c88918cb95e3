"""Storage: exact rows in an in-memory archive, idempotent upserts, atomic posts."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict

import pytest

from archive.db import finish_crawl, save_post, save_site, start_crawl
from archive.schema import TABLES
from spiders.items import Comment, Crumb, Post, ShareLink, Term

URL = "http://blogs.example.edu/hist380/2013/04/07/hungary/"


def sample_post(**changes) -> dict:
    post = Post(
        url=URL,
        site_url="http://blogs.example.edu/hist380/",
        wp_id=412,
        title="Hungary and the Soviet Union’s Intervention",
        author="Jane Student",
        published="2013-04-07T10:15:00-04:00",
        terms=[
            Term("category", "Uncategorized", "http://blogs.example.edu/hist380/category/uncategorized/"),
            Term("post_tag", "1956", None),
        ],
        content_html="<p>Matyas Rakosi …</p>",
        content_text="Matyas Rakosi …",
        breadcrumbs=[
            Crumb("Home", "http://blogs.example.edu/hist380/"),
            Crumb("Uncategorized", "http://blogs.example.edu/hist380/category/uncategorized/"),
            Crumb("Hungary and the Soviet Union’s Intervention", None),
        ],
        share_links=[
            ShareLink("digg", "http://digg.com/submit?url=x"),
            ShareLink("rss", "http://blogs.example.edu/hist380/feed/"),
        ],
        comment_count_declared=3,
        comments=[
            Comment(
                wp_id=41,
                author="Tom Ewing",
                published="2013-04-08T09:02:00",
                content_text="Two key issues.",
                sources=["html"],
            ),
            Comment(
                wp_id=45, parent_wp_id=41, depth=2, author="Jane Student", content_text="Thanks!", sources=["html"]
            ),
            Comment(wp_id=44, author="Matthew Moser", content_text="Nearly identical posts!", sources=["html", "rest"]),
        ],
        sources=["html"],
    )
    data = asdict(post)
    data.update(changes)
    return data


def test_schema_has_every_table_with_keys(db) -> None:
    for table in TABLES:
        assert db[table.name].exists()
        assert {c.name for c in table.columns} <= set(db[table.name].columns_dict)
    fks = {(fk.column, fk.other_table) for fk in db["comments"].foreign_keys}
    assert ("post_id", "posts") in fks and ("parent_id", "comments") in fks
    assert db["posts"].detect_fts() == "posts_fts"
    assert db["comments"].detect_fts() == "comments_fts"


def test_save_post_writes_exact_rows(db) -> None:
    crawl = start_crawl(db, {"url": "x"})
    site = save_site(db, "http://blogs.example.edu/hist380/", crawl, "HIST 380", "html")
    post_id = save_post(db, site, sample_post(), crawl)
    post = db["posts"].get(post_id)
    assert (
        post["wp_id"],
        post["title"],
        post["year"],
        post["comment_count_declared"],
        post["comment_count_captured"],
    ) == (412, "Hungary and the Soviet Union’s Intervention", 2013, 3, 3)
    assert list(db.query("select position, label, url from breadcrumbs order by position")) == [
        {"position": 1, "label": "Home", "url": "http://blogs.example.edu/hist380/"},
        {"position": 2, "label": "Uncategorized", "url": "http://blogs.example.edu/hist380/category/uncategorized/"},
        {"position": 3, "label": "Hungary and the Soviet Union’s Intervention", "url": None},
    ]
    assert list(db.query("select service, url from share_links order by position")) == [
        {"service": "digg", "url": "http://digg.com/submit?url=x"},
        {"service": "rss", "url": "http://blogs.example.edu/hist380/feed/"},
    ]
    assert list(
        db.query("select t.taxonomy, t.name from post_terms pt join terms t on t.id = pt.term_id order by t.id")
    ) == [{"taxonomy": "category", "name": "Uncategorized"}, {"taxonomy": "post_tag", "name": "1956"}]
    rows = list(
        db.query("select id, wp_id, parent_id, depth, position, author, sources from comments order by position")
    )
    assert rows == [
        {"id": 1, "wp_id": 41, "parent_id": None, "depth": 1, "position": 1, "author": "Tom Ewing", "sources": "html"},
        {"id": 2, "wp_id": 45, "parent_id": 1, "depth": 2, "position": 2, "author": "Jane Student", "sources": "html"},
        {
            "id": 3,
            "wp_id": 44,
            "parent_id": None,
            "depth": 1,
            "position": 3,
            "author": "Matthew Moser",
            "sources": "html,rest",
        },
    ]


def test_saving_twice_gives_the_same_rows(db) -> None:
    crawl = start_crawl(db, {})
    site = save_site(db, "http://blogs.example.edu/hist380/", crawl)
    save_post(db, site, sample_post(), crawl)
    before = {t.name: list(db[t.name].rows) for t in TABLES if t.name != "crawls"}
    crawl2 = start_crawl(db, {})
    assert save_site(db, "http://blogs.example.edu/hist380/", crawl2) == site
    save_post(db, site, sample_post(), crawl2)
    after = {t.name: list(db[t.name].rows) for t in TABLES if t.name != "crawls"}
    for name in before:
        strip = lambda rows: [{k: v for k, v in r.items() if k not in ("last_crawl",)} for r in rows]  # noqa: E731
        assert strip(after[name]) == strip(before[name]), name
    assert db["posts"].count == 1 and db["comments"].count == 3
    assert [r["first_crawl"] for r in db["comments"].rows] == [crawl] * 3
    assert [r["last_crawl"] for r in db["comments"].rows] == [crawl2] * 3


def test_comments_gone_from_the_page_are_kept(db) -> None:
    crawl = start_crawl(db, {})
    site = save_site(db, "http://blogs.example.edu/hist380/", crawl)
    save_post(db, site, sample_post(), crawl)
    fewer = sample_post()
    fewer["comments"] = fewer["comments"][:1]
    save_post(db, site, fewer, start_crawl(db, {}))
    assert db["comments"].count == 3


def test_every_comment_has_its_parent_whatever_the_order_it_came_in(db) -> None:
    """A reply listed before the comment it answers, a reply to a comment not archived (yet),
    and an archived comment whose parent a later crawl brings: each gets the id of the post's
    comment with its parent's WordPress id, or NULL, as the archive holds them after the save."""
    crawl = start_crawl(db, {})
    site = save_site(db, "http://blogs.example.edu/hist380/", crawl)

    def comments(*pairs: tuple[int, int | None]) -> list[dict]:
        return [asdict(Comment(wp_id=w, parent_wp_id=p, author=f"A{w}", content_text=f"C{w}")) for w, p in pairs]

    save_post(db, site, sample_post(comments=comments((52, 51), (51, None), (53, 50), (54, 54))), crawl)
    save_post(db, site, sample_post(comments=comments((50, None), (55, 52))), start_crawl(db, {}))
    parents = {r["wp_id"]: r["parent"] for r in db.query(
        "select c.wp_id, p.wp_id as parent from comments c left join comments p on p.id = c.parent_id")}
    assert parents == {52: 51, 51: None, 53: 50, 54: 54, 50: None, 55: 52}


def test_post_found_again_by_wp_id_when_its_url_changes(db) -> None:
    crawl = start_crawl(db, {})
    site = save_site(db, "http://blogs.example.edu/hist380/", crawl)
    first = save_post(db, site, sample_post(), crawl)
    moved = save_post(db, site, sample_post(url="http://blogs.example.edu/hist380/?p=412"), crawl)
    assert first == moved and db["posts"].count == 1


def test_comment_without_id_is_keyed_by_its_content(db) -> None:
    crawl = start_crawl(db, {})
    site = save_site(db, "http://blogs.example.edu/hist380/", crawl)
    post = sample_post(comments=[asdict(Comment(wp_id=None, author="Anon", content_text="Hello"))])
    save_post(db, site, post, crawl)
    save_post(db, site, post, crawl)
    assert [r["key"][:2] for r in db["comments"].rows] == ["h:"]


def test_a_failing_post_leaves_nothing_half_written(db) -> None:
    crawl = start_crawl(db, {})
    site = save_site(db, "http://blogs.example.edu/hist380/", crawl)
    broken = sample_post()
    broken["share_links"] = [{"service": "digg"}]  # no url: fails after the post row was written
    with pytest.raises(KeyError):
        save_post(db, site, broken, crawl)
    assert db["posts"].count == 0 and db["breadcrumbs"].count == 0 and db["comments"].count == 0


def test_crawl_rows_record_counts(db) -> None:
    crawl = start_crawl(db, {"url": "http://b.example/"})
    finish_crawl(
        db,
        crawl,
        "finished",
        "finished",
        {
            "downloader/request_count": 7,
            "downloader/response_count": 7,
            "wparchive/posts_saved": 2,
            "wparchive/comments_saved": 5,
            "log_count/ERROR": 1,
        },
    )
    row = db["crawls"].get(crawl)
    assert (row["status"], row["requests"], row["posts_saved"], row["comments_saved"], row["errors"]) == (
        "finished",
        7,
        2,
        5,
        1,
    )
    assert row["finished"] is not None


def test_foreign_keys_are_enforced(db) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO breadcrumbs (post_id, position, label) VALUES (999, 1, 'x')")


def test_integrity_view_names_posts_that_disagree(db) -> None:
    crawl = start_crawl(db, {})
    site = save_site(db, "http://blogs.example.edu/hist380/", crawl)
    save_post(db, site, sample_post(), crawl)  # declares 3, captures 3: consistent
    orphan = sample_post(
        url="http://blogs.example.edu/hist380/2013/04/08/other/",
        wp_id=413,
        comment_count_declared=5,
        comment_count_rest=2,
    )
    orphan["comments"] = [
        asdict(Comment(wp_id=50, parent_wp_id=49, depth=2, author="A", content_text="x", sources=["rest"]))
    ]
    save_post(db, site, orphan, crawl)
    rows = list(db.query("select url, declared, rest, captured, missing_ids from integrity"))
    assert rows == [
        {
            "url": "http://blogs.example.edu/hist380/2013/04/08/other/",
            "declared": 5,
            "rest": 2,
            "captured": 1,
            "missing_ids": "[49]",
        }
    ]


def test_a_new_column_with_a_foreign_key_does_not_rebuild_its_table(tmp_path) -> None:
    """An archive made before `posts.last_crawl` existed gains it in place (one ALTER TABLE, no copy
    of the table: minutes on a big archive), rows kept, the foreign key declared."""
    import sqlite_utils

    from archive.db import ensure_db_shape

    old = sqlite_utils.Database(tmp_path / "old.db")
    posts = next(table for table in TABLES if table.name == "posts")
    old["sites"].create({"id": int, "url": str}, pk="id")
    old["crawls"].create({"id": int}, pk="id")
    old["posts"].create(
        {column.name: column.type for column in posts.columns if column.name != "last_crawl"},
        pk="id",
        foreign_keys=[fk for fk in posts.foreign_keys if fk[0] != "last_crawl" and fk[1] in ("sites", "crawls")],
    )
    old["sites"].insert({"id": 1, "url": "https://blog.example.edu/"})
    old["posts"].insert({"id": 7, "site_id": 1, "url": "https://blog.example.edu/a/", "title": "A"})
    statements: list[str] = []
    old.conn.set_trace_callback(statements.append)
    ensure_db_shape(old)
    old.conn.set_trace_callback(None)
    # Statements that alter, drop or (re)create the posts table (a rebuild creates `posts_new_...`).
    shape = re.compile(r"^\s*(ALTER|DROP|CREATE) TABLE [\"\[]?posts([\"\]]|_new)", re.IGNORECASE)
    on_posts = [sql for sql in statements if shape.match(sql)]
    assert on_posts == ["ALTER TABLE [posts] ADD COLUMN [last_crawl] INTEGER REFERENCES [crawls]([id])"]
    assert ("last_crawl", "crawls", "id") in {
        (fk.column, fk.other_table, fk.other_column) for fk in old["posts"].foreign_keys
    }
    assert [(row["id"], row["title"], row["last_crawl"]) for row in old["posts"].rows] == [(7, "A", None)]
