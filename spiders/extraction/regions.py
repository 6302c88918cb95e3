"""Page regions that hold no post content: sidebars, widgets, reply forms, the comment section."""

from __future__ import annotations

import re

from lxml import etree

_WIDGET_CLASSES = frozenset(
    [
        "widget",
        "widgets",
        "widget-area",
        "sidebar",
        "secondary",
        "recentcomments",
        "widget_recent_comments",
        "recent-comments",
        "comment-respond",
        "xoxo",
    ]
)
_WIDGET_CLASS_PARTS = ("widget", "sidebar", "secondary", "recent", "comment-respond", "xoxo")
_WIDGET_IDS = frozenset(
    [
        "secondary",
        "sidebar",
        "sidebar1",
        "sidebar2",
        "primary-sidebar",
        "recentcomments",
        "recent-comments",
        "footer-widgets",
        "respond",
    ]
)


def is_widget_area(element: etree._Element) -> bool:
    """True for a sidebar, a widget or the comment form, judged by tag, class and id tokens."""
    if element.tag in ("body", "html"):
        return False  # body classes describe the page layout ("sidebar"), not a region
    if element.tag in ("aside", "form"):
        return True
    classes = (element.get("class") or "").lower()
    # Every widget class contains one of these: most class attributes need no token test.
    if any(part in classes for part in _WIDGET_CLASS_PARTS):
        for token in classes.split():
            if token in _WIDGET_CLASSES or token.startswith(("widget", "sidebar")):
                return True
    element_id = (element.get("id") or "").lower()
    return element_id in _WIDGET_IDS or element_id.startswith(("sidebar", "widget"))


def is_widget(element: etree._Element) -> bool:
    """True for a region marked as a widget or the sidebar itself by class or id (not a bare
    <aside>, nor a layout class that only starts with "sidebar")."""
    classes = (element.get("class") or "").lower().split()
    if any(token.startswith("widget") or token in ("sidebar", "secondary", "xoxo") for token in classes):
        return True
    element_id = (element.get("id") or "").lower()
    return element_id in _WIDGET_IDS or element_id.startswith(("sidebar", "widget"))


_COMMENT_SECTION_CLASSES = frozenset(
    [
        "comments",
        "comment-list",
        "commentlist",
        "comments-area",
        "comments-list",
        "comment_list",
        "wp-block-comments",
        "comment-respond",
        "entry-comments",
    ]
)


def is_comment_section(element: etree._Element) -> bool:
    """True for the comment section (or its list or form), judged by class and id tokens."""
    if element.tag in ("body", "html"):
        return False
    classes = element.get("class")
    # Every class of the comment section has "comment" in it: test that first, it is cheap.
    if classes and "comment" in classes and _COMMENT_SECTION_CLASSES.intersection(classes.split()):
        return True
    return element.get("id") in ("comments", "respond", "comment_list")


def own_post_id(body_classes: set[str]) -> str | None:
    """`post-N` of the post the page shows (body_class() names it), or None."""
    for name in body_classes:
        for prefix in ("postid-", "page-id-"):
            if name.startswith(prefix) and name[len(prefix) :].isdigit():
                return f"post-{name[len(prefix) :]}"
    return None


# The id WordPress gives a comment's element (`comment-N`, `li-comment-N`, `div-comment-N`).
COMMENT_ID = re.compile(r"^(?:li-|div-)?comment-(\d+)$")


def belongs_elsewhere(anchor: etree._Element, own_post: str | None, memo: dict[etree._Element, bool]) -> bool:
    """True for a link inside a comment (wpDiscuz's per-comment buttons), inside another post's
    element (post_class()'s `post-N` with another N: related posts, teasers) or inside a block of
    related posts. `memo` remembers each ancestor's verdict."""
    walked: list[etree._Element] = []
    verdict = False
    for element in anchor.iterancestors():
        known = memo.get(element)
        if known is not None:
            verdict = known
            break
        walked.append(element)
        element_id = element.get("id") or ""
        classes = element.get("class") or ""
        if COMMENT_ID.match(element_id) or "related" in classes.lower():
            verdict = True
            break
        if "post-" in classes or element_id.startswith("post-"):
            names = {*classes.split(), element_id}
            posts = {name for name in names if name.startswith("post-") and name[5:].isdigit()}
            if posts:
                verdict = bool(own_post) and own_post not in posts
                break
    for element in walked:
        memo[element] = verdict
    return verdict
