"""Exports of an archive: a plain copy, or a pseudonymised one for research data sharing.

`export_archive(source, out, key=...)` writes a new SQLite archive that `wparchive serve`
publishes with the same views and canned queries. Pseudonymised, it holds:

- a stable pseudonym per person, `Person 3f9a2c1b`: an HMAC of the site's URL and the person's
  identity under the key, so the same key gives the same pseudonyms in every export, and nobody
  can tell who is who without it;
- pseudonyms in every author column, names masked in titles, texts and HTML (`archive.masking`);
- no author URLs, e-mail addresses, avatars, WordPress user ids or slugs; no crawl arguments,
  stats or fetch records; no kept files (the WACZ captures stay with the source archive);
- no hashes that could confirm a guessed name (content hashes are cleared, comment keys rekeyed);
- optionally, every date of a site moved by the same number of days (`shift_dates`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.db import ensure_db_shape, open_db
from archive.masking import Masker, Person, slugified, url_target
from archive.people import link_all_people
from archive.research import refresh_research_summaries
from archive.schema import FTS

# Tables whose rows say how the archive was made, not what it holds: emptied in an export.
OPERATIONAL_TABLES = ("url_state", "captures", "media", "blocked_people")
# (table, key column, text columns, URL columns) masked in it.
MASKED: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("sites", "id", ("name",), ("url",)),
    ("posts", "id", ("title", "content_html", "content_text"), ("url",)),
    ("comments", "id", ("content_html", "content_text"), ()),
    ("post_versions", "rowid", ("title", "content_html", "content_text"), ()),
    ("breadcrumbs", "rowid", ("label",), ("url",)),
    ("share_links", "rowid", (), ("url",)),
    ("terms", "id", ("name",), ("url",)),
    ("images", "rowid", ("alt", "caption"), ("src",)),
)


def read_key(path: str | Path) -> bytes:
    """The export key in a file, made (32 random bytes, hex, readable by you only) if missing."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        path.chmod(0o600)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"{path} holds no key (at least 32 characters expected)")
    return key.encode("ascii")


def pseudonym(key: bytes, site_url: str, identity: str) -> str:
    """A person's stable pseudonym under a key."""
    digest = hmac.new(key, f"{site_url}\x00{identity}".encode(), hashlib.sha256).hexdigest()
    return f"Person {digest[:8]}"


def date_shift(key: bytes, site_url: str) -> timedelta:
    """The number of days (1 to 365, back) every date of a site moves by when dates are shifted."""
    digest = hmac.new(key, f"shift\x00{site_url}".encode(), hashlib.sha256).digest()
    return timedelta(days=-(1 + int.from_bytes(digest[:4], "big") % 365))


def export_archive(source: str | Path, out: str | Path, key: bytes | None = None, shift_dates: bool = False) -> dict:
    """Write an export of `source` to the new file `out`; pseudonymised when given a key.
    Returns counts of what it did."""
    out = Path(out)
    if out.exists():
        raise FileExistsError(f"{out} exists: export into a new file")
    if shift_dates and key is None:
        raise ValueError("shifting dates needs a key (the shift is made from it)")
    src = open_db(source)
    if key is not None:
        link_all_people(src)  # people as of now, for an archive crawled before they were kept
    target = sqlite3.connect(out)
    with target:
        src.conn.backup(target)
    target.close()
    src.conn.close()
    db = open_db(out)
    ensure_db_shape(db)
    counts: dict[str, Any] = {"pseudonymised": key is not None}
    if key is not None:
        counts.update(_pseudonymise(db, key, shift_dates))
    _compact(db)
    db.conn.close()
    return counts


def _pseudonymise(db: sqlite_utils.Database, key: bytes, shift_dates: bool) -> dict[str, int]:
    counts = {"people": 0, "rows_masked": 0}
    conn = db.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    sites = {row[0]: row[1] for row in conn.execute("SELECT id, url FROM sites")}
    with db.atomic():
        for table in OPERATIONAL_TABLES:
            conn.execute(f"DELETE FROM [{table}]")
        conn.execute("UPDATE crawls SET arguments = NULL, stats = NULL, pid = NULL")
        conn.execute("UPDATE site_crawls SET error = NULL")
        conn.execute("UPDATE takedowns SET reason = NULL")
        for site_id, site_url in sites.items():
            maskers, names = _site_people(db, key, site_id, site_url)
            counts["people"] += len(names)
            # Authors: the person's pseudonym (an author no person row knows: one made from the name).
            for table in ("posts", "comments"):
                scope = "site_id = ?" if table == "posts" else "post_id IN (SELECT id FROM posts WHERE site_id = ?)"
                for row_id, person_id, author in conn.execute(
                    f"SELECT id, person_id, author FROM [{table}] WHERE {scope}", [site_id]
                ).fetchall():
                    name = names.get(person_id) if person_id is not None else None
                    if name is None and author is not None:
                        name = pseudonym(key, site_url, "name:" + " ".join(author.split()).casefold())
                    conn.execute(f"UPDATE [{table}] SET author = ? WHERE id = ?", [name, row_id])
            conn.execute(
                "UPDATE post_versions SET author = (SELECT p.author FROM posts p WHERE p.id = post_versions.post_id)"
                " WHERE post_id IN (SELECT id FROM posts WHERE site_id = ?)",
                [site_id],
            )
            counts["rows_masked"] += _mask_site(db, site_id, maskers)
            if shift_dates:
                _shift_site_dates(db, site_id, date_shift(key, site_url))
        conn.execute(
            "UPDATE posts SET author_url = NULL, author_slug = NULL, author_user_id = NULL, content_hash = NULL"
        )
        conn.execute(
            "UPDATE comments SET author_url = NULL, author_slug = NULL, author_user_id = NULL, content_hash = NULL,"
            " key = CASE WHEN key LIKE 'h:%' THEN 'h:' || substr(hex(randomblob(8)), 1, 16) ELSE key END"
        )
        conn.execute("UPDATE post_versions SET content_hash = NULL")
        if shift_dates:
            conn.execute("UPDATE crawls SET started = NULL, finished = NULL")
            conn.execute("UPDATE site_crawls SET site_clock = NULL")
            # Permalinks carry the real dates (/2013/01/22/...): WordPress's own ?p= form instead.
            conn.execute(
                "UPDATE posts SET url = (SELECT s.url FROM sites s WHERE s.id = posts.site_id)"
                " || '?p=' || coalesce(wp_id, 'archived-' || id)"
            )
            conn.execute("UPDATE breadcrumbs SET url = NULL")
            conn.execute("DELETE FROM share_links")
    conn.execute("PRAGMA foreign_keys = ON")
    return counts


def _site_people(
    db: sqlite_utils.Database, key: bytes, site_id: int, site_url: str
) -> tuple[tuple[Masker, Masker], dict[int, str]]:
    """The site's maskers (for text, for URLs) and each person's pseudonym; the people rows keep
    only the pseudonym."""
    conn = db.conn
    site_target = url_target(site_url) or ""
    people: dict[int, Person] = {}
    names: dict[int, str] = {}
    for person_id, identity, name, slug, url in conn.execute(
        "SELECT id, identity, name, slug, url FROM people WHERE site_id = ?", [site_id]
    ).fetchall():
        replacement = pseudonym(key, site_url, identity)
        names[person_id] = replacement
        people[person_id] = Person(set(), slug, set(), replacement)
        if name:
            people[person_id].names.add(name)
        if url and not _in_site(url, site_target):
            people[person_id].urls.add(url)
    # Every name and link a person appeared under, not only the most frequent one.
    for table, scope in (
        ("posts", "site_id = ?"),
        ("comments", "post_id IN (SELECT id FROM posts WHERE site_id = ?)"),
    ):
        for person_id, author, url in conn.execute(
            f"SELECT DISTINCT person_id, author, author_url FROM [{table}] WHERE {scope} AND person_id IS NOT NULL",
            [site_id],
        ).fetchall():
            person = people.get(person_id)
            if person is None:
                continue
            if author:
                person.names.add(author)
            if url and not _in_site(url, site_target):
                person.urls.add(url)
    for person_id, replacement in names.items():
        conn.execute(
            "UPDATE people SET name = ?, identity = ?, slug = NULL, user_id = NULL, url = NULL WHERE id = ?",
            [replacement, replacement, person_id],
        )
    in_urls = [Person(p.names, p.slug, p.urls, slugified(p.replacement)) for p in people.values()]
    return (Masker(people.values()), Masker(in_urls, unknown_name="name")), names


def _in_site(url: str, site_target: str) -> bool:
    """A URL on the blog itself (its home, a post a pingback came from), not a person's own."""
    target = url_target(url) or ""
    return not target or site_target.startswith(target) or target.startswith(site_target)


def _mask_site(db: sqlite_utils.Database, site_id: int, maskers: tuple[Masker, Masker]) -> int:
    conn = db.conn
    scopes = {
        "sites": ("id = ?", [site_id]),
        "posts": ("site_id = ?", [site_id]),
        "comments": ("post_id IN (SELECT id FROM posts WHERE site_id = ?)", [site_id]),
        "post_versions": ("post_id IN (SELECT id FROM posts WHERE site_id = ?)", [site_id]),
        "breadcrumbs": ("post_id IN (SELECT id FROM posts WHERE site_id = ?)", [site_id]),
        "share_links": ("post_id IN (SELECT id FROM posts WHERE site_id = ?)", [site_id]),
        "terms": ("site_id = ?", [site_id]),
        "images": ("post_id IN (SELECT id FROM posts WHERE site_id = ?)", [site_id]),
    }
    changed = 0
    text, url = maskers
    for table, key_column, text_columns, url_columns in MASKED:
        where, params = scopes[table]
        columns = text_columns + url_columns
        selected = ", ".join(f"[{column}]" for column in columns)
        for row in conn.execute(f"SELECT {key_column}, {selected} FROM [{table}] WHERE {where}", params).fetchall():
            masked = [
                (text if n < len(text_columns) else url).text(value) if isinstance(value, str) else value
                for n, value in enumerate(row[1:])
            ]
            if masked != list(row[1:]):
                assignments = ", ".join(f"[{column}] = ?" for column in columns)
                conn.execute(f"UPDATE [{table}] SET {assignments} WHERE {key_column} = ?", [*masked, row[0]])
                changed += 1
    return changed


def _shift(value: str | None, by: timedelta) -> str | None:
    if not value:
        return value
    try:
        moved = datetime.fromisoformat(value) + by
    except ValueError:
        return None  # a date that cannot be moved is not kept
    if len(value) == 10:
        return moved.date().isoformat()
    return moved.isoformat()


def _shift_site_dates(db: sqlite_utils.Database, site_id: int, by: timedelta) -> None:
    conn = db.conn
    shift: Callable[[str | None], str | None] = lambda value: _shift(value, by)  # noqa: E731
    for table, columns, where in (
        ("posts", ("published", "modified"), "site_id = ?"),
        ("comments", ("published",), "post_id IN (SELECT id FROM posts WHERE site_id = ?)"),
        ("post_versions", ("published", "modified"), "post_id IN (SELECT id FROM posts WHERE site_id = ?)"),
        ("sites", ("course_end",), "id = ?"),
    ):
        key_column = "rowid"
        selected = ", ".join(columns)
        for row in conn.execute(f"SELECT {key_column}, {selected} FROM [{table}] WHERE {where}", [site_id]).fetchall():
            moved = [shift(value) for value in row[1:]]
            assignments = ", ".join(f"[{column}] = ?" for column in columns)
            conn.execute(f"UPDATE [{table}] SET {assignments} WHERE rowid = ?", [*moved, row[0]])
    conn.execute(
        "UPDATE posts SET year = CAST(substr(published, 1, 4) AS INTEGER) WHERE site_id = ? AND published IS NOT NULL",
        [site_id],
    )


def _compact(db: sqlite_utils.Database) -> None:
    """Full-text indexes and summaries made again from the rows, and the file rewritten, so that
    nothing removed lingers in free pages, old index segments or the write-ahead log."""
    for table in FTS:
        db.execute(f"INSERT INTO [{table}_fts]([{table}_fts]) VALUES('rebuild')")
    refresh_research_summaries(db)
    db.conn.commit()
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
