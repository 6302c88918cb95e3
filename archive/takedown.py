"""Takedown: forget a person everywhere in an archive, for good.

`forget(db_path, who, reason)` turns the person's posts and comments into tombstones (the thread
keeps its shape: ids, parents, depths, positions), masks their name and links in other people's
texts, deletes their post versions and files, rebuilds the full-text indexes and summaries,
rewrites the crawls' WACZ files without their records' content, records the takedown in
`takedowns`, and puts salted hashes of their identifiers on the block list (`blocked_people`),
which every later crawl honours (`archive.db.save_post_result`). The database file is vacuumed
so that nothing removed lingers in free pages or the write-ahead log.
"""

from __future__ import annotations

import contextlib
import html as html_lib
import io
import json
import logging
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

from archive.db import comment_hash, now, open_db, post_hash, tombstone_comment, tombstone_post, tombstone_url
from archive.masking import Masker, Person
from archive.people import BlockList, block_digest, find_people, identifiers, link_all_people, name_key
from archive.research import refresh_research_summaries
from archive.schema import FTS
from archive.warc import capture_folder
from spiders.urls import post_url_of_comment_page

logger = logging.getLogger(__name__)

FORGOTTEN = "[forgotten]"
_TOMBSTONE_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Removed</title></head>'
    "<body><p>Removed from this archive at the request of its author ({n}).</p></body></html>"
)


@dataclass
class Forgotten:
    """What one person left in the archive, gathered before it is removed: enough to find it in
    the captured pages and to check it is gone."""

    site_url: str
    takedown_id: int = 0
    names: set[str] = field(default_factory=set)
    slug: str | None = None
    urls: set[str] = field(default_factory=set)
    post_urls: set[str] = field(default_factory=set)
    post_wp_ids: set[int] = field(default_factory=set)
    comment_wp_ids: set[int] = field(default_factory=set)
    user_ids: set[int] = field(default_factory=set)
    media_urls: set[str] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)  # snippets of what they wrote
    words_taken: set[str] = field(default_factory=set)  # name words other people of the site have

    def masker(self) -> Masker:
        return Masker(
            [Person(self.names, self.slug, self.urls, FORGOTTEN)],
            unknown_name=FORGOTTEN,
            words_taken=self.words_taken,
            greetings=False,
        )

    def words(self) -> set[str]:
        """Their first names and surnames that nobody else on the site has."""
        return set(self.masker().tokens)


def forget(
    db_path: str | Path, who: str, reason: str, site: str | None = None, capture_dir: str | Path | None = None
) -> list[dict[str, Any]]:
    """Forget every person matching `who` (a person number, a name as shown, or a user slug; on
    every site unless `site`). Returns one takedown row per person forgotten."""
    db = open_db(db_path)
    link_all_people(db)
    people = find_people(db, who, site)
    if not people:
        db.conn.close()
        raise LookupError(f"nobody called {who!r} in {db_path}" + (f" on {site}" if site else ""))
    done = []
    gone: list[Forgotten] = []
    for person in people:
        row, forgotten = _forget_person(db, person, reason)
        done.append(row)
        gone.append(forgotten)
    refresh_research_summaries(db)
    for table in FTS:
        db.execute(f"INSERT INTO [{table}_fts]([{table}_fts]) VALUES('rebuild')")
    db.conn.commit()
    folder = Path(capture_dir) if capture_dir else capture_folder(db_path)
    records = redact_captures(db, folder, gone)
    for row, count in zip(done, records, strict=True):
        row["records"] = count
        db.execute("UPDATE takedowns SET records = ? WHERE id = ?", [count, row["id"]])
    db.conn.commit()
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    from archive.replay import refresh_replay_folder

    # pywb's copies of the WACZ files: made again from the redacted ones, where a running
    # `wparchive serve` or `replay` reads them.
    try:
        refresh_replay_folder(db_path)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
        logger.warning("The replay folder was removed, not refreshed (%s): restart wparchive serve", error)
    return done


def _forget_person(db: sqlite_utils.Database, person: dict[str, Any], reason: str) -> tuple[dict[str, Any], Forgotten]:
    conn = db.conn
    site_id, person_id = person["site_id"], person["id"]
    site_url = conn.execute("SELECT url FROM sites WHERE id = ?", [site_id]).fetchone()[0]
    forgotten = Forgotten(site_url, slug=person["slug"])
    if person["name"]:
        forgotten.names.add(person["name"])
    if person["url"]:
        forgotten.urls.add(person["url"])
    if person["user_id"]:
        forgotten.user_ids.add(person["user_id"])
    posts = list(db.query("SELECT * FROM posts WHERE person_id = ? AND forgotten IS NULL", [person_id]))
    comments = list(db.query("SELECT * FROM comments WHERE person_id = ? AND forgotten IS NULL", [person_id]))
    # Pingbacks and trackbacks their posts sent to others: an excerpt of their text, titled by it.
    own = {_bare(row["url"]) for row in posts}
    pings = [
        row
        for row in db.query(
            "SELECT c.* FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.site_id = ?"
            " AND c.type != 'comment' AND c.forgotten IS NULL AND c.author_url IS NOT NULL",
            [site_id],
        )
        if _bare(row["author_url"]) in own
    ]
    forgotten.texts += [piece for row in pings for piece in _snippets(row["content_text"])]
    forgotten.texts += [piece for row in pings for piece in _snippets(row["author"], minimum=12)]
    blocked: set[tuple[str, str]] = {("url", url.rstrip("/").casefold()) for row in posts if (url := row["url"])}
    for row in posts + comments:
        if row.get("author"):
            forgotten.names.add(row["author"])
        if row.get("author_url"):
            forgotten.urls.add(row["author_url"])
        if row.get("author_user_id"):
            forgotten.user_ids.add(row["author_user_id"])
        if row.get("author_slug") and not forgotten.slug:
            forgotten.slug = row["author_slug"]
        forgotten.texts += _snippets(row.get("content_text"))
        for kind, value in identifiers(
            row.get("author"), row.get("author_slug"), row.get("author_user_id"), row.get("author_url")
        ):
            blocked.add((kind, value))
    for kind, value in identifiers(person["name"], person["slug"], person["user_id"], person["url"]):
        blocked.add((kind, value))
    # Their first name and surname, where nobody else on the site has it: masked now in the texts of
    # others, and in what later crawls bring (the block list's "word" digests).
    others = {
        word
        for (name,) in conn.execute(
            "SELECT name FROM people WHERE site_id = ? AND id != ? AND name IS NOT NULL", [site_id, person_id]
        )
        for word in name.split()
    }
    forgotten.words_taken = others
    for word in forgotten.words():
        blocked.add(("word", word))
    for row in posts:
        forgotten.post_urls.add(row["url"])
        if row["wp_id"] is not None:
            forgotten.post_wp_ids.add(row["wp_id"])
        forgotten.texts += _snippets(row.get("title"), minimum=12)
    comments += pings
    forgotten.comment_wp_ids = {row["wp_id"] for row in comments if row["wp_id"] is not None}
    post_ids = [row["id"] for row in posts]
    with db.atomic():
        takedown_id = (
            db["takedowns"]
            .insert({"requested": now(), "site_id": site_id, "person_id": person_id, "reason": reason})
            .last_pk
        )
        for row in posts:
            tomb = tombstone_post(row, takedown_id)
            conn.execute(
                "UPDATE posts SET url = ?, title = NULL, author = NULL, author_url = NULL, author_slug = NULL,"
                " author_user_id = NULL, published = NULL, modified = NULL, year = NULL, content_html = NULL,"
                " content_text = NULL, forgotten = ?, content_hash = ? WHERE id = ?",
                [tomb["url"], takedown_id, post_hash(tomb), row["id"]],
            )
        media = 0
        for post_id in post_ids:
            for table in ("breadcrumbs", "share_links", "images", "post_terms", "url_state", "captures"):
                conn.execute(f"DELETE FROM [{table}] WHERE post_id = ?", [post_id])
            forgotten.media_urls.update(
                r[0] for r in conn.execute("SELECT url FROM media WHERE post_id = ?", [post_id])
            )
            media += conn.execute("DELETE FROM media WHERE post_id = ?", [post_id]).rowcount
        versions = sum(
            conn.execute("DELETE FROM post_versions WHERE post_id = ?", [post_id]).rowcount for post_id in post_ids
        )
        for row in comments:
            tomb = tombstone_comment(row, takedown_id)
            conn.execute(
                "UPDATE comments SET author = NULL, author_url = NULL, author_slug = NULL, author_user_id = NULL,"
                " registered = 0, by_post_author = 0, published = NULL, content_html = NULL, content_text = NULL,"
                " forgotten = ?, content_hash = ? WHERE id = ?",
                [takedown_id, comment_hash(tomb), row["id"]],
            )
        conn.execute(
            "UPDATE people SET name = NULL, slug = NULL, user_id = NULL, url = NULL, identity = ?, posts = 0,"
            " comments = 0 WHERE id = ?",
            [f"forgotten:{takedown_id}", person_id],
        )
        mentions = _mask_mentions(db, site_id, forgotten.masker())
        for kind, value in blocked:
            db["blocked_people"].upsert(
                {
                    "site_id": site_id,
                    "kind": kind,
                    "digest": block_digest(site_url, kind, value),
                    "takedown_id": takedown_id,
                },
                pk=("site_id", "kind", "digest"),
            )
        counts = {
            "posts": len(posts),
            "comments": len(comments),
            "versions": versions,
            "mentions": mentions,
            "media": media,
            "records": 0,
        }
        db["takedowns"].update(takedown_id, counts)
    row = dict(db["takedowns"].get(takedown_id))
    return row, forgotten


def _bare(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/").casefold()


def _snippets(text: str | None, minimum: int = 24) -> list[str]:
    """Pieces of a text long enough to say it is theirs when found again."""
    if not text:
        return []
    pieces = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if len(line) >= minimum:
            pieces.append(line[:80])
    if not pieces and len(" ".join(text.split())) >= minimum // 2:
        pieces.append(" ".join(text.split())[:80])
    return pieces


def _mask_mentions(db: sqlite_utils.Database, site_id: int, masker: Masker) -> int:
    """Their name and links in the texts of others on the site."""
    conn = db.conn
    changed = 0
    for table, where in (
        ("posts", "site_id = ?"),
        ("comments", "post_id IN (SELECT id FROM posts WHERE site_id = ?)"),
        ("post_versions", "post_id IN (SELECT id FROM posts WHERE site_id = ?)"),
    ):
        title = ", title" if table != "comments" else ""
        for row in conn.execute(
            f"SELECT rowid, content_html, content_text{title} FROM [{table}] WHERE {where}", [site_id]
        ):
            masked = [masker.text(value) for value in row[1:]]
            if masked != list(row[1:]):
                columns = ["content_html", "content_text"] + (["title"] if title else [])
                assignments = ", ".join(f"{column} = ?" for column in columns)
                if table != "post_versions":  # its hash is made again from what it now says
                    assignments += ", content_hash = NULL"
                conn.execute(f"UPDATE [{table}] SET {assignments} WHERE rowid = ?", [*masked, row[0]])
                changed += 1
    for table, where, columns in (
        ("comments", "post_id IN (SELECT id FROM posts WHERE site_id = ?)", ("author",)),
        ("breadcrumbs", "post_id IN (SELECT id FROM posts WHERE site_id = ?)", ("label",)),
        ("images", "post_id IN (SELECT id FROM posts WHERE site_id = ?)", ("alt", "caption")),
    ):
        selected = ", ".join(columns)
        for row in conn.execute(f"SELECT rowid, {selected} FROM [{table}] WHERE {where}", [site_id]).fetchall():
            masked = [masker.text(value) if isinstance(value, str) else value for value in row[1:]]
            if masked != list(row[1:]):
                assignments = ", ".join(f"{column} = ?" for column in columns)
                conn.execute(f"UPDATE [{table}] SET {assignments} WHERE rowid = ?", [*masked, row[0]])
                changed += 1
    return changed


# --- The captured pages -------------------------------------------------------------------------


class Redactor(Protocol):
    def redact(self, url: str, content_type: str, body: bytes) -> bytes | None:
        """The body without what must go, or None when it holds none of it."""


def redact_captures(db: sqlite_utils.Database, folder: Path, gone: list[Forgotten]) -> list[int]:
    """Rewrite every WACZ in the capture folder without the forgotten people's content; the
    `captures` rows of the records rewritten get their new digests. Returns records redacted per
    person."""
    counts = [0] * len(gone)
    if not folder.is_dir():
        return counts
    for wacz in sorted(folder.glob("*.wacz")):
        _, digests, found = redact_wacz(wacz, gone, "takedown " + ",".join(str(p.takedown_id) for p in gone))
        counts = [a + b for a, b in zip(counts, found, strict=True)]
        with db.atomic():
            for record_id, digest in digests.items():
                db.execute("UPDATE captures SET digest = ? WHERE record_id = ?", [digest, record_id])
    return counts


def redact_crawl_capture(db: sqlite_utils.Database, path: Path, site_urls: Iterable[str]) -> int:
    """A crawl's own WACZ without the people its sites' block lists name (pages, API answers and
    feeds that show them, captured before the crawl knew whose they were); the `captures` rows of
    the records rewritten get their new digests. Returns records changed."""
    redactors = [r for site_url in site_urls if (r := BlockRedactor.load(db, site_url)) is not None]
    if not redactors or not path.exists():
        return 0
    changed, digests, _ = redact_wacz(path, redactors, "block list")
    with db.atomic():
        for record_id, digest in digests.items():
            db.execute("UPDATE captures SET digest = ? WHERE record_id = ?", [digest, record_id])
    return changed


def redact_wacz(path: Path, redactors: Sequence[Redactor], note: str) -> tuple[int, dict[str, str], list[int]]:
    """Rewrite one WACZ: every response a redactor changes is written again with the new body (same
    record id, `WARC-Redaction` saying why), a revisit of it points to the new digest, the rest is
    copied byte for byte; then the WACZ is packed again (index, pages, datapackage). Returns the
    records changed, their new payload digests by record id, and the records each redactor changed."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    counts = [0] * len(redactors)
    changed = 0
    new_digests: dict[str, str] = {}
    removed_pages: set[str] = set()
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        work = Path(scratch)
        with zipfile.ZipFile(path) as wacz:
            names = [n for n in wacz.namelist() if n.startswith("archive/") and n.endswith((".warc", ".warc.gz"))]
            pages = wacz.read("pages/pages.jsonl").decode("utf-8") if "pages/pages.jsonl" in wacz.namelist() else ""
            for name in names:
                (work / Path(name).name).write_bytes(wacz.read(name))
        warcs = []
        digest_map: dict[str, str] = {}  # old payload digest -> new, for revisits of a redacted record
        for name in names:
            source = work / Path(name).name
            target = work / "redacted" / Path(name).name
            target.parent.mkdir(exist_ok=True)
            with source.open("rb") as raw, target.open("wb") as out:
                writer = WARCWriter(out, gzip=True)
                iterator = ArchiveIterator(raw)
                for record in iterator:
                    rebuilt = None
                    if record.rec_type == "response" and record.http_headers is not None:
                        rebuilt = _redacted_response(record, redactors, counts, note)
                    elif record.rec_type == "revisit":
                        old = record.rec_headers.get_header("WARC-Payload-Digest")
                        if old in digest_map:
                            record.rec_headers.replace_header("WARC-Payload-Digest", digest_map[old])
                            rebuilt = (
                                old,
                                writer.create_warc_record(
                                    "", "revisit", warc_headers=record.rec_headers, http_headers=record.http_headers
                                ),
                            )
                    record.content_stream().read()  # to the record's end, for its offset and length
                    start, length = iterator.get_record_offset(), iterator.get_record_length()
                    if rebuilt is None:
                        position = raw.tell()
                        raw.seek(start)
                        out.write(raw.read(length))
                        raw.seek(position)
                        continue
                    changed += 1
                    old_digest, new_record = rebuilt
                    writer.write_record(new_record)
                    if new_record.rec_type == "response":
                        new_digest = new_record.rec_headers.get_header("WARC-Payload-Digest")
                        digest_map[old_digest] = new_digest
                        new_digests[new_record.rec_headers.get_header("WARC-Record-ID")] = new_digest
                        if new_record.rec_headers.get_header("WARC-Redaction-Whole"):
                            removed_pages.add(new_record.rec_headers.get_header("WARC-Target-URI"))
            warcs.append(target)
        if not changed:
            return 0, {}, counts
        page_file = work / "pages.jsonl"
        kept_pages = [
            line for line in pages.splitlines() if line.strip() and json.loads(line).get("url") not in removed_pages
        ]
        page_file.write_text("\n".join(kept_pages) + "\n", encoding="utf-8")
        output = work / path.name
        from wacz.main import main as wacz_main

        with contextlib.redirect_stdout(io.StringIO()) as said:
            code = wacz_main(["create", "-o", str(output), *map(str, warcs), "-p", str(page_file)])
        if code not in (0, None) or not output.exists():
            raise RuntimeError(f"py-wacz could not pack the redacted {path.name}: {said.getvalue()[-2000:]}")
        output.replace(path)
    return changed, new_digests, counts


def _redacted_response(record: Any, redactors: Sequence[Redactor], counts: list[int], note: str):
    """(old payload digest, the new record) when a redactor changes the response's body."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    body = record.content_stream().read()
    new_body = body
    for n, redactor in enumerate(redactors):
        redacted = redactor.redact(url, content_type, new_body)
        if redacted is not None and redacted != new_body:
            new_body = redacted
            counts[n] += 1
    if new_body == body:
        return None
    headers = [
        (name, value)
        for name, value in record.http_headers.headers
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding", "content-type")
    ]
    whole = new_body.startswith(_TOMBSTONE_PAGE[:40].encode()) or not new_body
    kind = "text/html" if whole or "html" in content_type else content_type.split(";")[0].strip()
    kind = kind or "application/octet-stream"
    if kind.startswith(("text/", "application/json", "application/rss", "application/atom", "application/xml")):
        kind += "; charset=utf-8"
    headers += [("Content-Type", kind), ("Content-Length", str(len(new_body)))]
    http = StatusAndHeaders(record.http_headers.statusline, headers, protocol=record.http_headers.protocol)
    warc_headers = {
        "WARC-Record-ID": record.rec_headers.get_header("WARC-Record-ID"),
        "WARC-Date": record.rec_headers.get_header("WARC-Date"),
        "WARC-Redaction": note,
    }
    if whole:
        warc_headers["WARC-Redaction-Whole"] = "true"
    builder = WARCWriter(io.BytesIO(), gzip=True)
    new_record = builder.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(new_body),
        length=len(new_body),
        http_headers=http,
        warc_headers_dict=warc_headers,
    )
    return record.rec_headers.get_header("WARC-Payload-Digest"), new_record


def _notice(takedown: str) -> str:
    return f"Removed from this archive at the request of its author ({takedown})."


def _redact_html(
    body: bytes,
    content_type: str,
    comment_ids: set[int],
    post_ids: set[int],
    linked: Callable[[str], bool],
    mask: Callable[[str], str],
    note: str,
) -> bytes:
    """An HTML page without some comments (their element emptied, replies kept), without the
    entries of some posts, with links to those posts emptied, and masked. Returns the new bytes."""
    from lxml import etree
    from lxml import html as lxml_html

    from spiders.extraction.text import decode_html

    text = decode_html(body, content_type)
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return _TOMBSTONE_PAGE.format(n=note).encode()
    ids = {f"{prefix}{n}" for n in comment_ids for prefix in ("comment-", "li-comment-", "div-comment-")}
    entries = {f"post-{n}" for n in post_ids}
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        own = element.get("id")
        if own in ids or own in entries:
            outer = element
            parent = element.getparent()
            while parent is not None and parent.get("id") in ids | entries:
                outer, parent = parent, parent.getparent()
            if outer.get("data-redacted"):
                continue
            _empty(outer, note, keep_replies=own in ids)
        elif element.tag == "a" and element.get("href") and linked(element.get("href")):
            for name in list(element.attrib):
                del element.attrib[name]
            for child in list(element):
                element.remove(child)
            element.text = "[removed]"
    serialised = lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return mask(serialised).encode("utf-8")


def _empty(element: Any, note: str, keep_replies: bool) -> None:
    from lxml import etree

    kept = [c for c in element if keep_replies and "children" in (c.get("class") or "").split()]
    for child in list(element):
        if child not in kept:
            element.remove(child)
    element.text = None
    notice = etree.Element("p")
    notice.text = _notice(note)
    element.insert(0, notice)
    for name in list(element.attrib):
        if name not in ("id",):
            del element.attrib[name]
    element.set("data-redacted", "true")


def _redact_json(body: bytes, theirs: Callable[[Any], bool], mask: Callable[[str], str]) -> bytes | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None

    def clean(value: Any) -> Any:
        if isinstance(value, list):
            return [clean(item) for item in value if not theirs(item)]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items() if not (isinstance(item, dict) and theirs(item))}
        if isinstance(value, str):
            return mask(value)
        return value

    cleaned = {} if theirs(data) else clean(data)
    if cleaned == data:
        return None
    return json.dumps(cleaned, ensure_ascii=False).encode("utf-8")


def _redact_feed(body: bytes, theirs: Callable[[Any], bool], mask: Callable[[str], str]) -> bytes | None:
    """An RSS or Atom feed without the items that are theirs (by link or author), masked."""
    from lxml import etree

    try:
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    changed = False
    for item in list(root.iter("{*}item", "{*}entry")):
        if theirs(item):
            item.getparent().remove(item)
            changed = True
    out = etree.tostring(root, encoding="unicode")
    masked = mask(out)
    if not changed and masked == out:
        return None
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + masked).encode("utf-8")


def _feed_item_parts(item: Any) -> tuple[list[str], list[str]]:
    """(links, author names) of a feed item."""
    links, authors = [], []
    for element in item.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1]
        if local in ("link", "guid", "id", "comments"):
            links.append((element.text or element.get("href") or "").strip())
        elif local in ("creator", "name", "author"):
            authors.append((element.text or "").strip())
    return links, authors


def _comment_number(link: str) -> int | None:
    match = re.search(r"#comment-(\d{1,19})$", link) or re.search(r"[?&]c=(\d{1,19})", link)
    return int(match.group(1)) if match else None


def _forgotten_redact(self: Forgotten, url: str, content_type: str, body: bytes) -> bytes | None:
    """Forgotten.redact: their pages become a notice, their comments and entries leave the pages,
    API answers and feeds of others, their name and links are masked; checked by their own text."""
    note = f"takedown {self.takedown_id}"
    bare = post_url_of_comment_page(url.split("#", 1)[0])
    posts = {u.rstrip("/") for u in self.post_urls}
    if bare.rstrip("/") in posts:
        return _TOMBSTONE_PAGE.format(n=note).encode()
    if bare in self.media_urls:
        return b""
    masker = self.masker()
    text = body.decode("utf-8", "replace")
    if not (self.comment_wp_ids or self.post_wp_ids) and not _mentions(text, self):
        return None
    linked = lambda href: post_url_of_comment_page(href.split("#", 1)[0]).rstrip("/") in posts  # noqa: E731
    if "html" in content_type:
        out = _redact_html(body, content_type, self.comment_wp_ids, self.post_wp_ids, linked, masker.text, note)
    elif "json" in content_type:
        out = _redact_json(body, lambda item: _json_theirs(item, self), masker.text)
    elif "xml" in content_type or "rss" in content_type or "atom" in content_type:
        out = _redact_feed(body, lambda item: _feed_theirs(item, self, linked), masker.text)
    else:
        return None
    if out is not None and _still_there(out.decode("utf-8", "replace"), self):
        return _TOMBSTONE_PAGE.format(n=note).encode()
    return out


def _json_theirs(item: Any, person: Forgotten) -> bool:
    if not isinstance(item, dict):
        return False
    if "author_name" in item and item.get("id") in person.comment_wp_ids:
        return True
    if ("link" in item or "guid" in item) and item.get("id") in person.post_wp_ids:
        return True
    return "slug" in item and "avatar_urls" in item and item.get("id") in person.user_ids


def _feed_theirs(item: Any, person: Forgotten, linked: Callable[[str], bool]) -> bool:
    links, authors = _feed_item_parts(item)
    if any(linked(link) or _comment_number(link) in person.comment_wp_ids for link in links if link):
        return True
    return any(name_key(author) in {name_key(n) for n in person.names} for author in authors if author)


Forgotten.redact = _forgotten_redact  # type: ignore[attr-defined]


def _normalised(text: str) -> str:
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
    text = text.replace("\\/", "/")
    return " ".join(text.split()).casefold()


def _mentions(text: str, person: Forgotten) -> bool:
    folded = text.casefold()
    return any(name.casefold() in folded for name in person.names) or _still_there(text, person)


def _still_there(text: str, person: Forgotten) -> bool:
    """Whether a piece of what they wrote, or their name, is in the text."""
    normal = _normalised(text)
    if any(_normalised(snippet) in normal for snippet in person.texts):
        return True
    return any(len(name) >= 3 and _normalised(name) in normal for name in person.names)


class BlockRedactor:
    """Redacts what a later crawl captured of a site's forgotten people, from what the archive
    keeps of them: the block list's hashes (their names, slugs, ids) and their tombstones (post and
    comment ids, hashed post URLs). It cannot check by their text, which the archive no longer has."""

    def __init__(self, site_url: str, blocks: BlockList, comment_ids: set[int], post_ids: set[int], urls: set[str]):
        self.site_url = site_url
        self.blocks = blocks
        self.comment_ids = comment_ids
        self.post_ids = post_ids
        self.urls = urls  # tombstones' `forgotten:<hash>` URLs

    @classmethod
    def load(cls, db: sqlite_utils.Database, site_url: str) -> BlockRedactor | None:
        row = db.execute("SELECT id FROM sites WHERE url = ?", [site_url]).fetchone()
        if row is None:
            return None
        blocks = BlockList.load(db, row[0])
        if not blocks.digests:
            return None
        posts = db.execute("SELECT wp_id, url FROM posts WHERE site_id = ? AND forgotten IS NOT NULL", [row[0]])
        post_ids, urls = set(), set()
        for wp_id, url in posts.fetchall():
            urls.add(url)
            if wp_id is not None:
                post_ids.add(wp_id)
        comment_ids = {
            r[0]
            for r in db.execute(
                "SELECT c.wp_id FROM comments c JOIN posts p ON p.id = c.post_id"
                " WHERE p.site_id = ? AND c.forgotten IS NOT NULL AND c.wp_id IS NOT NULL",
                [row[0]],
            )
        }
        return cls(site_url, blocks, comment_ids, post_ids, urls)

    def linked(self, href: str) -> bool:
        """Whether a link leads to a forgotten post (its page, a comment page or a comment of it)."""
        bare = post_url_of_comment_page(href.split("#", 1)[0])
        return any(tombstone_url(variant) in self.urls for variant in {bare, bare.rstrip("/"), bare.rstrip("/") + "/"})

    def mask(self, text: str) -> str:
        return self.blocks.mask(text) or text

    def redact(self, url: str, content_type: str, body: bytes) -> bytes | None:
        if not url.startswith(self.site_url):
            return None
        note = "block list"
        if self.linked(url):
            return _TOMBSTONE_PAGE.format(n=note).encode()
        if "html" in content_type:
            out = _redact_html(body, content_type, self.comment_ids, self.post_ids, self.linked, self.mask, note)
        elif "json" in content_type:
            out = _redact_json(body, self._json_theirs, self.mask)
        elif "xml" in content_type or "rss" in content_type or "atom" in content_type:
            out = _redact_feed(body, self._feed_theirs, self.mask)
        else:
            return None
        return out if out != body else None

    def _json_theirs(self, item: Any) -> bool:
        if not isinstance(item, dict):
            return False
        if "author_name" in item:
            return (
                item.get("id") in self.comment_ids
                or self.blocks.match(item.get("author_name"), None, item.get("author") or None, item.get("author_url"))
                is not None
            )
        if "link" in item and isinstance(item.get("link"), str) and self.linked(item["link"]):
            return True
        if item.get("id") in self.post_ids and ("guid" in item or "link" in item):
            return True
        return (
            "slug" in item
            and "avatar_urls" in item
            and self.blocks.match(item.get("name"), item.get("slug"), item.get("id"), None) is not None
        )

    def _feed_theirs(self, item: Any) -> bool:
        links, authors = _feed_item_parts(item)
        if any(self.linked(link) or _comment_number(link) in self.comment_ids for link in links if link):
            return True
        return any(self.blocks.match(author, None, None, None) is not None for author in authors if author)


def forgotten_summary(rows: Iterable[dict[str, Any]]) -> str:
    return "; ".join(
        f"takedown {r['id']}: {r['posts']} posts, {r['comments']} comments, {r['versions']} versions, "
        f"{r['mentions']} mentions, {r['media']} files, {r['records']} captured records"
        for r in rows
    )
