"""Finding posts: REST API JSON, sitemaps, feeds and HTML listing pages, as plain functions."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime

import feedparser
from lxml import etree
from scrapy.utils.sitemap import Sitemap

from spiders.extraction.dates import with_offset
from spiders.extraction.document import Document
from spiders.extraction.text import absolute_url, block_text, bounded_int, collapse, split_url
from spiders.items import Comment, Post, Term

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


def page_menu_links(doc: Document) -> list[str]:
    """The blog's static pages as a page links them (the feed lists posts only)."""
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
    return pages


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
    """A sitemap or sitemap index, read by Scrapy's own `Sitemap` (size limits, no entities):
    (child sitemaps, (url, lastmod) entries). Anything else (an HTML page where a sitemap was
    asked for) gives nothing."""
    try:
        sitemap = Sitemap(body)
    except (etree.XMLSyntaxError, ValueError, StopIteration):  # not XML at all, or empty
        return [], []
    entries = [(entry["loc"].strip(), entry.get("lastmod")) for entry in sitemap if entry.get("loc")]
    if sitemap.type == "sitemapindex":
        return [loc for loc, _ in entries], []
    if sitemap.type == "urlset":
        return [], entries
    return [], []


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
    """RSS (0.9x to 2.0, RDF) or Atom, read by feedparser: (item link, published) in feed order.
    Anything that is not a feed (an HTML page where a feed was asked for) gives nothing."""
    feed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not feed.get("version"):
        return []
    entries = []
    for entry in feed.entries:
        link = _entry_link(entry)
        if link:
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            published = datetime(*stamp[:6], tzinfo=UTC).isoformat() if stamp else None
            entries.append((link, published))
    return entries


def _entry_link(entry: feedparser.FeedParserDict) -> str | None:
    """An item's own link: RSS `<link>` (or a permalink `<guid>`), Atom's `rel="alternate"`."""
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"].strip()
    if entry.get("link"):
        return entry["link"].strip()
    if entry.get("guidislink") and entry.get("id"):
        return entry["id"].strip()
    return None


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


# --- REST API -------------------------------------------------------------------------------------


def rest_post(data: dict, site_url: str, users: dict[int, str], terms: dict[int, Term]) -> Post:
    """A post or page from `/wp/v2/posts` or `/wp/v2/pages` (with or without `_embed`)."""
    embedded = data.get("_embedded") or {}
    author = author_url = author_slug = None
    for person in embedded.get("author") or []:
        if isinstance(person, dict) and person.get("name"):
            author = person["name"]
            author_url = person.get("link") if isinstance(person.get("link"), str) else None
            author_slug = person.get("slug") if isinstance(person.get("slug"), str) else None
    author_id = data.get("author") if isinstance(data.get("author"), int) and data["author"] > 0 else None
    if author is None and author_id is not None:
        author = users.get(author_id)
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
        author_url=author_url or None,
        author_slug=author_slug or None,
        author_user_id=bounded_int(str(author_id)) if author_id is not None else None,
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
    user_id = data.get("author") if isinstance(data.get("author"), int) and data["author"] > 0 else None
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
        author_user_id=bounded_int(str(user_id)) if user_id is not None else None,
        registered=user_id is not None,
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
