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

import copy
import re
from urllib.parse import urljoin

from lxml import etree

from spiders.extraction.dates import normalise_machine_date, parse_text_date
from spiders.extraction.regions import in_widget_area
from spiders.extraction.text import block_text, collapse, is_ancestor, remove_keep_tail, text_of, to_html, xpath
from spiders.items import Comment

_ID = re.compile(r"^(?:li-|div-)?comment-?(\d+)$|^comment_(\d+)$")
_NODE_CLASSES = {"comment", "pingback", "trackback", "wp-block-comment"}
_DEPTH = re.compile(r"\bdepth-(\d+)\b")
# Rules for reading a comment, strongest first: (classes, tags) to look for inside the comment.
_CONTENT_RULES: list[tuple[frozenset[str], frozenset[str]]] = [
    (frozenset({"wp-block-comment-content"}), frozenset()),
    (frozenset({"comment-content"}), frozenset()),
    (
        frozenset(
            {
                "comment-text",
                "comment_text",
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
    (frozenset(), frozenset({"cite"})),
    (frozenset({"comment-author"}), frozenset()),
    (frozenset({"commentauthor", "comment_author", "comment-author-name", "author"}), frozenset()),
    (frozenset(), frozenset({"strong"})),
]
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
                "date",
            }
        ),
        frozenset(),
    ),
    (frozenset(), frozenset({"small"})),
]


class _Index:
    """Elements inside a comment by class token and by tag, in document order (one pass, instead of
    an XPath query per rule)."""

    def __init__(self, region: etree._Element) -> None:
        self.region = region
        self.position: dict[int, int] = {}
        self.by_class: dict[str, list[etree._Element]] = {}
        self.by_tag: dict[str, list[etree._Element]] = {}
        for index, element in enumerate(region.iterdescendants()):
            if not isinstance(element.tag, str):
                continue
            self.position[id(element)] = index
            self.by_tag.setdefault(element.tag, []).append(element)
            for token in (element.get("class") or "").split():
                self.by_class.setdefault(token, []).append(element)

    def find(self, classes: frozenset[str], tags: frozenset[str]) -> list[etree._Element]:
        found: dict[int, etree._Element] = {}
        for name in classes:
            for element in self.by_class.get(name, ()):
                found[id(element)] = element
        for name in tags:
            for element in self.by_tag.get(name, ()):
                found[id(element)] = element
        return sorted(found.values(), key=lambda element: self.position[id(element)])


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
_SAYS = re.compile(r"\s*(says|said|dice|dit|sagt|disse|escribió|schreibt|écrit)\s*:?\s*$", re.I)


def extract_comments(root: etree._Element, base_url: str, language: str | None) -> list[Comment]:
    """Every comment on the page in document order, with parents from the markup."""
    nodes = _comment_nodes(root)
    node_ids = {id(node): wp_id for node, wp_id in nodes}
    node_set = {id(node) for node, _ in nodes}
    comments: list[Comment] = []
    last_at_depth: dict[int, int | None] = {}
    for node, wp_id in nodes:
        parent_node = _parent_node(node, node_set)
        parent_wp_id = node_ids.get(id(parent_node)) if parent_node is not None else None
        depth = _nesting_depth(node, node_set)
        declared_depth = _declared_depth(node)
        if declared_depth:
            # WordPress's own depth-N class is the structure; in valid markup it agrees with the
            # nesting, in broken markup (mis-nested lists) it is still right.
            depth = declared_depth
            parent_wp_id = last_at_depth.get(declared_depth - 1) if declared_depth > 1 else None
        last_at_depth[depth] = wp_id
        for deeper in [d for d in last_at_depth if d > depth]:
            del last_at_depth[deeper]
        comments.append(_read_comment(node, wp_id, parent_wp_id, depth, node_set, base_url, language))
    return comments


_CANDIDATES = (
    "//*[starts-with(@id, 'comment') or starts-with(@id, 'li-comment') or starts-with(@id, 'div-comment')]"
    " | //*[contains(@class, 'comment') or contains(@class, 'pingback') or contains(@class, 'trackback')]"
)


def _comment_nodes(root: etree._Element) -> list[tuple[etree._Element, int | None]]:
    """The outermost element of each comment, in document order, with its WordPress id."""
    by_id: dict[int, etree._Element] = {}
    anonymous: list[etree._Element] = []
    for element in xpath(root, _CANDIDATES):
        element_id = element.get("id")
        match = _ID.match(element_id) if element_id else None
        if match:
            wp_id = int(match.group(1) or match.group(2))
            node = element
            if node.tag in ("a", "span", "img") and not collapse(text_of(node)):
                node = node.getparent()
            existing = by_id.get(wp_id)
            if existing is None or is_ancestor(node, existing):
                by_id[wp_id] = node
            continue
        classes = set((element.get("class") or "").split())
        if classes & _NODE_CLASSES and element.tag in ("li", "article", "div", "dt"):
            anonymous.append(element)
    identified = [(node, wp_id) for wp_id, node in by_id.items() if not _excluded(node)]
    taken = {id(node) for node, _ in identified}
    anonymous = [element for element in anonymous if id(element) not in taken]
    if not anonymous:
        return identified  # already in document order
    # Elements inside an identified comment, and around one, belong to it.
    inside: set[int] = set()
    around: set[int] = set()
    for node, _ in identified:
        inside.update(id(d) for d in node.iterdescendants())
        around.update(id(a) for a in node.iterancestors())
    nodes = list(identified)
    anonymous_ids = {id(element) for element in anonymous}
    for element in anonymous:
        key = id(element)
        if key in inside or key in around or _excluded(element):
            continue
        # Of nested anonymous elements keep the outermost, unless the inner one is a reply's `li`.
        if element.tag != "li" and any(id(a) in anonymous_ids for a in element.iterancestors()):
            continue
        nodes.append((element, None))
    if len(nodes) > len(identified):
        position = {id(el): index for index, el in enumerate(root.iter())}
        nodes.sort(key=lambda pair: position[id(pair[0])])
    return nodes


def _excluded(element: etree._Element) -> bool:
    """True inside a widget, a sidebar or the reply form."""
    return in_widget_area(element)


def _parent_node(node: etree._Element, node_set: set[int]) -> etree._Element | None:
    current = node.getparent()
    while current is not None:
        if id(current) in node_set:
            return current
        if current.tag == "dd":
            sibling = current.getprevious()
            if sibling is not None and id(sibling) in node_set:
                return sibling
        current = current.getparent()
    return None


def _nesting_depth(node: etree._Element, node_set: set[int]) -> int:
    depth = 1
    parent = _parent_node(node, node_set)
    while parent is not None:
        depth += 1
        parent = _parent_node(parent, node_set)
    return depth


def _declared_depth(node: etree._Element) -> int | None:
    match = _DEPTH.search(node.get("class") or "")
    return int(match.group(1)) if match else None


def _own_region(node: etree._Element, node_set: set[int]) -> etree._Element:
    """A copy of the comment without its nested replies (for `dt` nodes, with the next `dd`)."""
    if node.tag == "dt":
        wrapper = etree.Element("div")
        wrapper.append(copy.deepcopy(node))
        sibling = node.getnext()
        if sibling is not None and sibling.tag == "dd":
            wrapper.append(copy.deepcopy(sibling))
            original_children = [node, sibling]
        else:
            original_children = [node]
        region, originals = wrapper, original_children
    else:
        region = copy.deepcopy(node)
        region.tail = None
        originals = [node]
    # Remove nested comment nodes (and the reply lists that hold them) from the copy.
    if any(id(d) in node_set for original in originals for d in original.iterdescendants()):
        _prune_nested(region, originals, node_set)
    return region


def _prune_nested(region: etree._Element, originals: list[etree._Element], node_set: set[int]) -> None:
    """Walk the original and its copy in step and drop the copies of nested comments."""
    copies = list(region) if region.tag == "div" and originals[0].tag == "dt" else [region]
    for original, duplicate in zip(originals, copies, strict=False):
        _prune_pair(original, duplicate, node_set)


def _prune_pair(original: etree._Element, duplicate: etree._Element, node_set: set[int]) -> None:
    originals = list(original)
    duplicates = list(duplicate)
    for orig_child, dup_child in zip(originals, duplicates, strict=False):
        if id(orig_child) in node_set:
            remove_keep_tail(dup_child)
            continue
        if orig_child.tag in ("ul", "ol", "dl", "div") and _holds_only_replies(orig_child, node_set):
            remove_keep_tail(dup_child)
            continue
        if any(id(d) in node_set for d in orig_child.iterdescendants()):
            _prune_pair(orig_child, dup_child, node_set)


def _holds_only_replies(element: etree._Element, node_set: set[int]) -> bool:
    classes = (element.get("class") or "").split()
    if "children" in classes:
        return True
    direct = [child for child in element if isinstance(child.tag, str)]
    return (
        bool(direct)
        and all(id(child) in node_set or child.tag == "dd" for child in direct)
        and any(id(child) in node_set for child in direct)
    )


def _read_comment(
    node: etree._Element,
    wp_id: int | None,
    parent_wp_id: int | None,
    depth: int,
    node_set: set[int],
    base_url: str,
    language: str | None,
) -> Comment:
    region = _own_region(node, node_set)
    index = _Index(region)
    content, explicit = _content(index)
    kind = _comment_type(node, index, content)
    author, author_url = _author(index, base_url, kind)
    published = _date(index, language, content)
    content_text = block_text(content) if content is not None else ""
    content_html = to_html(content) if content is not None else ""
    if kind != "comment":
        content_text = _PINGBACK_PREFIX.sub("", content_text)
        if not explicit and author and collapse(content_text.replace(author, "")) in (None, "(Edit)", "Edit"):
            # The theme shows only "Pingback: <a>Site</a>": there is no excerpt to keep.
            content_text, content_html = "", ""
    return Comment(
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


def _comment_type(node: etree._Element, index: _Index, content: etree._Element) -> str:
    classes = set((node.get("class") or "").split())
    if "pingback" in classes:
        return "pingback"
    if "trackback" in classes:
        return "trackback"
    region = index.region
    head = (region.text or "").strip()[:40] or (collapse(text_of(region)) or "")[:60]
    for kind in ("pingback", "trackback"):
        if re.match(rf"^{kind}\s*:", head, re.IGNORECASE) or any(
            kind in (text_of(element) or "").lower() for element in index.by_class.get("pingtype", ())
        ):
            return kind
    return _type_from_stored_text(content)


def _type_from_stored_text(content: etree._Element) -> str:
    """WordPress stores a pingback as "[…] excerpt […]" and a trackback as "<strong>title</strong>
    excerpt": themes without type classes (Kubrick) still show that text."""
    if content is None:
        return "comment"
    text = collapse(text_of(content)) or ""
    ellipsis = ("[…]", "[...]", "[&#8230;]")
    if text.startswith(ellipsis) and text.endswith(ellipsis):
        return "pingback"
    first = next((child for child in content if isinstance(child.tag, str) and child.tag != "br"), None)
    if first is not None and first.tag == "p":
        strong = first.find("strong")
        if strong is not None and collapse(text_of(first)) == collapse(text_of(strong)) and text.endswith(ellipsis):
            return "trackback"
    return "comment"


def _author(index: _Index, base_url: str, kind: str) -> tuple[str | None, str | None]:
    if kind != "comment":
        # "Pingback: <a href=...>Linking site</a>" — the link is the author.
        for anchor in index.by_tag.get("a", ()):
            marker = (anchor.get("class") or "") + " " + (anchor.get("href") or "")
            if "comment-edit-link" in marker or "replytocom" in marker or "#comment-" in marker:
                continue
            href = anchor.get("href")
            name = collapse(text_of(anchor))
            if href and name and not href.startswith("#"):
                return name, urljoin(base_url, href)
    in_author_box = [
        element
        for element in index.by_class.get("fn", ())
        if any("comment-author" in (a.get("class") or "").split() for a in element.iterancestors())
    ]
    candidates = [index.find(*_AUTHOR_RULES[0]), in_author_box] + [index.find(*rule) for rule in _AUTHOR_RULES[1:]]
    for rule_number, elements in enumerate(candidates):
        for element in elements:
            if rule_number > 0 and _inside_content(element):
                continue
            name = _author_name(element)
            if name:
                return name, _author_url(element, base_url)
    return None, None


def _inside_content(element: etree._Element) -> bool:
    current = element.getparent()
    while current is not None:
        classes = current.get("class") or ""
        if re.search(
            r"\b(comment-content|comment-text|commenttext|format_text|wp-block-comment-content)\b",
            classes,
        ):
            return True
        current = current.getparent()
    return False


def _author_name(element: etree._Element) -> str | None:
    copy_ = copy.deepcopy(element)
    copy_.tail = None
    for junk in xpath(
        copy_,
        ".//*[contains(@class, 'says') or contains(@class, 'avatar') or self::img"
        " or contains(@class, 'comment-meta') or contains(@class, 'commentmetadata')"
        " or self::time or contains(@class, 'screen-reader-text')]",
    ):
        remove_keep_tail(junk)
    name = collapse(text_of(copy_))
    if not name:
        return None
    name = _SAYS.sub("", name).strip()
    name = _PINGBACK_PREFIX.sub("", name).strip()
    if len(name) > 120:
        return None
    return name or None


def _author_url(element: etree._Element, base_url: str) -> str | None:
    anchors = [element] if element.tag == "a" else xpath(element, ".//a[@href]")
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
        return urljoin(base_url, href)
    return None


def _date(index: _Index, language: str | None, content: etree._Element | None) -> str | None:
    region = index.region
    for rule in _DATE_RULES:
        for element in index.find(*rule):
            if _inside_content(element):
                continue
            if element.tag == "time":
                if not element.get("datetime"):
                    continue
                found = normalise_machine_date(element.get("datetime"))
            elif element.tag == "abbr":
                if "published" not in (element.get("class") or "").split() or not element.get("title"):
                    continue
                found = normalise_machine_date(element.get("title"))
            else:
                found = parse_text_date(text_of(element), language)
            if found:
                return found
    # No date element: a date in the comment's own lines outside its text.
    rest = copy.deepcopy(region)
    if content is not None:
        for element in xpath(
            rest,
            ".//*[contains(@class, 'comment-content') or contains(@class, 'comment-text')"
            " or contains(@class, 'format_text') or contains(@class, 'commenttext') or self::p]",
        ):
            if element.getparent() is not None:
                remove_keep_tail(element)
    return parse_text_date(text_of(rest), language)


def _content(index: _Index) -> tuple[etree._Element, bool]:
    """The comment's text element, and whether the theme marks it as such (else: the comment
    minus its author line, meta, avatar and reply link)."""
    for number, rule in enumerate(_CONTENT_RULES):
        found = index.find(*rule)
        if found:
            element = found[0]
            generic = number == len(_CONTENT_RULES) - 1
            if generic and xpath(element, ".//*[contains(concat(' ', @class, ' '), ' comment-author ')]"):
                element = copy.deepcopy(element)
                _strip_meta(element)
            # `.comment-body` wraps everything in some themes: only a real text class is explicit.
            return _without_junk(element), not generic
    element = copy.deepcopy(index.region)
    _strip_meta(element)
    return element, False


def _without_junk(element: etree._Element) -> etree._Element:
    junk = xpath(
        element,
        ".//*[contains(@class, 'reply') or contains(@class, 'comment-edit-link')"
        " or contains(@class, 'sharedaddy') or contains(@class, 'comment-like')]|.//script",
    )
    if not junk:
        return element
    element = copy.deepcopy(element)
    for item in xpath(
        element,
        ".//*[contains(@class, 'reply') or contains(@class, 'comment-edit-link')"
        " or contains(@class, 'sharedaddy') or contains(@class, 'comment-like')]|.//script",
    ):
        remove_keep_tail(item)
    return element


def _strip_meta(element: etree._Element) -> None:
    for child in list(element.iter()):
        if child is element or not isinstance(child.tag, str):
            continue
        if child.getparent() is None:
            continue
        classes = child.get("class") or ""
        if (
            _META_CLASSES.search(classes)
            or child.tag in ("cite", "img", "script", "style", "form", "time", "small")
            or (child.tag == "a" and "replytocom" in (child.get("href") or ""))
        ):
            remove_keep_tail(child)
    # Leftover "says:" after the author was removed.
    if element.text and _SAYS.match(element.text.strip() + " "):
        element.text = _SAYS.sub("", element.text)
