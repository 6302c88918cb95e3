"""Validation as plain functions: why an item cannot be archived, or None when it can."""

from __future__ import annotations

from spiders.items import Post


def rejection_reason(post: Post) -> str | None:
    """A short reason (used in logs and crawl stats) when the post must be dropped."""
    if not post.url or not post.url.startswith(("http://", "https://")):
        return "no_url"
    if not post.title:
        return "no_title"
    if post.type not in ("post", "page"):
        return "bad_type"
    return None


SQLITE_MAX_INT = 2**63 - 1


def _storable(value: int | None) -> bool:
    return value is None or (isinstance(value, int) and 0 <= value <= SQLITE_MAX_INT)


def null_unstorable_numbers(post: Post) -> list[str]:
    """Set to NULL the ids and counts a site sent that no SQLite integer holds (a comment id or
    `depth-N` past 2^63, a negative count): the post and its other fields are still archived.
    Returns the fields it cleared, for the crawl's stats."""
    cleared = []
    for name in ("wp_id", "comment_count_declared", "comment_count_rest"):
        if not _storable(getattr(post, name)):
            setattr(post, name, None)
            cleared.append(f"post_{name}")
    for comment in post.comments:
        for name in ("wp_id", "parent_wp_id"):
            if not _storable(getattr(comment, name)):
                setattr(comment, name, None)
                cleared.append(f"comment_{name}")
        if not _storable(comment.depth):
            comment.depth = 1  # as shown without its parent: at the top
            cleared.append("comment_depth")
    return cleared
