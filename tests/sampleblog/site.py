"""The sample blog's request router: maps a request to the response WordPress would send.

``Site(home, options).handle(method, target)`` is all the HTTP server needs; it is also handy
in unit tests without a socket. Pretty permalinks (``/%year%/%monthnum%/%day%/%postname%/``);
query-string forms (``?p=``, ``?m=``, ``?s=``, ``?replytocom=``, ``?share=``, ``?feed=``,
``?rest_route=``) answer as they do on a real site. With ``Options(plain_permalinks=True)``
the blog has no rewrite rules: everything is a query on ``/`` (or ``/index.php``) and every
other path that is not a file is a 404.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from dataclasses import dataclass
from functools import cache
from html import escape
from urllib.parse import parse_qsl, unquote, urlsplit

from . import data, feeds
from .core import (
    MONTHS,
    Options,
    Response,
    Urls,
    html,
    json_response,
    long_date,
    redirect,
    site_urls,
    text,
)
from .data import SITE, Media, Post
from .rest import RestApi
from .theme import THEME_DIR, Crumbs, Theme

Query = dict[str, str]
STYLESHEET = """body { font: 16px/1.5 Georgia, serif; margin: 0 auto; max-width: 60em; }
#container { float: left; width: 70%; } #primary { float: right; width: 28%; }
#footer { clear: both; } .breadcrumbs { font-size: 90%; color: #555; }
ul.children { margin-left: 1.5em; } .wp-caption { margin: 1em auto; }
time.updated { display: none; }
"""


@dataclass
class Archive:
    """A list of posts: the home page, a term, author or date archive, or search results."""

    title: str
    body_class: str
    heading: str
    posts: list[Post]
    crumbs: Crumbs | None
    url: str
    month: tuple[int, int] | None = None


@cache
def png(width: int, height: int) -> bytes:
    """A small gradient PNG, standing in for an uploaded image of that size."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width)
                        for v in (x // 32 * 32 * 255 // width, y // 32 * 32 * 255 // height, 110))
        for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


class Site:
    """Answers every request for one blog; the path of ``home`` is the blog's prefix."""

    def __init__(self, home: str, options: Options | None = None) -> None:
        self.options = options or Options()
        self.urls: Urls = site_urls(home, self.options)
        self.prefix = urlsplit(self.urls.home).path
        self.theme = Theme(self.urls, self.options)
        self.rest = RestApi(self.urls)

    # ------------------------------------------------------------------ entry point

    def handle(self, method: str, target: str) -> Response:
        """Answer ``method target`` (target is the request's path and query string)."""
        split = urlsplit(target)
        path, query = unquote(split.path) or "/", dict(parse_qsl(split.query, True))
        if method not in ("GET", "HEAD"):
            return Response(405, b"Method Not Allowed", "text/plain; charset=UTF-8",
                             [("Allow", "GET, HEAD")])
        if path == "/robots.txt":
            return feeds.robots(self.urls, self.prefix, self.options.sitemap)
        prefix = self.prefix
        if prefix and path == prefix:
            return redirect(self.urls.at("/") + (f"?{split.query}" if split.query else ""))
        if prefix and not path.startswith(prefix + "/"):
            return text(404, "Not Found")
        return self.route(path[len(prefix):], query, split.query)

    def route(self, path: str, q: Query, raw_query: str) -> Response:
        """Dispatch a path below the blog's home URL."""
        if self.options.plain_permalinks:
            return self.plain_route(path, q)
        machine = self.machine_route(path, q)
        if machine is not None:
            return machine
        last = path.rstrip("/").rsplit("/", 1)[-1]
        if not path.endswith("/") and "." not in last:
            suffix = f"?{raw_query}" if raw_query else ""
            return redirect(self.urls.at(path + "/") + suffix)
        if path == "/":
            shortcut = self.query_redirect(q)
            if shortcut is not None:
                return shortcut
        feed = self.feed_route(path, q)
        if feed is not None:
            return feed
        paged = re.fullmatch(r"(/.*?/?)page/(\d+)/", path)
        base, page = (paged[1], int(paged[2])) if paged else (path, 1)
        archive = self.archive(base, q)
        if archive is not None:
            if paged and page == 1:
                return redirect(archive.url)
            return self.archive_page(archive, page)
        if paged:
            return self.not_found()
        return self.singular(path, q)

    # ------------------------------------------------------------------ machine-readable

    def machine_route(self, path: str, q: Query) -> Response | None:
        """REST, sitemaps, static files and the admin entry points."""
        if "rest_route" in q and path in ("/", "/index.php"):
            return self.rest_route(q)
        if path == "/wp-json" or path.startswith("/wp-json/"):
            if not self.options.rest:
                return self.not_found()
            if self.options.block_wp_json:
                return html(403, "<!DOCTYPE html><html><head><title>403 Forbidden</title></head>"
                                 "<body><h1>Forbidden</h1><p>You don't have permission to "
                                 "access this resource.</p></body></html>\n")
            return self.rest_answer(path[len("/wp-json"):], q)
        sitemap = re.fullmatch(r"/wp-sitemap(?:-([a-z_]+(?:-[a-z_]+)?-\d+))?\.xml", path)
        if sitemap:
            if not self.options.sitemap:
                return self.not_found()
            if sitemap[1] is None:
                return feeds.sitemap_index(self.urls)
            return feeds.sitemap(self.urls, sitemap[1]) or self.not_found()
        return self.file_route(path)

    def file_route(self, path: str) -> Response | None:
        """Static files and the admin entry points: real files, whatever the permalinks."""
        if path.startswith("/wp-content/"):
            return self.static(path)
        if path == "/wp-login.php":
            return html(200, self.theme.login())
        if path == "/wp-admin/admin-ajax.php":
            return text(400, "0")
        if path == "/wp-admin" or path.startswith("/wp-admin/"):
            return redirect(self.urls.at("/wp-login.php?redirect_to=")
                            + self.urls.at("/wp-admin/").replace(":", "%3A").replace("/", "%2F")
                            + "&reauth=1", 302)
        if path in ("/wp-comments-post.php", "/xmlrpc.php"):
            return Response(405, b"POST requests only.", "text/plain; charset=UTF-8",
                            [("Allow", "POST")])
        return None

    def static(self, path: str) -> Response:
        """The theme stylesheet and generated images for the uploads."""
        if path == f"{THEME_DIR}/style.css":
            return Response(200, STYLESHEET.encode(), "text/css")
        upload = path.removeprefix("/wp-content/uploads/")
        if upload in data.FILES:
            content_type, body = data.FILES[upload]
            return Response(200, body, content_type)
        for media in data.MEDIA:
            sizes = [("full", media.width, media.height), *media.sizes]
            for name, width, height in sizes:
                if self.urls.at(path) == self.urls.upload(media, name):
                    return Response(200, png(width, height), "image/png")
        return text(404, "Not Found")

    def rest_route(self, q: Query) -> Response:
        """``?rest_route=ROUTE`` (on ``/`` or ``/index.php``)."""
        return self.rest_answer(q["rest_route"], q) if self.options.rest else self.not_found()

    def rest_answer(self, route: str, q: Query) -> Response:
        """The REST API's answer, or (``hidden_rest``) an empty listing for every ``wp/v2`` route."""
        if self.options.hidden_rest and route.strip("/").startswith("wp/v2/"):
            return json_response(200, [], [("X-WP-Total", "0"), ("X-WP-TotalPages", "0")])
        return self.rest.handle(route, q)

    def feed_route(self, path: str, q: Query) -> Response | None:
        """``/feed/``, ``/comments/feed/`` and the ``?feed=`` forms."""
        feed = q.get("feed", "") if path == "/" else ""
        if path in ("/feed/", "/feed/rss2/") or feed in ("rss2", "rss"):
            kind = "posts"
        elif path == "/comments/feed/" or feed == "comments-rss2":
            kind = "comments"
        else:
            return None
        if not self.options.feeds:
            return self.not_found()
        if kind == "comments":
            return feeds.comments_feed(self.urls)
        page = int(q["paged"]) if q.get("paged", "").isdigit() and int(q["paged"]) > 0 else 1
        return feeds.posts_feed(self.urls, page)

    # ------------------------------------------------------------------ query shortcuts

    def query_redirect(self, q: Query) -> Response | None:
        """``?p=``, ``?page_id=``, ``?attachment_id=``, ``?cat=`` and ``?author=`` redirects."""
        for key in ("p", "page_id"):
            if q.get(key, "").isdigit():
                found = data.entry(int(q[key]))
                return redirect(self.urls.permalink(found)) if found else self.not_found()
        if q.get("attachment_id", "").isdigit():
            media = next((m for m in data.MEDIA if m.id == int(q["attachment_id"])), None)
            return redirect(self.urls.attachment(media)) if media else self.not_found()
        if q.get("cat", "").isdigit():
            cat = next((c for c in data.CATEGORIES if c.id == int(q["cat"])), None)
            return redirect(self.urls.term(cat)) if cat else self.not_found()
        if q.get("author", "").isdigit():
            found_user = next((u for u in data.USERS if u.id == int(q["author"])), None)
            return redirect(self.urls.author(found_user)) if found_user else self.not_found()
        return None

    # ------------------------------------------------------------------ lists

    def archive(self, base: str, q: Query) -> Archive | None:
        """The list a path (without ``page/N/``) stands for, or None."""
        home = self.urls.at("/")
        newest = data.posts_newest_first()
        if base == "/" and "s" in q:
            term = q["s"]
            hits = [p for p in newest
                    if term.lower() in (p.title + data.plain_text(p.content)).lower()]
            kind = "search-results" if hits else "search-no-results"
            return Archive(f"Search Results for “{term}” | {SITE.name}", f"search {kind}",
                           f"Search Results for: <span>{escape(term)}</span>", hits,
                           [("Home", home), (f"Search results for “{term}”", None)],
                           self.urls.search(term))
        if base == "/" and q.get("m", "").isdigit():
            value = q["m"]
            parts = [int(value[:4]), int(value[4:6] or 0), int(value[6:8] or 0)]
            found = self.date_archive(*parts)
            if found:
                found.url = self.urls.calendar(value)
            return found
        if base == "/":
            return Archive(f"{SITE.name} | {SITE.tagline}", "home blog", "", newest, None, home)
        match = re.fullmatch(r"/(category|tag|author)/([^/]+)/", base)
        if match:
            return self.taxonomy_archive(match[1], match[2])
        match = re.fullmatch(r"/(\d{4})/(?:(\d{2})/(?:(\d{2})/)?)?", base)
        if match:
            return self.date_archive(*(int(g or 0) for g in match.groups()))
        return None

    def taxonomy_archive(self, kind: str, slug: str) -> Archive | None:
        """A category, tag or author archive."""
        home = self.urls.at("/")
        newest = data.posts_newest_first()
        if kind == "author":
            author = next((u for u in data.USERS if u.slug == slug), None)
            if author is None:
                return None
            url = self.urls.author(author)
            name = escape(author.display_name)
            return Archive(f"{author.display_name} | {SITE.name}",
                           f"archive author author-{author.slug} author-{author.id}",
                           f'Author Archives: <span class="vcard"><a class="url fn n" '
                           f'href="{url}" title="{name}" rel="me">{name}</a></span>',
                           [p for p in newest if p.author == author.id],
                           [("Home", home), (author.display_name, None)], url)
        pool = data.CATEGORIES if kind == "category" else data.TAGS
        found = next((t for t in pool if t.slug == slug), None)
        if found is None:
            return None
        label = "Category" if kind == "category" else "Tag"
        return Archive(f"{found.name} | {SITE.name}",
                       f"archive {kind} {kind}-{found.slug} {kind}-{found.id}",
                       f"{label} Archives: <span>{escape(found.name)}</span>",
                       [p for p in newest if found.id in p.categories + p.tags],
                       [("Home", home), (found.name, None)], self.urls.term(found))

    def date_archive(self, year: int, month: int, day: int) -> Archive | None:
        """A yearly, monthly or daily archive; None when it has no posts (WordPress 404s)."""
        posts = [p for p in data.posts_newest_first()
                 if p.date.year == year and (not month or p.date.month == month)
                 and (not day or p.date.day == day)]
        if not posts:
            return None
        if day:
            label, kind = long_date(posts[0].date), "Daily"
        elif month:
            label, kind = f"{MONTHS[month - 1]} {year}", "Monthly"
        else:
            label, kind = str(year), "Yearly"
        cal = (year, month) if month else (posts[0].date.year, posts[0].date.month)
        return Archive(f"{label} | {SITE.name}", "archive date",
                       f"{kind} Archives: <span>{label}</span>", posts,
                       [("Home", self.urls.at("/")), (label, None)],
                       self.urls.date_archive(year, month or None, day or None), cal)

    def archive_page(self, archive: Archive, page: int) -> Response:
        """One page of a list, 5 posts a page."""
        per = SITE.posts_per_page
        pages = max(1, math.ceil(len(archive.posts) / per))
        if page > pages:
            return self.not_found()
        chosen = archive.posts[(page - 1) * per:page * per]

        def page_url(n: int) -> str:
            return self.urls.paged(archive.url, n)

        main = self.theme.listing(archive.heading, chosen, page, pages, page_url)
        if not chosen:
            main = (f'<h1 class="page-title">{archive.heading}</h1>\n<p>Sorry, but nothing '
                     f"matched your search criteria.</p>")
        title, body_class = archive.title, archive.body_class
        if page > 1:
            title = f"{title} | Page {page}"
            body_class += f" paged paged-{page}"
            if not archive.body_class.startswith("home"):
                words = archive.body_class.split()
                kind = words[1] if words[0] == "archive" else words[0]
                body_class += f" {kind}-paged-{page}"
        page_html = self.theme.document(title=title, body_class=body_class, main=main,
                                        crumbs=archive.crumbs, calendar_month=archive.month,
                                        is_home=archive.body_class == "home blog")
        return html(200, page_html, self.html_headers())

    # ------------------------------------------------------------------ single entries

    def singular(self, path: str, q: Query) -> Response:
        """A post (with comment pages, feed and attachments below it) or a page."""
        match = re.fullmatch(r"/(\d{4})/(\d{2})/(\d{2})/([^/]+)/(.*)", path)
        if match:
            post = next((p for p in data.POSTS if p.slug == match[4]
                         and f"{p.date:%Y/%m/%d}" == "/".join(match.group(1, 2, 3))), None)
            rest = match[5]
        else:
            match = re.fullmatch(r"/([^/]+)/(.*)", path)
            post = next((p for p in data.PAGES if match and p.slug == match[1]), None)
            rest = match[2] if match else ""
        if post is None:
            return self.not_found()
        if rest == "":
            return self.entry_page(post, 1, q)
        if rest == "feed/":
            return feeds.comments_feed(self.urls, post) if self.options.feeds \
                else self.not_found()
        cpage = re.fullmatch(r"comment-page-(\d+)/", rest)
        if cpage and 1 <= int(cpage[1]) <= data.comment_pages(post.id):
            return self.entry_page(post, int(cpage[1]), q)
        media = next((m for m in data.MEDIA if m.parent == post.id and rest == f"{m.slug}/"),
                     None)
        return self.attachment_page(media) if media else self.not_found()

    def attachment_page(self, media: Media) -> Response:
        """An image's attachment page, below its parent post in the trail."""
        post = data.entry(media.parent)
        assert post is not None
        crumbs: Crumbs = [("Home", self.urls.at("/")),
                          (post.title, self.urls.permalink(post)), (media.title, None)]
        body = (f"attachment attachment-template-default single single-attachment "
                f"postid-{media.id} attachmentid-{media.id} attachment-png")
        page_html = self.theme.document(
            title=f"{media.title} | {SITE.name}", body_class=body,
            main=self.theme.attachment(media), crumbs=crumbs,
            head=[f'<link rel="canonical" href="{self.urls.attachment(media)}" />'])
        return html(200, page_html, self.html_headers())

    def entry_page(self, post: Post, cpage: int, q: Query) -> Response:
        """A post or page at one of its comment pages (``?replytocom=``, ``?share=`` too)."""
        if self.options.soft_404:
            return Response(200, self.not_found().body, headers=self.html_headers())
        reply_id = q.get("replytocom", "")
        reply_to = data.comment(int(reply_id)) if reply_id.isdigit() else None
        if reply_to and reply_to.post != post.id:
            reply_to = None
        home = self.urls.at("/")
        if post.type == "post":
            category = data.term(post.categories[0])
            crumbs: Crumbs = [("Home", home), (category.name, self.urls.term(category)),
                              (post.title, None)]
            body_class = (f"post-template-default single single-post postid-{post.id} "
                          f"single-format-standard")
        else:
            crumbs = [("Home", home), (post.title, None)]
            body_class = f"page-template-default page page-id-{post.id}"
        main = self.theme.article(post)
        if post.type == "post" or data.comments_on(post.id):
            main += "\n" + self.theme.comments(post, cpage, reply_to)
        canonical = self.urls.comment_page(post, cpage)
        page_html = self.theme.document(
            title=f"{post.title} | {SITE.name}", body_class=body_class, main=main, crumbs=crumbs,
            head=self.theme.entry_links(post, canonical, noindex="replytocom" in q))
        headers = self.html_headers()
        headers.append(("Link", f"<{self.urls.shortlink(post.id)}>; rel=shortlink"))
        return html(200, page_html, headers)

    # ------------------------------------------------------------------ plain permalinks

    def plain_route(self, path: str, q: Query) -> Response:
        """No rewrite rules: files answer, ``/`` and ``/index.php`` read the query, the rest 404s.

        The query is read as ``WP::parse_request`` and ``WP_Query`` would: REST, sitemaps and
        feeds first, then a single entry (``p``, ``page_id``, ``attachment_id``, with ``cpage``),
        then a list (``cat``, ``tag``, ``author``, ``m``, ``s`` or the home page, with ``paged``).
        """
        found = self.file_route(path)
        if found is not None:
            return found
        if path not in ("/", "/index.php"):
            return self.not_found()
        if "rest_route" in q:
            return self.rest_route(q)
        if "sitemap" in q:
            return self.plain_sitemap(q)
        if "feed" in q:
            return self.plain_feed(q)
        if "attachment_id" in q:
            media = next((m for m in data.MEDIA if str(m.id) == q["attachment_id"]), None)
            return self.attachment_page(media) if media else self.not_found()
        if "p" in q or "page_id" in q:
            return self.plain_entry(q)
        archive = self.plain_archive(q)
        if archive is None:
            return self.not_found()
        paged = q.get("paged", "")
        if not paged.isdigit():
            return self.archive_page(archive, 1)
        if int(paged) < 2:
            return redirect(archive.url)  # redirect_canonical drops paged=1
        return self.archive_page(archive, int(paged))

    def queried_entry(self, q: Query) -> Post | None:
        """The post or page a ``p`` or ``page_id`` parameter names."""
        value = q.get("p") or q.get("page_id") or ""
        return data.entry(int(value)) if value.isdigit() else None

    def plain_entry(self, q: Query) -> Response:
        """``?p=N`` or ``?page_id=N``, at a comment page (``cpage``); the wrong key redirects."""
        post = self.queried_entry(q)
        if post is None:
            return self.not_found()
        if ("page_id" in q) != (post.type == "page"):
            return redirect(self.urls.permalink(post))  # redirect_canonical, as for a 404
        cpage = q.get("cpage", "1")
        if not cpage.isdigit() or not 1 <= int(cpage) <= data.comment_pages(post.id):
            return self.not_found()
        return self.entry_page(post, int(cpage), q)

    def plain_archive(self, q: Query) -> Archive | None:
        """The list a query names: ``cat`` (an id), ``tag`` (a slug), ``author`` (an id), or
        what ``archive`` makes of ``/`` (``s``, ``m``, the home page)."""
        if "cat" in q:
            cat = next((c for c in data.CATEGORIES if str(c.id) == q["cat"]), None)
            return self.taxonomy_archive("category", cat.slug) if cat else None
        if "tag" in q:
            return self.taxonomy_archive("tag", q["tag"])
        if "author" in q:
            user = next((u for u in data.USERS if str(u.id) == q["author"]), None)
            return self.taxonomy_archive("author", user.slug) if user else None
        return self.archive("/", q)

    def plain_feed(self, q: Query) -> Response:
        """``?feed=rss2`` (``&paged=N``), ``?feed=comments-rss2`` and a post's
        ``?feed=rss2&p=N``."""
        kind = q["feed"]
        if not self.options.feeds or kind not in ("rss2", "rss", "comments-rss2"):
            return self.not_found()
        if kind == "comments-rss2":
            return feeds.comments_feed(self.urls)
        if "p" in q or "page_id" in q:
            post = self.queried_entry(q)
            return feeds.comments_feed(self.urls, post) if post else self.not_found()
        paged = q.get("paged", "")
        return feeds.posts_feed(self.urls, int(paged) if paged.isdigit() and int(paged) else 1)

    def plain_sitemap(self, q: Query) -> Response:
        """``?sitemap=index`` and ``?sitemap=posts&sitemap-subtype=post&paged=1``."""
        if not self.options.sitemap:
            return self.not_found()
        if q["sitemap"] == "index":
            return feeds.sitemap_index(self.urls)
        parts = (q["sitemap"], q.get("sitemap-subtype", ""), q.get("paged") or "1")
        return feeds.sitemap(self.urls, "-".join(p for p in parts if p)) or self.not_found()

    # ------------------------------------------------------------------ helpers

    def html_headers(self) -> list[tuple[str, str]]:
        """Headers of themed pages (the REST discovery ``Link`` when the API is on)."""
        if not self.options.rest:
            return []
        return [("Link", f'<{self.urls.rest("/")}>; rel="https://api.w.org/"')]

    def not_found(self) -> Response:
        """The theme's 404 page."""
        page_html = self.theme.document(title=f"Page not found | {SITE.name}",
                                        body_class="error404", main=self.theme.not_found())
        return html(404, page_html, self.html_headers())
