"""One pass over a parsed page: every element by class token, id and tag, in document order.

The extractors ask the index ("elements whose class contains `comment`", "the `a` elements
inside this comment") instead of running an XPath search over the whole tree for each question;
a page is walked once, however many signals are looked for.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable

from lxml import etree

from spiders.extraction.regions import is_comment_section, is_widget_area, own_post_id

_get = etree._Element.get
# What stands between a post's title and the site's name in a page's <title> ("Post » Site").
TITLE_SEPARATORS = "|»«›‹–—:·•~-"
_SHORTEST_TITLE = 8
# Tags the extractors ask for on almost every page: collected in one walk.
_USUAL_TAGS = (
    "a",
    "abbr",
    "article",
    "b",
    "cite",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "link",
    "main",
    "meta",
    "script",
    "small",
    "strong",
    "time",
    "title",
)


class PageIndex:
    """Elements of one tree by class token, id and tag. The tree must not change after indexing
    (extractors change copies)."""

    __slots__ = (
        "root",
        "elements",
        "position",
        "by_class",
        "by_id",
        "_by_tag",
        "_substring_cache",
        "_marked_memos",
        "_positions",
        "_blobs",
        "_ends",
        "_link_attributes",
        "_holders",
        "_attributes",
    )

    def __init__(self, root: etree._Element) -> None:
        elements: list[etree._Element] = list(root.iter(etree.Element))
        position = dict(zip(elements, range(len(elements)), strict=True))
        by_class: dict[str, list[etree._Element]] = {}
        by_id: dict[str, list[etree._Element]] = {}
        get = _get  # the unbound method: no bound method made for each element and attribute
        for element in elements:
            value = get(element, "class")
            if value:
                for token in value.split():
                    found = by_class.get(token)
                    if found is None:
                        by_class[token] = [element]
                    elif found[-1] is not element:
                        found.append(element)
            value = get(element, "id")
            if value:
                found = by_id.get(value)
                if found is None:
                    by_id[value] = [element]
                else:
                    found.append(element)
        self.root = root
        self.elements = elements
        self.position = position
        self.by_class = by_class
        self.by_id = by_id
        self._by_tag: dict[str, list[etree._Element]] = {}
        self._substring_cache: dict[tuple[str, ...], list[etree._Element]] = {}
        self._marked_memos: dict[Callable[[etree._Element], bool], dict[etree._Element, bool]] = {}
        self._positions: dict[int, tuple[list[etree._Element], list[int]]] = {}
        self._blobs: dict[str, str] = {}
        self._ends: dict[etree._Element, int] = {}
        self._link_attributes: dict[str, dict[etree._Element, str | None]] = {}
        self._holders: set[etree._Element] | None = None
        self._attributes: dict[str, list[tuple[etree._Element, str]]] = {}

    def in_widget_area(self, element: etree._Element, include_self: bool = True) -> bool:
        """True when the element (or, with include_self False, an ancestor only) is in a sidebar, a
        widget or the reply form (`regions.is_widget_area`) that does not hold the post."""
        if not include_self:
            element = element.getparent()
        return element is not None and self.inside_marked(element, self._is_side_region)

    def _is_side_region(self, element: etree._Element) -> bool:
        """A widget area that does not hold the post: a layout column named for the sidebar beside
        it (`sidebar-included`, `sidebar_content`, `id="sidebar"` on the content area) is not one."""
        if not is_widget_area(element):
            return False
        if self._holders is None:
            self._holders = self._post_holders()
        return element not in self._holders

    def _post_holders(self) -> set[etree._Element]:
        """The elements that hold the post shown: the ancestors of its `post-N` element (the
        body's `postid-N` names it), of the page's only `hentry`, `entry-content` or `entry-title`, and of the
        comment list (wp_list_comments() in `.comment-list`, `.commentlist`)."""
        body = self.root.find("body")
        own = own_post_id(set((body.get("class") or "").split())) if body is not None else None
        marks = self.by_id.get(own, [])[:1] if own else []
        for token in ("hentry", "entry-content", "entry-title"):
            found = self.by_class.get(token, [])
            if len(found) == 1:
                marks.append(found[0])
        marks += self.with_class("comment-list", "commentlist")[:1]
        if not marks:
            marks = self._title_headings()
        holders: set[etree._Element] = set()
        for mark in marks:
            holders.update(mark.iterancestors())
        return holders

    def _title_headings(self) -> list[etree._Element]:
        """Where a theme marks nothing of the post (no `post-N`, hAtom or comment list): the
        headings that show the `<title>`'s first part (a singular page's document title starts with
        the post's title), the post's heading wherever its layout column is named."""
        tag = self.page_title()
        title = " ".join("".join(tag.itertext()).split()) if tag is not None else ""
        found = []
        for heading in self.in_order([self.tag("h1"), self.tag("h2"), self.tag("h3")]):
            text = " ".join("".join(heading.itertext()).split())
            rest = title[len(text) :]
            ends = not rest or (rest[:1].isspace() and rest[1:2] in TITLE_SEPARATORS)
            if len(text) >= _SHORTEST_TITLE and ends and title.startswith(text):
                found.append(heading)
        return found[:1]

    def page_title(self) -> etree._Element | None:
        """The page's `<title>`: not the `<title>` of an inline SVG icon (a share button's "Facebook
        icon"), which a page without a `<title>` of its own may hold."""
        for tag in self.tag("title"):
            if not any(ancestor.tag == "svg" for ancestor in tag.iterancestors()):
                return tag
        return None

    def in_comment_section(self, element: etree._Element) -> bool:
        """True when an ancestor of the element is the comment section (`regions.is_comment_section`)."""
        parent = element.getparent()
        return parent is not None and self.inside_marked(parent, is_comment_section)

    def inside_marked(self, element: etree._Element, marks: Callable[[etree._Element], bool]) -> bool:
        """True when the element or an ancestor `marks` a region (any test of one element),
        remembered per test for every element visited."""
        # A method of this index (`_is_side_region`) is remembered by its function: a bound method
        # kept as a key would hold the index, and the index with its page's elements would become a
        # reference cycle that only the garbage collector frees (a walk over every element, later).
        key = getattr(marks, "__func__", marks)
        memo = self._marked_memos.get(key)
        if memo is None:
            memo = self._marked_memos[key] = {}
        return _inside_marked(element, memo, marks)

    def pos(self, element: etree._Element) -> int:
        return self.position[element]

    def in_order(self, groups: Iterable[list[etree._Element]]) -> list[etree._Element]:
        """The union of some element lists, without duplicates, in document order."""
        lists = [group for group in groups if group]
        if not lists:
            return []
        if len(lists) == 1:
            return list(lists[0])
        unique = {element: None for group in lists for element in group}
        return sorted(unique, key=self.position.__getitem__)

    def with_class(self, *tokens: str) -> list[etree._Element]:
        """Elements with any of these class tokens (exact tokens)."""
        return self.in_order(self.by_class.get(token, []) for token in tokens)

    def class_containing(self, *parts: str) -> list[etree._Element]:
        """Elements whose class attribute contains any of these substrings (XPath `contains`)."""
        cached = self._substring_cache.get(parts)
        if cached is None:
            tokens = _containing(self._blob("class", self.by_class), parts)
            cached = self.in_order(self.by_class[token] for token in tokens)
            self._substring_cache[parts] = cached
        return cached

    def id_containing(self, *parts: str) -> list[etree._Element]:
        values = _containing(self._blob("id", self.by_id), parts)
        return self.in_order(self.by_id.get(value, []) for value in values)

    def id_starting(self, *prefixes: str) -> list[etree._Element]:
        by_id = self.by_id
        return self.in_order(by_id[value] for value in by_id if value.startswith(prefixes))

    def _blob(self, name: str, keys: dict[str, list[etree._Element]]) -> str:
        """All class tokens (or ids), one a line: substring searches run over it in C."""
        blob = self._blobs.get(name)
        if blob is None:
            blob = self._blobs[name] = "\n" + "\n".join(keys) + "\n"
        return blob

    def tag(self, name: str) -> list[etree._Element]:
        """Elements with this tag, in document order (the usual tags found together on first use)."""
        found = self._by_tag.get(name)
        if found is None:
            if not self._by_tag and name in _USUAL_TAGS:
                by_tag = self._by_tag = {tag: [] for tag in _USUAL_TAGS}
                for element in self.root.iter(*_USUAL_TAGS):
                    by_tag[element.tag].append(element)
                return by_tag[name]
            found = self._by_tag[name] = list(self.root.iter(name))
        return found

    def link_attribute(self, name: str) -> dict[etree._Element, str | None]:
        """Each `a` element's attribute `name` (None when absent), read once for all the
        extractors that ask (lxml's `get` copies the value every time)."""
        found = self._link_attributes.get(name)
        if found is None:
            found = self._link_attributes[name] = {anchor: anchor.get(name) for anchor in self.tag("a")}
        return found

    def with_attribute(self, name: str) -> list[tuple[etree._Element, str]]:
        """The elements that have the attribute (`itemprop`, `role`), each with its value, in
        document order: one walk for all the extractors that ask about it."""
        found = self._attributes.get(name)
        if found is None:
            get = _get
            found = self._attributes[name] = [
                (element, value) for element in self.elements if (value := get(element, name)) is not None
            ]
        return found

    def end(self, element: etree._Element) -> int:
        """Position of the element's last descendant (its own position when it has none)."""
        known = self._ends.get(element)
        if known is not None:
            return known
        current = element
        found = len(self.elements) - 1
        root = self.root
        # Up to the indexed root, not past it: a second <html> in the response sits beside it.
        while current is not None and current is not root:
            following = current.getnext()
            while following is not None and not isinstance(following.tag, str):
                following = following.getnext()
            if following is not None:
                found = self.position[following] - 1
                break
            current = current.getparent()
        self._ends[element] = found
        return found

    def positions_of(self, elements: list[etree._Element]) -> list[int]:
        """The positions of a list of elements (remembered for the index's own lists)."""
        known = self._positions.get(id(elements))
        if known is not None and known[0] is elements:
            return known[1]
        position = self.position
        found = [position[element] for element in elements]
        self._positions[id(elements)] = (elements, found)
        return found

    def inside(self, element: etree._Element, candidates: list[etree._Element]) -> list[etree._Element]:
        """The candidates (a list in document order) that are descendants of the element."""
        if not candidates:
            return []
        start, stop = self.pos(element), self.end(element)
        keys = self.positions_of(candidates)
        return candidates[bisect_right(keys, start) : bisect_left(keys, stop + 1)]

    def contains(self, ancestor: etree._Element, element: etree._Element) -> bool:
        """True when `element` is a descendant of `ancestor` (strictly)."""
        start = self.position[ancestor]
        here = self.position.get(element)
        return here is not None and start < here <= self.end(ancestor)


def _inside_marked(
    element: etree._Element, memo: dict[etree._Element, bool], marks: Callable[[etree._Element], bool]
) -> bool:
    """True when the element or an ancestor `marks` a region; the answer is remembered for every
    element visited (elements of one page share their ancestors)."""
    chain: list[etree._Element] = []
    current = element
    answer = False
    while current is not None:
        known = memo.get(current)
        if known is not None:
            answer = known
            break
        chain.append(current)
        if marks(current):
            answer = True
            break
        current = current.getparent()
    for visited in chain:
        memo[visited] = answer
    return answer


def _containing(blob: str, parts: tuple[str, ...]) -> set[str]:
    """The lines of `blob` (newline-separated, with a newline at both ends) that contain a part."""
    found: set[str] = set()
    for part in parts:
        start = 0
        while True:
            at = blob.find(part, start)
            if at < 0:
                break
            left = at + 1 if part.startswith("\n") else blob.rfind("\n", 0, at) + 1
            right = blob.find("\n", at + len(part))
            if right < 0:
                break
            found.add(blob[left:right])
            start = right
    found.discard("")
    return found
