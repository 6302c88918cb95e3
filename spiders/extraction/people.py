"""Who wrote a post or a comment, as WordPress marks its registered users.

- `comment_class()` gives a registered user's comment the classes `byuser` and
  `comment-author-<user_nicename>`, and `bypostauthor` when that user wrote the post.
- `the_author_posts_link()` links the post's author to their archive, `/author/<user_nicename>/`
  (or `?author=<id>` with plain permalinks).
"""

from __future__ import annotations

import re

from lxml import etree

from spiders.extraction.document import Document
from spiders.extraction.text import absolute_url, bounded_int, collapse, text_of

# Classes that `comment_class()` does not print but themes give inner elements of a comment.
_NOT_A_SLUG = frozenset({"link", "name", "avatar", "meta", "info", "data", "vcard", "box", "wrap", "image"})
_AUTHOR_ARCHIVE = re.compile(r"/author/([^/?#]+)/?$")
_AUTHOR_QUERY = re.compile(r"[?&]author=(\d{1,12})(?:&|#|$)")


def comment_member(node: etree._Element) -> tuple[str | None, bool, bool]:
    """(user slug, registered, wrote the post) from a comment element's `comment_class()`."""
    classes = (node.get("class") or "").split()
    registered = "byuser" in classes
    slug = None
    if registered:
        for name in classes:
            if name.startswith("comment-author-") and name[15:] and name[15:] not in _NOT_A_SLUG:
                slug = name[15:]
                break
    return slug, registered, "bypostauthor" in classes


def author_link(
    doc: Document, container: etree._Element | None, name: str | None
) -> tuple[str | None, str | None, int | None]:
    """(author archive URL, slug, user id) of the post's author: the link to an author archive whose
    text is the author's name, in the post (not its comments) or above it."""
    if not name:
        return None, None, None
    index = doc.index
    wanted = name.casefold()
    for anchor in index.tag("a"):
        href = anchor.get("href") or ""
        if "author" not in href:
            continue
        slug_match = _AUTHOR_ARCHIVE.search(href.split("#", 1)[0].split("?", 1)[0])
        id_match = _AUTHOR_QUERY.search(href)
        if not slug_match and not id_match:
            continue
        if index.in_comment_section(anchor) or index.in_widget_area(anchor):
            continue
        if container is not None and index.pos(anchor) > index.end(container):
            continue  # after the post: related posts, another author's teaser
        if (collapse(text_of(anchor)) or "").casefold() != wanted:
            continue
        url = absolute_url(doc.url, href)
        slug = slug_match.group(1) if slug_match else None
        return url, slug, bounded_int(id_match.group(1)) if id_match else None
    return None, None, None
