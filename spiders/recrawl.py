"""The re-crawl plan of a blog with a REST API, as a pure function: from what the archive holds
and what this crawl's listings said, which archived posts are gone and which posts to fetch again.

No Scrapy and no database: `plan_recrawl` takes plain values, so every rule has a unit test
(`tests/test_recrawl.py`). The spider (`spiders/ways/rest.py`) gathers the listings, calls it, and
fetches what it says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from spiders.items import KnownPost, Post


@dataclass
class Listings:
    """What an incremental crawl's REST listings said."""

    changed: dict[int, Post] = field(default_factory=dict)  # posts and pages modified since, by id
    ids: dict[str, set[int]] = field(default_factory=dict)  # "posts"/"pages" -> ids listed
    ids_complete: dict[str, bool] = field(default_factory=dict)  # the id listing was read whole
    new_comments: dict[int, set[int]] = field(default_factory=dict)  # post id -> comment ids since
    comment_ids: dict[int, set[int]] = field(default_factory=dict)  # post id -> every comment id
    # Posts whose REST comment count is the archive's plus the comments listed since: their
    # comment ids are those (`comment_ids` lists the others, the posts whose counts disagreed).
    comments_counted: set[int] = field(default_factory=set)
    comment_ids_complete: bool = False  # every present post's REST comment ids are listed or counted
    listing_ok: bool = True  # every listing answered as asked
    noticed: set[int] = field(default_factory=set)  # post ids with comments the comments feed shows


@dataclass
class Plan:
    missing: set[int] = field(default_factory=set)  # archive post ids gone from a complete listing
    refetch: dict[int, Post | None] = field(default_factory=dict)  # post id -> its REST data, if listed


def gone_posts(known: Mapping[int, KnownPost], listings: Listings) -> set[int]:
    """WordPress ids of archived posts and pages gone from a complete id listing."""
    gone: set[int] = set()
    for route, kind in (("posts", "post"), ("pages", "page")):
        if listings.listing_ok and listings.ids_complete.get(route):
            ids = listings.ids.get(route, set()) | set(listings.changed)
            gone |= {wp_id for wp_id, p in known.items() if p.type == kind and not p.missing and wp_id not in ids}
    return gone


def present_posts(known: Mapping[int, KnownPost], listings: Listings) -> set[int]:
    """WordPress ids of the posts and pages the site has now, as far as the listings tell."""
    present = {wp_id for wp_id, p in known.items() if not p.missing} - gone_posts(known, listings)
    present |= set(listings.changed) | listings.ids.get("posts", set()) | listings.ids.get("pages", set())
    present.discard(0)
    return present


def archived_and_new(archived: KnownPost | None, new: set[int]) -> set[int]:
    """A post's REST comment ids if nothing but the comments listed since (`new`) changed."""
    return set(archived.rest_comment_ids if archived else ()) | new


def current_comment_ids(archived: KnownPost | None, wp_id: int, listings: Listings) -> set[int]:
    """A post's REST comment ids now: listed, or (where its count agreed) the archive's and the new."""
    if wp_id in listings.comments_counted:
        return archived_and_new(archived, listings.new_comments.get(wp_id, set()))
    return listings.comment_ids.get(wp_id, set())


def plan_recrawl(known: Mapping[int, KnownPost], listings: Listings) -> Plan:
    """Posts gone from a complete id listing are missing. New and changed posts, posts listed but
    not archived (or archived as missing), posts with new comments, and posts whose REST comment
    ids differ from the archive's (one gone, one new, one approved late) are fetched again."""
    plan = Plan()
    gone = gone_posts(known, listings)
    plan.missing = {known[wp_id].id for wp_id in gone}
    for wp_id, post in listings.changed.items():
        archived = known.get(wp_id)
        if archived is None or archived.missing or not same_instant(archived.modified, post.modified):
            plan.refetch[wp_id] = post
    for route in ("posts", "pages"):
        for wp_id in listings.ids.get(route, set()):
            if (wp_id not in known or known[wp_id].missing) and wp_id not in listings.changed:
                plan.refetch[wp_id] = None
    for wp_id, comment_ids in listings.new_comments.items():
        archived = known.get(wp_id)
        if archived is None or not comment_ids.issubset(archived.comment_ids):
            plan.refetch.setdefault(wp_id, listings.changed.get(wp_id))
    if listings.comment_ids_complete and listings.listing_ok:
        for wp_id in sorted(present_posts(known, listings)):
            archived = known.get(wp_id)
            now = current_comment_ids(archived, wp_id, listings)
            if now != set(archived.rest_comment_ids if archived else ()):
                plan.refetch.setdefault(wp_id, listings.changed.get(wp_id))
    for wp_id in listings.noticed:
        plan.refetch.setdefault(wp_id, listings.changed.get(wp_id))
    plan.refetch.pop(0, None)
    return plan


def same_instant(a: str | None, b: str | None) -> bool:
    """Whether two ISO 8601 dates name the same instant (or, without offsets, the same text)."""
    if a is None or b is None:
        return a == b
    try:
        first, second = datetime.fromisoformat(a), datetime.fromisoformat(b)
    except ValueError:
        return a == b
    if (first.tzinfo is None) != (second.tzinfo is None):
        return first.replace(tzinfo=None) == second.replace(tzinfo=None)
    return first == second
