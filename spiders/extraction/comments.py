"""Comments, pingbacks and trackbacks with their reply structure, from any era's markup.

Layers, strongest first:
1. WordPress's own ids (`comment-N`, `li-comment-N`, `div-comment-N`) and classes (`comment`,
   `pingback`, `trackback`, `depth-N`) find the comment elements;
2. nesting gives the parent (an ancestor comment, or for Thesis-style `dl` lists the `dt` before
   the `dd` that holds the reply), `depth-N` confirms the depth;
3. inside each comment, general rules read author, date and text, with the nested replies cut
   away first so nothing of a reply leaks into its parent.
Comments in widgets (Recent Comments), the sidebar and the reply form are never taken.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from lxml import etree

from spiders.extraction.dates import ambiguous_numeric, normalise_machine_date, numeric_order, parse_text_date
from spiders.extraction.index import PageIndex
from spiders.extraction.people import comment_member
from spiders.extraction.regions import is_comment_section, is_widget, is_widget_area
from spiders.extraction.text import (
    absolute_url,
    block_text,
    bounded_int,
    collapse,
    copy_without,
    remove_keep_tail,
    text_of,
    to_html,
)
from spiders.items import Comment

if TYPE_CHECKING:
    from spiders.extraction.document import Document

# The id WordPress prints on a comment (comment-N, li-comment-N, div-comment-N), and the Disqus
# plugin's on its server-rendered list of the same comments (dsq-comment-N, the WordPress id).
_ID = re.compile(r"^(?:li-|div-|dsq-)?comment-?(\d+)$|^comment_(\d+)$")
_NODE_CLASSES = {"comment", "pingback", "trackback", "wp-block-comment"}
_DEPTH = re.compile(r"\bdepth-(\d+)\b")
_MAX_DEPTH = 1000  # a `depth-N` class beyond this is not WordPress's (its setting offers 10)
# Rules for reading a comment, strongest first: (classes, tags) to look for inside the comment.
_CONTENT_RULES: list[tuple[frozenset[str], frozenset[str]]] = [
    (frozenset({"wp-block-comment-content"}), frozenset()),
    (frozenset({"comment-content"}), frozenset()),
    (
        frozenset(
            {
                "comment-text",
                "comment_text",
                "wc-comment-text",
                "wpd-comment-text",
                "commenttext",
                "comment-entry",
                "format_text",
                "comment-body-text",
                "entry-content",
            }
        ),
        frozenset(),
    ),
    (frozenset({"comment-body"}), frozenset()),  # wraps everything in some themes: not "explicit"
]
_AUTHOR_RULES: list[tuple[frozenset[str], frozenset[str]]] = [
    (frozenset({"wp-block-comment-author-name"}), frozenset()),
    (frozenset({"fn"}), frozenset()),  # inside .comment-author first: see _author
    # `comment_author_link()`: <a href="..." rel="external nofollow" class="url">Name</a>
    (frozenset({"url"}), frozenset()),
    (frozenset(), frozenset({"cite"})),
    (frozenset({"comment-author"}), frozenset()),
    (
        frozenset(
            {
                "commentauthor",
                "comment_author",
                "comment-author-name",
                "comment-author-link",
                "author",
                "author-name",
                "author_name",
                "authorname",
                "auth-name",
                "comment-name",
                "comment_name",
                "comment-by",
                "wc-comment-author",  # wpDiscuz
                "wpd-comment-author",  # wpDiscuz 7
                "woocommerce-review__author",  # WooCommerce's product reviews (review-meta.php)
                "comment_title",
                "comment-title",
            }
        ),
        frozenset(),
    ),
    # Many themes' own comment callbacks wrap comment_author_link() or comment_author() in an
    # element of class "name" (span.name, strong.name, p.name, a.name).
    (frozenset({"name"}), frozenset()),
    # A bare <strong> or <b> around the name (old and table-based themes print
    # <b><?php comment_author_link() ?></b> in the comment's head line).
    (frozenset(), frozenset({"strong", "b"})),
]
# Rules whose elements are names by their markup (not a plain `cite` or `strong`): taken even
# inside a comment's text element, which some themes wrap around everything.
_MARKED_AUTHOR_RULES = frozenset({0, 1, 2, 3, 5, 6})
_DATE_RULES: list[tuple[frozenset[str], frozenset[str]]] = [
    (frozenset(), frozenset({"time"})),
    (frozenset(), frozenset({"abbr"})),
    (frozenset({"wp-block-comment-date"}), frozenset()),
    (
        frozenset(
            {
                "comment-meta",
                "commentmetadata",
                "comment-metadata",
                "comment_time",
                "comment-date",
                "comment-time",
                "comment_date",
                "comment-info",
                "wc-comment-date",
                "wpd-comment-date",
                "date",
            }
        ),
        frozenset(),
    ),
    (frozenset(), frozenset({"small"})),
    # "<cite>Comment by Name — 17.07, 2011 @ <a>13:10</a></cite>": the author line holds the date.
    (frozenset(), frozenset({"cite"})),
]


class _Region:
    """A comment's own part of the page: position ranges in the page index minus its nested
    replies. Nothing is copied or re-indexed: lookups slice the page's lists by position."""

    __slots__ = ("roots", "include_roots", "pruned", "_index", "_page_thread", "_spans", "_marked")

    def __init__(self, roots: list[etree._Element], thread: _Thread, include_roots: bool) -> None:
        index = thread.index
        self.roots = roots
        self.include_roots = include_roots
        self.pruned: list[etree._Element] = []  # nested comments and the reply lists that hold them
        self._index = index
        self._page_thread = thread
        for root in roots:
            self._prune(root)
        holes = [(index.pos(item), index.end(item)) for item in self.pruned]
        # The comment's own positions: its roots' ranges with the replies' ranges cut out.
        spans: list[tuple[int, int]] = []
        for root in roots:
            start, stop = index.pos(root) + (0 if include_roots else 1), index.end(root)
            for first, last in holes:
                if last < start or first > stop:
                    continue
                if first > start:
                    spans.append((start, first - 1))
                start = max(start, last + 1)
            if start <= stop:
                spans.append((start, stop))
        self._spans = spans
        self._marked: dict[str, list[etree._Element]] = {}

    def _prune(self, element: etree._Element) -> None:
        thread = self._page_thread
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if thread.index.position[child] in thread.position_set:
                self.pruned.append(child)
            elif not thread.holds_comment(child):
                continue
            elif child.tag in ("ul", "ol", "dl", "div") and thread.holds_only_replies(child):
                self.pruned.append(child)
            else:
                self._prune(child)

    def own(self, elements: list[etree._Element]) -> list[etree._Element]:
        """Those of the page's elements (a list in document order) that are the comment's own."""
        if not elements:
            return []
        positions = self._index.positions_of(elements)
        found: list[etree._Element] = []
        for start, stop in self._spans:
            found += elements[bisect_left(positions, start) : bisect_right(positions, stop)]
        return found

    @property
    def page_elements(self) -> list[etree._Element]:
        """Every element of the page, in document order (`own` picks the comment's)."""
        return self._index.elements

    def with_class(self, name: str) -> list[etree._Element]:
        found = self._marked.get(name)
        if found is None:
            found = self._marked[name] = self.own(self._index.by_class.get(name, []))
        return found

    def find(self, classes: frozenset[str], tags: frozenset[str]) -> list[etree._Element]:
        """Own elements with any of the class tokens or tags, in document order (do not modify)."""
        return self.own(self._page_thread.rule(classes, tags))

    def inside(self, element: etree._Element, elements: list[etree._Element]) -> list[etree._Element]:
        """Those of the elements (own elements, in order) that lie inside `element`."""
        return self._index.inside(element, elements) if elements else []

    def removed_inside(self, element: etree._Element) -> list[etree._Element]:
        """Nested replies (and their lists) inside `element`: to leave out of its text."""
        return [pruned for pruned in self.pruned if self._index.contains(element, pruned)]

    def in_text(self, element: etree._Element) -> bool:
        """True inside the comment's text element (`.comment-content` and the like): an author or
        date rule must not take a name or a date the commenter wrote."""
        marked = self._marked.get("\ntext")
        if marked is None:
            marked = self._marked["\ntext"] = self.own(self._page_thread.text_marked)
        return self.within_any(element, marked)

    @property
    def wrappers(self) -> set[etree._Element]:
        return self._page_thread.wrappers

    @property
    def meta_classes(self) -> dict[str, bool]:
        return self._page_thread.meta_classes

    def junk_inside(self, element: etree._Element) -> list[etree._Element]:
        """Reply and edit links, share and like buttons and scripts inside one of its elements."""
        return self.inside(element, self.own(self._page_thread.junk))

    def within_any(self, element: etree._Element, containers: list[etree._Element]) -> bool:
        """True when one of the containers (own elements) holds `element`."""
        contains = self._index.contains
        return any(contains(container, element) for container in containers)

    def text(self, skip: Callable[[etree._Element], bool] | None = None) -> str:
        """The comment's own text, without its replies (and without what `skip` says)."""
        parts: list[str] = []
        pruned = set(self.pruned)
        for root in self.roots:
            _gather_text(root, parts, pruned, skip)
        return "".join(parts)

    def starts_with_ping(self) -> str | None:
        """ "pingback" or "trackback" when the comment's text starts "Pingback:" or "Pingback from" (a reply's text
        comes after the comment's own, so the start is the comment's)."""
        head = ""
        for root in self.roots:
            for piece in root.itertext():
                if piece.isspace():
                    continue
                head += "".join(piece.split())
                if len(head) >= 10:
                    break
            if len(head) >= 10:
                break
        match = _PING_HEAD.match(head)
        return match.group(1).lower() if match else None


# "Pingback:", and as themes translate their own "Pingback from" ("Pingback von", "de", "di", "van").
# Whitespace is removed from the head before it is matched.
_PING_HEAD = re.compile(r"(pingback|trackback)(?::|von|from|de|di|van)", re.IGNORECASE)


class _Thread:
    """The comment nodes of one page: their positions in the page, sorted, and as a set; and the
    page's elements that mark a comment's text (to tell an author line from a quoted name)."""

    def __init__(self, index: PageIndex, nodes: list[etree._Element]) -> None:
        self.index = index
        self.positions = sorted(index.position[node] for node in nodes)
        self.position_set = frozenset(self.positions)
        marked = [
            element
            for element in index.class_containing(*_TEXT_MARKS)
            if _CONTENT_CLASS.search(element.get("class") or "")
        ]
        # A "text" element that holds the author line or the meta is a wrapper of the whole
        # comment in that theme, not the text: names and dates inside it are the comment's own.
        meta = index.with_class(*_WRAPPED_META)
        self.wrappers = {element for element in marked if meta and index.inside(element, meta)}
        self.text_marked = [element for element in marked if element not in self.wrappers]
        self.junk = index.in_order([index.class_containing(*_JUNK_PARTS), index.tag("script")])
        # Whether a class attribute names a meta part (`_META_CLASSES`), by its value: the comments
        # of one page repeat the same few values.
        self.meta_classes: dict[str, bool] = {}
        self._rules: dict[tuple[frozenset[str], frozenset[str]], list[etree._Element]] = {}

    def rule(self, classes: frozenset[str], tags: frozenset[str]) -> list[etree._Element]:
        """The page's elements with any of the class tokens or tags, in document order."""
        key = (classes, tags)
        found = self._rules.get(key)
        if found is None:
            index = self.index
            groups = [index.by_class[name] for name in classes if name in index.by_class]
            groups += [index.tag(name) for name in tags]
            found = self._rules[key] = index.in_order(groups)
        return found

    def holds_comment(self, element: etree._Element) -> bool:
        index = self.index
        start = index.position[element]
        at = bisect_right(self.positions, start)
        return at < len(self.positions) and self.positions[at] <= index.end(element)

    def holds_only_replies(self, element: etree._Element) -> bool:
        if "children" in (element.get("class") or "").split():
            return True
        direct = [child for child in element if isinstance(child.tag, str)]
        position, nodes = self.index.position, self.position_set
        return (
            bool(direct)
            and all(position[child] in nodes or child.tag == "dd" for child in direct)
            and any(position[child] in nodes for child in direct)
        )


def _gather_text(
    element: etree._Element,
    parts: list[str],
    pruned: set[etree._Element],
    skip: Callable[[etree._Element], bool] | None,
) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if isinstance(child.tag, str) and child not in pruned and not (skip and skip(child)):
            _gather_text(child, parts, pruned, skip)
        if child.tail:
            parts.append(child.tail)


# Parts of a comment that are not its text.
_META_CLASSES = re.compile(
    r"\b(comment-author|comment-meta|commentmetadata|comment-metadata|comment_meta|reply"
    r"|comment-reply-link|avatar|says|vcard|comment-awaiting-moderation|comment-edit-link"
    r"|comment-date|comment_time|comment-time|wp-block-comment-author-name"
    r"|wp-block-comment-date|wp-block-comment-reply-link|wp-block-comment-edit-link|comment-info"
    r"|comment-details|comment-header|comment-footer|comment-number|comment-num|fn|url"
    r"|commentauthor|comment_author|comment-by|comment-head|comment-permalink|datetime|counter"
    r"|pingtype|comment-count|authorname)\b",
    re.IGNORECASE,
)
_PINGBACK_PREFIX = re.compile(r"^\s*(pingback|trackback)\s*:\s*", re.IGNORECASE)
_SAYS_WORDS = ("says", "said", "dice", "dit", "sagt", "disse", "escribió", "schreibt", "écrit")
# The word after a name ("Jane says:"), a word of its own: "Pandit" does not end in "dit".
_SAYS = re.compile(r"(?:^|\s+)(" + "|".join(_SAYS_WORDS) + r")\s*:?\s*$", re.I)
_SAYS_ASCII_WORDS = tuple(word for word in _SAYS_WORDS if word.isascii())


def extract_comments(doc: Document) -> list[Comment]:
    """Every comment on the page in document order, with parents from the markup."""
    index = doc.index
    nodes = _comment_nodes(index)
    if not nodes:
        return []
    node_ids = {node: wp_id for node, wp_id in nodes}
    node_set = set(node_ids)
    boxes = _boxes(nodes)
    box_of = {node: box for box, node in boxes.items()}
    thread = _Thread(index, [node for node, _ in nodes])
    comments: list[Comment] = []
    dated_texts: list[tuple[Comment, str]] = []  # each comment with the text its date was read from
    last_at_depth: dict[int, int | None] = {}
    nesting: dict[etree._Element, int] = {}  # a node's parent comes before it in document order
    dead_ends: set[etree._Element] = set()
    for node, wp_id in nodes:
        parent_node = _parent_node(node, node_set, dead_ends, boxes)
        if parent_node is not None and parent_node not in nesting:
            # Broken markup: the wrapper around this comment belongs to one that comes after it,
            # which cannot be what it replies to.
            parent_node = None
        parent_wp_id = node_ids.get(parent_node) if parent_node is not None else None
        depth = nesting[node] = nesting[parent_node] + 1 if parent_node is not None else 1
        box = box_of.get(node)
        declared_depth = _declared_depth(node) or (_declared_depth(box) if box is not None else None)
        if declared_depth:
            # WordPress's own depth-N class is the structure; in valid markup it agrees with the
            # nesting, in broken markup (mis-nested lists) it is still right.
            depth = declared_depth
            parent_wp_id = last_at_depth.get(declared_depth - 1) if declared_depth > 1 else None
        last_at_depth[depth] = wp_id
        for deeper in [d for d in last_at_depth if d > depth]:
            del last_at_depth[deeper]
        comment = _read_comment(node, wp_id, parent_wp_id, depth, thread, doc.url, doc.language, dated_texts)
        if wp_id is None and comment.author is None and comment.published is None:
            # Every comment template shows an author (get_comment_author() says "Anonymous" for
            # none) or a date: an element classed `comment` or `trackback` with neither and no id
            # is a placeholder ("No trackbacks yet.") or a counter, not a comment.
            if dated_texts and dated_texts[-1][0] is comment:
                dated_texts.pop()
            continue
        comments.append(comment)
    if dated_texts:
        # Numeric dates the language left ambiguous ("05/04/2020", "01.05.10"): the page's other
        # dates (a day over 12) tell its order.
        day_first = numeric_order([text for _, text in dated_texts])
        if day_first is not None:
            for comment, text in dated_texts:
                if comment.published is None or ambiguous_numeric(text):
                    comment.published = parse_text_date(text, doc.language, day_first, day_first) or comment.published
    return comments


def _comment_nodes(index: PageIndex) -> list[tuple[etree._Element, int | None]]:
    """The outermost element of each comment, in document order, with its WordPress id."""
    by_id: dict[int, etree._Element] = {}
    anonymous: list[etree._Element] = []
    candidates = index.in_order(
        [
            index.id_starting("comment", "li-comment", "div-comment"),
            index.with_class(*_NODE_CLASSES),
        ]
    )
    for element in candidates:
        element_id = element.get("id")
        match = _ID.match(element_id) if element_id else None
        if match:
            wp_id = bounded_int(match.group(1) or match.group(2))
            if not wp_id:
                continue  # not an id WordPress could have given (ids start at 1)
            node = element
            if node.tag in ("a", "span", "img") and not collapse(text_of(node)):
                node = node.getparent()
            existing = by_id.get(wp_id)
            if existing is None or index.contains(node, existing):
                by_id[wp_id] = node
            continue
        classes = set((element.get("class") or "").split())
        if classes & _NODE_CLASSES and element.tag in ("li", "article", "div", "dt"):
            anonymous.append(element)
    identified: list[tuple[etree._Element, int | None]] = [
        (node, wp_id) for wp_id, node in by_id.items() if not _in_widget(index, node)
    ]
    taken = {node for node, _ in identified}
    anonymous = [element for element in anonymous if element not in taken]
    if not anonymous:
        return identified  # already in document order
    nodes = list(identified)
    anonymous_ids = set(anonymous)
    for element in anonymous:
        # Elements inside an identified comment, and around one, belong to it.
        if any(index.contains(node, element) or index.contains(element, node) for node, _ in identified):
            continue
        if _in_widget(index, element):
            continue
        # Of nested anonymous elements keep the outermost, unless the inner one is a reply's `li`.
        if element.tag != "li" and any(a in anonymous_ids for a in element.iterancestors()):
            continue
        nodes.append((element, None))
    if len(nodes) > len(identified):
        nodes.sort(key=lambda pair: index.pos(pair[0]))
    return nodes


def _in_widget(index: PageIndex, node: etree._Element) -> bool:
    """True for a comment in a widget (Recent Comments), not for one of a comment section that a
    theme put in a bare <aside> or a layout column named "sidebar_content": a weakly marked region
    with the comment section inside it still holds the post's comments."""
    if not index.in_widget_area(node):
        return False
    passed_section = False
    for ancestor in node.iterancestors():
        if not passed_section and is_comment_section(ancestor):
            passed_section = True
        if is_widget_area(ancestor) and (is_widget(ancestor) or not passed_section):
            return True
    return False


def _parent_node(
    node: etree._Element,
    node_set: set[etree._Element],
    dead_ends: set[etree._Element],
    boxes: dict[etree._Element, etree._Element],
) -> etree._Element | None:
    """The comment the node replies to: the nearest comment around it (or around the box that
    holds it), or for a Thesis-style `dd`, the `dt` before it. `dead_ends` remembers ancestors
    with no comment above them."""
    current = node.getparent()
    visited: list[etree._Element] = []
    while current is not None:
        if current in node_set:
            return current
        owner = boxes.get(current)
        if owner is not None and owner is not node:
            return owner
        if current in dead_ends:
            break
        if current.tag == "dd":
            sibling = current.getprevious()
            if sibling is not None and sibling in node_set:
                return sibling
        visited.append(current)
        current = current.getparent()
    dead_ends.update(visited)
    return None


# Classes of an element that wraps one comment whose id sits on an element inside it
# (`li.comment.depth-2 > div#comment-N`; wpDiscuz's `div.wc-comment#wc-comm-N_P > div#comment-N`).
_BOX_CLASSES = frozenset(["comment", "pingback", "trackback", "wc-comment"])


def _boxes(nodes: list[tuple[etree._Element, int | None]]) -> dict[etree._Element, etree._Element]:
    """For each identified comment inside a wrapper of its own, the wrapper and the comment: a
    reply's parent is the comment whose wrapper holds it, and the wrapper carries `depth-N`."""
    boxes: dict[etree._Element, etree._Element] = {}
    shared: set[etree._Element] = set()
    for node, wp_id in nodes:
        parent = node.getparent()
        if wp_id is None or parent is None:
            continue
        # The wrapper, or the wrapper's wrapper through one element without an id (wpDiscuz 7:
        # `div.comment.depth-2#wpd-comm-N_P > div.wpd-comment-wrap > div#comment-N`).
        for box in (parent, parent.getparent() if parent.get("id") is None else None):
            if box is None or box.tag not in ("li", "div", "article") or _ID.match(box.get("id") or ""):
                break
            if _BOX_CLASSES.intersection((box.get("class") or "").split()):
                if box in boxes:
                    shared.add(box)  # a wrapper of two comments is neither's
                boxes[box] = node
                break
    for box in shared:
        del boxes[box]
    return boxes


def _declared_depth(node: etree._Element) -> int | None:
    classes = node.get("class")
    if classes is None and node.tag == "liclass":
        # `<li<?php comment_class(); ?>` without its space: the parser reads a tag "liclass",
        # and comment_class()'s tokens (depth-N among them) become attribute names.
        classes = " ".join(node.keys())
    match = _DEPTH.search(classes or "")
    return bounded_int(match.group(1), _MAX_DEPTH) if match else None


def _region_of(node: etree._Element, thread: _Thread) -> _Region:
    """The comment's own elements (for Thesis-style `dt` nodes, with the `dd` that follows)."""
    if node.tag == "dt":
        sibling = node.getnext()
        roots = [node, sibling] if sibling is not None and sibling.tag == "dd" else [node]
        return _Region(roots, thread, include_roots=True)
    return _Region([node], thread, include_roots=False)


def _read_comment(
    node: etree._Element,
    wp_id: int | None,
    parent_wp_id: int | None,
    depth: int,
    thread: _Thread,
    base_url: str,
    language: str | None,
    dated_texts: list[tuple[Comment, str]],
) -> Comment:
    region = _region_of(node, thread)
    content, explicit = _content(region)
    content_text = block_text(content)
    content_html = to_html(content)
    kind = _comment_type(node, region, content, content_text)
    author, author_url = _author(region, base_url, kind, wp_id)
    published, tried = _date(region, language, author)
    if kind != "comment":
        content_text = _PINGBACK_PREFIX.sub("", content_text)
        if not explicit and author and collapse(content_text.replace(author, "")) in (None, "(Edit)", "Edit"):
            # The theme shows only "Pingback: <a>Site</a>": there is no excerpt to keep.
            content_text, content_html = "", ""
    comment = Comment(
        wp_id=wp_id,
        parent_wp_id=parent_wp_id,
        depth=depth,
        author=author,
        author_url=author_url,
        published=published,
        type=kind,
        content_html=content_html,
        content_text=content_text,
        sources=["html"],
    )
    comment.author_slug, comment.registered, comment.by_post_author = comment_member(node)
    if tried:
        dated_texts.append((comment, tried))
    return comment


def _comment_type(node: etree._Element, region: _Region, content: etree._Element, content_text: str) -> str:
    classes = (node.get("class") or "").split()
    if "pingback" in classes:
        return "pingback"
    if "trackback" in classes:
        return "trackback"
    kind = region.starts_with_ping()
    if kind:
        return kind
    for kind in ("pingback", "trackback"):
        if any(kind in (text_of(element) or "").lower() for element in region.with_class("pingtype")):
            return kind
    # comment_type() in the meta line: "<small>Trackback at 15. July 2005</small>".
    for element in region.find(frozenset(), frozenset({"small"})):
        found = _TYPE_WORD.match(text_of(element) or "")
        if found and not region.in_text(element):
            return found.group(1).lower()
    return _type_from_stored_text(content, content_text)


_TYPE_WORD = re.compile(r"\s*(pingback|trackback)\b", re.IGNORECASE)


def _type_from_stored_text(content: etree._Element, content_text: str) -> str:
    """WordPress stores a pingback as "[…] excerpt […]" and a trackback as "<strong>title</strong>
    excerpt": themes without type classes (Kubrick) still show that text."""
    text = content_text.lstrip(_NAME_EDGES + "\n").rstrip()  # "| […]": a separator the meta line left
    ellipsis = _STORED_ELLIPSES
    if text.startswith(ellipsis) and text.endswith(ellipsis):
        return "pingback"
    if not text.endswith(ellipsis):
        return "comment"
    first = next((child for child in content if isinstance(child.tag, str) and child.tag != "br"), None)
    if first is not None and first.tag == "p":
        strong = first.find("strong")
        if strong is not None and collapse(text_of(first)) == collapse(text_of(strong)):
            return "trackback"
    return "comment"


def _author(region: _Region, base_url: str, kind: str, wp_id: int | None) -> tuple[str | None, str | None]:
    if kind != "comment":
        # "Pingback: <a href=...>Linking site</a>" — the link is the author.
        for anchor in region.find(frozenset(), frozenset({"a"})):
            marker = (anchor.get("class") or "") + " " + (anchor.get("href") or "")
            if "comment-edit-link" in marker or "replytocom" in marker or "#comment-" in marker:
                continue
            href = anchor.get("href")
            name = collapse(text_of(anchor))
            if href and name and not href.startswith("#") and not name.lstrip("#").isdigit():
                return name, absolute_url(base_url, href)
    # Rules, strongest first: the block theme's name; `.fn` inside `.comment-author`; then the
    # rest of _AUTHOR_RULES (`.fn` anywhere, `cite`, ...), each skipping the comment's own text.
    for rule_number in range(len(_AUTHOR_RULES) + 1):
        if rule_number == 0:
            elements = region.find(*_AUTHOR_RULES[0])
        elif rule_number == 1:
            boxes = region.with_class("comment-author")
            elements = [element for element in region.with_class("fn") if region.within_any(element, boxes)]
        else:
            elements = region.find(*_AUTHOR_RULES[rule_number - 1])
        for element in elements:
            if rule_number not in _MARKED_AUTHOR_RULES and region.in_text(element):
                continue
            if rule_number == 3 and not _is_author_link(element):
                continue
            name = _author_name(element, _LONGEST_NAME if kind == "comment" else _LONGEST_LINKING_TITLE)
            if name:
                if kind == "comment" and " " in name and _GLUED.search(name):
                    name = _as_reply_link_names(region, wp_id, _DATE_AFTER_NAME.sub("", name))
                return name, _author_url(element, base_url)
    return _author_from_reply_link(region, wp_id), None


# What text glued to a name shows: a digit (a date), a word run into the next ("BergAutor").
_GLUED = re.compile(r"\d|[a-zß-ÿ][A-ZÀ-Þ]")
# "Daniel — 17.07, 2011 @ 13:10": the date the theme prints after the name, behind a separator.
_DATE_AFTER_NAME = re.compile(r"\s+[—–|·•]\s+\d.*$")


def _reply_labels(region: _Region, wp_id: int | None) -> Iterator[str]:
    """The labels of the comment's own reply links: get_comment_reply_link() prints "Reply to
    <author>" (`aria-label`, and `data-replyto` since WordPress 6.2, in the site's language), the
    name get_comment_author() gives."""
    for link in region.with_class("comment-reply-link"):
        label = collapse(link.get("aria-label") or link.get("data-replyto"))
        named = link.get("data-commentid")
        if label and not (named and wp_id is not None and named != str(wp_id)):
            yield label


def _as_reply_link_names(region: _Region, wp_id: int | None, name: str) -> str:
    """The name, cut to the author's name the reply link gives where the author line holds that
    name and more after it: a date in the same element ("Ben 19. Juni 2018 um 15:28 Uhr"), a role
    badge ("Martina Berg" and "Autor" on the next line)."""
    for label in _reply_labels(region, wp_id):
        if label == name or label.endswith(" " + name):
            return name
        words = label.split(" ")
        for start in range(1, len(words)):
            own = " ".join(words[start:])
            if name.startswith(own):
                return own
        return name
    return name


_NAME_EDGES = " |:,·•-–—"


def _author_from_reply_link(region: _Region, wp_id: int | None) -> str | None:
    """The name in the comment's reply link, where no rule above finds it: get_comment_reply_link()
    labels the link "Reply to <author>" (`aria-label`, and `data-replyto` since WordPress 6.2, in
    the site's language). Taken only as one of the comment's own lines outside its text shows it:
    the longest such line that ends the label after a space."""
    links = region.with_class("comment-reply-link")
    for label in _reply_labels(region, wp_id):
        best = None
        for element in region.own(region.page_elements):
            if element in links or region.in_text(element) or region.within_any(element, links):
                continue
            text = (collapse(text_of(element)) or "").strip(_NAME_EDGES)
            if text and len(text) < len(label) and label.endswith(" " + text) and len(text) > len(best or ""):
                best = text
        return best
    return None


# Classes of a comment's text element (whole words in the class attribute).
# Author and meta lines: a text element that holds one wraps the whole comment.
_WRAPPED_META = (
    "fn",
    "vcard",
    "comment-author",
    "comment-meta",
    "commentmetadata",
    "comment-metadata",
    "woocommerce-review__author",
)
_TEXT_MARKS = ("comment-content", "comment-text", "commenttext", "format_text", "wp-block-comment-content")
_CONTENT_CLASS = re.compile(r"\b(" + "|".join(_TEXT_MARKS) + r")\b")


_NAME_JUNK = ("says", "avatar", "comment-meta", "commentmetadata", "screen-reader-text", "reply", "edit-link")


def _marked(element: etree._Element, tags: frozenset[str], parts: tuple[str, ...]) -> bool:
    """True for an element with one of the tags, or whose class contains one of the parts."""
    if element.tag in tags:
        return True
    classes = element.get("class")
    return bool(classes) and any(part in classes for part in parts)


# Not part of an author's name: the "says", the avatar, the date beside it.
_is_name_junk = functools.partial(_marked, tags=frozenset(["img", "time"]), parts=_NAME_JUNK)


def _is_author_link(element: etree._Element) -> bool:
    """The link `comment_author_link()` prints: `a.url` with `rel="external nofollow"`."""
    return element.tag == "a" and "external" in (element.get("rel") or "") and bool(element.get("href"))


# "Comment by Jane:", "Kommentar von Jane", "par Jane": the words before a name in bylines.
_BY_PREFIX = re.compile(
    r"^(?:(?:comment|kommentar|commentaire|comentario|comentário|commento|reactie)\s+"
    r"(?:by|von|par|por|door|av|af)|by)\s+(?=\S)",
    re.IGNORECASE,
)


# A commenter's name longer than this is text around it; a pingback's or trackback's author is
# the title of the post that linked, which WordPress keeps up to its column's 255 characters.
_LONGEST_NAME, _LONGEST_LINKING_TITLE = 120, 255


def _author_name(element: etree._Element, longest: int) -> str | None:
    parts: list[str] = []
    _gather_text(element, parts, set(), _is_name_junk)
    name = collapse("".join(parts))
    if not name:
        return None
    if not name.isascii() or any(word in name.lower() for word in _SAYS_ASCII_WORDS):
        name = _SAYS.sub("", name).strip()  # (an ASCII name without one of the words cannot match)
    name = _PINGBACK_PREFIX.sub("", name).strip()
    if name[-1:] in (":", ","):  # "Jane:" and "Jane," in "Jane: <text>" and "Jane, 3 May"
        name = name[:-1].rstrip()
    if name[:2].lower() in ("co", "ko", "by", "re"):
        name = _BY_PREFIX.sub("", name, count=1)
    if len(name) > longest:
        return None
    return name or None


def _author_url(element: etree._Element, base_url: str) -> str | None:
    if element.tag == "a":
        anchors = [element]
    else:
        anchors = [anchor for anchor in element.iter("a") if anchor is not element and anchor.get("href") is not None]
    if not anchors:
        parent = element.getparent()
        if parent is not None and parent.tag == "a":
            anchors = [parent]
    for anchor in anchors:
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        if "replytocom" in href or "#comment-" in href:
            continue
        return absolute_url(base_url, href)
    return None


_TEXT_PARTS = ("comment-content", "comment-text", "format_text", "commenttext")


# The comment's text (left out when looking for a date in its other lines).
_is_comment_text = functools.partial(_marked, tags=frozenset(["p"]), parts=_TEXT_PARTS)


def _date(region: _Region, language: str | None, author: str | None) -> tuple[str | None, str]:
    """The comment's date, and the text it was read from (or tried: to read again once the
    page's order of day and month is known); a machine date has no text. A date in the author's
    name (a pingback's linking post, "LawCamp, 5.4.2014") is not the comment's."""
    tried = ""
    for rule in _DATE_RULES:
        for element in region.find(*rule):
            if region.in_text(element):
                continue
            text = ""
            if element.tag == "time":
                found = normalise_machine_date(element.get("datetime")) if element.get("datetime") else None
                if not found:
                    text = text_of(element)
                    found = parse_text_date(text, language)
            elif element.tag == "abbr":
                if "published" not in (element.get("class") or "").split() or not element.get("title"):
                    continue
                found = normalise_machine_date(element.get("title"))
            else:
                text = text_of(element)
                found = parse_text_date(text, language)
                if not found:
                    # A relative date shown ("4 years ago") with the full one in its tooltip, as
                    # wpDiscuz prints it (`.wpd-comment-date[title]`).
                    found, titled = _date_in_tooltip(element, language)
                    text = titled or text
            tried = tried or text
            if found:
                return found, text
    # No date element: a date in the comment's own lines outside its text (and outside the
    # "[…] excerpt […]" WordPress stores as a pingback's or trackback's text).
    text = region.text(_is_comment_text)
    if author:
        text = " ".join(text.split()).replace(author, " ")
    if "[" in text:
        text = _STORED_EXCERPT.sub(" ", text)
    return parse_text_date(text, language), tried or text


# The marks around the excerpt WordPress stores as a pingback's text, and that excerpt: from its
# opening mark to its closing one, or to the end where the theme cut it short.
_STORED_ELLIPSES = ("[…]", "[...]", "[&#8230;]")
_MARK = "(?:" + "|".join(map(re.escape, _STORED_ELLIPSES)) + ")"
_STORED_EXCERPT = re.compile(_MARK + "(?:.*?" + _MARK + "|.*)", re.DOTALL)


def _date_in_tooltip(element: etree._Element, language: str | None) -> tuple[str | None, str | None]:
    """The date in the `title` of a date element (or of an element inside it), and that title."""
    for titled in element.iter():
        title = titled.get("title") if isinstance(titled.tag, str) else None
        if title and any(character.isdigit() for character in title):
            found = parse_text_date(title, language)
            if found:
                return found, title
    return None, None


_JUNK_PARTS = ("reply", "comment-edit-link", "sharedaddy", "comment-like")


# Not part of a comment's text: reply and edit links, share and like buttons, scripts.
_is_junk = functools.partial(_marked, tags=frozenset(["script"]), parts=_JUNK_PARTS)


def _content(region: _Region) -> tuple[etree._Element, bool]:
    """The comment's text element, and whether the theme marks it as such (else: the comment
    minus its author line, meta, avatar and reply link)."""
    for number, rule in enumerate(_CONTENT_RULES):
        found = region.find(*rule)
        if not found:
            continue
        element = found[0]
        generic = number == len(_CONTENT_RULES) - 1 or element in region.wrappers
        nested = region.removed_inside(element)
        if element in region.wrappers or (generic and region.inside(element, region.with_class("comment-author"))):
            duplicate = copy_without(element, nested)
            _strip_meta(duplicate, region.meta_classes)
            _remove_junk(duplicate)
            return duplicate, False
        junk = region.junk_inside(element)
        if nested or junk:
            element = copy_without(element, nested + junk)
        # `.comment-body` wraps everything in some themes: only a real text class is explicit.
        return element, not generic
    if region.include_roots:
        duplicate = etree.Element("div")
        for root in region.roots:
            duplicate.append(copy_without(root, region.removed_inside(root)))
    else:
        duplicate = copy_without(region.roots[0], region.pruned)
    _strip_meta(duplicate, region.meta_classes)
    return duplicate, False


def _remove_junk(element: etree._Element) -> None:
    """Cut reply and edit links, share and like buttons and scripts out, without entering what is cut."""
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        if _is_junk(child):
            remove_keep_tail(child)
        else:
            _remove_junk(child)


def _strip_meta(element: etree._Element, meta_classes: dict[str, bool]) -> None:
    _strip_meta_inside(element, meta_classes)
    # Leftover "says:" after the author was removed.
    if element.text and _SAYS.match(element.text.strip() + " "):
        element.text = _SAYS.sub("", element.text)


def _strip_meta_inside(element: etree._Element, meta_classes: dict[str, bool]) -> None:
    """Cut the author line, meta, avatar and reply link out, in document order, without entering
    what is cut. `meta_classes` remembers the verdict on each class attribute value."""
    for child in list(element):
        tag = child.tag
        if not isinstance(tag, str):
            continue
        classes = child.get("class")
        meta = False
        if classes:
            meta = meta_classes.get(classes)
            if meta is None:
                meta = meta_classes[classes] = _META_CLASSES.search(classes) is not None
        if (
            meta
            or tag in ("cite", "img", "script", "style", "form", "time", "small")
            or (tag == "a" and "replytocom" in (child.get("href") or ""))
        ):
            remove_keep_tail(child)
        else:
            _strip_meta_inside(child, meta_classes)
