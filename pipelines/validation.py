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
