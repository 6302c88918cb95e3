"""Bad input: 404s, timeouts, broken HTML, legacy encodings, unreadable dates, untitled pages.

Each is logged and counted, the field is NULL rather than wrong, and the crawl goes on.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from archive.db import open_db
from tests.conftest import crawl_stats, run_crawl

POST = """<!DOCTYPE html><html lang="en"><head>{head}<title>{title} | Bad Input Blog</title>
<meta name="generator" content="WordPress 3.5.1"></head>
<body class="single single-post postid-{id}"><div id="content"><article id="post-{id}" class="post type-post hentry">
<h1 class="entry-title">{title}</h1><div class="entry-meta"><span class="entry-date">{date}</span></div>
<div class="entry-content">{body}</div></article>
<div id="comments"><h3 id="comments-title">{count} Responses to &#8220;{title}&#8221;</h3>
<ol class="commentlist">{comments}</ol></div>
</div></body></html>"""
COMMENT = """<li class="comment depth-1" id="li-comment-{id}"><div id="comment-{id}">
<div class="comment-author vcard"><cite class="fn">{author}</cite> <span class="says">says:</span></div>
<div class="comment-meta commentmetadata"><a href="#comment-{id}">{date}</a></div>
<div class="comment-body"><p>{text}</p></div></div></li>"""


def page(
    id: int,
    title: str,
    date: str = "April 7, 2013",
    body: str = "<p>Body.</p>",
    comments: str = "",
    count: int = 0,
    head: str = '<meta charset="utf-8">',
) -> str:
    return POST.format(id=id, title=title, date=date, body=body, comments=comments, count=count, head=head)


PAGES: dict[str, tuple[int, dict[str, str], bytes]] = {}


def build_pages(base: str) -> None:
    links = ["good", "missing", "slow", "broken", "cp1252", "latin1", "baddate", "untitled", "server-error", "notapost"]
    home = (
        "<html><head><meta name='generator' content='WordPress 3.5.1'></head><body class='home blog'>"
        + "".join(
            f'<article id="post-{i}" class="post"><h2 class="entry-title">'
            f'<a href="{base}/{slug}/" rel="bookmark">{slug}</a></h2></article>'
            for i, slug in enumerate(links, start=1)
        )
        + "</body></html>"
    )
    html = {"Content-Type": "text/html; charset=utf-8"}
    PAGES["/"] = (200, html, home.encode())
    PAGES["/good/"] = (
        200,
        html,
        page(
            1,
            "A good post",
            comments=COMMENT.format(id=10, author="Ann", date="April 8, 2013 at 9:02 am", text="Fine."),
            count=1,
        ).encode(),
    )
    PAGES["/broken/"] = (
        200,
        html,
        (
            page(
                4,
                "Broken markup",
                comments=COMMENT.format(id=40, author="Bo", date="April 8, 2013", text="<b>unclosed <i>tags"),
            )
            .replace("</ol></div>", "", 1)
            .replace("</article>", "</div></div></span>")[:-30]
        ).encode(),
    )
    cp = page(
        5,
        "Café “quotes” – dash",
        head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
        body="<p>Ångström’s café — naïve.</p>",
    )
    PAGES["/cp1252/"] = (200, {"Content-Type": "text/html"}, cp.encode("cp1252"))
    latin = page(6, "Économie française", head='<meta charset="iso-8859-1">', body="<p>Über Ça été.</p>")
    PAGES["/latin1/"] = (200, {"Content-Type": "text/html; charset=ISO-8859-1"}, latin.encode("latin-1"))
    PAGES["/baddate/"] = (
        200,
        html,
        page(
            7,
            "Unreadable date",
            date="Thirtember the 45th",
            comments=COMMENT.format(id=70, author="Cy", date="someday", text="When?"),
            count=1,
        ).encode(),
    )
    PAGES["/untitled/"] = (200, html, page(8, "").replace("<title> | Bad Input Blog</title>", "").encode())
    PAGES["/notapost/"] = (
        200,
        html,
        b"<html><head><title>Department news</title></head><body><h1>News</h1>"
        b"<p>The department moved to a new building.</p></body></html>",
    )
    PAGES["/server-error/"] = (500, html, b"<html><body>Error establishing a database connection</body></html>")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/slow/":
            time.sleep(8)
        status, headers, body = PAGES.get(path, (404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    build_pages(base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    db_path = tmp_path_factory.mktemp("bad") / "bad.db"
    result = run_crawl(base + "/", db_path, "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=0")
    server.shutdown()
    db = open_db(db_path)
    yield db, result
    db.close()


def titles(db) -> set[str]:
    return {row["title"] for row in db.query("select title from posts")}


def test_good_pages_are_archived_and_the_crawl_goes_on(crawled) -> None:
    db, _ = crawled
    assert titles(db) == {
        "A good post",
        "Broken markup",
        "Café “quotes” – dash",
        "Économie française",
        "Unreadable date",
    }


def test_failures_are_counted(crawled) -> None:
    db, _ = crawled
    stats = crawl_stats(db)
    assert stats["wparchive/post_failed/404"] == 1
    assert stats["wparchive/post_failed/500"] == 1
    assert stats["wparchive/post_failed/DownloadTimeoutError"] == 1
    assert stats["wparchive/dropped/no_title"] == 1
    assert stats["wparchive/skipped/not_a_post"] == 1
    row = db.execute("select status, posts_saved, items_dropped from crawls").fetchone()
    assert tuple(row) == ("finished", 5, 1)


def test_legacy_encodings_are_decoded(crawled) -> None:
    db, _ = crawled
    texts = {r["title"]: r["content_text"] for r in db.query("select title, content_text from posts")}
    assert texts["Café “quotes” – dash"] == "Ångström’s café — naïve."
    assert texts["Économie française"] == "Über Ça été."


def test_unreadable_dates_are_null_not_guessed(crawled) -> None:
    db, _ = crawled
    post = next(db.query("select id, published from posts where title = 'Unreadable date'"))
    assert post["published"] is None
    comment = next(db.query("select published, author from comments where post_id = ?", [post["id"]]))
    assert comment == {"published": None, "author": "Cy"}


def test_broken_markup_still_gives_the_comment(crawled) -> None:
    db, _ = crawled
    rows = list(
        db.query(
            "select c.author, c.content_text from comments c join posts p on p.id = c.post_id "
            "where p.title = 'Broken markup'"
        )
    )
    assert rows == [{"author": "Bo", "content_text": "unclosed tags"}]


def test_stats_are_kept_as_json(crawled) -> None:
    db, _ = crawled
    stats = json.loads(db.execute("select stats from crawls").fetchone()[0])
    assert stats["wparchive/discovery/html"] == 1


# --- A damaged archive ------------------------------------------------------------------------------


def damaged_archive(path, how: str):
    """A real archive, then damaged: its schema page overwritten, or its header (not SQLite)."""
    open_db(path).conn.close()
    data = bytearray(path.read_bytes())
    if how == "schema":
        data[100:612] = b"\xff" * 512
    else:
        data[:16] = b"not an archive!!"
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return bytes(data)


@pytest.mark.parametrize("how", ["schema", "header"])
def test_a_damaged_archive_stops_the_crawl_before_any_request(tmp_path, how) -> None:
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import ROOT
    from tests.sampleblog.server import serve_in_thread

    path = tmp_path / "archive.db"
    before = damaged_archive(path, how)
    server, base = serve_in_thread(port=0)
    try:
        wparchive = str(Path(sys.executable).with_name("wparchive"))
        result = subprocess.run(
            [wparchive, "crawl", base + "/", "--db", str(path), "--contact", "tests@localhost"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 6, result.stderr[-2000:]
        assert f"Not crawling: the archive {path} cannot be read" in result.stderr
        assert ".recover" in result.stderr
        scrapy = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "wordpress", "-a", f"url={base}/", "-s", f"ARCHIVE_DB={path}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert scrapy.returncode != 0 and "Not crawling: the archive" in scrapy.stderr
        assert server.request_log == []  # not even robots.txt
    finally:
        server.shutdown()
        server.server_close()
    assert path.read_bytes() == before  # left exactly as it was, for recovery
