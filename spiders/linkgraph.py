"""The HTML way into a blog: its own link graph, followed until no new post or page turns up.

Plain functions and one small class, with no crawler: `LinkGraph.harvest` reads a page the crawl
fetched (home, listing, post) and says which links to fetch next, as posts or as listings.

- **Listings** are what WordPress prints to list posts: the home page's pages (`/page/N/`,
  `?paged=N`), category, tag, author, year and month archives, each with their own pages. Day
  archives are not fetched: every post they list is in its month's archive.
- **Posts** are links the theme marks as a post's permalink (`rel="bookmark"`, entry titles),
  links in the page menus, and any other in-scope link: it is fetched once and its page says what
  it is. Links shaped like a permalink already seen (the shape learned from the posts found, such
  as `/YYYY/MM/slug/`) go first.
- **Static copies.** A blog exported to static files links `.../slug/index.html` for the
  permalink `.../slug/`: the `index.html` is dropped. An export served under another path than
  the one its links name (its home link answers 404 while the page we started from is its home)
  is read with its links moved to where it is served (`rebase`).

The trap rules of `spiders.urls` still hold: nothing with a reply, share, search or calendar
query, no feeds, files, logins or attachments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from spiders.extraction.document import Document
from spiders.extraction.text import absolute_url, split_url
from spiders.urls import comment_page_number, dedupe_key, in_scope, trap_reason

_STATIC_INDEX = re.compile(r"(?<=/)index\.html?$", re.IGNORECASE)
_PAGED_PATH = re.compile(r"/page/\d{1,6}(?:/|\.html?)?$")  # `page/2.html`: a static export's name
_PAGED_QUERY = re.compile(r"(?:^|&)paged=\d{1,6}(?:&|$)")
_TAXONOMY = re.compile(r"/(category|tag|author|topics?|series)/[^/]+/")
_DATE_ARCHIVE = re.compile(r"/\d{4}/(?:\d{2}/)?(?:page/\d{1,6}(?:/|\.html?))?$")
_DAY_ARCHIVE = re.compile(r"/\d{4}/\d{2}/\d{2}/(?:page/\d{1,6}(?:/|\.html?))?$")
_POST_MARKS = (
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' bookmark ')]/@href"
    " | //*[contains(concat(' ', @class, ' '), ' entry-title ')"
    " or contains(concat(' ', @class, ' '), ' wp-block-post-title ')"
    " or contains(concat(' ', @class, ' '), ' post-title ')"
    " or contains(concat(' ', @class, ' '), ' storytitle ')]//a/@href"
    " | //li[contains(concat(' ', @class, ' '), ' menu-item-object-post ')]/a/@href"
)
# wp_list_pages(), menus and the block page list name WordPress pages (and only pages).
_PAGE_MENU = (
    "//li[contains(concat(' ', @class, ' '), ' page_item ')"
    " or contains(concat(' ', @class, ' '), ' menu-item-object-page ')"
    " or contains(concat(' ', @class, ' '), ' wp-block-pages-list__item ')]/a/@href"
)


def static_copy_url(url: str) -> str:
    """The permalink a static copy's link stands for: `.../slug/index.html` is `.../slug/`."""
    parts = split_url(url)
    if not _STATIC_INDEX.search(parts.path):
        return url.split("#", 1)[0]
    path = _STATIC_INDEX.sub("", parts.path)
    return parts._replace(path=path, fragment="").geturl()


def listing_kind(url: str) -> str | None:
    """Which kind of WordPress listing a URL names (`paged`, `taxonomy`, `date`, `day`), or None."""
    parts = split_url(url)
    if _DAY_ARCHIVE.search(parts.path):
        return "day"
    if _PAGED_QUERY.search(parts.query) or _PAGED_PATH.search(parts.path) and not _TAXONOMY.search(parts.path):
        return "paged"
    if _TAXONOMY.search(parts.path):
        return "taxonomy"
    if _DATE_ARCHIVE.search(parts.path):
        return "date"
    return None


def permalink_shape(url: str, home: str) -> str:
    """A post URL's path below the home, with its numbers generalised: `/2009/05/slug/` is
    `dddd/dd/*/` (a year, a month, then a name)."""
    path = split_url(url).path[len(split_url(home).path) :]
    segments = []
    for segment in path.split("/"):
        if segment.isdigit():
            segments.append("d" * min(len(segment), 4))
        else:
            segments.append("*" if segment else "")
    return "/".join(segments)


def links_prefix(doc: Document, home: str) -> str | None:
    """The folder all the page's post links share, when it is below `home`: where a static copy's
    links say the blog lives (`/wp-content/plugins/<exporter>/static/`, `/blog/`)."""
    urls = [
        static_copy_url(absolute_url(doc.url, href))
        for href in doc.root.xpath(_POST_MARKS)
        if in_scope(absolute_url(doc.url, href), home)
    ]
    if len(urls) < 2:
        return None
    paths = [split_url(url).path for url in urls]
    common = paths[0].rsplit("/", 1)[0] + "/"
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[:-1].rsplit("/", 1)[0] + "/"
    while re.search(r"/\d{1,4}/$", common):  # a folder of dates is the permalinks', not the blog's
        common = common[:-1].rsplit("/", 1)[0] + "/"
    base = split_url(home)
    if len(common) <= len(base.path) or not common.startswith(base.path):
        return None
    return base._replace(path=common, query="", fragment="").geturl()


@dataclass
class Harvest:
    """What one page adds to the graph: new post candidates and new listings, in page order."""

    posts: list[str] = field(default_factory=list)
    likely_posts: list[str] = field(default_factory=list)  # shaped like a known permalink
    listings: list[str] = field(default_factory=list)
    marked: frozenset[str] = frozenset()  # every post link the page marks (to notice a repeated listing)


@dataclass
class LinkGraph:
    """The links of one blog seen so far: each URL is offered once."""

    home: str
    rebase: tuple[str, str] | None = None  # (the prefix its links name, where it is served)
    shapes: set[str] = field(default_factory=set)
    offered: set[str] = field(default_factory=set)
    marked: set[str] = field(default_factory=set)  # every URL some page links as a post or page
    menu_pages: set[str] = field(default_factory=set)  # every URL a page menu names
    skipped: dict[str, int] = field(default_factory=dict)

    def canonical(self, url: str) -> str:
        """A link as this blog serves it: static `index.html` dropped, moved by `rebase`."""
        url = static_copy_url(url)
        if self.rebase and url.startswith(self.rebase[0]):
            url = self.rebase[1] + url[len(self.rebase[0]) :]
        parts = split_url(url)
        if "//" in parts.path:  # a static copy's `slug//`: one page, as its host serves it
            url = parts._replace(path=re.sub("/{2,}", "/", parts.path)).geturl()
        return url

    def is_marked(self, url: str) -> bool:
        """Whether some page read so far links `url` as a post (`rel="bookmark"`, a page menu)."""
        return dedupe_key(self.canonical(url)) in self.marked

    def in_page_menu(self, url: str) -> bool:
        """Whether some page's page menu (wp_list_pages(), a menu's page item) names `url`."""
        return dedupe_key(self.canonical(url)) in self.menu_pages

    def learn(self, post_url: str) -> None:
        """A page that turned out to be a post: its permalink shape makes links like it go first."""
        if in_scope(post_url, self.home):
            self.shapes.add(permalink_shape(post_url, self.home))

    def offer(self, url: str) -> bool:
        """Whether `url` is new to the graph (and now taken)."""
        key = dedupe_key(url)
        if key in self.offered:
            return False
        self.offered.add(key)
        return True

    def page_links(self, doc: Document) -> tuple[list[str], list[str], list[str]]:
        """The page's in-scope links as this blog serves them, in page order, those it marks as
        posts, and those its page menu names (kept with a listing's validators, so that a 304 can
        stand for the page)."""
        marked = {self.canonical(absolute_url(doc.url, href)) for href in doc.root.xpath(_POST_MARKS)}
        pages = {self.canonical(absolute_url(doc.url, href)) for href in doc.root.xpath(_PAGE_MENU)}
        links: list[str] = []
        for href in doc.root.xpath(
            "//a[not(contains(concat(' ', normalize-space(@rel), ' '), ' attachment '))]/@href"
            " | //link[@rel='next' or @rel='prev' or @rel='previous']/@href"
        ):
            href = href.strip()
            if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
                continue
            url = self.canonical(absolute_url(doc.url, href))
            if in_scope(url, self.home):
                links.append(url)
        links = list(dict.fromkeys(links))
        in_scope_only = lambda urls: sorted(url for url in urls if in_scope(url, self.home))  # noqa: E731
        return links, in_scope_only(marked), in_scope_only(pages)

    def harvest(self, doc: Document) -> Harvest:
        """The page's links not offered before, sorted into posts and listings."""
        return self.harvest_links(*self.page_links(doc))

    def harvest_links(self, links: list[str], marked: list[str], pages: Sequence[str] = ()) -> Harvest:
        """`page_links`' result (read now, or stored with the page's validators) sorted into
        posts and listings, each URL once per crawl."""
        found = Harvest(marked=frozenset(marked) | frozenset(pages))
        self.marked |= {dedupe_key(url) for url in found.marked}
        self.menu_pages |= {dedupe_key(url) for url in pages}
        for url in links:
            if comment_page_number(url) is not None:
                continue
            kind = listing_kind(url)
            if kind == "day":
                self._skip("day_archive")
                continue
            reason = trap_reason(url)
            if reason and not (kind is not None and reason == "date_archive"):
                self._skip(reason)
                continue
            if not self.offer(url):
                continue
            if kind is not None:
                found.listings.append(url)
            elif url in found.marked or permalink_shape(url, self.home) in self.shapes:
                found.likely_posts.append(url)
            else:
                found.posts.append(url)
        return found

    def _skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
