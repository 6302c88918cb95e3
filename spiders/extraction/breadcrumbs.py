"""Breadcrumb trails: visible markup first (what the reader saw), then microdata, then JSON-LD.

A trail is found by its own signals (a container named breadcrumb/crumbs, a "You are here" label,
schema.org `BreadcrumbList`), never by position, so a site menu is not taken for one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lxml import etree

from spiders.extraction.text import absolute_url, collapse, text_of, xpath
from spiders.items import Crumb

if TYPE_CHECKING:
    from spiders.extraction.document import Document

_YOU_ARE_HERE = re.compile(
    r"^\s*(you are here|vous êtes ici|sie sind hier|usted está aquí|está aquí|você está aqui"
    r"|estás aquí|browse|location|navigation)\s*[:»>]?\s*",
    re.IGNORECASE,
)
_BEFORE_YOU_ARE_HERE = re.compile(r"^.{0,40}?(?=\b(?:you are here|vous êtes ici|sie sind hier)\b)", re.IGNORECASE)
_SEPARATORS = re.compile(r"^[\s»>/›→|:·•\-–—\\]+$|^&gt;$|^&raquo;$")
_CRUMB_SEPARATOR = re.compile(r"\s+[»>/›→|]\s+|\s*[»›→]\s*")
_SEPARATOR_EDGES = re.compile(r"^[\s»>/›→|:·•\\]+|[\s»>/›→|:·•\\]+$")


def extract_breadcrumbs(doc: Document) -> list[Crumb]:
    """The page's breadcrumb trail in order, or [] when it has none."""
    for container in _containers(doc):
        crumbs = _from_container(container, doc.url)
        if len(crumbs) >= 2:
            return crumbs
    if doc.mentions("readcrumb") and doc.mentions("BreadcrumbList"):  # the first answer is remembered
        crumbs = _from_microdata(doc.index.elements, doc.url)
        if crumbs:
            return crumbs
    return _from_json_ld(doc.json_ld, doc.url)


_CONTAINER_TAGS = frozenset(["div", "nav", "p", "span", "ol", "ul", "section", "small", "header"])


def _containers(doc: Document) -> Iterator[etree._Element]:
    """Trail containers in document order: by class or id, or `aria-label` (looked for only as
    far as the trail being read, the caller stops at the first that holds one); then a theme's own
    "You are here" line."""
    index = doc.index
    marked = index.in_order(
        [index.class_containing("readcrumb", "crumbs"), index.id_containing("readcrumb"), index.by_id.get("crumbs", [])]
    )
    labelled = doc.mentions("readcrumb")  # else no aria-label can name a trail
    found: list[etree._Element] = []

    headings = index.tag("h1")
    # schema.org's BreadcrumbList marks the trail itself: a wrapper around one holds other things.
    typed = doc.mentions("BreadcrumbList")

    def accept(element: etree._Element) -> bool:
        if element.tag not in _CONTAINER_TAGS or any(index.contains(previous, element) for previous in found):
            return False
        if headings and any(not _in_list_item(heading, element) for heading in index.inside(element, headings)):
            return False  # a title area (with "breadcrumb" in a layout class), not a trail
        if typed and not _is_trail_list(element) and any(_is_trail_list(e) for e in element.iterdescendants()):
            return False  # "breadcrumb-wrap" around the trail and a list of featured links
        found.append(element)
        return True

    elements = index.elements
    scanned = 0  # elements before this position were looked at for an aria-label
    for element in marked:
        at = index.pos(element)
        if labelled:
            for candidate in _labelled(elements[scanned:at]):
                if accept(candidate):
                    yield candidate
            scanned = at + 1
        if accept(element):
            yield element
    if labelled:
        for candidate in _labelled(elements[scanned:]):
            if accept(candidate):
                yield candidate
    # A theme's own trail with no class: an element whose text starts with "You are here".
    if not doc.mentions("You are here"):
        return
    for text in xpath(doc.root, "//body//text()[contains(., 'You are here')]"):
        element = text.getparent()
        while element is not None and element.tag not in ("div", "p", "nav", "span", "body"):
            element = element.getparent()
        if element is None or element.tag == "body":
            continue
        if not (collapse(text_of(element)) or "").startswith("You are here"):
            continue
        if len(text_of(element)) < 600 and not any(
            index.contains(previous, element) or index.contains(element, previous) for previous in found
        ):
            found.append(element)
            yield element


def _is_trail_list(element: etree._Element) -> bool:
    """schema.org's BreadcrumbList: the trail itself, where a wrapper around it holds more."""
    itemtype = element.get("itemtype") if isinstance(element.tag, str) else None
    return bool(itemtype) and itemtype.rstrip("/").endswith("BreadcrumbList")


def _in_list_item(heading: etree._Element, container: etree._Element) -> bool:
    """True for a heading in an item of the trail's list: the last crumb, the page's title."""
    for ancestor in heading.iterancestors():
        if ancestor is container:
            return False
        if ancestor.tag == "li":
            return True
    return False


def _labelled(elements: list[etree._Element]) -> list[etree._Element]:
    """Those that can hold a trail (the tags `_containers` keeps) named one by `aria-label`."""
    return [e for e in elements if e.tag in _CONTAINER_TAGS and "readcrumb" in (e.get("aria-label") or "")]


def _from_container(container: etree._Element, base_url: str) -> list[Crumb]:
    """Walk the container in document order: links are crumbs, loose text between them too."""
    crumbs: list[Crumb] = []
    pending_text: list[str] = []

    def flush_text() -> None:
        text = collapse(" ".join(pending_text))
        pending_text.clear()
        if not text:
            return
        if not crumbs:  # "You are here:" (after a "Loading…" placeholder, say) is no crumb
            text = _YOU_ARE_HERE.sub("", _BEFORE_YOU_ARE_HERE.sub("", text))
        for piece in _CRUMB_SEPARATOR.split(text):
            piece = _SEPARATOR_EDGES.sub("", piece).strip()
            if piece and not _SEPARATORS.match(piece) and not _YOU_ARE_HERE.fullmatch(piece):
                crumbs.append(Crumb(label=piece, url=None))

    def walk(element: etree._Element) -> None:
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            return
        if element.tag == "a" and element.get("href"):
            flush_text()
            label = collapse(text_of(element))
            if label:
                crumbs.append(Crumb(label=label, url=absolute_url(base_url, element.get("href"))))
        else:
            if element.text:
                pending_text.append(element.text)
            for child in element:
                walk(child)
                if child.tail:
                    pending_text.append(child.tail)
            return
        return

    if container.text:
        pending_text.append(container.text)
    for child in container:
        walk(child)
        if child.tail:
            pending_text.append(child.tail)
    flush_text()
    if crumbs and _YOU_ARE_HERE.fullmatch(crumbs[0].label + ":"):
        crumbs = crumbs[1:]
    return crumbs


def _from_microdata(elements: list[etree._Element], base_url: str) -> list[Crumb]:
    """A microdata or RDFa `BreadcrumbList` (`elements`: the page's, in document order; a loop
    over them costs less than libxml2's XPath `//*[contains(@itemtype, ...)]`)."""
    lists = [
        element
        for element in elements
        if "BreadcrumbList" in (element.get("itemtype") or "") or "BreadcrumbList" in (element.get("typeof") or "")
    ]
    if not lists:
        return []
    crumbs: list[Crumb] = []
    for item in xpath(lists[0], ".//*[@itemprop='itemListElement' or @property='itemListElement']"):
        names = xpath(item, ".//*[@itemprop='name' or @property='name']")
        label = collapse(text_of(names[0])) if names else collapse(text_of(item))
        links = xpath(item, ".//*[@itemprop='item' or @property='item'][@href]") or xpath(item, ".//a[@href]")
        url = absolute_url(base_url, links[0].get("href")) if links else None
        if label:
            crumbs.append(Crumb(label=label, url=url))
    return crumbs


def _from_json_ld(ld: list[dict], base_url: str) -> list[Crumb]:
    for node in ld:
        if _has_type(node, "BreadcrumbList"):
            elements = node.get("itemListElement") or []
            if isinstance(elements, dict):
                elements = [elements]
            ordered = sorted(
                (e for e in elements if isinstance(e, dict)),
                key=lambda e: _as_int(e.get("position")),
            )
            crumbs = []
            for element in ordered:
                item = element.get("item")
                name = element.get("name")
                url = None
                if isinstance(item, dict):
                    name = name or item.get("name")
                    url = item.get("@id") or item.get("url")
                elif isinstance(item, str):
                    url = item
                if name:
                    crumbs.append(
                        Crumb(
                            # SEO plugins write names with HTML entities ("&#8222;") into the JSON.
                            label=collapse(html.unescape(str(name)) if "&" in str(name) else str(name)) or "",
                            url=absolute_url(base_url, url) if url else None,
                        )
                    )
            if crumbs:
                return crumbs
    return []


def _has_type(node: dict[str, Any], name: str) -> bool:
    kind = node.get("@type")
    return kind == name or (isinstance(kind, list) and name in kind)


def _as_int(value: Any) -> int:
    try:
        return int(str(value)[:19])
    except (TypeError, ValueError):
        return 0
