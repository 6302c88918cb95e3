"""People on a real WordPress (Debian's packages, seeded by tests/wordpress/seed.php): roles against
WordPress's own users table, the pseudonymised export, and a takedown followed by a re-crawl.

Expected values come from WordPress's database (`ground_truth()`: users with their roles, every
approved comment with its user id, every post with its author).
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from archive.masking import EMAIL
from tests.conftest import ROOT, require, run_crawl
from tests.test_people import every_string, found_in_files, rows, wparchive

sys.path.insert(0, str(ROOT / "tests" / "wordpress"))
import harness  # noqa: E402

pytestmark = pytest.mark.wordpress


@pytest.fixture(scope="module")
def site(wordpress_dirs):
    missing = harness.missing_requirements()
    require(not missing, f"real WordPress not installed (missing {missing}): make system-deps")
    with harness.WordPressSite(wordpress_dirs["site"]) as wp:
        wp.set_rest_mode("open")
        wp.set_theme("twentytwentyone")
        yield wp


@pytest.fixture(scope="module")
def truth(site) -> dict[str, Any]:
    return site.ground_truth()


@pytest.fixture(scope="module")
def archived(site, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("people-wp") / "wp.db"
    run_crawl(site.base_url + "/", db, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4")
    return db


def expected_role(user: dict[str, Any], truth: dict[str, Any]) -> str:
    """The role a WordPress user has in a course blog: who can publish pages teaches."""
    wrote_page = any(p["author_id"] == user["id"] and p["type"] == "page" for p in truth["posts"])
    return "instructor" if wrote_page and set(user["roles"]) & {"administrator", "editor"} else "student"


def test_roles_match_wordpress_users_and_comments(archived, truth) -> None:
    people = rows(archived, "SELECT * FROM people")
    by_user = {p["user_id"]: p for p in people if p["user_id"]}
    active = {c["user_id"] for c in truth["comments"]} | {p["author_id"] for p in truth["posts"]}
    for user in truth["users"]:
        if user["id"] not in active:
            continue
        person = by_user[user["id"]]
        assert (person["name"], person["slug"]) == (user["display_name"], user["nicename"])
        assert person["role"] == expected_role(user, truth), user["login"]
    assert any(p["role"] == "instructor" for p in people)
    by_name = {p["name"]: p for p in people}
    for comment in truth["comments"]:
        if comment["user_id"] == 0 and comment["type"] == "comment":
            assert by_name[comment["author"]]["role"] == "guest", comment["author"]
    external = [p for p in people if p["role"] == "external"]
    assert external and all(p["user_id"] is None for p in external)
    # Each archived comment points at its author's person: a user's comments at that user.
    linked = rows(
        archived,
        "SELECT c.wp_id, pe.user_id, pe.name FROM comments c JOIN people pe ON pe.id = c.person_id",
    )
    users = {c["id"]: c["user_id"] for c in truth["comments"]}
    assert len(linked) == len(truth["comments"])
    for row in linked:
        if users[row["wp_id"]]:
            assert row["user_id"] == users[row["wp_id"]], row


def personal_data(truth: dict[str, Any]) -> set[str]:
    """Every person's name, URL and user slug (as WordPress prints a slug: a user's may be a word
    such as "instructor"). A pingback's URL on the blog itself is a post's, not a person's."""
    found = set()
    home = truth["site"]["base_url"]
    for user in truth["users"]:
        slug = user["nicename"]
        found |= {user["display_name"], user["url"], f"/author/{slug}", f"comment-author-{slug}"}
    for comment in truth["comments"]:
        found.add(comment["author"])
        if not comment["author_url"].startswith(home):
            found.add(comment["author_url"])
    return {v for v in found if v and len(v) >= 3}


def test_the_export_of_a_real_blog_names_nobody(archived, truth, tmp_path) -> None:
    out = tmp_path / "export.db"
    wparchive("export", "--db", str(archived), "--pseudonymise", "--key-file", str(tmp_path / "k"), str(out))
    needles = personal_data(truth)
    strings = every_string(out)
    hits = sorted({(t, c, n) for t, c, v in strings for n in needles if n.casefold() in v.casefold()})
    assert hits == []
    assert [v for _, _, v in strings if EMAIL.search(v)] == []
    assert rows(out, "SELECT count(*) n FROM comments") == [{"n": len(truth["comments"])}]


def sentences(text: str) -> set[str]:
    plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
    return {s[:60] for s in re.split(r"(?<=[.!?])\s+", plain) if len(s) >= 25}


def their_pieces(user: dict[str, Any], truth: dict[str, Any]) -> set[str]:
    """Sentences only this user wrote (the seed reuses some sentences across people), their post
    titles, and their name."""
    mine: set[str] = set()
    others: set[str] = set()
    for comment in truth["comments"]:
        (mine if comment["user_id"] == user["id"] else others).update(sentences(comment["content"]))
    for post in truth["posts"]:
        if post["password_protected"]:
            continue
        (mine if post["author_id"] == user["id"] else others).update(sentences(post["content"]))
    titles = {p["title_text"] for p in truth["posts"] if p["author_id"] == user["id"] and len(p["title_text"]) >= 12}
    return (mine - others) | {user["display_name"]} | titles


def test_forget_on_a_real_blog_and_recrawl(site, archived, truth, tmp_path) -> None:
    db = tmp_path / "archive.db"
    shutil.copy(archived, db)
    shutil.copytree(archived.with_name(f"{archived.stem}.wacz"), tmp_path / "archive.wacz")
    student = next(u for u in truth["users"] if "author" in u["roles"] and any(
        c["user_id"] == u["id"] for c in truth["comments"]) and any(p["author_id"] == u["id"] for p in truth["posts"]))
    pieces = their_pieces(student, truth)
    assert len(pieces) >= 3 and found_in_files(db, pieces)  # (the seed reuses its sentences: titles, name)
    wparchive("forget", student["nicename"], "--db", str(db), "--reason", "a takedown test")
    assert found_in_files(db, pieces) == []
    links = {p["link"].rstrip("/") for p in truth["posts"] if p["author_id"] == student["id"]}
    # Their comments, and the pingbacks and trackbacks their posts sent (an excerpt of their text).
    theirs = [
        c for c in truth["comments"]
        if c["user_id"] == student["id"] or (c["type"] != "comment" and c["author_url"].rstrip("/") in links)
    ]
    assert len(theirs) > len([c for c in truth["comments"] if c["user_id"] == student["id"]])
    assert rows(db, "SELECT count(*) n FROM comments WHERE forgotten IS NOT NULL") == [{"n": len(theirs)}]
    assert rows(db, "SELECT count(*) n FROM comments") == [{"n": len(truth["comments"])}]
    run_crawl(site.base_url + "/", db, "-s", "ARCHIVE_FULL_RECRAWL=True", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4")
    assert found_in_files(db, pieces) == []
    assert rows(db, "SELECT count(*) n FROM comments WHERE forgotten IS NOT NULL") == [{"n": len(theirs)}]
    assert rows(db, "SELECT status, comments_new, posts_new FROM site_crawls ORDER BY id DESC LIMIT 1") == [
        {"status": "complete", "comments_new": 0, "posts_new": 0}
    ]
