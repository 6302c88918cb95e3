"""Finding posts: REST API JSON, sitemaps, feeds and HTML listing pages, as plain functions."""

from __future__ import annotations

import html as html_lib
import re

from lxml import etree

from spiders.extraction.dates import normalise_machine_date, parse_text_date, with_offset
from spiders.extraction.page import Document
from spiders.extraction.text import absolute_url, block_text, bounded_int, collapse, split_url
from spiders.items import Comment, Post, Term

_XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


# --- HTML pages -----------------------------------------------------------------------------


def rest_root(doc: Document) -> str | None:
    """The REST API root the page advertises (`<link rel="https://api.w.org/">`)."""
    for href in doc.root.xpath("//link[@rel='https://api.w.org/']/@href"):
        return absolute_url(doc.url, href)
    return None


def home_url(doc: Document) -> str | None:
    """The blog's home as the page links it: the site title link, or the REST root's parent."""
    for href in doc.root.xpath(
        "//*[contains(@class, 'site-title') or @id='site-title' or @id='blog-title'"
        " or contains(@class, 'wp-block-site-title') or @id='logo' or contains(@class, 'blog-title')]"
        "//a/@href | //a[@rel='home']/@href | //link[@rel='home']/@href",
    ):
        return absolute_url(doc.url, href)
    api = rest_root(doc)
    if api:
        if "/wp-json/" in api:
            return api.split("/wp-json/")[0] + "/"
        if "rest_route=" in api:
            return api.split("?")[0].rsplit("/", 1)[0] + "/"
    return None


def listing_links(doc: Document) -> tuple[list[str], list[str], list[str]]:
    """From a home or archive page: post links, further listing pages, and static page links."""
    posts: list[str] = []
    for href in doc.root.xpath(
        "//a[@rel='bookmark' or contains(concat(' ', @rel, ' '), ' bookmark ')]/@href"
        " | //*[contains(concat(' ', @class, ' '), ' entry-title ')"
        " or contains(concat(' ', @class, ' '), ' wp-block-post-title ')"
        " or contains(concat(' ', @class, ' '), ' post-title ')"
        " or contains(concat(' ', @class, ' '), ' storytitle ')]//a/@href"
        " | //*[starts-with(@id, 'post-')]//*[self::h2 or self::h3]//a/@href",
    ):
        _add(posts, absolute_url(doc.url, href))
    listings: list[str] = []
    for href in doc.root.xpath(
        "//a[@rel='next' or contains(concat(' ', @class, ' '), ' next ')"
        " or contains(concat(' ', @class, ' '), ' page-numbers ')"
        " or contains(concat(' ', @class, ' '), ' wp-block-query-pagination-next ')"
        " or contains(concat(' ', @class, ' '), ' wp-block-query-pagination-numbers ')]/@href"
        " | //*[contains(@class, 'nav-previous') or contains(@class, 'nav-next')"
        " or contains(@class, 'alignleft') or contains(@class, 'navigation')"
        " or contains(@class, 'pagination') or contains(@class, 'wp-pagenavi')]//a/@href"
        " | //link[@rel='next']/@href",
    ):
        url = absolute_url(doc.url, href)
        if re.search(r"/page/\d+/?$|[?&]paged=\d+", url):
            _add(listings, url)
    for href in doc.root.xpath("//a/@href"):
        url = absolute_url(doc.url, href)
        if re.search(r"/page/\d+/?$|[?&]paged=\d+$", url) and "comment-page" not in url:
            _add(listings, url)
    # Static pages are not in feeds or post archives: WordPress's page lists (`page_item`,
    # `menu-item-object-page`, block page lists) name them; a custom menu may hold them too.
    pages: list[str] = []
    for href in doc.root.xpath(
        "//li[contains(concat(' ', @class, ' '), ' page_item ')"
        " or contains(concat(' ', @class, ' '), ' menu-item-object-page ')"
        " or contains(concat(' ', @class, ' '), ' wp-block-pages-list__item ')]/a/@href"
        " | //*[self::nav or @id='access' or @role='navigation' or contains(@class, 'main-navigation')"
        " or contains(@class, 'wp-block-navigation')]//li[contains(@class, 'menu-item')]/a/@href",
    ):
        url = absolute_url(doc.url, href)
        if not _ARCHIVE_PATH.search(split_url(url).path) and url.split("#")[0] != doc.url:
            _add(pages, url)
    return posts, listings, pages


_ARCHIVE_PATH = re.compile(r"/(category|tag|author|page|feed|comments)/|/\d{4}/(\d{2}/)?$")


def feed_urls(doc: Document) -> list[str]:
    """The site's main feed as the page advertises it (not comment feeds)."""
    feeds = []
    for link in doc.root.xpath("//link[@rel='alternate'][@type='application/rss+xml' or @type='application/atom+xml']"):
        href = link.get("href")
        title = (link.get("title") or "").lower()
        if href and "comment" not in title and "/comments/" not in href:
            _add(feeds, absolute_url(doc.url, href))
    return feeds


def _add(values: list[str], value: str) -> None:
    value = value.split("#")[0]
    if value and value not in values:
        values.append(value)


# --- Sitemaps and feeds -------------------------------------------------------------------------


def parse_sitemap(body: bytes) -> tuple[list[str], list[tuple[str, str | None]]]:
    """A sitemap or sitemap index: (child sitemaps, (url, lastmod) entries)."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    children, urls = [], []
    for element in root:
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        loc = _child_text(element, "loc")
        if not loc:
            continue
        if name == "sitemap":
            children.append(loc)
        elif name == "url":
            urls.append((loc, _child_text(element, "lastmod")))
    return children, urls


def is_content_sitemap(url: str) -> bool:
    """Sitemaps of posts and pages (WordPress core and Yoast); not taxonomies, users or media."""
    path = split_url(url).path.lower() + "?" + split_url(url).query.lower()
    if re.search(r"taxonom|categor|tag|user|author|attachment|media|image|video|news", path):
        return False
    return bool(
        re.search(r"wp-sitemap-posts-(post|page)-\d+\.xml|/(post|page)-sitemap\d*\.xml", path)
        or re.search(r"sitemap[-_]?(posts?|pages?)", path)
        or "sitemap=" in path
    )


def parse_feed(body: bytes) -> list[tuple[str, str | None]]:
    """RSS 2 or Atom: (item link, published) in feed order."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    entries = []
    for item in root.iter():
        if not isinstance(item.tag, str):
            continue
        name = etree.QName(item).localname
        if name == "item":
            link = _child_text(item, "link")
            date = _child_text(item, "pubDate")
            if link:
                entries.append((link, _rfc822(date)))
        elif name == "entry":
            links = [
                child.get("href")
                for child in item
                if isinstance(child.tag, str)
                and etree.QName(child).localname == "link"
                and child.get("rel", "alternate") == "alternate"
            ]
            if links and links[0]:
                entries.append((links[0], normalise_machine_date(_child_text(item, "published"))))
    return entries


def parse_comment_feed(body: bytes) -> tuple[dict[int, str], bool]:
    """A comments feed: {comment id: publication time (UTC)} from each item's `#comment-N` link,
    and whether the feed had any items at all."""
    dates: dict[int, str] = {}
    entries = parse_feed(body)
    for link, published in entries:
        match = re.search(r"#comment-(\d{1,19})$", link)
        if match and published and bounded_int(match.group(1)):
            dates[int(match.group(1))] = published
    return dates, bool(entries)


def _child_text(element: etree._Element, localname: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == localname:
            return (child.text or "").strip() or None
    return None


def _rfc822(value: str | None) -> str | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError):
        return parse_text_date(value)


# --- REST API -------------------------------------------------------------------------------------


def rest_post(data: dict, site_url: str, users: dict[int, str], terms: dict[int, Term]) -> Post:
    """A post or page from `/wp/v2/posts` or `/wp/v2/pages` (with or without `_embed`)."""
    embedded = data.get("_embedded") or {}
    author = None
    for person in embedded.get("author") or []:
        if isinstance(person, dict) and person.get("name"):
            author = person["name"]
    if author is None and isinstance(data.get("author"), int):
        author = users.get(data["author"])
    post_terms: list[Term] = []
    for group in embedded.get("wp:term") or []:
        for term in group or []:
            if isinstance(term, dict) and term.get("taxonomy") in ("category", "post_tag"):
                post_terms.append(Term(term["taxonomy"], html_lib.unescape(term.get("name", "")), term.get("link")))
    if not post_terms:
        for key in ("categories", "tags"):
            for term_id in data.get(key) or []:
                if term_id in terms:
                    post_terms.append(terms[term_id])
    content = (data.get("content") or {}).get("rendered") or ""
    protected = bool((data.get("content") or {}).get("protected"))
    text = None
    if content and not protected:
        fragment = Document.parse(f"<html><body><div>{content}</div></body></html>", data.get("link", site_url))
        text = block_text(fragment.root.find("body"))
    return Post(
        url=data.get("link") or site_url,
        site_url=site_url,
        wp_id=data.get("id"),
        type="page" if data.get("type") == "page" else "post",
        title=collapse(html_lib.unescape(re.sub(r"<[^>]+>", "", (data.get("title") or {}).get("rendered") or ""))),
        author=author,
        published=with_offset(data.get("date"), data.get("date_gmt")),
        modified=with_offset(data.get("modified"), data.get("modified_gmt")),
        terms=post_terms,
        content_html=None if protected else content,
        content_text=text,
        protected=protected,
        sources=["rest"],
    )


def rest_comment(data: dict) -> tuple[int | None, Comment]:
    """(post id, comment) from `/wp/v2/comments`; depth is filled in once parents are known."""
    content = (data.get("content") or {}).get("rendered") or ""
    fragment = Document.parse(
        f"<html><body><div>{content}</div></body></html>", data.get("link") or "http://localhost/"
    )
    kind = data.get("type") or "comment"
    return data.get("post"), Comment(
        wp_id=data.get("id"),
        parent_wp_id=data.get("parent") or None,
        author=collapse(html_lib.unescape(data.get("author_name") or "")),
        author_url=data.get("author_url") or None,
        published=with_offset(data.get("date"), data.get("date_gmt")),
        type=kind if kind in ("comment", "pingback", "trackback") else "comment",
        content_html=content,
        content_text=block_text(fragment.root.find("body")),
        sources=["rest"],
    )


def comments_feed_url(doc: Document) -> str | None:
    """The site's comments feed as the page advertises it (`.../comments/feed/`)."""
    for link in doc.root.xpath("//link[@rel='alternate'][@type='application/rss+xml' or @type='application/atom+xml']"):
        href = link.get("href") or ""
        title = (link.get("title") or "").lower()
        if "/comments/feed" in href or "feed=comments-" in href or ("comment" in title and "/feed" in href):
            if re.search(r"/\d{4}/|[?&]p=\d", href):
                continue  # one post's comments feed, not the site's
            return absolute_url(doc.url, href)
    return None


def comment_feed_links(body: bytes) -> list[tuple[str, int]]:
    """A comments feed's items as (the commented page's URL, comment id), newest first."""
    links = []
    for link, _published in parse_feed(body):
        match = re.search(r"#comment-(\d{1,19})$", link)
        if match and bounded_int(match.group(1)):
            links.append((link.split("#", 1)[0], int(match.group(1))))
    return links
