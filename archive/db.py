"""Open the archive, give it its shape, and save crawled items into it.

Save functions upsert on explicit keys, so saving the same post twice gives the same rows. Each
post is written with its trail, share links, terms and comments in one transaction: an interrupted
crawl leaves either the whole post or none of it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.schema import FTS, TABLES, VIEWS


def open_db(path: str | Path, *, create_dirs: bool = True) -> sqlite_utils.Database:
    """Open (or create) an archive with WAL, foreign keys and a busy timeout."""
    if create_dirs and str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    db = sqlite_utils.Database(conn)
    ensure_db_shape(db)
    return db


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
                for column in table.columns:
                    if column.name not in existing:
                        db[table.name].add_column(column.name, column.type)
            for index_columns, unique in table.indexes:
                db[table.name].create_index(list(index_columns), unique=unique, if_not_exists=True)
    for table_name, columns in FTS.items():
        if not db[table_name].detect_fts():
            db[table_name].enable_fts(list(columns), create_triggers=True, tokenize="porter")
    for name, (_, sql) in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def start_crawl(db: sqlite_utils.Database, arguments: Mapping[str, Any]) -> int:
    """Record the start of a run and return its id."""
    with db.atomic():
        table = db["crawls"].insert(
            {
                "started": now(),
                "status": "running",
                "arguments": json.dumps(dict(arguments), sort_keys=True, default=str),
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
            },
        )


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


def save_post(db: sqlite_utils.Database, site_id: int, post: Mapping[str, Any], crawl_id: int | None) -> int:
    """Upsert one post (a dict shaped like `spiders.items.Post`) with everything it carries."""
    with db.atomic():
        post_id = _post_id(db, site_id, post)
        published = post.get("published")
        comments = list(post.get("comments") or [])
        row = {
            "id": post_id,
            "site_id": site_id,
            "wp_id": post.get("wp_id"),
            "type": post.get("type") or "post",
            "url": post["url"],
            "title": post.get("title"),
            "author": post.get("author"),
            "published": published,
            "modified": post.get("modified"),
            "year": int(published[:4]) if published and published[:4].isdigit() else None,
            "content_html": post.get("content_html"),
            "content_text": post.get("content_text"),
            "comment_count_declared": post.get("comment_count_declared"),
            "comment_count_rest": post.get("comment_count_rest"),
            "external_comments": post.get("external_comments"),
            "protected": int(bool(post.get("protected"))),
            "comments_complete": int(bool(post.get("comments_complete", True))),
            "sources": ",".join(sorted(set(post.get("sources") or []))) or None,
            "last_crawl": crawl_id,
        }
        if not db.execute("SELECT 1 FROM posts WHERE id = ?", [post_id]).fetchone():
            row["first_crawl"] = crawl_id
        db["posts"].upsert(row, pk="id", alter=True)
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
        _save_comments(db, post_id, comments, crawl_id)
        captured = db.execute("SELECT count(*) FROM comments WHERE post_id = ?", [post_id]).fetchone()[0]
        db.execute("UPDATE posts SET comment_count_captured = ? WHERE id = ?", [captured, post_id])
    return post_id


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
    rows = list(rows)
    if rows:
        db[table].insert_all(rows)


def comment_key(comment: Mapping[str, Any]) -> str:
    """A comment's identity within its post: its WordPress id, else a hash of what it says."""
    if comment.get("wp_id") is not None:
        return f"wp:{comment['wp_id']}"
    digest = hashlib.sha1(
        "\x1f".join(str(comment.get(k) or "") for k in ("author", "published", "content_text")).encode("utf-8")
    ).hexdigest()[:16]
    return f"h:{digest}"


def _save_comments(
    db: sqlite_utils.Database, post_id: int, comments: list[Mapping[str, Any]], crawl_id: int | None
) -> None:
    if not comments:
        return
    existing = {
        row[0]: (row[1], row[2])
        for row in db.execute("SELECT key, id, first_crawl FROM comments WHERE post_id = ?", [post_id]).fetchall()
    }
    next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM comments").fetchone()[0]
    rows = []
    for position, comment in enumerate(comments, start=1):
        key = comment_key(comment)
        if key in existing:
            comment_id, first_crawl = existing[key]
        else:
            comment_id, first_crawl = next_id, crawl_id
            next_id += 1
            existing[key] = (comment_id, first_crawl)
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
                "published": comment.get("published"),
                "type": comment.get("type") or "comment",
                "content_html": comment.get("content_html"),
                "content_text": comment.get("content_text"),
                "sources": ",".join(sorted(set(comment.get("sources") or []))) or None,
                "key": key,
                "first_crawl": first_crawl,
                "last_crawl": crawl_id,
            }
        )
    # Parents first: the parent_id foreign key is filled in afterwards, within this transaction.
    db["comments"].upsert_all(rows, pk="id", alter=True)
    db.execute(
        """
        UPDATE comments SET parent_id = (
          SELECT parent.id FROM comments AS parent
          WHERE parent.post_id = comments.post_id AND parent.wp_id = comments.parent_wp_id
        )
        WHERE post_id = ?
        """,
        [post_id],
    )
