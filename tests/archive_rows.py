"""An archive's rows by natural keys, for comparing two archives of the same site.

Archive ids (posts.id, comments.id) depend on the order posts were saved in, and crawl ids on
how many runs there were; WordPress ids, URLs and comment keys do not. `snapshot(db)` replaces
every archive id with the natural key it stands for and drops crawl ids and times, so that an
interrupted and resumed crawl, or an incremental one, can be compared row by row with another.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlite_utils

SKIP = {"first_crawl", "last_crawl", "crawl_id"}


def snapshot(db: sqlite_utils.Database, *, history: bool = True) -> dict[str, Any]:
    """Every table as sorted rows (or counted rows), keyed by natural keys.

    `history=False` leaves out what only a sequence of crawls has (versions, the change log,
    listing validators) and keeps the present state: posts, comments and what they carry.
    """
    sites = {r["id"]: r["url"] for r in db.query("select id, url from sites")}
    posts = {
        r["id"]: (sites[r["site_id"]], r["wp_id"] if r["wp_id"] is not None else r["url"])
        for r in db.query("select id, site_id, wp_id, url from posts")
    }
    comments = {r["id"]: (posts[r["post_id"]], r["key"]) for r in db.query("select id, post_id, key from comments")}
    terms = {r["id"]: (sites[r["site_id"]], r["taxonomy"], r["name"]) for r in db.query("select * from terms")}
    # People are numbered in the order their site's rows were joined: known by their name (their
    # identity depends on what a crawl could read: a user id from the REST API, else a slug).
    people = (
        {r["id"]: (sites[r["site_id"]], r["name"]) for r in db.query("select * from people")}
        if db["people"].exists()
        else {}
    )

    def rows(table: str, **keys: dict[int, Any]) -> list[tuple]:
        out = []
        for row in db.query(f"select * from [{table}]"):
            clean = {}
            for name, value in row.items():
                if name in SKIP or name == "id":
                    continue
                if name == "missing_since":
                    clean["missing"] = value is not None
                elif name in keys:
                    clean[name] = keys[name].get(value) if value is not None else None
                else:
                    clean[name] = value
            out.append(tuple(sorted(clean.items(), key=lambda kv: kv[0])))
        return sorted(out, key=repr)

    result: dict[str, Any] = {
        "sites": rows("sites"),
        "people": rows("people", site_id=sites),
        "posts": rows("posts", site_id=sites, person_id=people),
        "comments": rows("comments", post_id=posts, parent_id=comments, person_id=people),
        "breadcrumbs": rows("breadcrumbs", post_id=posts),
        "share_links": rows("share_links", post_id=posts),
        "images": rows("images", post_id=posts),
        "terms": sorted(terms.values()),
        "post_terms": rows("post_terms", post_id=posts, term_id=terms),
    }
    if history:
        result["post_versions"] = rows("post_versions", post_id=posts)
        result["changes"] = Counter(
            rows("changes", site_id=sites, post_id=posts, comment_id=comments)  # order of saves varies
        )
        result["url_state"] = rows("url_state", site_id=sites, post_id=posts)
    return result


def differences(a: dict[str, Any], b: dict[str, Any], limit: int = 5) -> list[str]:
    """Readable differences between two snapshots (empty when they are equal)."""
    out = []
    for table in sorted(set(a) | set(b)):
        left, right = a.get(table), b.get(table)
        if left == right:
            continue
        if isinstance(left, Counter) and isinstance(right, Counter):
            only_left, only_right = list((left - right).elements()), list((right - left).elements())
        else:
            only_left = [r for r in left or [] if r not in set(right or [])]
            only_right = [r for r in right or [] if r not in set(left or [])]
        out.append(f"{table}: {len(only_left)} rows only in the first, {len(only_right)} only in the second")
        out.extend(f"  - {row}" for row in only_left[:limit])
        out.extend(f"  + {row}" for row in only_right[:limit])
    return out
