"""Open the archive, give it its shape, save crawled items into it, and read back what a re-crawl
needs to know.

Save functions upsert on explicit keys, so saving the same post twice gives the same rows. Each
post is written with its trail, share links, terms, comments, version and change log in one
transaction: an interrupted crawl leaves either the whole post or none of it. Nothing archived is
ever deleted: a post or comment that is gone is marked missing since a crawl, and present again if
it comes back. What a re-crawl needs (known posts and comments, validators, the last complete
crawl's site clock) is read with `read_site_state`, and the posts it fetches again with
`read_archived_posts`, from read-only connections.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import sqlite3
import time
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import sqlite_utils

from archive.people import BlockList
from archive.schema import FTS, HISTORY_VIEWS, TABLES, VIEWS
from spiders.archived import ArchivedPosts, PostIdsByUrl, id_array
from spiders.items import KnownPost, SiteState, sorted_has


def open_db(path: str | Path, *, create_dirs: bool = True, check: bool = False) -> sqlite_utils.Database:
    """Open (or create) an archive with WAL, foreign keys and a busy timeout. With `check`, an
    existing file is first read whole (`PRAGMA quick_check`): damage anywhere in it (lost last
    pages too) raises `ArchiveDamaged` before anything is written."""
    if create_dirs and str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        if check and str(path) != ":memory:" and Path(path).stat().st_size > 0:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise sqlite3.DatabaseError("; ".join(problems))
        conn.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        db = sqlite_utils.Database(conn)
        ensure_db_shape(db)
    except sqlite3.DatabaseError as error:
        conn.close()
        if isinstance(error, sqlite3.OperationalError):
            raise  # locked, read-only, disk full: not damage
        raise ArchiveDamaged(path, error) from error
    return db


class ArchiveDamaged(RuntimeError):
    """The archive file is not a readable SQLite database (damaged, or not an archive at all)."""

    def __init__(self, path: str | Path, error: BaseException) -> None:
        super().__init__(
            f"the archive {path} cannot be read ({error}); nothing was changed in it. Restore it from "
            f"a backup, or rescue its rows with `sqlite3 {path} .recover | sqlite3 {path}.recovered` "
            "and archive into that file."
        )


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create or migrate tables, indexes, full-text search and views. Safe to run any time."""
    with db.atomic():
        for table in TABLES:
            columns = {column.name: column.type for column in table.columns}
            if not db[table.name].exists():
                db[table.name].create(
                    columns,
                    pk=table.pk,
                    foreign_keys=list(table.foreign_keys),
                )
            else:
                existing = set(db[table.name].columns_dict)
                references = {column: (other, other_column) for column, other, other_column in table.foreign_keys}
                for column in table.columns:
                    if column.name not in existing:
                        _add_column(db, table.name, column.name, column.type, references.get(column.name))
            for index_columns, unique in table.indexes:
                db[table.name].create_index(list(index_columns), unique=unique, if_not_exists=True)
    for table_name, columns in FTS.items():
        if not db[table_name].detect_fts():
            db[table_name].enable_fts(list(columns), create_triggers=True, tokenize="porter")
        _index_updates_of(db, table_name, columns)
    for name, (_, sql) in {**VIEWS, **HISTORY_VIEWS}.items():
        db.create_view(name, sql.strip(), replace=True)
    # The research views and indexes that Datasette's pages and canned queries use.
    from archive.research import ensure_research_shape

    ensure_research_shape(db)


def _index_updates_of(db: sqlite_utils.Database, table: str, columns: tuple[str, ...]) -> None:
    """The full-text index follows an update only when it changes an indexed column (or the row id).
    sqlite-utils' trigger re-indexes the row on every update: a comment's `parent_id`, a post's
    `comment_count_captured`, everyone's `person_id` after a crawl, each deleted and indexed again."""
    name = f"{table}_au"
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]).fetchone()
    if row is None or " WHEN " in row[0]:
        return
    changed = " OR ".join(["old.rowid IS NOT new.rowid", *(f'old."{c}" IS NOT new."{c}"' for c in columns)])
    names = ", ".join(f'"{c}"' for c in columns)
    old = ", ".join(f'old."{c}"' for c in columns)
    new = ", ".join(f'new."{c}"' for c in columns)
    with db.atomic():
        db.execute(f'DROP TRIGGER "{name}"')
        db.execute(
            f'CREATE TRIGGER "{name}" AFTER UPDATE ON "{table}"\n'
            f"WHEN {changed} BEGIN\n"
            f'  INSERT INTO "{table}_fts" ("{table}_fts", rowid, {names}) VALUES(\'delete\', old.rowid, {old});\n'
            f'  INSERT INTO "{table}_fts" (rowid, {names}) VALUES (new.rowid, {new});\n'
            "END"
        )


def _add_column(
    db: sqlite_utils.Database, table: str, column: str, kind: type, reference: tuple[str, str] | None
) -> None:
    """A new column on an existing table. With a foreign key, one `ALTER TABLE ... REFERENCES`
    (sqlite-utils' `add_column(fk=...)` rebuilds the whole table: minutes on a big archive)."""
    if reference is None:
        db[table].add_column(column, kind)
        return
    other, other_column = reference
    sql_type = sqlite_utils.db.COLUMN_TYPE_MAPPING[kind]
    db.execute(f"ALTER TABLE [{table}] ADD COLUMN [{column}] {sql_type} REFERENCES [{other}]([{other_column}])")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


# --- Writing rows: one prepared statement per table and set of columns ------------------------


@functools.cache
def _upsert_sql(table: str, columns: tuple[str, ...], pk: tuple[str, ...]) -> str:
    """INSERT ... ON CONFLICT DO UPDATE of the given columns (the others keep their values), made
    once per table and columns: sqlite3 keeps the prepared statement for the same text."""
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c not in pk)
    conflict = ", ".join(f"[{c}]" for c in pk)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return f"INSERT INTO [{table}] ({names}) VALUES ({marks}) ON CONFLICT ({conflict}) {action}"


@functools.cache
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f"[{c}]" for c in columns)
    return f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' for _ in columns)})"


def upsert_rows(
    db: sqlite_utils.Database, table: str, rows: Sequence[Mapping[str, Any]], pk: str | tuple[str, ...]
) -> None:
    """Insert or update rows that all have the same keys (the schema is made once, at open)."""
    if not rows:
        return
    columns = tuple(rows[0])
    keys = (pk,) if isinstance(pk, str) else pk
    db.conn.executemany(_upsert_sql(table, columns, keys), [tuple(row[c] for c in columns) for row in rows])


def insert_rows(db: sqlite_utils.Database, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that all have the same keys."""
    if not rows:
        return
    columns = tuple(rows[0])
    db.conn.executemany(_insert_sql(table, columns), [tuple(row[c] for c in columns) for row in rows])


class WriteBatch:
    """Saves grouped into transactions: committed every `size` posts or `seconds`, whichever comes
    first (each save stays whole: it is a savepoint inside the batch). A crawl killed before a
    commit loses only the batch's posts, which the next crawl fetches again (its crawl is not
    recorded complete)."""

    def __init__(self, db: sqlite_utils.Database, size: int = 50, seconds: float = 1.0) -> None:
        self.db = db
        self.size = max(1, size)
        self.seconds = seconds
        self.started: float | None = None
        self.saves: Counter[str] = Counter()  # saves in the open batch, by site

    def begin(self) -> None:
        if not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN")
            self.started = time.monotonic()
            self.saves = Counter()

    def saved(self, site_url: str) -> None:
        self.saves[site_url] += 1

    def due(self) -> bool:
        return self.started is not None and (
            sum(self.saves.values()) >= self.size or time.monotonic() - self.started >= self.seconds
        )

    def lost(self) -> bool:
        """Whether the open batch was rolled back under it (SQLite undoes the whole transaction
        on some errors: a full disk, an I/O error)."""
        return self.started is not None and not self.db.conn.in_transaction

    def commit(self) -> Counter[str]:
        """Commit the batch. Returns the saves it lost by site (empty when it was committed): a
        failed commit is rolled back, and its posts are not in the archive."""
        lost: Counter[str] = Counter()
        if self.started is None:
            return lost
        try:
            if self.db.conn.in_transaction:
                self.db.conn.execute("COMMIT")
            else:
                lost = self.saves
        except (sqlite3.Error, OSError):
            lost = self.saves
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
        self.started = None
        self.saves = Counter()
        return lost


# --- One writer at a time --------------------------------------------------------------------


class ArchiveUnwritable(RuntimeError):
    """The archive cannot be written: a read-only file or folder, or no space to start."""

    def __init__(self, path: str | Path, error: BaseException) -> None:
        super().__init__(
            f"the archive {path} cannot be written ({error}); nothing was crawled. Check that the file "
            "and its folder are writable (the crawl also writes <archive>-wal, -shm and .lock beside it) "
            "and that the disk has room."
        )


class ArchiveLocked(RuntimeError):
    """Another crawl is writing this archive."""


class ArchiveLock:
    """The right to write an archive: an exclusive `flock` on `<archive>.lock`.

    The operating system releases it when the process ends, however it ends (`kill -9` too), so
    a lock is never left behind. The file holds the owner's pid, for the refusal message.
    """

    def __init__(self, db_path: str | Path) -> None:
        # Beside the file itself: an archive reached through a symlink or another path is one archive.
        self.path = Path(f"{os.path.realpath(db_path)}.lock")
        self._handle: IO[str] | None = None

    def acquire(self, timeout: float = 0.0) -> None:
        """Take the lock, waiting up to `timeout` seconds; raise `ArchiveLocked` otherwise."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while locked
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    handle.close()
                    raise ArchiveLocked(
                        f"another crawl (pid {holder}) is writing {self.path.with_suffix('')}; "
                        "not starting a second one (ARCHIVE_LOCK_TIMEOUT waits for it)"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def close_dead_crawls(db: sqlite_utils.Database) -> list[int]:
    """Mark crawls still `running` as `killed`. Call it holding the lock: no other crawl runs."""
    with db.atomic():
        dead = [row[0] for row in db.execute("SELECT id FROM crawls WHERE status = 'running'").fetchall()]
        if dead:
            db.execute("UPDATE crawls SET status = 'killed' WHERE status = 'running'")
    return dead


def start_crawl(db: sqlite_utils.Database, arguments: Mapping[str, Any]) -> int:
    """Record the start of a run and return its id."""
    with db.atomic():
        table = db["crawls"].insert(
            {
                "started": now(),
                "status": "running",
                "arguments": json.dumps(dict(arguments), sort_keys=True, default=str),
                "pid": os.getpid(),
            }
        )
    return int(table.last_pk)


def finish_crawl(db: sqlite_utils.Database, crawl_id: int, status: str, reason: str, stats: Mapping[str, Any]) -> None:
    """Record how a run ended, with its counts taken from Scrapy's stats."""
    errors = sum(
        int(value)
        for key, value in stats.items()
        if isinstance(value, int) and (key.startswith("log_count/ERROR") or key.startswith("spider_exceptions/"))
    )
    with db.atomic():
        db["crawls"].update(
            crawl_id,
            {
                "finished": now(),
                "status": status,
                "finish_reason": reason,
                "requests": stats.get("downloader/request_count", 0),
                "responses": stats.get("downloader/response_count", 0),
                "posts_saved": stats.get("wparchive/posts_saved", 0),
                "comments_saved": stats.get("wparchive/comments_saved", 0),
                "items_dropped": stats.get("item_dropped_count", 0),
                "errors": errors,
                "stats": json.dumps(dict(stats), sort_keys=True, default=str),
                **{name: stats.get(f"wparchive/{name}", 0) for name in CRAWL_COUNTS},
            },
        )
    # The research summaries follow the archive: rebuilt once the crawl's rows are all in.
    from archive.research import refresh_research_summaries

    refresh_research_summaries(db)


# Counts kept for each crawl and each site crawl, from the `wparchive/<name>` stats.
CHANGE_COUNTS = (
    "posts_new",
    "posts_changed",
    "posts_unchanged",
    "posts_missing",
    "comments_new",
    "comments_changed",
    "comments_unchanged",
    "comments_missing",
)
CRAWL_COUNTS = ("sites_crawled", "sites_failed", *CHANGE_COUNTS)


def save_site(
    db: sqlite_utils.Database,
    url: str,
    crawl_id: int | None,
    name: str | None = None,
    discovery: str | None = None,
) -> int:
    """Upsert a site by its home URL and return its id."""
    with db.atomic():
        existing = list(db.query("SELECT id, first_crawl FROM sites WHERE url = ?", [url]))
        row: dict[str, Any] = {"url": url, "last_crawl": crawl_id}
        if name:
            row["name"] = name
        if discovery:
            row["discovery"] = discovery
        if existing:
            site_id = existing[0]["id"]
            db["sites"].update(site_id, row)
            return int(site_id)
        row["first_crawl"] = crawl_id
        return int(db["sites"].insert(row).last_pk)


@dataclass
class SaveResult:
    """What saving one post changed: the post's change and its comments' changes, counted."""

    post_id: int
    change: str  # new, changed, unchanged or back
    comments: Counter[str] = field(default_factory=Counter)  # new, changed, unchanged, back, missing
    # What the block list turned into tombstones: (takedown id, "post" or "comment", the item as it
    # came), so that the crawl's captured pages can be redacted too (archive.takedown).
    blocked: list[tuple[int, str, Mapping[str, Any]]] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        """The crawl counts this save adds (`posts_new`, `comments_missing`, ...)."""
        out: Counter[str] = Counter()
        out["posts_changed" if self.change == "back" else f"posts_{self.change}"] += 1
        for change, n in self.comments.items():
            out["comments_changed" if change == "back" else f"comments_{change}"] += n
        return out


def save_post(db: sqlite_utils.Database, site_id: int, post: Mapping[str, Any], crawl_id: int | None) -> int:
    """Upsert one post (a dict shaped like `spiders.items.Post`) with everything it carries."""
    return save_post_result(db, site_id, post, crawl_id).post_id


def post_hash(post: Mapping[str, Any]) -> str:
    """A post's identity as a version: title, author, date, type, terms, protection, content."""
    terms = sorted({(t["taxonomy"], t["name"]) for t in post.get("terms") or []})
    payload = [post.get(k) for k in ("type", "title", "author", "published", "content_html", "content_text")]
    payload += [bool(post.get("protected")), [list(t) for t in terms]]
    return hashlib.sha1(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def comment_hash(comment: Mapping[str, Any]) -> str:
    """A comment's identity as a version: author, link, date, type, parent and text."""
    payload = [comment.get(k) for k in ("author", "author_url", "published", "type", "parent_wp_id", "content_text")]
    return hashlib.sha1(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def save_post_result(
    db: sqlite_utils.Database, site_id: int, post: Mapping[str, Any], crawl_id: int | None
) -> SaveResult:
    """`save_post`, returning what changed: the post (new, changed, unchanged, back) and its comments.

    A new version row is added to `post_versions` only when the post's hash changed. When the post
    carries its complete comment list (`comments_complete`, no external comments, not protected, no
    more comments declared than found), archived comments absent from it are marked missing.
    """
    with db.atomic():
        blocks = BlockList.load(db, site_id)
        takedown = blocks.match(
            post.get("author"), post.get("author_slug"), post.get("author_user_id"), post.get("author_url")
        )
        if takedown is None and post.get("wp_id") is not None:
            row = db.execute(
                "SELECT forgotten FROM posts WHERE site_id = ? AND wp_id = ? AND forgotten IS NOT NULL",
                [site_id, post["wp_id"]],
            ).fetchone()
            takedown = row[0] if row else None
        blocked: list[tuple[int, str, Mapping[str, Any]]] = []
        if takedown is not None:
            blocked.append((takedown, "post", post))
            post = tombstone_post(post, takedown)
        post_id = _post_id(db, site_id, post)
        before = db.execute(
            "SELECT content_hash, missing_since, last_crawl, sources, content_text, comment_count_rest,"
            " author_url, author_slug, author_user_id, forgotten FROM posts WHERE id = ?",
            [post_id],
        ).fetchone()
        if before is not None and before[9] is not None and takedown is None:
            takedown = before[9]
            blocked.append((takedown, "post", post))
            post = tombstone_post(post, takedown)
        if takedown is None and blocks.digests:  # a forgotten person named in this post
            post = {key: post.get(key) for key in post} | {
                key: blocks.mask(post.get(key)) for key in ("title", "content_html", "content_text")
            }
        if (
            takedown is None
            and before is not None
            and lesser_reading(post.get("sources"), post.get("content_text"), before[3], before[4])
        ):
            post = _keep_richer_post(db, post_id, post)
        published = post.get("published")
        comments = list(post.get("comments") or [])
        new_hash = post_hash(post)
        if before is None:
            change = "new"
        else:
            old_hash = before[0] or _stored_post_hash(db, post_id)
            if before[0] is None and old_hash != new_hash:
                # An archive from before versions were kept: keep the old content as a version.
                _record_version(db, post_id, before[2] or 0, _stored_post(db, post_id), old_hash)
            change = "back" if before[1] is not None else "changed" if old_hash != new_hash else "unchanged"
        row = {
            "id": post_id,
            "site_id": site_id,
            "wp_id": post.get("wp_id"),
            "type": post.get("type") or "post",
            "url": post["url"],
            "title": post.get("title"),
            "author": post.get("author"),
            # Who the author is, as WordPress marks them: a reading without it (the page alone)
            # keeps what an earlier one found.
            **{
                key: post.get(key) if post.get(key) is not None or before is None or takedown else before[6 + n]
                for n, key in enumerate(("author_url", "author_slug", "author_user_id"))
            },
            "published": published,
            "modified": post.get("modified"),
            "year": int(published[:4]) if published and published[:4].isdigit() else None,
            "content_html": post.get("content_html"),
            "content_text": post.get("content_text"),
            "comment_count_declared": post.get("comment_count_declared"),
            # The count the REST API last gave: a crawl that could not ask keeps it.
            "comment_count_rest": post.get("comment_count_rest")
            if post.get("comment_count_rest") is not None or before is None
            else before[5],
            "external_comments": post.get("external_comments"),
            "protected": int(bool(post.get("protected"))),
            "comments_complete": int(bool(post.get("comments_complete", True))),
            "sources": ",".join(sorted(set(post.get("sources") or []))) or None,
            "last_crawl": crawl_id,
            "missing_since": None,
            "content_hash": new_hash,
            "forgotten": takedown,
        }
        if before is None:
            row["first_crawl"] = crawl_id
        upsert_rows(db, "posts", [row], "id")
        _replace_rows(
            db,
            "breadcrumbs",
            post_id,
            (
                {"post_id": post_id, "position": i, "label": c["label"], "url": c.get("url")}
                for i, c in enumerate(post.get("breadcrumbs") or [], start=1)
            ),
        )
        _replace_rows(
            db,
            "share_links",
            post_id,
            (
                {"post_id": post_id, "position": i, "service": s["service"], "url": s["url"]}
                for i, s in enumerate(post.get("share_links") or [], start=1)
            ),
        )
        _replace_rows(
            db,
            "images",
            post_id,
            (
                {
                    "post_id": post_id,
                    "position": i,
                    **{k: img.get(k) for k in ("src", "alt", "caption")},
                }
                for i, img in enumerate(post.get("images") or [], start=1)
            ),
        )
        term_ids = [_term_id(db, site_id, term) for term in post.get("terms") or []]
        _replace_rows(
            db,
            "post_terms",
            post_id,
            ({"post_id": post_id, "term_id": term_id} for term_id in dict.fromkeys(term_ids)),
        )
        if takedown is None:
            _record_version(db, post_id, crawl_id, post, new_hash)
        declared = post.get("comment_count_declared")
        authoritative = (
            bool(post.get("comments_complete", True))
            and not post.get("external_comments")
            and not post.get("protected")
            and (declared is None or declared <= len(comments))
        )
        comment_changes = _save_comments(db, site_id, post_id, comments, crawl_id, authoritative, blocks, blocked)
        captured = db.execute(
            "SELECT count(*) FROM comments WHERE post_id = ? AND missing_since IS NULL", [post_id]
        ).fetchone()[0]
        db.execute("UPDATE posts SET comment_count_captured = ? WHERE id = ?", [captured, post_id])
        _save_fetched(db, site_id, post_id, post.get("fetched") or [], crawl_id)
        _save_captures(db, post_id, post.get("captures") or [], crawl_id)
        if post.get("media_urls"):
            # Files the archive holds that the post still shows: seen by this crawl.
            marks = ",".join("?" * len(post["media_urls"]))
            db.execute(
                f"UPDATE media SET last_crawl = ? WHERE site_id = ? AND url IN ({marks})",
                [crawl_id, site_id, *post["media_urls"]],
            )
        if change != "unchanged":
            _log_changes(db, crawl_id, site_id, [(post_id, None, "post", change)])
    return SaveResult(post_id, change, comment_changes, blocked)


# What a reading with the REST API brings beyond the page (exact dates with their offset, the
# modified date, WordPress's own HTML): a reading without it does not replace these.
_RICHER_POST_FIELDS = ("wp_id", "type", "title", "author", "published", "modified", "content_html", "content_text")
_RICHER_COMMENT_FIELDS = (
    "wp_id",
    "parent_wp_id",
    "depth",
    "author",
    "author_url",
    "published",
    "type",
    "content_html",
    "content_text",
)


def lesser_reading(new_sources: Any, new_text: str | None, old_sources: str | None, old_text: str | None) -> bool:
    """Whether a new reading of an archived post or comment came from fewer sources than the
    archived one (this crawl's REST request failed: the page alone was read) and says the same
    text. It then replaces nothing with less: the archived values stay."""
    new, old = set(new_sources or []), set((old_sources or "").split(",")) - {""}
    same_text = " ".join((new_text or "").split()) == " ".join((old_text or "").split())
    return bool(new) and new < old and same_text


def _keep_richer_post(db: sqlite_utils.Database, post_id: int, post: Mapping[str, Any]) -> dict[str, Any]:
    """The post with the archived values of what only the richer reading gave."""
    stored = _stored_post(db, post_id)
    merged = dict(post)
    merged.update({k: stored[k] for k in _RICHER_POST_FIELDS if stored.get(k) is not None})
    merged["sources"] = stored["sources"].split(",")
    terms = {(t["taxonomy"], t["name"]) for t in post.get("terms") or []}
    if terms <= {(t["taxonomy"], t["name"]) for t in stored["terms"]}:
        merged["terms"] = stored["terms"]
    return merged


def _stored_post(db: sqlite_utils.Database, post_id: int) -> dict[str, Any]:
    """A stored post as a dict shaped like the items (for hashing rows saved before hashes)."""
    row = dict(next(db.query("SELECT * FROM posts WHERE id = ?", [post_id])))
    row["terms"] = list(
        db.query(
            "SELECT t.taxonomy, t.name FROM post_terms pt JOIN terms t ON t.id = pt.term_id WHERE pt.post_id = ?",
            [post_id],
        )
    )
    return row


def _stored_post_hash(db: sqlite_utils.Database, post_id: int) -> str:
    return post_hash(_stored_post(db, post_id))


def _record_version(
    db: sqlite_utils.Database, post_id: int, crawl_id: int | None, post: Mapping[str, Any], digest: str
) -> None:
    """Add the post's content to `post_versions` when it differs from the latest version."""
    latest = db.execute(
        "SELECT content_hash FROM post_versions WHERE post_id = ? ORDER BY crawl_id DESC LIMIT 1", [post_id]
    ).fetchone()
    if latest is not None and latest[0] == digest:
        return
    terms = sorted({(t["taxonomy"], t["name"]) for t in post.get("terms") or []})
    upsert_rows(
        db,
        "post_versions",
        [
            {
                "post_id": post_id,
                "crawl_id": crawl_id,
                "content_hash": digest,
                "title": post.get("title"),
                "author": post.get("author"),
                "published": post.get("published"),
                "modified": post.get("modified"),
                "terms": json.dumps([list(t) for t in terms], ensure_ascii=False),
                "content_html": post.get("content_html"),
                "content_text": post.get("content_text"),
            }
        ],
        ("post_id", "crawl_id"),
    )


def _save_fetched(
    db: sqlite_utils.Database, site_id: int, post_id: int, fetched: Sequence[Mapping[str, Any]], crawl_id: int | None
) -> None:
    """Validators and sitemap lastmod of the post's page, stored with the post they led to."""
    for entry in fetched:
        upsert_rows(
            db,
            "url_state",
            [
                {
                    "url": entry["url"],
                    "site_id": site_id,
                    "post_id": post_id,
                    "etag": entry.get("etag"),
                    "last_modified": entry.get("last_modified"),
                    "lastmod": entry.get("lastmod"),
                    "crawl_id": crawl_id,
                }
            ],
            "url",
        )


def save_media(db: sqlite_utils.Database, site_id: int, media: Mapping[str, Any], crawl_id: int | None) -> int:
    """Upsert one file kept with a post (a `spiders.items.Media` as a dict); returns its id."""
    post = db.execute("SELECT id FROM posts WHERE site_id = ? AND url = ?", [site_id, media["post_url"]]).fetchone()
    existing = db.execute("SELECT id, first_crawl FROM media WHERE site_id = ? AND url = ?", [site_id, media["url"]])
    found = existing.fetchone()
    row = {
        "site_id": site_id,
        "post_id": post[0] if post else None,
        "url": media["url"],
        **{k: media.get(k) for k in ("content_type", "bytes", "sha256", "alt", "caption", "wacz", "record_id")},
        "first_crawl": found[1] if found else crawl_id,
        "last_crawl": crawl_id,
    }
    with db.atomic():
        if found:
            db["media"].update(found[0], row)
            return int(found[0])
        return int(db["media"].insert(row).last_pk)


def _save_captures(
    db: sqlite_utils.Database, post_id: int, captures: Sequence[Mapping[str, Any]], crawl_id: int | None
) -> None:
    """Where this crawl kept the post's page and comment pages (WACZ file, record id, digest)."""
    if crawl_id is None or not captures:
        return
    upsert_rows(
        db,
        "captures",
        [
            {
                "crawl_id": crawl_id,
                "url": c["url"],
                "post_id": post_id,
                "kind": c.get("kind"),
                "wacz": c.get("wacz"),
                "record_id": c.get("record_id"),
                "digest": c.get("digest"),
            }
            for c in captures
        ],
        ("crawl_id", "url"),
    )


def _log_changes(
    db: sqlite_utils.Database,
    crawl_id: int | None,
    site_id: int | None,
    entries: Iterable[tuple[int, int | None, str, str]],
) -> None:
    rows = [
        {
            "crawl_id": crawl_id,
            "site_id": site_id,
            "post_id": post_id,
            "comment_id": comment_id,
            "kind": kind,
            "change": change,
        }
        for post_id, comment_id, kind, change in entries
    ]
    insert_rows(db, "changes", rows)


def _post_id(db: sqlite_utils.Database, site_id: int, post: Mapping[str, Any]) -> int:
    """The archive id of a post: found by WordPress id, then by URL, else a new one."""
    wp_id = post.get("wp_id")
    if wp_id is not None:
        row = db.execute("SELECT id FROM posts WHERE site_id = ? AND wp_id = ?", [site_id, wp_id]).fetchone()
        if row:
            return int(row[0])
    row = db.execute("SELECT id FROM posts WHERE site_id = ? AND url = ?", [site_id, post["url"]]).fetchone()
    if row:
        return int(row[0])
    next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM posts").fetchone()[0]
    return int(next_id)


def _term_id(db: sqlite_utils.Database, site_id: int, term: Mapping[str, Any]) -> int:
    row = db.execute(
        "SELECT id FROM terms WHERE site_id = ? AND taxonomy = ? AND name = ?",
        [site_id, term["taxonomy"], term["name"]],
    ).fetchone()
    if row:
        if term.get("url"):
            db.execute("UPDATE terms SET url = ? WHERE id = ?", [term["url"], row[0]])
        return int(row[0])
    return int(
        db["terms"]
        .insert(
            {
                "site_id": site_id,
                "taxonomy": term["taxonomy"],
                "name": term["name"],
                "url": term.get("url"),
            }
        )
        .last_pk
    )


def _replace_rows(db: sqlite_utils.Database, table: str, post_id: int, rows: Iterable[Mapping[str, Any]]) -> None:
    db.execute(f"DELETE FROM [{table}] WHERE post_id = ?", [post_id])
    insert_rows(db, table, list(rows))


def tombstone_url(url: str) -> str:
    """What a forgotten post's URL becomes: a hash that a later crawl's URL is recognised by."""
    return "forgotten:" + hashlib.sha256(url.encode()).hexdigest()[:32]


def tombstone_post(post: Mapping[str, Any], takedown: int) -> dict[str, Any]:
    """What is kept of a forgotten person's post: that it was there (its WordPress id, type, and
    the comments of others under it), not what it said, who wrote it, or its address."""
    return {
        **post,
        "url": tombstone_url(str(post.get("url"))),
        **dict.fromkeys(
            ("title", "author", "author_url", "author_slug", "author_user_id", "published", "modified"), None
        ),
        **dict.fromkeys(("content_html", "content_text"), None),
        **dict.fromkeys(("terms", "images", "media_urls", "breadcrumbs", "share_links", "fetched", "captures"), []),
        "forgotten": takedown,
    }


_TOMBSTONE_COMMENT_FIELDS = (
    "author",
    "author_url",
    "author_slug",
    "author_user_id",
    "published",
    "content_html",
    "content_text",
)


def tombstone_comment(comment: Mapping[str, Any], takedown: int) -> dict[str, Any]:
    """What is kept of a forgotten person's comment: its place in the thread."""
    return {
        **comment,
        **dict.fromkeys(_TOMBSTONE_COMMENT_FIELDS, None),
        "registered": False,
        "by_post_author": False,
        "forgotten": takedown,
    }


def comment_key(comment: Mapping[str, Any]) -> str:
    """A comment's identity within its post: its WordPress id, else a hash of what it says."""
    if comment.get("wp_id") is not None:
        return f"wp:{comment['wp_id']}"
    digest = hashlib.sha1(
        "\x1f".join(str(comment.get(k) or "") for k in ("author", "published", "content_text")).encode("utf-8")
    ).hexdigest()[:16]
    return f"h:{digest}"


def _save_comments(
    db: sqlite_utils.Database,
    site_id: int,
    post_id: int,
    comments: list[Mapping[str, Any]],
    crawl_id: int | None,
    authoritative: bool,
    blocks: BlockList | None = None,
    blocked: list[tuple[int, str, Mapping[str, Any]]] | None = None,
) -> Counter[str]:
    """Upsert the post's comments; with `authoritative`, mark the archived ones not in the list missing.
    A comment by a forgotten person (`blocks`), or whose archived row is a tombstone, is saved as one."""
    changes: Counter[str] = Counter()
    stored = {row["key"]: row for row in db.query("SELECT * FROM comments WHERE post_id = ?", [post_id])}
    existing: dict[str, tuple[int, int | None, str | None, int | None]] = {
        key: (row["id"], row["first_crawl"], row["content_hash"] or comment_hash(row), row["missing_since"])
        for key, row in stored.items()
    }
    log: list[tuple[int, int | None, str, str]] = []
    next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM comments").fetchone()[0]
    rows = []
    seen: set[str] = set()
    for position, comment in enumerate(comments, start=1):
        key = comment_key(comment)
        archived = stored.get(key)
        takedown = archived["forgotten"] if archived is not None else None
        if takedown is None and blocks is not None:
            takedown = blocks.match(
                comment.get("author"),
                comment.get("author_slug"),
                comment.get("author_user_id"),
                comment.get("author_url"),
            )
        if takedown is not None:
            if blocked is not None:
                blocked.append((takedown, "comment", comment))
            comment = tombstone_comment(comment, takedown)
        elif blocks is not None and blocks.digests:  # a forgotten person named in it
            comment = {**comment, **{key: blocks.mask(comment.get(key)) for key in ("content_html", "content_text")}}
        if (
            takedown is None
            and archived is not None
            and lesser_reading(
                comment.get("sources"), comment.get("content_text"), archived["sources"], archived["content_text"]
            )
        ):
            comment = {
                **comment,
                **{k: archived[k] for k in _RICHER_COMMENT_FIELDS if archived[k] is not None},
                "sources": archived["sources"].split(","),
            }
        digest = comment_hash(comment)
        if key in seen:
            continue
        seen.add(key)
        if key in existing:
            comment_id, first_crawl, old_digest, missing_since = existing[key]
            change = "back" if missing_since is not None else "changed" if old_digest != digest else "unchanged"
        else:
            comment_id, first_crawl = next_id, crawl_id
            next_id += 1
            change = "new"
        changes[change] += 1
        if change != "unchanged":
            log.append((post_id, comment_id, "comment", change))
        rows.append(
            {
                "id": comment_id,
                "post_id": post_id,
                "wp_id": comment.get("wp_id"),
                "parent_wp_id": comment.get("parent_wp_id"),
                "depth": comment.get("depth") or 1,
                "position": position,
                "author": comment.get("author"),
                "author_url": comment.get("author_url"),
                "author_slug": comment.get("author_slug")
                if comment.get("author_slug") or archived is None or takedown
                else archived["author_slug"],
                "author_user_id": comment.get("author_user_id")
                if comment.get("author_user_id") is not None or archived is None or takedown
                else archived["author_user_id"],
                "registered": int(
                    bool(comment.get("registered") or (archived and not takedown and archived["registered"]))
                ),
                "by_post_author": int(bool(comment.get("by_post_author"))),
                "forgotten": takedown,
                "published": comment.get("published"),
                "type": comment.get("type") or "comment",
                "content_html": comment.get("content_html"),
                "content_text": comment.get("content_text"),
                "sources": ",".join(sorted(set(comment.get("sources") or []))) or None,
                "key": key,
                "first_crawl": first_crawl,
                "last_crawl": crawl_id,
                "missing_since": None,
                "content_hash": digest,
            }
        )
    if authoritative:
        gone = [(k, v[0]) for k, v in existing.items() if k not in seen and v[3] is None]
        for _, comment_id in gone:
            db.execute("UPDATE comments SET missing_since = ? WHERE id = ?", [crawl_id, comment_id])
            log.append((post_id, comment_id, "comment", "missing"))
        if gone:
            changes["missing"] += len(gone)
    if not rows:
        _log_changes(db, crawl_id, site_id, log)
        return changes
    later = _set_parent_ids(stored.values(), rows, seen)
    upsert_rows(db, "comments", rows, "id")
    _log_changes(db, crawl_id, site_id, log)
    if later:
        db.conn.executemany("UPDATE comments SET parent_id = ? WHERE id = ?", later)
    return changes


def _set_parent_ids(
    stored: Iterable[Mapping[str, Any]], rows: list[dict[str, Any]], seen: set[str]
) -> list[tuple[int | None, int]]:
    """Each comment's `parent_id`: the id of the post's comment whose WordPress id is its
    `parent_wp_id` (NULL when there is none), over the post's comments as they will be (the
    archived ones with the rows saved now). Set in the rows, so that they are written once,
    with their parent, when the parent is archived already or saved before them (the foreign key
    is checked row by row); returned as (parent_id, id) to set after the rows are saved: the
    rows whose parent comes after them, and the archived comments not saved now whose parent
    changed."""
    archived = list(stored)
    by_wp_id = {row["wp_id"]: row["id"] for row in archived if row["wp_id"] is not None}
    by_wp_id.update((row["wp_id"], row["id"]) for row in rows if row["wp_id"] is not None)
    present = {row["id"] for row in archived}
    later: list[tuple[int | None, int]] = []
    for row in rows:
        parent = by_wp_id.get(row["parent_wp_id"]) if row["parent_wp_id"] is not None else None
        if parent is None or parent in present:
            row["parent_id"] = parent
        else:
            row["parent_id"] = None
            later.append((parent, row["id"]))
        present.add(row["id"])
    for row in archived:
        if row["key"] not in seen:
            parent = by_wp_id.get(row["parent_wp_id"]) if row["parent_wp_id"] is not None else None
            if parent != row["parent_id"]:
                later.append((parent, row["id"]))
    return later


# --- After a site is crawled ------------------------------------------------------------------


def finish_site(
    db: sqlite_utils.Database, crawl_id: int | None, report: Mapping[str, Any], counts: Mapping[str, int]
) -> Counter[str]:
    """Record how one site's crawl went (a `site_crawls` row) and what it observed without saving
    posts: posts seen in a listing or answered 304 (`seen`), posts whose comments are confirmed
    unchanged (`confirmed`), posts gone (`missing`), and listing validators. Returns the counts it
    adds (`posts_unchanged`, `comments_unchanged`, `posts_missing`).

    `report` is a `spiders.items.SiteCrawl` as a dict; `counts` what saving its posts counted.
    """
    added: Counter[str] = Counter()
    with db.atomic():
        row = db.execute("SELECT id FROM sites WHERE url = ?", [report["site_url"]]).fetchone()
        site_id = int(row[0]) if row else None
        if site_id is not None and report["status"] != "failed":
            for chunk in _chunks(sorted(set(report.get("seen") or []))):
                marks = ",".join("?" * len(chunk))
                added["posts_unchanged"] += db.execute(
                    f"UPDATE posts SET last_crawl = ? WHERE site_id = ? AND missing_since IS NULL AND id IN ({marks})",
                    [crawl_id, site_id, *chunk],
                ).rowcount
                # The files of a post seen unchanged are still shown by it.
                db.execute(
                    f"UPDATE media SET last_crawl = ? WHERE site_id = ? AND post_id IN ({marks})",
                    [crawl_id, site_id, *chunk],
                )
            for chunk in _chunks(sorted(set(report.get("confirmed") or []))):
                marks = ",".join("?" * len(chunk))
                added["comments_unchanged"] += db.execute(
                    f"UPDATE comments SET last_crawl = ? WHERE missing_since IS NULL AND post_id IN ({marks})"
                    f" AND post_id IN (SELECT id FROM posts WHERE site_id = ?)",
                    [crawl_id, *chunk, site_id],
                ).rowcount
            for chunk in _chunks(sorted(set(report.get("missing") or []))):
                marks = ",".join("?" * len(chunk))
                gone = [
                    r[0]
                    for r in db.execute(
                        f"SELECT id FROM posts WHERE site_id = ? AND missing_since IS NULL AND id IN ({marks})",
                        [site_id, *chunk],
                    ).fetchall()
                ]
                for post_id in gone:
                    db.execute("UPDATE posts SET missing_since = ? WHERE id = ?", [crawl_id, post_id])
                _log_changes(db, crawl_id, site_id, [(post_id, None, "post", "missing") for post_id in gone])
                added["posts_missing"] += len(gone)
            for entry in report.get("validators") or []:
                db["url_state"].upsert(
                    {
                        "url": entry["url"],
                        "site_id": site_id,
                        "post_id": None,
                        "etag": entry.get("etag"),
                        "last_modified": entry.get("last_modified"),
                        "lastmod": entry.get("lastmod"),
                        "links": (
                            json.dumps({key: entry.get(key, []) for key in ("links", "marked", "pages")})
                            if entry.get("links") is not None
                            else None
                        ),
                        "crawl_id": crawl_id,
                    },
                    pk="url",
                )
            db.execute("UPDATE sites SET last_crawl = ? WHERE id = ?", [crawl_id, site_id])
        total = Counter(counts) + added
        db["site_crawls"].insert(
            {
                "crawl_id": crawl_id,
                "site_id": site_id,
                "url": report["site_url"],
                "status": report["status"],
                "mode": report.get("mode"),
                "discovery": report.get("discovery"),
                "listing_proof": report.get("proof"),
                "site_clock": report.get("site_clock"),
                "requests": report.get("requests"),
                "rest_comment_total": report.get("rest_comment_total"),
                "error": report.get("error"),
                **{name: total.get(name, 0) for name in CHANGE_COUNTS},
            }
        )
    return added


def _chunks(values: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- What a re-crawl needs to know -------------------------------------------------------------


def read_site_state(path: str | Path, site_url: str) -> SiteState | None:
    """`site_state` from a read-only connection; None when there is no archive or no such site.
    The connection stays open with the state: its validators are read one URL at a time."""
    if str(path) == ":memory:" or not Path(path).exists():
        return None
    conn = sqlite3.connect(
        f"file:{quote(str(Path(path).absolute()))}?mode=ro", uri=True, timeout=30, check_same_thread=False
    )
    try:
        state = site_state(sqlite_utils.Database(conn), site_url)
    except sqlite3.OperationalError:
        state = None  # an archive from before incremental crawling, not yet migrated
    if state is None:
        conn.close()
    else:
        # A crawl of many blogs holds one such connection a blog: a small page cache each from
        # here on (look-ups by primary key need few pages), not SQLite's default 2 MB.
        conn.execute("PRAGMA cache_size = -256")
    return state


def read_archived_posts(path: str | Path, site_url: str, wp_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """`archived_posts` from a read-only connection; empty when there is no archive."""
    if str(path) == ":memory:" or not Path(path).exists():
        return {}
    conn = sqlite3.connect(f"file:{quote(str(Path(path).absolute()))}?mode=ro", uri=True, timeout=30)
    try:
        return archived_posts(sqlite_utils.Database(conn), site_url, wp_ids)
    finally:
        conn.close()


def archived_posts(db: sqlite_utils.Database, site_url: str, wp_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Archived posts of a site by WordPress id, shaped like `spiders.items.Post` as a dict: the
    post's own fields, its `terms`, and its `comments` (missing ones too, with `missing` true).

    A re-crawl that fetches a post's page again takes the post's REST fields and its REST
    comments from here instead of asking the API for them again."""
    out: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(wp_ids))):
        marks = ",".join("?" * len(chunk))
        for row in db.query(
            "SELECT p.id, p.url, p.wp_id, p.type, p.title, p.author, p.author_url, p.author_slug, p.author_user_id,"
            " p.published, p.modified, p.content_html, p.content_text, p.protected, p.sources"
            " FROM posts p JOIN sites s ON s.id = p.site_id"
            f" WHERE s.url = ? AND p.wp_id IN ({marks})",
            [site_url, *chunk],
        ):
            post = dict(row)
            post_id = post.pop("id")
            post["protected"] = bool(post["protected"])
            post["sources"] = post["sources"].split(",") if post["sources"] else []
            post["terms"] = [
                dict(t)
                for t in db.query(
                    "SELECT t.taxonomy, t.name, t.url FROM post_terms pt JOIN terms t ON t.id = pt.term_id"
                    " WHERE pt.post_id = ? ORDER BY pt.rowid",
                    [post_id],
                )
            ]
            comments = []
            for c in db.query(
                "SELECT wp_id, parent_wp_id, depth, author, author_url, author_user_id, published, type, content_html,"
                " content_text, sources, missing_since FROM comments WHERE post_id = ? ORDER BY position",
                [post_id],
            ):
                comment = dict(c)
                comment["sources"] = comment["sources"].split(",") if comment["sources"] else []
                comment["missing"] = comment.pop("missing_since") is not None
                comments.append(comment)
            post["comments"] = comments
            out[post["wp_id"]] = post
    return out


class StoredValidators:
    """What the last fetch of each of a site's URLs said (`url_state`: etag, last_modified,
    lastmod, and a listing page's links), read one URL at a time when the crawl asks for it:
    held whole, a blog of 100,000 posts's take about 70 MB for the whole re-crawl. A URL's row
    changes only once its page is fetched again, after the crawl asked for it."""

    def __init__(self, conn: sqlite3.Connection, site_id: int) -> None:
        self.conn = conn
        self.site_id = site_id

    def get(self, url: str, default: Any = None, /) -> dict[str, Any] | Any:
        row = self.conn.execute(
            "SELECT etag, last_modified, lastmod, links FROM url_state WHERE url = ? AND site_id = ?",
            [url, self.site_id],
        ).fetchone()
        if row is None:
            return default
        stored = {"etag": row[0], "last_modified": row[1], "lastmod": row[2]}
        if row[3]:
            stored.update(json.loads(row[3]))
        return stored

    def __getitem__(self, url: str) -> dict[str, Any]:
        stored = self.get(url)
        if stored is None:
            raise KeyError(url)
        return stored


_NO_IDS = array("q")  # shared by every post without comments; never changed


def _post_comment_ids(rows: Iterable[tuple], missing_comments: set[int]) -> tuple[array, array]:
    """A post's present comment ids and those of them the REST API gave, from its comment rows in
    order of WordPress id (the ids of missing ones go to `missing_comments`)."""
    ids, rest = array("q"), array("q")
    for _, wp_id, sources, kind, missing in rows:
        if missing is not None:
            missing_comments.add(wp_id)
            continue
        if not ids or ids[-1] != wp_id:  # sorted: a repeated id (two rows of one comment) is next
            ids.append(wp_id)
        if kind == "comment" and "rest" in (sources or "").split(",") and (not rest or rest[-1] != wp_id):
            rest.append(wp_id)
    return (ids, ids if len(rest) == len(ids) else rest) if ids else (_NO_IDS, _NO_IDS)


def _known_post(row: tuple, comment_ids: array, rest_ids: array) -> KnownPost:
    """An archived post with its comment ids, each a sorted array (the same one for both where
    the REST API gave all of its comments, as for most posts)."""
    return KnownPost(
        id=row[0],
        wp_id=row[1],
        type=row[2] or "post",
        url=row[3],
        modified=row[4],
        missing=row[5] is not None,
        comment_ids=comment_ids,
        rest_comment_ids=rest_ids or _NO_IDS,  # a subset of the post's present comment ids
        protected=bool(row[6]),
    )


def site_state(db: sqlite_utils.Database, site_url: str) -> SiteState | None:
    """The archived posts of a site with their comment ids, stored validators, and the last
    complete crawl; None when the site was never archived."""
    row = db.execute("SELECT id, discovery FROM sites WHERE url = ?", [site_url]).fetchone()
    if row is None:
        return None
    site_id = int(row[0])
    last = db.execute(
        "SELECT crawl_id, site_clock FROM site_crawls WHERE site_id = ? AND status = 'complete'"
        " AND mode != 'single' ORDER BY crawl_id DESC LIMIT 1",
        [site_id],
    ).fetchone()
    missing_comments: set[int] = set()
    # Row by row, in one order for posts and comments (by WordPress id, then id: both read from
    # the indexes, nothing sorted), so that each post meets its own comments as it is read: a big
    # blog's million comment ids go straight into the columns, with nothing held on the way.
    comment_rows = db.execute(
        "SELECT c.post_id, c.wp_id, c.sources, c.type, c.missing_since FROM posts p"
        " JOIN comments c ON c.post_id = p.id WHERE p.site_id = ? AND c.wp_id IS NOT NULL"
        " ORDER BY p.wp_id, p.id, c.wp_id",
        [site_id],
    )
    groups = groupby(comment_rows, key=itemgetter(0))
    group = next(groups, None)
    posts = ArchivedPosts()
    for post_row in db.execute(
        "SELECT id, wp_id, type, url, modified, missing_since, protected FROM posts WHERE site_id = ?"
        " ORDER BY wp_id, id",
        [site_id],
    ):
        ids, rest = _NO_IDS, _NO_IDS
        if group is not None and group[0] == post_row[0]:
            ids, rest = _post_comment_ids(group[1], missing_comments)
            group = next(groups, None)
        posts.add(_known_post(post_row, ids, rest))
    posts.seal()
    present = id_array(
        r[0]
        for r in db.execute(
            "SELECT c.wp_id FROM posts p JOIN comments c ON c.post_id = p.id"
            " WHERE p.site_id = ? AND c.wp_id IS NOT NULL AND c.missing_since IS NULL ORDER BY c.wp_id",
            [site_id],
        )
    )
    missing_comments = {i for i in missing_comments if not sorted_has(present, i)}
    # Each post's own URL first (the later post of two with one URL), then the URLs its page was
    # fetched at.
    urls = PostIdsByUrl(
        chain(
            zip(reversed(posts.urls), reversed(posts.ids), strict=True),
            db.execute("SELECT url, post_id FROM url_state WHERE site_id = ? AND post_id IS NOT NULL", [site_id]),
        )
    )
    return SiteState(
        site_id=site_id,
        url=site_url,
        discovery=row[1],
        last_complete_crawl=last[0] if last else None,
        last_site_clock=last[1] if last else None,
        posts=posts,
        urls=urls,
        validators=StoredValidators(db.conn, site_id),
        comment_ids=present,
        missing_comment_ids=frozenset(missing_comments),
        media=frozenset(r[0] for r in db.execute("SELECT url FROM media WHERE site_id = ?", [site_id])),
    )
