"""Capture (issue 14, first part): every response of a crawl, with its request, in one WACZ per
crawl beside the archive; each post's page and comment pages point to their records.

The truth is the server: its request log says what was answered, and the pages it serves now are
the bytes the records must hold."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import urllib.request
import zipfile

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc import validate_wacz
from tests.conftest import ROOT, run_crawl
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread


@pytest.fixture(scope="module")
def captured(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("capture")
    db_path = folder / "archive.db"
    # Under a path, started without its slash: the first answer is a redirect, kept as well.
    server, base = serve_in_thread(port=0, prefix="/hist380")
    try:
        run_crawl(base, db_path)
        answered = server.requests()
        assert ("GET", "/hist380", 301) in answered
        bodies = {}
        for entry in data.all_entries():
            url = base + (f"/{entry.slug}/" if entry.type == "page" else f"/{entry.date:%Y/%m/%d}/{entry.slug}/")
            with urllib.request.urlopen(url) as response:  # the server on 127.0.0.1
                bodies[url] = response.read()
    finally:
        server.shutdown()
        server.server_close()
    waczs = sorted((folder / "archive.wacz").glob("*.wacz"))
    records = []
    with zipfile.ZipFile(waczs[0]) as wacz:
        names = wacz.namelist()
        for name in names:
            if name.startswith("archive/") and name.endswith(".warc.gz"):
                for record in ArchiveIterator(io.BytesIO(wacz.read(name))):
                    records.append(
                        {
                            "type": record.rec_type,
                            "id": record.rec_headers.get_header("WARC-Record-ID"),
                            "uri": record.rec_headers.get_header("WARC-Target-URI"),
                            "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                            "concurrent": record.rec_headers.get_header("WARC-Concurrent-To"),
                            "status": (
                                int(record.http_headers.get_statuscode())
                                if record.rec_type in ("response", "revisit")
                                else None
                            ),
                            "body": record.content_stream().read(),
                        }
                    )
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()[1:]]
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return {
        "folder": folder,
        "base": base,
        "waczs": waczs,
        "names": names,
        "records": records,
        "pages": pages,
        "answered": answered,
        "bodies": bodies,
        "db": db,
    }


def test_one_valid_wacz_beside_the_archive(captured) -> None:
    assert [p.parent.name for p in captured["waczs"]] == ["archive.wacz"]
    ok, said = validate_wacz(captured["waczs"][0])
    assert ok, said
    assert {"datapackage.json", "pages/pages.jsonl", "indexes/index.cdx.gz"} <= set(captured["names"])
    stats = json.loads(captured["db"].execute("select stats from crawls").fetchone()[0])
    assert stats["wparchive/capture_wacz"] == captured["waczs"][0].name


def test_every_response_the_server_gave_is_a_record_with_its_request(captured) -> None:
    responses = [r for r in captured["records"] if r["type"] in ("response", "revisit")]
    requests = {r["concurrent"] for r in captured["records"] if r["type"] == "request"}
    served = sorted((captured["base"].split("/", 3)[2], path, status) for _, path, status in captured["answered"])
    recorded = sorted((r["uri"].split("/", 3)[2], "/" + r["uri"].split("/", 3)[3], r["status"]) for r in responses)
    assert recorded == served
    assert {r["id"] for r in responses} == requests  # each response has its request record


def test_each_post_page_record_holds_the_page_as_served(captured) -> None:
    by_uri = {r["uri"]: r for r in captured["records"] if r["type"] == "response"}
    for url, body in captured["bodies"].items():
        assert by_uri[url]["body"] == body, url
    assert {p["url"] for p in captured["pages"]} >= set(captured["bodies"])


def test_every_post_points_to_its_records(captured) -> None:
    db = captured["db"]
    by_id = {r["id"]: r for r in captured["records"] if r["type"] == "response"}
    posts = db.execute("select id, url from posts").fetchall()
    pointed = {row["post_id"] for row in db.execute("select post_id from captures where kind = 'post page'")}
    assert pointed == {post["id"] for post in posts}
    for row in db.execute("select * from captures"):
        record = by_id[row["record_id"]]
        assert (record["uri"], record["digest"], row["wacz"]) == (row["url"], row["digest"], captured["waczs"][0].name)
    comment_pages = db.execute("select count(*) from captures where kind = 'comment page'").fetchone()[0]
    assert comment_pages == sum(1 for _, path, _ in captured["answered"] if "comment-page-" in path)


def test_capture_can_be_turned_off_or_put_elsewhere(tmp_path) -> None:
    server, base = serve_in_thread(port=0)
    try:
        run_crawl(f"{base}/", tmp_path / "off.db", "-s", "ARCHIVE_CAPTURE=False")
        run_crawl(f"{base}/", tmp_path / "on.db", "-s", f"ARCHIVE_CAPTURE_DIR={tmp_path / 'elsewhere'}")
    finally:
        server.shutdown()
        server.server_close()
    assert not (tmp_path / "off.wacz").exists()
    assert sqlite3.connect(tmp_path / "off.db").execute("select count(*) from captures").fetchone()[0] == 0
    assert not (tmp_path / "on.wacz").exists()
    assert len(list((tmp_path / "elsewhere").glob("*.wacz"))) == 1


def test_rebuild_from_the_waczs_gives_the_same_archive_row_by_row(tmp_path) -> None:
    """Two crawls (a first one and an incremental re-crawl, mostly 304s) with capture on, then
    `wparchive rebuild` of both WACZs into a new file with the server stopped: every row the same
    (crawl ids and times aside)."""
    db_path = tmp_path / "archive.db"
    server, base = serve_in_thread(port=0)
    try:
        run_crawl(f"{base}/", db_path)
        run_crawl(f"{base}/", db_path)
    finally:
        server.shutdown()
        server.server_close()
    waczs = sorted((tmp_path / "archive.wacz").glob("*.wacz"))
    assert len(waczs) == 2
    assert rebuilt_statuses(db_path, waczs) == ["complete", "complete"]


def rebuilt_statuses(db_path, waczs) -> list[str]:
    """`wparchive rebuild` of the WACZ files into a new file beside the archive: every row the same
    as the archive's (crawl ids and times aside); the rebuilt sites' statuses, in order."""
    from archive.db import open_db
    from tests.archive_rows import differences, snapshot

    rebuilt = db_path.with_name("rebuilt.db")
    command = [sys.executable, "-m", "archive.cli", "rebuild", *map(str, waczs), "--db", str(rebuilt)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    crawled, again = snapshot(open_db(db_path)), snapshot(open_db(rebuilt))
    assert crawled["posts"] and crawled["comments"]
    assert not differences(crawled, again), differences(crawled, again)
    return [r[0] for r in sqlite3.connect(rebuilt).execute("select status from site_crawls order by id")]


def _response_records(wacz_path) -> dict[str, str]:
    """Record id -> target URI of every response and revisit record of one WACZ."""
    found = {}
    with zipfile.ZipFile(wacz_path) as wacz:
        for name in wacz.namelist():
            if name.startswith("archive/") and name.endswith(".warc.gz"):
                for record in ArchiveIterator(io.BytesIO(wacz.read(name))):
                    if record.rec_type in ("response", "revisit"):
                        found[record.rec_headers.get_header("WARC-Record-ID")] = record.rec_headers.get_header(
                            "WARC-Target-URI"
                        )
    return found


def test_a_big_crawl_is_kept_in_parts_that_rebuild_as_one_crawl(tmp_path) -> None:
    """With parts of 7 responses (`ARCHIVE_WACZ_PART_RESPONSES`), one crawl of the sample blog is
    kept in several WACZ files, each valid, each full part holding exactly 7 responses; together
    they hold every response the server gave, once; every capture row names the part that holds
    its record; the crawl's stats name every part; and `wparchive rebuild` of the parts, given in
    the shell's order (`-part2` sorts before the first part's name), gives the same rows."""
    db_path = tmp_path / "archive.db"
    server, base = serve_in_thread(port=0)
    try:
        run_crawl(f"{base}/", db_path, "-s", "ARCHIVE_WACZ_PART_RESPONSES=7")
        answered = server.requests()
    finally:
        server.shutdown()
        server.server_close()
    folder = tmp_path / "archive.wacz"
    waczs = sorted(folder.glob("*.wacz"))
    stats = json.loads(sqlite3.connect(db_path).execute("select stats from crawls").fetchone()[0])
    first = stats["wparchive/capture_wacz"]
    parts = stats["wparchive/capture_waczs"]
    expected_parts = -(-len(answered) // 7)
    assert parts == [first] + [first.replace(".wacz", f"-part{n}.wacz") for n in range(2, expected_parts + 1)]
    assert {p.name for p in waczs} == set(parts) and not list(folder.glob(".partial/*"))
    by_part = {}
    for path in waczs:
        ok, said = validate_wacz(path)
        assert ok, (path.name, said)
        by_part[path.name] = _response_records(path)
    assert [len(by_part[name]) for name in parts[:-1]] == [7] * (len(parts) - 1)
    assert sum(len(records) for records in by_part.values()) == len(answered)
    where = {record_id: name for name, records in by_part.items() for record_id in records}
    assert len(where) == len(answered)  # no record twice
    db = sqlite3.connect(db_path)
    rows = db.execute("select record_id, wacz, url from captures").fetchall()
    assert rows and all(where[record_id] == wacz for record_id, wacz, _ in rows)
    assert all(by_part[wacz][record_id] == url for record_id, wacz, url in rows)
    assert rebuilt_statuses(db_path, waczs) == ["complete"]


def test_media_of_every_post_are_kept_once_with_their_records(tmp_path) -> None:
    """Every image (the largest srcset candidate and the src) and attachment of the sample blog's
    posts: a media row with the post, type, size, digest, alt text and caption the blog has, and
    a record in the WACZ holding the file's bytes. A re-crawl fetches none of them again and
    keeps their first and last crawl."""
    import hashlib

    from archive.db import open_db

    db_path = tmp_path / "archive.db"
    server, base = serve_in_thread(port=0)
    try:
        run_crawl(f"{base}/", db_path)
        first = server.requests()
        server.reset_log()
        run_crawl(f"{base}/", db_path)
        second = server.requests()
        served = {}
        expected = {}
        for media in data.MEDIA:
            post = data.entry(media.parent)
            for size in ("full", "medium"):
                url = base + server.site.urls.upload(media, size).removeprefix(server.base_url)
                expected[url] = (post.slug, "image/png", media.alt, media.caption)
        for path, (content_type, _) in data.FILES.items():
            syllabus = next(p for p in data.all_entries() if path in p.content)
            expected[f"{base}/wp-content/uploads/{path}"] = (syllabus.slug, content_type, None, None)
        for url in expected:
            with urllib.request.urlopen(url) as response:  # the server on 127.0.0.1
                served[url] = response.read()
    finally:
        server.shutdown()
        server.server_close()
    db = open_db(db_path)
    rows = {
        r["url"]: r
        for r in db.query(
            "select m.*, p.url as post_url from media m join posts p on p.id = m.post_id"
        )
    }
    assert set(rows) == set(expected)
    for url, (slug, content_type, alt, caption) in expected.items():
        row = rows[url]
        assert row["post_url"].rstrip("/").endswith(slug), url
        assert (row["content_type"], row["alt"], row["caption"]) == (content_type, alt, caption), url
        assert (row["bytes"], row["sha256"]) == (len(served[url]), hashlib.sha256(served[url]).hexdigest()), url
        assert (row["first_crawl"], row["last_crawl"]) == (1, 2), url
    uploads = [path for _, path, _ in first if path.startswith("/wp-content/uploads/")]
    assert sorted(uploads) == sorted(set(uploads)) and len(uploads) == len(expected)  # each once
    assert not [path for _, path, _ in second if path.startswith("/wp-content/uploads/")]
    first_wacz = sorted((tmp_path / "archive.wacz").glob("*.wacz"))[0]  # names sort by time
    with zipfile.ZipFile(first_wacz) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".warc.gz"))
        bodies, revisits = {}, {}
        for r in ArchiveIterator(io.BytesIO(archive.read(name))):
            if r.rec_type == "response":
                bodies[r.rec_headers.get_header("WARC-Record-ID")] = r.content_stream().read()
            elif r.rec_type == "revisit":
                revisits[r.rec_headers.get_header("WARC-Record-ID")] = r.rec_headers.get_header("WARC-Refers-To")
    for url, row in rows.items():
        assert row["wacz"] == first_wacz.name, url
        kept = bodies.get(row["record_id"]) or bodies[revisits[row["record_id"]]]  # a revisit: the first's
        assert kept == served[url], url
    # The handout uploaded twice (the same bytes at two URLs): kept once, the second a revisit.
    handouts = [row for url, row in rows.items() if url.endswith(".pdf")]
    assert len(handouts) == 2 and handouts[0]["sha256"] == handouts[1]["sha256"]
    assert sum(1 for row in handouts if row["record_id"] in revisits) == 1


async def test_kept_files_are_served_from_the_wacz_pictures_inline_others_as_downloads(captured) -> None:
    from archive.datasette import datasette_instance

    ds = datasette_instance(captured["folder"] / "archive.db")
    rows = captured["db"].execute("select id, url, content_type, sha256 from media").fetchall()
    assert {r["content_type"] for r in rows} == {"image/png", "application/pdf"}
    for row in rows:
        response = await ds.client.get(f"/-/media/{row['id']}")
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == row["sha256"]
        assert response.headers["x-content-type-options"] == "nosniff"
        inline = row["content_type"] == "image/png"
        assert ("content-disposition" not in response.headers) == inline, row["url"]
        assert "default-src 'none'" in response.headers["content-security-policy"]
    assert (await ds.client.get("/-/media/999999")).status_code == 404
    assert (await ds.client.get("/-/media/99999999999999999999")).status_code == 404


def test_a_page_is_listed_even_when_the_clock_ticks_during_its_capture(tmp_path, monkeypatch) -> None:
    """py-wacz lists a page of pages.jsonl only where its time and its record's WARC-Date are the
    same second: the capture gives both one instant, however slow the write (a clock that moves a
    second at every reading makes any second reading differ)."""
    from datetime import UTC, datetime, timedelta

    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    import archive.warc
    from pipelines.capture import CaptureMiddleware

    class TickingClock(datetime):
        now_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

        @classmethod
        def now(cls, tz=None):
            cls.now_at += timedelta(seconds=1)
            return cls.now_at

    monkeypatch.setattr(archive.warc, "datetime", TickingClock)
    crawler = get_crawler(settings_dict={"ARCHIVE_CAPTURE_DIR": str(tmp_path)})
    middleware = CaptureMiddleware.from_crawler(crawler)
    urls = [f"http://127.0.0.1:9/post-{n}/" for n in range(3)]
    for url in urls:
        body = f"<html><head><title>Post</title></head><body><p>{url}</p></body></html>".encode()
        response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"}, request=Request(url))
        middleware.process_response(response.request, response)
    middleware.spider_closed()
    (wacz,) = tmp_path.glob("*.wacz")
    with zipfile.ZipFile(wacz) as archive_file:
        lines = archive_file.read("pages/pages.jsonl").decode().splitlines()[1:]
    assert sorted(json.loads(line)["url"] for line in lines) == urls
