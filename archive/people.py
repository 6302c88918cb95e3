"""People: the authors of a site's posts and comments joined into persons, with their roles.

WordPress marks a registered user in several ways; a person is every post and comment that shares
one of them with another:

- the REST API's user id (`author` of a post or a comment; 0 is a guest);
- the user's slug (`user_nicename`) in `/author/<slug>/` and in `comment-author-<slug>`;
- `bypostauthor` on a comment: written by the post's author;
- the name as shown (a guest is known by nothing else).

Pingbacks and trackbacks are kept apart, one person per linking site. A role comes from what a
WordPress site shows: only editors and administrators can publish pages, so a page's author is the
instructor; a registered user who is not is a student; a comment without an account is a guest's;
a ping is external. A role set by hand (`set_role`) or by a crawl argument (`-a instructors=...`)
is never changed by a later crawl.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

ROLES = ("instructor", "student", "guest", "external")
BY_HAND = "set by hand"
BY_ARGUMENT = "crawl argument"
_KEPT_SOURCES = (BY_HAND, BY_ARGUMENT)
# Strongest first: the identity a person is first known by.
_KEY_ORDER = ("user", "slug", "name", "ping")


def name_key(name: str | None) -> str | None:
    """A name as a join key: case and spacing do not tell two people apart."""
    if not name:
        return None
    key = " ".join(name.split()).casefold()
    return key or None


def _ping_key(name: str | None, url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host or name_key(name)


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        parent = self.parent.setdefault(key, key)
        if parent != key:
            parent = self.parent[key] = self.find(parent)
        return parent

    def join(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        first = self.find(keys[0])
        for key in keys[1:]:
            other = self.find(key)
            if other != first:
                self.parent[other] = first


def _keys(row: dict[str, Any]) -> list[str]:
    if row["kind"] == "ping":
        key = _ping_key(row["author"], row["author_url"])
        return [f"ping:{key}"] if key else []
    keys = []
    if row.get("author_user_id"):
        keys.append(f"user:{row['author_user_id']}")
    if row.get("author_slug"):
        keys.append(f"slug:{row['author_slug'].casefold()}")
    name = name_key(row["author"])
    if name:
        keys.append(f"name:{name}")
    return keys


_POST_SIGNATURE = ("type", "author", "author_url", "author_slug", "author_user_id", "person_id")
_COMMENT_SIGNATURE = (*_POST_SIGNATURE, "registered")


def _signatures(db: sqlite_utils.Database, site_id: int) -> list[dict[str, Any]]:
    """The site's authored rows grouped by what identifies their author (a few per person, however
    many rows): each with how many rows (`n`), how many present (not missing) and its lowest id."""
    groups = [
        {**row, "kind": "post", "registered": 1}
        for row in db.query(
            "SELECT type, author, author_url, author_slug, author_user_id, person_id, count(*) AS n,"
            " sum(missing_since IS NULL) AS present, min(id) AS first FROM posts"
            " WHERE site_id = ? AND forgotten IS NULL AND author IS NOT NULL"
            " GROUP BY type, author, author_url, author_slug, author_user_id, person_id",
            [site_id],
        )
    ]
    for row in db.query(
        "SELECT c.type, c.author, c.author_url, c.author_slug, c.author_user_id, c.person_id, c.registered,"
        " count(*) AS n, sum(c.missing_since IS NULL) AS present, min(c.id) AS first"
        " FROM comments c JOIN posts p ON p.id = c.post_id"
        " WHERE p.site_id = ? AND c.forgotten IS NULL AND c.author IS NOT NULL"
        " GROUP BY c.type, c.author, c.author_url, c.author_slug, c.author_user_id, c.person_id, c.registered",
        [site_id],
    ):
        groups.append({**row, "kind": "comment" if row["type"] == "comment" else "ping"})
    return groups


def _post_author_pairs(db: sqlite_utils.Database, site_id: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(commenter, post author) of the comments WordPress marks `bypostauthor`."""
    pairs = []
    for row in db.execute(
        "SELECT DISTINCT c.author, c.author_slug, c.author_user_id, p.author, p.author_slug, p.author_user_id"
        " FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.site_id = ? AND c.by_post_author = 1"
        " AND c.type = 'comment' AND c.author IS NOT NULL AND p.author IS NOT NULL"
        " AND c.forgotten IS NULL AND p.forgotten IS NULL",
        [site_id],
    ):
        commenter = {"kind": "comment", "author": row[0], "author_slug": row[1], "author_user_id": row[2]}
        author = {"kind": "post", "author": row[3], "author_slug": row[4], "author_user_id": row[5]}
        pairs.append((commenter, author))
    return pairs


def link_people(db: sqlite_utils.Database, site_id: int, instructors: Iterable[str] = ()) -> int:
    """Join the site's post and comment authors into `people`, keep each person's number and a
    role set by hand, infer the other roles, and point `posts.person_id` and `comments.person_id`
    at them. `instructors`: names or slugs given as a crawl argument. Returns how many people.
    Works on the rows grouped by author (`_signatures`): its memory does not grow with the site."""
    groups = _signatures(db, site_id)
    union = _Union()
    for group in groups:
        group["keys"] = _keys(group)
        union.join(group["keys"])
    for commenter, author in _post_author_pairs(db, site_id):  # bypostauthor: the commenter wrote the post
        mine, theirs = _keys(commenter), _keys(author)
        if mine and theirs:
            union.join([mine[0], theirs[0]])
    clusters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for group in groups:
        if group["keys"]:
            clusters[union.find(group["keys"][0])].append(group)
    existing = {row["id"]: row for row in db.query("SELECT * FROM people WHERE site_id = ?", [site_id])}
    # Who may publish pages is known only when every page of the site names its author.
    pages = db.execute(
        "SELECT count(*), count(author) FROM posts WHERE site_id = ? AND type = 'page' AND forgotten IS NULL",
        [site_id],
    ).fetchone()
    page_authors_known = pages[0] > 0 and pages[0] == pages[1]
    wanted = {name_key(name) for name in instructors if name_key(name)}
    taken_ids: set[int] = set()
    identities = {row["identity"] for row in existing.values()}
    people: list[dict[str, Any]] = []
    assignments: list[tuple[int, dict[str, Any]]] = []
    next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM people").fetchone()[0]
    # Biggest first: when a person split in two, the one with most rows keeps the number.
    for members in sorted(clusters.values(), key=lambda m: (-sum(g["n"] for g in m), min(g["first"] for g in m))):
        previous: Counter[int] = Counter()
        for group in members:
            if group["person_id"] in existing and group["person_id"] not in taken_ids:
                previous[group["person_id"]] += group["n"]
        if previous:
            person_id = previous.most_common(1)[0][0]
            old = existing[person_id]
        else:
            person_id, old = next_id, None
            next_id += 1
        taken_ids.add(person_id)
        keys = {key for group in members for key in group["keys"]}
        if old is not None:
            identity = old["identity"]
        else:
            identity = min(keys, key=lambda k: (_KEY_ORDER.index(k.split(":", 1)[0]), k))
            base, n = identity, 1
            while identity in identities:
                n += 1
                identity = f"{base}#{n}"
            identities.add(identity)
        names: Counter[str] = Counter()
        for group in members:
            names[group["author"]] += group["n"]
        slug = next((g["author_slug"] for g in members if g.get("author_slug")), None)
        user_id = next((g["author_user_id"] for g in members if g.get("author_user_id")), None)
        archive_url = next((g["author_url"] for g in members if g["kind"] == "post" and g.get("author_url")), None)
        url = archive_url or next((g["author_url"] for g in members if g.get("author_url")), None)
        role, source = _inferred_role(members, page_authors_known)
        if old is not None and old["role_source"] in _KEPT_SOURCES:
            role, source = old["role"], old["role_source"]
        if (
            wanted
            and role != "external"
            and source != BY_HAND
            and (any(name_key(name) in wanted for name in names) or (slug and slug.casefold() in wanted))
        ):
            role, source = "instructor", BY_ARGUMENT
        people.append(
            {
                "id": person_id,
                "site_id": site_id,
                "name": max(names, key=lambda name: (names[name], name)),
                "slug": slug,
                "user_id": user_id,
                "url": url,
                "identity": identity,
                "role": role,
                "role_source": source,
                # What the archive holds of them now (rows marked missing are not counted).
                "posts": sum(g["present"] for g in members if g["kind"] == "post"),
                "comments": sum(g["present"] for g in members if g["kind"] != "post"),
            }
        )
        assignments += [(person_id, group) for group in members if group["person_id"] != person_id]
    with db.atomic():
        if people:
            db["people"].upsert_all(people, pk="id")
        _assign(db, site_id, assignments)
        gone = [
            person_id
            for person_id, row in existing.items()
            if person_id not in taken_ids and not str(row["identity"]).startswith("forgotten:")
        ]
        for person_id in gone:  # joined into another person, or their rows are gone
            db.execute("UPDATE posts SET person_id = NULL WHERE person_id = ?", [person_id])
            db.execute("UPDATE comments SET person_id = NULL WHERE person_id = ?", [person_id])
            db.execute("DELETE FROM people WHERE id = ?", [person_id])
    return len(people)


def _assign(db: sqlite_utils.Database, site_id: int, assignments: list[tuple[int, dict[str, Any]]]) -> None:
    """Point the regrouped rows at their person. The groups go into a temporary table and each of
    `posts` and `comments` is read once, each row looking its group up there (one UPDATE a group,
    by the author index, read a name's rows again for every group of that name: the site's
    comments a few hundred times over when guests give a different website each time)."""
    if not assignments:
        return
    columns = ", ".join(_COMMENT_SIGNATURE)
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS person_moves (kind, {columns}, to_person)")
    db.execute(f"CREATE INDEX IF NOT EXISTS temp.person_moves_signature ON person_moves (kind, {columns})")
    db.execute("DELETE FROM temp.person_moves")
    db.conn.executemany(
        f"INSERT INTO temp.person_moves VALUES (?, {', '.join('?' for _ in _COMMENT_SIGNATURE)}, ?)",
        [
            ("post" if group["kind"] == "post" else "comment", *(group.get(c) for c in _COMMENT_SIGNATURE), to)
            for to, group in assignments
        ],
    )
    for table, kind, signature, rows in (
        ("posts", "post", _POST_SIGNATURE, "site_id = :site"),
        ("comments", "comment", _COMMENT_SIGNATURE, "post_id IN (SELECT id FROM posts WHERE site_id = :site)"),
    ):
        match = " AND ".join(f"m.[{column}] IS {table}.[{column}]" for column in signature if column != "author")
        move = (
            f"SELECT m.to_person FROM temp.person_moves m WHERE m.kind = '{kind}' AND m.author = {table}.author"
            f" AND {match}"
        )
        db.execute(
            f"UPDATE {table} SET person_id = ({move}) WHERE {rows} AND forgotten IS NULL AND author IS NOT NULL"
            f" AND EXISTS ({move})",
            {"site": site_id},
        )
    db.execute("DELETE FROM temp.person_moves")


def _inferred_role(members: list[dict[str, Any]], page_authors_known: bool) -> tuple[str | None, str]:
    if any(r["kind"] == "post" and r["type"] == "page" for r in members):
        return "instructor", "wrote a page (only editors and administrators can publish pages)"
    if any(
        r["kind"] == "post" or (r["kind"] == "comment" and (r.get("registered") or r.get("author_slug")))
        for r in members
    ):
        if not page_authors_known:
            # A registered user, but the pages do not say who may publish them: not a guess.
            return None, "a registered user; the site's pages name no author, so instructor or student is not known"
        return "student", "a registered user of the blog who wrote no page (wrote a post, or comments as a user)"
    if all(r["kind"] == "ping" for r in members):
        return "external", "a pingback or trackback from another site"
    return "guest", "comments without a user account"


def link_site_people(db: sqlite_utils.Database, site_url: str, instructors: Iterable[str] = ()) -> int:
    """`link_people` for the site with this home URL (0 when it was never archived)."""
    row = db.execute("SELECT id FROM sites WHERE url = ?", [site_url]).fetchone()
    return link_people(db, row[0], instructors) if row else 0


def link_all_people(db: sqlite_utils.Database) -> int:
    """`link_people` for every site (an archive from before people were kept gets them here)."""
    return sum(link_people(db, row[0]) for row in db.execute("SELECT id FROM sites").fetchall())


def find_people(db: sqlite_utils.Database, who: str, site: str | None = None) -> list[dict[str, Any]]:
    """People matching `who`: a person number, a name as shown, a slug or a user id; `site` narrows
    to one site (its id, name or URL)."""
    clauses = ["(p.name = :who COLLATE NOCASE OR p.slug = :who COLLATE NOCASE"]
    if who.isdigit():
        clauses.append(" OR p.id = :number")
    clauses.append(")")
    sql = "SELECT p.* FROM people p JOIN sites s ON s.id = p.site_id WHERE " + "".join(clauses)
    params: dict[str, Any] = {"who": who, "number": int(who) if who.isdigit() else None}
    if site:
        sql += " AND (s.id = :site OR s.name = :site OR s.url = :site)"
        params["site"] = site
    return list(db.query(sql + " ORDER BY p.site_id, p.id", params))


def set_role(db: sqlite_utils.Database, person_ids: Iterable[int], role: str) -> int:
    """Give people a role by hand; no crawl changes it afterwards."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    changed = 0
    with db.atomic():
        for person_id in person_ids:
            changed += db.execute(
                "UPDATE people SET role = ?, role_source = ? WHERE id = ?", [role, BY_HAND, person_id]
            ).rowcount
    return changed


# --- The block list: people forgotten by a takedown ----------------------------------------------


def block_digest(site_url: str, kind: str, value: str) -> str:
    return hashlib.sha256(f"{site_url}\x00{kind}\x00{value}".encode()).hexdigest()


def has_block_list(db: sqlite_utils.Database) -> bool:
    """Whether anyone was ever forgotten in this archive."""
    return bool(db["blocked_people"].exists() and db.execute("SELECT 1 FROM blocked_people LIMIT 1").fetchone())


def identifiers(author: str | None, slug: str | None, user_id: int | None, url: str | None) -> list[tuple[str, str]]:
    """(kind, value) pairs that identify an author, as the block list keeps them."""
    found = []
    if user_id:
        found.append(("user", str(user_id)))
    if slug:
        found.append(("slug", slug.casefold()))
    if name_key(author):
        found.append(("name", name_key(author)))
    if url:
        found.append(("url", url.rstrip("/").casefold()))
    return found


_WORD = re.compile(r"\w+(?:-\w+)*")


class BlockList:
    """The digests of a site's forgotten people: `match` tells whether an author is one of them,
    `mask` hides their names in the texts of others (found by hashing the text's words, since the
    list holds no name)."""

    def __init__(self, site_url: str, digests: dict[tuple[str, str], int]) -> None:
        self.site_url = site_url
        self.digests = digests
        self.names = {digest for kind, digest in digests if kind == "name"}
        self.words = {digest for kind, digest in digests if kind in ("word", "slug")}

    def mask(self, text: str | None, replacement: str = "[forgotten]") -> str | None:
        """The text with every forgotten name (up to four words) and first name or slug replaced."""
        if not text or not (self.names or self.words):
            return text
        words = list(_WORD.finditer(text))
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            found = 0
            for length in range(min(4, len(words) - i), 0, -1):
                phrase = " ".join(w.group(0) for w in words[i : i + length]).casefold()
                if self.names and block_digest(self.site_url, "name", phrase) in self.names:
                    found = length
                    break
                if (
                    length == 1
                    and self.words
                    and (
                        block_digest(self.site_url, "word", words[i].group(0)) in self.words
                        or block_digest(self.site_url, "slug", phrase) in self.words
                    )
                ):
                    found = 1
            if found:
                spans.append((words[i].start(), words[i + found - 1].end()))
                i += found
            else:
                i += 1
        for start, end in reversed(spans):
            text = text[:start] + replacement + text[end:]
        return text

    @classmethod
    def load(cls, db: sqlite_utils.Database, site_id: int) -> BlockList:
        site = db.execute("SELECT url FROM sites WHERE id = ?", [site_id]).fetchone()
        digests: dict[tuple[str, str], int] = {}
        if site is not None and db["blocked_people"].exists():
            for kind, digest, takedown_id in db.execute(
                "SELECT kind, digest, takedown_id FROM blocked_people WHERE site_id = ?", [site_id]
            ):
                digests[(kind, digest)] = takedown_id
        return cls(site[0] if site else "", digests)

    def match(self, author: str | None, slug: str | None, user_id: int | None, url: str | None) -> int | None:
        """The takedown that forgot this author, or None."""
        if not self.digests:
            return None
        for kind, value in identifiers(author, slug, user_id, url):
            takedown = self.digests.get((kind, block_digest(self.site_url, kind, value)))
            if takedown is not None:
                return takedown
        return None
