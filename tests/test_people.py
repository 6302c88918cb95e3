"""People in the archive: roles, research views, the pseudonymised export, takedown, noarchive.

Every test crawls the sample course blog (tests/sampleblog) with the real spider into a real
SQLite file; expected values come from the blog's own data (tests/sampleblog/data.py: its users
and their roles, its comments and who wrote them), never from the archive.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import html as lxml_html
from warcio.archiveiterator import ArchiveIterator

from archive.masking import EMAIL
from spiders.extraction.discovery import rest_comment, rest_post
from spiders.extraction.document import Document
from spiders.extraction.people import author_link, comment_member
from spiders.extraction.robots import asks_not_to_archive, header_says_noarchive, html_says_noarchive
from tests.conftest import ROOT, run_crawl, serving
from tests.sampleblog import data
from tests.sampleblog.server import BlogRequestHandler, serve_in_thread

SITE_NAME = data.SITE.name


# --- Reading the signals ---------------------------------------------------------------------


def test_comment_class_marks_a_registered_user_and_the_post_author() -> None:
    node = lxml_html.fragment_fromstring(
        '<li id="comment-7" class="comment byuser comment-author-jdoe bypostauthor even thread-even depth-1"></li>'
    )
    assert comment_member(node) == ("jdoe", True, True)
    guest = lxml_html.fragment_fromstring('<li id="comment-8" class="comment even thread-odd depth-1"></li>')
    assert comment_member(guest) == (None, False, False)
    # A theme's own inner class, without byuser, names nobody.
    inner = lxml_html.fragment_fromstring('<div class="comment-author-link comment-author-name"></div>')
    assert comment_member(inner) == (None, False, False)


def test_the_post_authors_archive_link_gives_the_slug() -> None:
    page = (
        '<html><body class="single postid-5"><article id="post-5" class="post-5 post hentry">'
        '<h1 class="entry-title">A post</h1><span class="byline">by <a class="url fn n" '
        'href="/blog/author/mbell/">Marcus Bell</a></span><div class="entry-content"><p>Text.</p></div>'
        "</article><aside class=\"widget\"><a href='/blog/author/other/'>Marcus Bell</a></aside></body></html>"
    )
    doc = Document.parse(page, "http://blog.example.edu/blog/2013/01/a-post/")
    assert author_link(doc, doc.root.find(".//article"), "Marcus Bell") == (
        "http://blog.example.edu/blog/author/mbell/",
        "mbell",
        None,
    )
    assert author_link(doc, None, "Someone Else") == (None, None, None)


def test_the_rest_api_gives_user_ids_and_slugs() -> None:
    post = rest_post(
        {
            "id": 5,
            "link": "http://b.example/p/",
            "author": 3,
            "title": {"rendered": "T"},
            "_embedded": {"author": [{"id": 3, "name": "Zoë Novák", "slug": "znovak", "link": "http://b.example/author/znovak/"}]},
        },
        "http://b.example/",
        {},
        {},
    )
    assert (post.author, post.author_slug, post.author_user_id, post.author_url) == (
        "Zoë Novák",
        "znovak",
        3,
        "http://b.example/author/znovak/",
    )
    text = {"rendered": "<p>x</p>"}
    _, guest = rest_comment({"id": 9, "post": 5, "author": 0, "author_name": "Ruth", "content": text})
    _, user = rest_comment({"id": 10, "post": 5, "author": 3, "author_name": "Zoë", "content": text})
    assert (guest.author_user_id, guest.registered) == (None, False)
    assert (user.author_user_id, user.registered) == (3, True)


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        (["noarchive"], b"", True),
        (["noindex, noarchive"], b"", True),
        (["wparchive: noarchive"], b"", True),
        (["googlebot: noarchive"], b"", False),
        (["unavailable_after: 25 Jun 2010 15:00:00 PST"], b"", False),
        ([], b'<html><head><meta name="robots" content="noindex,noarchive"></head></html>', True),
        ([], b"<html><head><meta content='NOARCHIVE' name='ROBOTS'></head></html>", True),
        ([], b'<html><head><meta name="wparchive" content="noarchive"></head></html>', True),
        ([], b'<html><head><meta name="googlebot" content="noarchive"></head></html>', False),
        ([], b'<html><head><meta name="robots" content="noindex"></head><p>noarchive</p></html>', False),
    ],
)
def test_noarchive_as_robots_meta_and_header(headers, body, expected) -> None:
    assert asks_not_to_archive(headers, body, "text/html; charset=UTF-8") is expected
    assert header_says_noarchive(headers) or html_says_noarchive(body) or not expected


# --- Crawls of the sample blog -----------------------------------------------------------------


def crawl(tmp_path: Path, name: str, *extra: str, handler: type | None = None) -> Path:
    """The sample blog crawled into tmp_path/name.db (the real spider); returns the archive."""
    server, base = serve_in_thread()
    if handler is not None:
        server.RequestHandlerClass = handler
    try:
        db = tmp_path / f"{name}.db"
        run_crawl(base + "/", db, *extra)
        return db
    finally:
        server.shutdown()
        server.server_close()


def wparchive(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "archive.cli", *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def rows(db_path: Path, sql: str, params: tuple = ()) -> list[dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def expected_people() -> dict[str, str]:
    """Each person of the sample blog by name, with the role the blog's own data gives them."""
    roles = {u.display_name: u.role for u in data.USERS if any(c.user_id == u.id for c in data.COMMENTS)
             or any(p.author == u.id for p in data.all_entries())}
    for c in data.COMMENTS:
        if c.user_id == 0:
            roles.setdefault(c.author_name, "guest" if c.type == "comment" else "external")
    return roles


@pytest.fixture(scope="module")
def blog():
    """The sample blog for this module's crawls: one address, so that a re-crawl is of the same site."""
    server, base = serve_in_thread()
    yield base + "/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def archived(blog, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("people") / "blog.db"
    run_crawl(blog, db)
    return db


def test_people_and_roles_match_the_blogs_users(archived) -> None:
    people = rows(archived, "SELECT * FROM people")
    by_name = {p["name"]: p for p in people}
    expected = expected_people()
    # Pingbacks from one site are one external person; every other name is one person.
    externals = {p["name"] for p in people if p["role"] == "external"}
    assert {n for n, r in expected.items() if r != "external"} == {n for n in by_name if n not in externals}
    for name, role in expected.items():
        if role == "external":
            continue
        assert by_name[name]["role"] == role, name
    for user in data.USERS:
        if user.display_name in by_name:
            person = by_name[user.display_name]
            assert (person["user_id"], person["slug"]) == (user.id, user.slug)
    assert len(externals) == len({re.sub(r"^https?://([^/]+).*", r"\1", c.author_url) for c in data.COMMENTS
                                   if c.type != "comment"})
    # Every comment and post points at the person who wrote it.
    for c in data.COMMENTS:
        row = rows(archived, "SELECT pe.name, pe.role FROM comments c JOIN people pe ON pe.id = c.person_id"
                   " WHERE c.wp_id = ?", (c.id,))
        assert row, c.id
        if c.type == "comment":
            assert row[0]["name"] == c.author_name
    for entry in data.all_entries():
        row = rows(archived, "SELECT pe.name FROM posts p JOIN people pe ON pe.id = p.person_id WHERE p.wp_id = ?",
                   (entry.id,))
        assert row == [{"name": data.user(entry.author).display_name}]
    counts = Counter(c.author_name for c in data.COMMENTS if c.type == "comment")
    for name, n in counts.items():
        assert by_name[name]["comments"] == n, name


def test_research_views_follow_the_roles(archived) -> None:
    instructor = next(u for u in data.USERS if u.role == "instructor")
    students = {u.id for u in data.USERS if u.role == "student"}
    by_id = {c.id: c for c in data.COMMENTS}
    entries = {e.id: e for e in data.all_entries()}
    replies = rows(archived, "SELECT c.wp_id, r.* FROM instructor_replies r JOIN comments c ON c.id = r.comment_id")
    assert sorted(r["wp_id"] for r in replies) == sorted(
        c.id for c in data.COMMENTS if c.user_id == instructor.id and c.type == "comment"
    )
    for r in replies:
        c = by_id[r["wp_id"]]
        answered = by_id[c.parent].author_name if c.parent else data.user(entries[c.post].author).display_name
        assert r["answered"] == answered

    def answered_user(c) -> int:
        return by_id[c.parent].user_id if c.parent else entries[c.post].author

    expected = sorted(
        c.id for c in data.COMMENTS
        if c.type == "comment" and c.user_id in students
        and answered_user(c) in students and answered_user(c) != c.user_id
    )
    got = rows(archived, "SELECT c.wp_id FROM student_replies r JOIN comments c ON c.id = r.comment_id")
    assert sorted(r["wp_id"] for r in got) == expected
    times = {
        r["post_id"]: r
        for r in rows(archived, "SELECT r.*, p.wp_id FROM response_times r JOIN posts p ON p.id = r.post_id")
    }
    student_posts = [p for p in data.POSTS if p.author in students]
    assert {r["wp_id"] for r in times.values()} == {p.id for p in student_posts}
    for post in student_posts:
        row = next(r for r in times.values() if r["wp_id"] == post.id)
        others = [c for c in data.COMMENTS if c.post == post.id and c.type == "comment" and c.user_id != post.author]
        if not others:
            assert row["hours_to_first_response"] is None
            continue
        first = min(data.utc(c.date) for c in others)
        hours = (first - data.utc(post.date)).total_seconds() / 3600
        assert row["hours_to_first_response"] == pytest.approx(hours, abs=0.051), post.id  # rounded to 0.1


def test_roles_set_by_argument_and_by_hand_survive_recrawls(blog, tmp_path) -> None:
    marcus = next(u for u in data.USERS if u.display_name == "Marcus Bell")
    db = tmp_path / "roles.db"
    run_crawl(blog, db, "-a", f"instructors={marcus.slug}")
    assert rows(db, "SELECT role, role_source FROM people WHERE name = ?", (marcus.display_name,)) == [
        {"role": "instructor", "role_source": "crawl argument"}
    ]
    run_crawl(blog, db)  # no argument this time
    assert rows(db, "SELECT role FROM people WHERE name = ?", (marcus.display_name,)) == [{"role": "instructor"}]
    out = wparchive("people", "--db", str(db), "--set-role", "guest", "Zoë Novák").stdout
    assert "guest (was student)" in out
    run_crawl(blog, db, "-s", "ARCHIVE_FULL_RECRAWL=True", "-a", "instructors=Zoë Novák")
    assert rows(db, "SELECT role, role_source FROM people WHERE name = 'Zoë Novák'") == [
        {"role": "guest", "role_source": "set by hand"}
    ]
    listing = wparchive("people", "--db", str(db)).stdout
    assert "Zoë Novák" in listing and "set by hand" in listing


# --- The pseudonymised export ------------------------------------------------------------------


def every_string(db_path: Path) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text value in every table of a database."""
    conn = sqlite3.connect(db_path)
    try:
        found = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
            for row in conn.execute(f"SELECT * FROM [{table}]"):
                found += [(table, c, v) for c, v in zip(columns, row, strict=True) if isinstance(v, str)]
        return found
    finally:
        conn.close()


def personal_data(db_path: Path) -> set[str]:
    """Every name, URL and e-mail address of a person in the source archive (the blog's data too)."""
    found = {u.display_name for u in data.USERS} | {u.url for u in data.USERS if u.url} | {u.slug for u in data.USERS}
    found |= {c.author_name for c in data.COMMENTS} | {c.author_url for c in data.COMMENTS if c.author_url}
    for row in rows(db_path, "SELECT author, author_url, author_slug FROM comments UNION SELECT author, author_url,"
                    " author_slug FROM posts UNION SELECT name, url, slug FROM people"):
        found |= {v for v in row.values() if v}
    return {v for v in found if len(v) >= 3}


def test_the_export_holds_no_name_url_or_email_of_anyone(archived, tmp_path) -> None:
    out = tmp_path / "research.db"
    key = tmp_path / "keys" / "hist380.key"
    said = wparchive("export", "--db", str(archived), "--pseudonymise", "--key-file", str(key), str(out))
    assert "people pseudonymised" in said.stdout and key.exists()
    needles = personal_data(archived)
    hits = [
        (table, column, needle)
        for table, column, value in every_string(out)
        for needle in needles
        if needle.casefold() in value.casefold()
    ]
    assert hits == []
    assert [v for _, _, v in every_string(out) if EMAIL.search(v)] == []
    raw = out.read_bytes()
    assert [n for n in needles if n.encode() in raw] == []  # not in free pages or old index segments
    # Texts and threads stay: same rows, same reply structure, names replaced by pseudonyms.
    assert rows(out, "SELECT count(*) n FROM comments") == rows(archived, "SELECT count(*) n FROM comments")
    assert rows(out, "SELECT id, parent_id, depth FROM comments ORDER BY id") == rows(
        archived, "SELECT id, parent_id, depth FROM comments ORDER BY id"
    )
    pseudonyms = {r["name"] for r in rows(out, "SELECT name FROM people")}
    assert all(re.fullmatch(r"Person [0-9a-f]{8}", p) for p in pseudonyms)
    greeting = next(c for c in data.COMMENTS if c.content.startswith("<p>Welcome, Zoë."))
    text = rows(out, "SELECT content_text FROM comments WHERE wp_id = ?", (greeting.id,))[0]["content_text"]
    zoe = rows(out, "SELECT pe.name FROM posts p JOIN people pe ON pe.id = p.person_id WHERE p.wp_id = ?",
               (next(p.id for p in data.POSTS if data.user(p.author).display_name == "Zoë Novák"),))[0]["name"]
    assert text.startswith(f"Welcome, {zoe}.")


def test_the_same_key_gives_the_same_pseudonyms(archived, tmp_path) -> None:
    key = tmp_path / "k"
    for name in ("a", "b"):
        wparchive("export", "--db", str(archived), "--pseudonymise", "--key-file", str(key),
                  str(tmp_path / f"{name}.db"))
    wparchive("export", "--db", str(archived), "--pseudonymise", "--key-file", str(tmp_path / "other"),
              str(tmp_path / "c.db"))
    names = {n: [r["name"] for r in rows(tmp_path / f"{n}.db", "SELECT name FROM people ORDER BY id")] for n in "abc"}
    assert names["a"] == names["b"]
    assert not set(names["a"]) & set(names["c"])


def test_shifted_dates_move_every_date_of_a_site_alike(archived, tmp_path) -> None:
    out = tmp_path / "shifted.db"
    wparchive("export", "--db", str(archived), "--pseudonymise", "--shift-dates", "--key-file", str(tmp_path / "k"),
              str(out))
    from datetime import datetime

    before = {r["wp_id"]: r["published"] for r in rows(archived, "SELECT wp_id, published FROM comments")}
    after = {r["wp_id"]: r["published"] for r in rows(out, "SELECT wp_id, published FROM comments")}
    shifts = {datetime.fromisoformat(after[k]) - datetime.fromisoformat(v) for k, v in before.items() if v}
    assert len(shifts) == 1 and shifts.pop().days < 0
    assert not any(re.search(r"/20\d\d/\d\d/", r["url"]) for r in rows(out, "SELECT url FROM posts"))


def test_canned_queries_run_on_a_pseudonymised_export_in_datasette(archived, tmp_path) -> None:
    """Every canned query gives as many rows on the export, served by a real Datasette, as on the
    archive it came from (names differ, the shape of the data does not)."""
    from archive.research import CANNED_QUERIES, query_parameters

    out = tmp_path / "served.db"
    wparchive("export", "--db", str(archived), "--pseudonymise", "--key-file", str(tmp_path / "k"), str(out))
    post_id = rows(out, "SELECT post_id FROM comments GROUP BY post_id ORDER BY count(*) DESC LIMIT 1")[0]["post_id"]
    values = {"site": "", "post_id": str(post_id), "q": "blockade", "instructor": ""}
    with serving(out, "people-export-serve.log") as base:
        for name, query in CANNED_QUERIES.items():
            names = query_parameters(query["sql"])
            expected = len(rows(archived, query["sql"].replace(":", ":"), tuple()) if not names else
                           _run(archived, query["sql"], {n: values[n] for n in names}))
            params = "&".join(f"{n}={values[n]}" for n in names)
            with urllib.request.urlopen(f"{base}/served/{name}.json?_shape=objects&{params}", timeout=30) as answer:
                body = json.load(answer)
            assert answer.status == 200, name
            assert len(body["rows"]) == expected, name
        assert expected_nonempty(base)


def _run(db_path: Path, sql: str, params: dict) -> list:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def expected_nonempty(base: str) -> bool:
    for view in ("instructor_replies", "student_replies", "response_times", "people", "authors"):
        suffix = "?_shape=objects" + ("&site=&instructor=" if view == "authors" else "")
        with urllib.request.urlopen(f"{base}/served/{view}.json{suffix}", timeout=30) as answer:
            assert json.load(answer)["rows"], view
    return True


# --- Takedown ----------------------------------------------------------------------------------


def their_texts(name: str) -> set[str]:
    """What a person wrote on the sample blog, as pieces of plain text (the blog's own data)."""
    pieces = {name}
    user = next((u for u in data.USERS if u.display_name == name), None)
    texts = [c.content for c in data.COMMENTS if c.author_name == name]
    if user is not None:
        texts += [p.content for p in data.all_entries() if p.author == user.id]
        texts += [p.title for p in data.all_entries() if p.author == user.id]
    for text in texts:
        plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
        for sentence in re.split(r"(?<=[.!?])\s+", plain):
            if len(sentence) >= 25 and "{{" not in sentence:
                pieces.add(sentence[:60])
    return pieces


def found_in_files(db: Path, pieces: set[str]) -> list[str]:
    """Pieces found in the database files (file, WAL) or in any record of the crawls' WACZ files."""
    hits = []
    for path in (db, Path(f"{db}-wal")):
        if path.exists():
            raw = path.read_bytes()
            hits += [f"{path.name}: {p}" for p in pieces if p.encode() in raw]
    for wacz in sorted(db.with_name(f"{db.stem}.wacz").glob("*.wacz")):
        with zipfile.ZipFile(wacz) as archive:
            for member in archive.namelist():
                body = archive.read(member)
                texts = []
                if member.startswith("archive/"):
                    for record in ArchiveIterator(io.BytesIO(body)):
                        texts.append(record.content_stream().read().decode("utf-8", "replace"))
                else:
                    texts.append((gzip.decompress(body) if member.endswith(".gz") else body).decode("utf-8", "replace"))
                for text in texts:
                    text = html.unescape(text).replace("\\/", "/")
                    text = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), text)
                    text = " ".join(re.sub(r"<[^>]+>", " ", text).split())
                    hits += [f"{wacz.name}/{member}: {p}" for p in pieces if p in text]
    return hits


def test_forget_removes_a_person_everywhere_and_recrawls_keep_them_out(blog, archived, tmp_path) -> None:
    db = tmp_path / "archive.db"
    shutil.copy(archived, db)
    shutil.copytree(archived.with_name(f"{archived.stem}.wacz"), tmp_path / "archive.wacz")
    name = "Zoë Novák"
    pieces = their_texts(name)
    assert len(found_in_files(db, pieces)) > 10  # the test can see them before
    zoe = next(u for u in data.USERS if u.display_name == name)
    theirs = [c for c in data.COMMENTS if c.author_name == name]
    replies_to_them = [c for c in data.COMMENTS if c.parent in {t.id for t in theirs}]
    said = wparchive("forget", name, "--db", str(db), "--reason", "request of 2026-12-06").stdout
    assert f"{sum(p.author == zoe.id for p in data.all_entries())} posts, {len(theirs)} comments" in said
    assert found_in_files(db, pieces) == []
    # Tombstones keep the threads' shape: the same comments, parents and depths.
    assert rows(db, "SELECT count(*) n FROM comments WHERE forgotten IS NOT NULL") == [{"n": len(theirs)}]
    for reply in replies_to_them:
        row = rows(db, "SELECT parent.forgotten FROM comments c JOIN comments parent ON parent.id = c.parent_id"
                   " WHERE c.wp_id = ?", (reply.id,))
        assert row and row[0]["forgotten"] is not None
    takedown = rows(db, "SELECT * FROM takedowns")
    assert len(takedown) == 1 and takedown[0]["reason"] == "request of 2026-12-06"
    assert takedown[0]["comments"] == len(theirs) and takedown[0]["records"] > 0
    assert rows(db, "SELECT count(*) n FROM blocked_people") != [{"n": 0}]
    assert rows(db, "SELECT count(*) n FROM posts_fts WHERE posts_fts MATCH 'Novák'") == [{"n": 0}]
    # The crawls' WACZ files are still valid, and later crawls (full, then incremental) keep them out.
    from archive.warc import validate_wacz

    for wacz in (tmp_path / "archive.wacz").glob("*.wacz"):
        assert validate_wacz(wacz)[0], wacz
    run_crawl(blog, db, "-s", "ARCHIVE_FULL_RECRAWL=True")
    run_crawl(blog, db)
    assert found_in_files(db, pieces) == []
    assert len(list((tmp_path / "archive.wacz").glob("*.wacz"))) == 3
    assert rows(db, "SELECT count(*) n FROM comments WHERE forgotten IS NOT NULL") == [{"n": len(theirs)}]
    crawls = rows(db, "SELECT posts_changed, comments_changed, comments_missing FROM site_crawls ORDER BY id")
    assert crawls[-2:] == [{"posts_changed": 0, "comments_changed": 0, "comments_missing": 0}] * 2
    # The archive as published says what happened where their comments were.
    post_id = rows(db, "SELECT c.post_id FROM comments c JOIN posts p ON p.id = c.post_id"
                   " WHERE c.forgotten IS NOT NULL AND p.forgotten IS NULL LIMIT 1")[0]["post_id"]
    with serving(db, "people-forget-serve.log") as base, urllib.request.urlopen(
        f"{base}/-/post/{post_id}", timeout=30
    ) as answer:
        page = answer.read().decode("utf-8")
    assert "removed at its author&#39;s request" in page and name not in page


def replayed_page(replay: str, url: str) -> tuple[int, str]:
    """A page as pywb replays it (the archived bytes, unframed), with pywb's status."""
    try:
        with urllib.request.urlopen(f"{replay}/wparchive/mp_/{url}", timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:  # pywb not listening yet
        return 0, ""


def test_forget_while_serve_runs_takes_them_out_of_the_running_replay(archived, tmp_path) -> None:
    """`forget` while `wparchive serve` runs: its pywb serves the redacted copies from the next
    request on (no restart), and the other pages still answer."""
    db = tmp_path / "archive.db"
    shutil.copy(archived, db)
    shutil.copytree(archived.with_name(f"{archived.stem}.wacz"), tmp_path / "archive.wacz")
    name = "Zoë Novák"
    zoe = next(u for u in data.USERS if u.display_name == name)
    commented = next(p for p in data.POSTS if p.author != zoe.id and any(
        c.post == p.id and c.author_name == name for c in data.COMMENTS))  # another's post, with their comment
    other = next(p for p in data.POSTS if p.author != zoe.id and not any(
        c.post == p.id and c.author_name == name for c in data.COMMENTS))
    theirs, others = (rows(db, "SELECT url FROM posts WHERE title = ?", (p.title,))[0]["url"]
                      for p in (commented, other))
    with serving(db, "people-forget-while-serving.log") as base:
        replay = f"http://127.0.0.1:{int(base.rsplit(':', 1)[1]) + 1}"
        deadline = time.monotonic() + 60
        while replayed_page(replay, theirs)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        status, before = replayed_page(replay, theirs)
        assert status == 200 and name in before
        wparchive("forget", name, "--db", str(db), "--reason", "request of 2026-12-06")
        status, after = replayed_page(replay, theirs)
        assert status == 200 and name not in after and html.escape(commented.title, quote=False) in after
        status, page = replayed_page(replay, others)
        assert status == 200 and html.escape(other.title, quote=False) in page


# --- noarchive ----------------------------------------------------------------------------------


ASKS_BY_HEADER = next(p for p in data.POSTS if p.slug.startswith("the-berlin-blockade"))
ASKS_BY_META = next(p for p in data.POSTS if p.slug.startswith("stalins-five-year"))


class NoarchiveHandler(BlogRequestHandler):
    """The sample blog, with one post that sends `X-Robots-Tag: noarchive` and one whose page
    carries `<meta name="robots" content="noarchive">`."""

    def answer(self, method: str) -> None:
        response = self.server.site.handle(method, self.path)
        self.server.record(method, self.path, response.status)
        body = response.body
        path = self.path.partition("?")[0]
        if path.endswith(f"/{ASKS_BY_META.slug}/"):
            body = body.replace(b"<head>", b'<head><meta name="robots" content="noarchive">', 1)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if path.endswith(f"/{ASKS_BY_HEADER.slug}/"):
            self.send_header("X-Robots-Tag", "noarchive")
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)


def test_pages_that_ask_not_to_be_archived_are_not(tmp_path) -> None:
    db = crawl(tmp_path, "respect", handler=NoarchiveHandler)
    archived = {r["wp_id"] for r in rows(db, "SELECT wp_id FROM posts")}
    assert archived == {e.id for e in data.all_entries()} - {ASKS_BY_HEADER.id, ASKS_BY_META.id}
    assert rows(db, "SELECT status FROM site_crawls") == [{"status": "complete"}]
    stats = json.loads(rows(db, "SELECT stats FROM crawls")[0]["stats"])
    assert stats["wparchive/skipped/noarchive"] == 2
    kept = []
    for wacz in db.with_name("respect.wacz").glob("*.wacz"):
        with zipfile.ZipFile(wacz) as archive:
            for member in archive.namelist():
                if member.startswith("archive/"):
                    for record in ArchiveIterator(io.BytesIO(archive.read(member))):
                        if record.rec_type == "response":
                            kept.append(record.rec_headers.get_header("WARC-Target-URI"))
    assert not [u for u in kept if u.endswith((f"/{ASKS_BY_HEADER.slug}/", f"/{ASKS_BY_META.slug}/"))]
    everything = crawl(tmp_path, "override", "-s", "ARCHIVE_RESPECT_NOARCHIVE=False", handler=NoarchiveHandler)
    assert {r["wp_id"] for r in rows(everything, "SELECT wp_id FROM posts")} == {e.id for e in data.all_entries()}


# --- Masking, on texts written for the purpose ---------------------------------------------------


def test_masking_names_mentions_greetings_emails_links_and_avatars() -> None:
    from archive.masking import Masker, Person

    tom = Person({"Tom Baker"}, "tbaker", {"https://tom.example.org/"}, "Person aaaa")
    ann = Person({"Ann Lee", "Ann L."}, "alee", set(), "Person bbbb")
    other_ann = Person({"Ann Moss"}, None, set(), "Person cccc")
    masker = Masker([tom, ann, other_ann])
    text = (
        "Hi Tom, I agree with tom baker and @tbaker here. Ann thinks so too, and Baker wrote it first. "
        "Dear Priya: see https://tom.example.org/notes/ and write to tom@example.org. "
        '<img src="https://secure.gravatar.com/avatar/0123456789abcdef0123456789abcdef?s=48"> '
        "Thanks @someone! Hello everyone."
    )
    masked = masker.text(text)
    assert "Tom" not in masked and "tom baker" not in masked and "tbaker" not in masked and "Baker" not in masked
    assert masked.startswith("Hi Person aaaa, I agree with Person aaaa and @Person aaaa here.")
    # "Ann" is two people's first name: it says nobody in particular, and stays (the full names go).
    assert "Ann thinks" in masked
    assert "Dear [name]:" in masked  # a greeting names someone the archive does not know
    assert "[email]" in masked and "@example.org" not in masked
    assert "tom.example.org" not in masked and "#removed" in masked
    assert "gravatar" not in masked
    assert "@[name]!" in masked and "Hello everyone." in masked
    assert masker.text("Ann Lee and Ann L. and Ann Moss") == "Person bbbb and Person bbbb and Person cccc"
