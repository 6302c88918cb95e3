"""Merging what the REST API and the HTML pages say about the same post and its comments."""

from __future__ import annotations

from dataclasses import replace

from spiders.items import Comment, Post


def merge_post(rest: Post | None, page: Post) -> Post:
    """The HTML page's view (trail, share links, declared count, pingbacks) with the REST data
    (ids, exact dates with offsets, terms, raw content) where the API gave it."""
    if rest is None:
        return page
    return replace(
        page,
        url=rest.url or page.url,
        wp_id=rest.wp_id if rest.wp_id is not None else page.wp_id,
        type=rest.type,
        title=rest.title or page.title,
        author=rest.author or page.author,
        author_url=rest.author_url or page.author_url,
        author_slug=rest.author_slug or page.author_slug,
        author_user_id=rest.author_user_id if rest.author_user_id is not None else page.author_user_id,
        published=rest.published or page.published,
        modified=rest.modified or page.modified,
        terms=rest.terms or page.terms,
        content_html=page.content_html if rest.protected else (rest.content_html or page.content_html),
        content_text=page.content_text if rest.protected else (rest.content_text or page.content_text),
        protected=rest.protected or page.protected,
        sources=sorted(set(rest.sources) | set(page.sources)),
    )


def merge_comments(html_comments: list[Comment], rest_comments: list[Comment]) -> list[Comment]:
    """One list by WordPress id: the page order and markup structure first, REST-only comments
    after them; each comment lists every source it was seen in."""
    by_id: dict[int, Comment] = {}
    merged: list[Comment] = []
    for comment in html_comments:
        if comment.wp_id is not None and comment.wp_id in by_id:
            continue
        merged.append(comment)
        if comment.wp_id is not None:
            by_id[comment.wp_id] = comment
    for rest in sorted(rest_comments, key=lambda c: (c.published or "", c.wp_id or 0)):
        existing = by_id.get(rest.wp_id) if rest.wp_id is not None else None
        if existing is None:
            merged.append(rest)
            if rest.wp_id is not None:
                by_id[rest.wp_id] = rest
            continue
        index = merged.index(existing)
        merged[index] = replace(
            existing,
            parent_wp_id=rest.parent_wp_id if existing.parent_wp_id is None else existing.parent_wp_id,
            author=existing.author or rest.author,
            author_url=existing.author_url or rest.author_url,
            author_slug=existing.author_slug or rest.author_slug,
            author_user_id=rest.author_user_id if rest.author_user_id is not None else existing.author_user_id,
            registered=existing.registered or rest.registered,
            # WordPress's REST API can shift comment times by an hour around DST changes; the
            # theme's `time[datetime]` is right, so a page date with an offset wins.
            published=existing.published if _has_offset(existing.published) else rest.published or existing.published,
            content_html=rest.content_html or existing.content_html,
            content_text=rest.content_text or existing.content_text,
            sources=sorted(set(existing.sources) | set(rest.sources)),
        )
        by_id[rest.wp_id] = merged[index]
    return with_depths(merged)


def _has_offset(value: str | None) -> bool:
    return bool(value) and len(value) > 19 and value[19] in "+-"


def with_depths(comments: list[Comment]) -> list[Comment]:
    """Depths from the parent chain, for comments whose depth the markup did not give."""
    parents = {c.wp_id: c.parent_wp_id for c in comments if c.wp_id is not None}
    out = []
    for comment in comments:
        if "html" in comment.sources:
            out.append(comment)
            continue
        depth, parent, seen = 1, comment.parent_wp_id, set()
        while parent is not None and parent in parents and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = parents[parent]
        out.append(replace(comment, depth=depth))
    return out
