"""Two faults of the archive's edges: a post URL that redirects to another host (its comments are
not the blog's), and an archive reached through a symlink (still one archive, one crawl at a time)."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from archive.db import ArchiveLock, ArchiveLocked, open_db
from tests.conftest import crawl_stats, run_crawl

POST = """<!DOCTYPE html><html><head><title>{title}</title><meta name="generator" content="WordPress 6.1">
</head><body class="single single-post postid-{id}"><article id="post-{id}" class="post type-post hentry">
<h1 class="entry-title">{title}</h1><div class="entry-content"><p>Text.</p></div></article>
<ol class="commentlist"><li class="comment depth-1" id="li-comment-{cid}"><div id="comment-{cid}">
<cite class="fn">{author}</cite><p>A comment.</p></div></li></ol></body></html>"""


def serve(
    pages: dict[str, tuple[int, dict[str, str], str]], host: str, requested: list[str] | None = None
) -> ThreadingHTTPServer:
    """A server of fixed pages (path without query -> status, headers, body) on `host`; each
    request's path is appended to `requested`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            if requested is not None:
                requested.append(self.path)
            status, headers, body = pages.get(self.path.split("?")[0], (404, {}, "<h1>Not found</h1>"))
            data = body.encode()
            self.send_response(status)
            for key, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_post_redirected_to_another_host_is_not_archived_as_the_blogs(tmp_path) -> None:
    other: dict[str, tuple[int, dict[str, str], str]] = {}
    elsewhere = serve(other, "127.0.0.2")
    other["/moved/"] = (200, {}, POST.format(id=9, cid=90, title="Another blog's post", author="Stranger"))
    pages: dict[str, tuple[int, dict[str, str], str]] = {}
    blog = serve(pages, "127.0.0.1")
    base = f"http://127.0.0.1:{blog.server_port}"
    home = (
        "<html><head><meta name='generator' content='WordPress 6.1'></head><body class='home blog'>"
        f'<article id="post-1" class="post"><h2 class="entry-title"><a href="{base}/stays/" rel="bookmark">a</a></h2>'
        f'</article><article id="post-2" class="post"><h2 class="entry-title"><a href="{base}/leaves/" rel="bookmark">'
        "b</a></h2></article></body></html>"
    )
    pages["/"] = (200, {}, home)
    pages["/stays/"] = (200, {}, POST.format(id=1, cid=10, title="Our post", author="Student"))
    pages["/leaves/"] = (302, {"Location": f"http://127.0.0.2:{elsewhere.server_port}/moved/"}, "")
    try:
        run_crawl(f"{base}/", tmp_path / "archive.db")
    finally:
        for server in (blog, elsewhere):
            server.shutdown()
            server.server_close()
    db = open_db(tmp_path / "archive.db")
    assert [r["title"] for r in db.query("select title from posts")] == ["Our post"]
    assert [r["author"] for r in db.query("select author from comments")] == ["Student"]
    assert crawl_stats(db)["wparchive/skipped/offsite_redirect"] == 1


def test_an_archive_reached_through_a_symlink_is_locked_as_one(tmp_path) -> None:
    real = tmp_path / "archive.db"
    open_db(real).close()
    link = tmp_path / "elsewhere" / "link.db"
    link.parent.mkdir()
    link.symlink_to(real)
    first = ArchiveLock(real)
    first.acquire()
    try:
        with pytest.raises(ArchiveLocked):
            ArchiveLock(link).acquire()
    finally:
        first.release()
    second = ArchiveLock(link)
    second.acquire()  # free again once the first crawl is done
    second.release()
