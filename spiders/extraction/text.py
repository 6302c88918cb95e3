"""Text helpers over lxml elements: whitespace, block-aware plain text, serialisation."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape as html_escape
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

from lxml import etree

_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
# Characters str.split() treats as whitespace and _SPACE does not (or the other way round): looked
# for one at a time with `in` (a text without characters past U+00FF skips the wider ones at once),
# half the time of a character-class search over the text on the real pages' posts and comments.
_RARE_SPACES = (
    "\x1c\x1d\x1e\x1f\x85\u1680" + "".join(map(chr, range(0x2000, 0x200C))) + "\u2028\u2029\u202f\u205f\u3000"
)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "figure",
        "figcaption",
        "table",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "dl",
        "dt",
        "dd",
        "address",
        "hr",
    ]
)
_SKIP_TAGS = frozenset(["script", "style", "noscript", "template", "svg", "iframe", "form"])


@lru_cache(maxsize=1024)
def _compiled(expression: str) -> etree.XPath:
    return etree.XPath(expression)


def xpath(element: etree._Element, expression: str) -> Any:
    """`element.xpath(expression)` with the expression compiled once per process."""
    return _compiled(expression)(element)


def text_of(element: etree._Element) -> str:
    """All the text inside an element (XPath's `string(.)`), without compiling anything."""
    return "".join(element.itertext())


def text_start(element: etree._Element, limit: int) -> str:
    """The start of an element's text, enough that its first `limit` characters with whitespace
    collapsed are those of the whole text (a date line's reader needs no more of a large block)."""
    pieces: list[str] = []
    length = 0
    for piece in element.itertext():
        pieces.append(piece)
        length += len(piece)
        if length > limit and len(" ".join("".join(pieces).split())) > limit:
            break
    return "".join(pieces)


def collapse(value: str | None) -> str | None:
    """All runs of whitespace to one space, trimmed; None for None or an empty result."""
    if value is None:
        return None
    value = " ".join(value.split())  # the same whitespace as the regex \s, in C
    return value or None


def block_text(element: etree._Element) -> str:
    """Plain text with a blank line between blocks and newlines for `<br>`."""
    parts: list[str] = []
    _walk_text(element, parts, blocks=True)
    raw = "".join(parts)
    # Whitespace that str.split() and _SPACE disagree on needs the exact (slower) rule.
    exact = any(space in raw for space in _RARE_SPACES)
    out: list[str] = []
    blank = False
    for line in raw.split("\n"):
        if not line or line.isspace():
            blank = True
            continue
        line = _SPACE.sub(" ", line).strip() if exact else " ".join(line.split())
        if not line:
            blank = True
            continue
        if blank and out:
            out.append("")
        out.append(line)
        blank = False
    return "\n".join(out)


def _walk_text(element: etree._Element, parts: list[str], blocks: bool) -> None:
    tag = element.tag
    if not isinstance(tag, str):
        tag = ""
    if tag in _SKIP_TAGS:
        return
    is_block = blocks and tag in _BLOCK_TAGS
    # One break between blocks is as good as several (any run of empty lines is one blank line).
    if is_block and (not parts or parts[-1] != "\n\n"):
        parts.append("\n\n")
    if blocks and tag == "br":
        parts.append("\n")
    if tag:
        text = element.text
        if text:
            parts.append(text)
    for child in element:
        _walk_text(child, parts, blocks)
        tail = child.tail
        if tail:
            parts.append(tail)
    if is_block and parts[-1] != "\n\n":
        parts.append("\n\n")


def to_html(element: etree._Element) -> str:
    """Serialise an element's children (inner HTML) as a string."""
    # One serialisation of the whole element with its own tags cut off costs a fraction of one per
    # child; libxml2 escapes the leading text as html.escape does (& < > only).
    whole = etree.tostring(element, method="html", encoding="unicode", with_tail=False)
    start = _start_tag_end(whole)
    end_tag = f"</{element.tag}>"
    if start > 0 and whole.endswith(end_tag) and len(whole) - len(end_tag) >= start:
        return whole[start : len(whole) - len(end_tag)].strip()
    parts = [html_escape(element.text, quote=False) if element.text else ""]
    for child in element:
        parts.append(etree.tostring(child, method="html", encoding="unicode", with_tail=True))
    return "".join(parts).strip()


# A start tag as libxml2 serialises it: attribute values quoted with " or ' (a bare name is a
# boolean attribute), so a ">" ends the tag only outside quotes.
_START_TAG = re.compile(r"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")


def _start_tag_end(serialised: str) -> int:
    """Where the serialised element's start tag ends (after its `>`), or 0."""
    match = _START_TAG.match(serialised)
    return match.end() if match else 0


SQLITE_MAX_INT = 2**63 - 1


def bounded_int(digits: str | None, limit: int = SQLITE_MAX_INT) -> int | None:
    """The number a page writes as digits, or None when it is not one a page can mean (more digits
    than any id has, or over `limit`): a row id never overflows SQLite, and a 5,000-digit string
    never reaches `int()`, which refuses over 4,300 digits."""
    if not digits or len(digits) > 19 or not digits.isdigit():
        return None
    value = int(digits)
    return value if value <= limit else None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes to text the way browsers do: BOM, then HTTP charset, then `<meta charset>`,
    then a guess (windows-1252 for Latin pages)."""
    from w3lib.encoding import html_to_unicode

    _, text = html_to_unicode(content_type, body)
    return text


def absolute_url(base_url: str, href: str) -> str:
    """`urljoin(base_url, href)`, without its cost for a link that is already absolute (one that
    urljoin would give back unchanged: no empty query or fragment to drop, no `;params`, no tab or
    line break to remove)."""
    if (
        href.startswith(("https://", "http://"))
        and not href.endswith(("?", "#"))
        and ";" not in href
        and "\n" not in href
        and "\t" not in href
        and "\r" not in href
    ):
        return href
    try:
        return urljoin(base_url, href)
    except ValueError:  # "http://[::1" and other hosts urllib refuses: kept as written
        return href


def split_url(url: str) -> SplitResult:
    """`urlsplit(url)`, or the parts of an empty URL for one urllib refuses ("http://[zz")."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def make_links_absolute(element: etree._Element, base_url: str) -> None:
    """Resolve `href` and `src` attributes against the page URL, in place."""
    for node in element.iter("a", "img", "source"):
        for attribute in ("href", "src"):
            value = node.get(attribute)
            if value and not value.startswith(("#", "data:", "mailto:", "javascript:")):
                node.set(attribute, absolute_url(base_url, value.strip()))


def remove_keep_tail(element: etree._Element) -> None:
    """Remove an element from its tree, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def copy_without(element: etree._Element, remove: list[etree._Element]) -> etree._Element:
    """A copy of the element with `remove` (elements inside it) left out, their tails kept.

    Only what stays is copied: subtrees that hold nothing to remove are copied whole (in C), and
    the path down to each removed element is rebuilt a level at a time. (Copying everything and
    cutting afterwards copied every later comment again where broken markup nests each comment
    in the one before.)"""
    removed = set(remove)
    on_path: set[etree._Element] = set()  # ancestors of a removed element, below `element`
    for item in remove:
        parent = item.getparent()
        while parent is not None and parent is not element and parent not in on_path:
            on_path.add(parent)
            parent = parent.getparent()
    if removed:
        try:
            return _copy_kept(element, removed, on_path, top=True)
        except ValueError:  # a tag or attribute name the HTML parser took but XML refuses
            pass
    return deep_copy_without(element, remove)


def deep_copy_without(element: etree._Element, remove: list[etree._Element]) -> etree._Element:
    """A copy of the element with `remove` (elements inside it, none inside another, in document
    order) cut out, their tails kept: the whole subtree copied in C, the copies of `remove` found by
    their paths. Attributes stay as parsed (an HTML boolean attribute serialises as its bare name,
    `itemscope`, where a copy rebuilt from `attrib` writes `itemscope=""`)."""
    duplicate = element.__deepcopy__(None)  # lxml copies the subtree in C
    duplicate.tail = None
    for twin in _twins(element, duplicate, remove):
        remove_keep_tail(twin)
    return duplicate


def _twins(element: etree._Element, duplicate: etree._Element, items: list[etree._Element]) -> list:
    """The copies in `duplicate` (a deep copy of `element`) of `items`, found by their paths of
    child positions; all found before any is cut, which would shift the positions."""
    twins: list[etree._Element] = []
    for item in items:
        path: list[int] = []
        node = item
        parent = node.getparent()
        while parent is not None and node is not element:
            path.append(parent.index(node))
            node = parent
            parent = node.getparent()
        if node is not element or not path:
            continue  # not inside the element, or the element itself
        twin = duplicate
        for position in reversed(path):
            twin = twin[position]
        twins.append(twin)
    return twins


def _copy_kept(
    element: etree._Element, removed: set[etree._Element], on_path: set[etree._Element], top: bool = False
) -> etree._Element:
    duplicate = etree.Element(element.tag, dict(element.attrib)) if isinstance(element.tag, str) else None
    if duplicate is None:  # a comment or processing instruction on the path: copied as it is
        return element.__deepcopy__(None)
    duplicate.text = element.text
    duplicate.tail = None if top else element.tail
    for child in element:
        if child in removed:
            if child.tail:  # the text after a removed element stays where it was
                if len(duplicate):
                    duplicate[-1].tail = (duplicate[-1].tail or "") + child.tail
                else:
                    duplicate.text = (duplicate.text or "") + child.tail
            continue
        duplicate.append(_copy_kept(child, removed, on_path) if child in on_path else child.__deepcopy__(None))
    return duplicate
