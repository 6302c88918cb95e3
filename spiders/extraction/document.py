"""The parsed page every extractor reads: `Document`, with the signals they share (the element
index, body classes, language, JSON-LD, `<meta>` names), each computed once. The field modules
(comments, breadcrumbs, sharing, dates) and the module that assembles a post import this one."""

from __future__ import annotations

import json
import re

from lxml import etree

from spiders.extraction.index import PageIndex
from spiders.extraction.text import absolute_url, split_url
from spiders.urls import post_url_of_comment_page

_DEPTH_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT
_NOT_XML_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])
_NOT_XML = tuple(bytes([value]) for value in _NOT_XML_BYTES)
# Plain lxml elements (no lxml.html element classes: their lookups cost more than the parse).
_PARSER = etree.HTMLParser(remove_comments=True, recover=True, encoding="utf-8", collect_ids=False)
_DEEP_PARSER = etree.HTMLParser(remove_comments=True, recover=True, encoding="utf-8", collect_ids=False, huge_tree=True)
# Deeper than a browser's parser nests (512 levels; past that it adds elements beside, not inside),
# and deeper than the extractors' recursive walks may go: one step of the path a level.
_DEEPER_THAN_BROWSERS = etree.XPath("boolean(" + "/*" * 512 + ")")


class Document:
    """A parsed page with the signals every extractor needs; the element index is built on first
    use and shared by all the extractors."""

    __slots__ = (
        "root",
        "url",
        "text",
        "language",
        "body_classes",
        "truncated",
        "_index",
        "_json_ld",
        "_mentions",
        "_meta_names",
        "_canonical",
    )

    def __init__(self, root: etree._Element, url: str, text: str) -> None:
        self.root = root
        self.text = text
        base = next(root.iter("base"), None)
        href = base.get("href") if base is not None else None
        self.url = absolute_url(url, href) if href else url
        # The full tag ("en-gb"): the region tells how numeric dates are written.
        self.language = (root.get("lang") or root.get("xml:lang") or "").strip().lower() or None
        body = root.find("body")
        self.body_classes = set((body.get("class") or "").split()) if body is not None else set()
        self.truncated = False  # the parser dropped part of the page (see `parse`)
        self._index: PageIndex | None = None
        self._json_ld: list[dict] | None = None
        self._mentions: dict[str, bool] = {}
        self._meta_names: list[tuple[str | None, str | None, etree._Element]] | None = None
        self._canonical: str | None | bool = False  # False: not read yet

    @classmethod
    def parse(cls, text: str, url: str) -> Document:
        parser = _PARSER
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (a page decoded with "surrogateescape")
            data = text.encode("utf-8", "replace")
        # Control characters XML cannot hold (text pasted from Word carries them) would make any
        # value set on an element raise: they go before parsing (never inside a UTF-8 sequence).
        if any(byte in data for byte in _NOT_XML):  # a search per byte value (memchr) costs less than the copy
            data = data.translate(None, _NOT_XML_BYTES)
        truncated = False
        try:
            root = etree.fromstring(data, parser=parser) if text and not text.isspace() else None
            # libxml2 stops at 256 levels of nesting and drops what is deeper (broken markup that
            # nests each comment in the one before). A browser nests up to 512 levels: parsed
            # again with libxml2's larger limit, the page is whole if it stays within those.
            truncated = root is not None and any(error.type == _DEPTH_LIMIT for error in parser.error_log)
            if truncated:
                deeper = etree.fromstring(data, parser=_DEEP_PARSER)
                whole = not any(error.type == _DEPTH_LIMIT for error in _DEEP_PARSER.error_log)
                if deeper is not None and whole and not _DEEPER_THAN_BROWSERS(deeper):
                    root, truncated = deeper, False
        except (etree.ParserError, ValueError):
            root = None
        if root is None:
            root = etree.fromstring(b"<html><body></body></html>", parser=parser)
        else:
            _merge_late_tags(root, data)
        document = cls(root, url, text)
        document.truncated = truncated
        return document

    @property
    def index(self) -> PageIndex:
        if self._index is None:
            self._index = PageIndex(self.root)
        return self._index

    @property
    def json_ld(self) -> list[dict]:
        if self._json_ld is None:
            self._json_ld = _json_ld(self)
        return self._json_ld

    @property
    def meta_names(self) -> list[tuple[str | None, str | None, etree._Element]]:
        """Each `<meta>`'s property and name, read once, with the element."""
        if self._meta_names is None:
            self._meta_names = [(meta.get("property"), meta.get("name"), meta) for meta in self.index.tag("meta")]
        return self._meta_names

    @property
    def canonical_url(self) -> str | None:
        """The page's canonical URL (`<link rel="canonical">` on the same host), without a fragment
        or a comment page part. Read once."""
        if self._canonical is False:
            self._canonical = None
            rel = [link.get("href") for link in self.index.tag("link") if link.get("rel") == "canonical"]
            links = [href for href in rel if href]
            if links:
                candidate = absolute_url(self.url, links[0].strip()).split("#")[0]
                if split_url(candidate).netloc == split_url(self.url).netloc:
                    plain = "?" not in candidate and "comment-page-" not in candidate
                    self._canonical = candidate if plain else post_url_of_comment_page(candidate)
        return self._canonical  # type: ignore[return-value]

    def mentions(self, needle: str) -> bool:
        """True when the page's HTML contains the string (case-sensitive, like the XPath tests it
        guards): a cheap way to skip searches for signals a page cannot have. Remembered."""
        found = self._mentions.get(needle)
        if found is None:
            found = self._mentions[needle] = needle in self.text
        return found


_LATE_TAG = re.compile(rb"<(html|body)\b[^>]*>", re.IGNORECASE)


def _merge_late_tags(root: etree._Element, data: bytes) -> None:
    """Output before `<!DOCTYPE>` (a plugin that prints early) makes the parser open `<html>` and
    `<body>` itself and drop the page's own tags with their attributes: body_class(), `lang`. A
    browser keeps them (HTML's rule for a second `<html>` or `<body>` tag: its attributes are added
    to the element where missing); so does this. Looked at only on a page that does not begin
    with its doctype or `<html>` and whose `<body>` has no class."""
    start = data[:256].lstrip(b"\xef\xbb\xbf \t\r\n")[:5].lower()
    if start.startswith((b"<!", b"<html", b"<?xml")):
        return  # the page begins as a page does
    body = root.find("body")
    if body is None or body.get("class") is not None:
        return
    for match in _LATE_TAG.finditer(data):
        tag, is_body = match.group(0), match.group(1).lower() == b"body"
        if b"=" in tag:
            parsed = etree.fromstring(tag, parser=_PARSER)
            element = parsed.find("body") if is_body and parsed is not None else parsed
            target = body if is_body else root
            for name, value in element.attrib.items() if element is not None else ():
                if target.get(name) is None:
                    target.set(name, value)
        if is_body:
            return  # the first <body> tag: the page's own


def _json_ld(doc: Document) -> list[dict]:
    nodes: list[dict] = []
    for script in doc.index.tag("script"):
        if script.get("type") != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, TypeError, RecursionError, ValueError):
            continue  # not JSON, nested deeper than Python's stack, or numbers past int()'s limit
        stack = data if isinstance(data, list) else [data]
        for item in stack:
            if isinstance(item, dict):
                nodes.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    nodes.extend(g for g in graph if isinstance(g, dict))
    return nodes
