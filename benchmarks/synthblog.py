"""A synthetic WordPress course blog for the scale benchmark: any number of posts, served fast.

Not part of the product, and not the sample blog (`tests/sampleblog/`, which holds its 14 posts as
data): every post, comment and page here is computed from its id when it is asked for, so a blog of
100,000 posts starts at once and holds nothing per post in memory. It answers what the spider's
REST way reads (the shapes of `tests/sampleblog/rest.py`, WordPress core 5.8 as an anonymous client
sees it) and serves post pages in a Twenty Thirteen-like theme that the extractor reads.

    python benchmarks/synthblog.py --posts 10000              # one blog at /, prints its URL
    python benchmarks/synthblog.py --posts 200 --blogs 50     # /blog1/ ... /blog50/ on one server

Per blog: posts 1..N (one a day from 2010-01-01, closer together when N is over 3,652 so that every date
is before 2020: a real blog has no future posts; 10 comments each: 7 top-level, three replies,
one of them two levels deep), 2 pages, 5 authors, 3 categories, 8 tags.

- `/wp-json/wp/v2/posts|pages|comments|users|categories|tags` (and single items by id) with
  `per_page` (1-100), `page`, `offset`, `_embed` (`author`, `wp:term`, `replies`, or all),
  `_fields`, `include`, `post=` (comma-separated ids), `parent`, `orderby` (`date`, `id`, `post`,
  `modified`, `date_gmt`), `order`, `after`, `before`, `modified_after`, `modified_before`;
  `X-WP-Total`, `X-WP-TotalPages` and `Link` headers; a page past the end is a 400 for posts and
  pages and `[]` for comments, as in core.
- `/` (and `/page/N/`): the latest posts, `<link rel="https://api.w.org/">` and the `Link` header.
- `/YYYY/MM/DD/post-N/` posts and `/about/`, `/syllabus/` pages, with ETag and Last-Modified
  (a conditional request for an unchanged page is a 304), `/comments/feed/` and each post's
  `feed/` (RSS, conditional as well), `/robots.txt`; everything else is the theme's 404.
- `/__bench__/stats` (never linked): how many requests of each kind were answered, for the
  benchmark (`?reset=1` starts counting again).

Dates are in UTC (the site's time zone is UTC), so that `date` and `date_gmt` are the same clock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import os
import random
import re
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

COMMENTS_PER_POST = 10
# (parent's index among the post's comments, or None for a top-level comment); comment k of a post
# has id (post - 1) * 10 + k + 1: replies at 3 (to 2), 6 (to 5) and 7 (to 6, two levels deep).
THREAD = (None, None, None, 2, None, None, 5, 6, None, None)
EPOCH = datetime(2010, 1, 1, 9, 0, tzinfo=UTC)
SPAN_DAYS = 3652  # every post before 2020, however many there are
USERS = (
    (1, "instructor", "Eleanor Whitby"),
    (2, "znovak", "Zoë Novák"),
    (3, "apetrova", "Анна Петрова"),
    (4, "mbell", "Marcus Bell"),
    (5, "praman", "Priya Raman"),
)
CATEGORIES = ((1, "uncategorized", "Uncategorized"), (2, "essays", "Essays"), (3, "course-news", "Course News"))
TAGS = tuple((10 + i, slug, slug.replace("-", " ").title()) for i, slug in enumerate(
    ("stalin", "khrushchev", "berlin", "hungary", "space-race", "cuba", "prague-spring", "propaganda")))
PAGES = ((0, "about", "About"), (1, "syllabus", "Syllabus"))
WORDS_TEXT = (
    "archive collective farm party congress five-year plan steel famine thaw reform secret speech "
    "propaganda poster newspaper letter editor censorship samizdat dissident rocket satellite wall "
    "border treaty summit crisis missile island spring tanks square memory history source document "
    "reading seminar essay question argument evidence interpretation historian village factory worker "
    "peasant soldier city region republic union leader committee bureau plenum decree quota harvest"
)
WORDS = tuple(WORDS_TEXT.split())
COMMENTERS = ("Gabe Thornton", "Liam O’Connor", "Daniel Okafor", "Sofia Haddad", "Mei Lin", "Jonas Berg")
HEAD_EXTRA = "\n".join(
    f"<link rel='stylesheet' id='style-{i}-css' href='{{home}}/wp-content/themes/coursework/css/part-{i}.css"
    f"?ver=3.6.1' type='text/css' media='all' />" for i in range(8))


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def sentence(rng: random.Random, count: int) -> str:
    text = words(rng, count)
    return text[0].upper() + text[1:] + "."


def iso(when: datetime) -> str:
    return when.replace(tzinfo=None).isoformat()


def e(text: object) -> str:
    return escape(str(text), quote=True)


def avatar_hash(name: str) -> str:
    return hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()


class Blog:
    """One blog of `posts` posts under `home` (an absolute URL, no trailing slash)."""

    def __init__(self, home: str, posts: int, name: str) -> None:
        self.home = home
        self.posts = posts
        self.name = name
        self.pages = {posts + 1 + i: (slug, title) for i, slug, title in PAGES}
        self.comments_total = posts * COMMENTS_PER_POST
        # A day between posts, less on a big blog; a post's 10 comments come before the next post, so
        # that comment dates grow with their ids too.
        self.post_step = timedelta(seconds=min(86400, 86400 * SPAN_DAYS // max(1, posts)))
        self.comment_step = min(timedelta(minutes=90), timedelta(seconds=int(self.post_step.total_seconds()) // 11))

    # -------------------------------------------------------------- content, from the id

    def post_date(self, post: int) -> datetime:
        return EPOCH + (post - 1) * self.post_step

    def entry_date(self, entry: int) -> datetime:
        return EPOCH - timedelta(days=10) if entry in self.pages else self.post_date(entry)

    def title(self, post: int) -> str:
        if post in self.pages:
            return self.pages[post][1]
        return f"Essay {post}: {words(random.Random(post * 7), 4).title()}"

    def permalink(self, entry: int) -> str:
        if entry in self.pages:
            return f"{self.home}/{self.pages[entry][0]}/"
        return f"{self.home}/{self.post_date(entry):%Y/%m/%d}/post-{entry}/"

    def author(self, entry: int) -> int:
        return 1 if entry in self.pages else 1 + entry % len(USERS)

    def categories(self, post: int) -> list[int]:
        return [CATEGORIES[post % len(CATEGORIES)][0]]

    def tags(self, post: int) -> list[int]:
        return [TAGS[post % len(TAGS)][0], TAGS[(post * 3 + 1) % len(TAGS)][0]]

    def content(self, entry: int) -> str:
        rng = random.Random(entry)
        paragraphs = [f"<p>{sentence(rng, 14)} {sentence(rng, 18)} {sentence(rng, 11)} {sentence(rng, 16)}</p>"
                      for _ in range(5)]
        paragraphs.insert(2, f"<blockquote><p>{sentence(rng, 20)}</p></blockquote>")
        if entry > 1 and entry not in self.pages:
            paragraphs.append(f'<p>See also <a href="{self.permalink(entry - 1)}">the previous essay</a>.</p>')
        return "\n".join(paragraphs) + "\n"

    def excerpt(self, entry: int) -> str:
        return words(random.Random(entry), 30) + " [&hellip;]"

    def has_comments(self, entry: int) -> bool:
        return 1 <= entry <= self.posts

    def comment_ids(self, post: int) -> range:
        return range((post - 1) * COMMENTS_PER_POST + 1, post * COMMENTS_PER_POST + 1)

    def comment(self, cid: int) -> dict:
        """A comment's fields: post, parent, author, date, text."""
        post, k = divmod(cid - 1, COMMENTS_PER_POST)
        post += 1
        parent_k = THREAD[k]
        parent = (post - 1) * COMMENTS_PER_POST + parent_k + 1 if parent_k is not None else 0
        depth = 1
        while parent_k is not None:
            depth += 1
            parent_k = THREAD[parent_k]
        registered = k % 4 == 3
        user = 1 + (cid % len(USERS)) if registered else 0
        name = USERS[user - 1][2] if user else COMMENTERS[cid % len(COMMENTERS)]
        rng = random.Random(cid * 31)
        return {
            "id": cid, "post": post, "parent": parent, "depth": depth, "user": user, "name": name,
            "url": "" if cid % 3 else f"http://people.example.net/{cid % 97}/",
            "date": self.post_date(post) + (k + 1) * self.comment_step,
            "content": f"<p>{sentence(rng, 12)} {sentence(rng, 9)}</p>\n",
        }

    def modified(self, entry: int) -> datetime:
        """When the entry's page last changed: its last comment (pages have none)."""
        if entry in self.pages:
            return self.entry_date(entry)
        return self.post_date(entry) + COMMENTS_PER_POST * self.comment_step

    # -------------------------------------------------------------- REST objects

    def rest(self, route: str, query: dict | None = None) -> str:
        url = f"{self.home}/wp-json{route}"
        return f"{url}?{urlencode(query)}" if query else url

    def user_json(self, uid: int) -> dict:
        _, slug, name = USERS[uid - 1]
        digest = avatar_hash(name)
        return {"id": uid, "name": name, "url": "", "description": "", "link": f"{self.home}/author/{slug}/",
                "slug": slug, "avatar_urls": {str(s): f"https://secure.gravatar.com/avatar/{digest}?s={s}&d=mm&r=g"
                                              for s in (24, 48, 96)},
                "meta": [], "_links": {"self": [{"href": self.rest(f"/wp/v2/users/{uid}")}],
                                       "collection": [{"href": self.rest("/wp/v2/users")}]}}

    def term_json(self, tid: int) -> dict:
        category = tid < 10
        pool = CATEGORIES if category else TAGS
        _, slug, name = next(t for t in pool if t[0] == tid)
        route = "categories" if category else "tags"
        count = sum(1 for p in range(1, min(self.posts, 50) + 1)
                    if tid in (self.categories(p) if category else self.tags(p)))
        out = {"id": tid, "count": count, "description": "",
               "link": f"{self.home}/{'category' if category else 'tag'}/{slug}/", "name": name, "slug": slug,
               "taxonomy": "category" if category else "post_tag"}
        if category:
            out["parent"] = 0
        out |= {"meta": [], "_links": {"self": [{"href": self.rest(f"/wp/v2/{route}/{tid}")}],
                                       "collection": [{"href": self.rest(f"/wp/v2/{route}")}]}}
        return out

    def entry_json(self, entry: int, embed: set[str]) -> dict:
        kind = "page" if entry in self.pages else "post"
        when, modified = self.entry_date(entry), self.entry_date(entry)
        out = {
            "id": entry, "date": iso(when), "date_gmt": iso(when),
            "guid": {"rendered": f"{self.home}/?{'p' if kind == 'post' else 'page_id'}={entry}"},
            "modified": iso(modified), "modified_gmt": iso(modified),
            "slug": self.pages[entry][0] if kind == "page" else f"post-{entry}", "status": "publish", "type": kind,
            "link": self.permalink(entry), "title": {"rendered": e(self.title(entry))},
            "content": {"rendered": self.content(entry), "protected": False},
            "excerpt": {"rendered": f"<p>{self.excerpt(entry)}</p>\n", "protected": False},
            "author": self.author(entry), "featured_media": 0, "comment_status": "open", "ping_status": "open",
            "template": "", "meta": [],
        }
        if kind == "post":
            out |= {"sticky": False, "format": "standard", "categories": self.categories(entry),
                    "tags": self.tags(entry)}
        else:
            out |= {"parent": 0, "menu_order": 0}
        base = f"/wp/v2/{kind}s"
        links = {"self": [{"href": self.rest(f"{base}/{entry}")}], "collection": [{"href": self.rest(base)}],
                 "author": [{"embeddable": True, "href": self.rest(f"/wp/v2/users/{self.author(entry)}")}],
                 "replies": [{"embeddable": True, "href": self.rest("/wp/v2/comments", {"post": entry})}]}
        if kind == "post":
            links["wp:term"] = [{"taxonomy": tax, "embeddable": True,
                                 "href": self.rest(f"/wp/v2/{route}", {"post": entry})}
                                for tax, route in (("category", "categories"), ("post_tag", "tags"))]
        out["_links"] = links
        embedded: dict = {}
        if "author" in embed:
            embedded["author"] = [self.user_json(self.author(entry))]
        if "replies" in embed and self.has_comments(entry):
            embedded["replies"] = [[self.comment_json(c) for c in self.comment_ids(entry)]]
        if "wp:term" in embed and kind == "post":
            embedded["wp:term"] = [[self.term_json(t) for t in self.categories(entry)],
                                   [self.term_json(t) for t in self.tags(entry)]]
        if embedded:
            out["_embedded"] = embedded
        return out

    def comment_json(self, cid: int) -> dict:
        c = self.comment(cid)
        links = {"self": [{"href": self.rest(f"/wp/v2/comments/{cid}")}],
                 "collection": [{"href": self.rest("/wp/v2/comments")}],
                 "up": [{"embeddable": True, "post_type": "post", "href": self.rest(f"/wp/v2/posts/{c['post']}")}]}
        if c["user"]:
            links["author"] = [{"embeddable": True, "href": self.rest(f"/wp/v2/users/{c['user']}")}]
        if c["parent"]:
            links["in-reply-to"] = [{"embeddable": True, "href": self.rest(f"/wp/v2/comments/{c['parent']}")}]
        digest = avatar_hash(c["name"])
        return {
            "id": cid, "post": c["post"], "parent": c["parent"], "author": c["user"], "author_name": c["name"],
            "author_url": c["url"], "date": iso(c["date"]), "date_gmt": iso(c["date"]),
            "content": {"rendered": c["content"]}, "link": f"{self.permalink(c['post'])}#comment-{cid}",
            "status": "approved", "type": "comment",
            "author_avatar_urls": {str(s): f"https://secure.gravatar.com/avatar/{digest}?s={s}&d=mm&r=g"
                                   for s in (24, 48, 96)},
            "meta": [], "_links": links,
        }

    # -------------------------------------------------------------- REST listings

    def rest_answer(self, route: str, q: dict[str, str]) -> tuple[int, object, list[tuple[str, str]]]:
        """(status, JSON body, headers) for a `wp/v2` route."""
        headers = [("X-Robots-Tag", "noindex"), ("X-Content-Type-Options", "nosniff"),
                   ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"), ("Allow", "GET")]
        route = "/" + route.strip("/")
        if route == "/":
            return 200, {"name": self.name, "description": "A synthetic course blog", "url": self.home,
                         "home": self.home, "gmt_offset": 0, "timezone_string": "UTC",
                         "namespaces": ["oembed/1.0", "wp/v2"], "authentication": [], "routes": {}}, headers
        match = re.fullmatch(r"/wp/v2/(posts|pages|comments|users|categories|tags)(?:/(\d+))?", route)
        if not match:
            return 404, error("rest_no_route", "No route was found matching the URL and request method.", 404), headers
        name, one = match[1], match[2]
        try:
            if one:
                found = self.one(name, int(one))
                if found is None:
                    return 404, error("rest_post_invalid_id", "Invalid ID.", 404), headers
                return 200, found, headers
            return self.listing(name, q, headers)
        except BadParam as bad:
            return 400, error("rest_invalid_param", f"Invalid parameter(s): {bad}", 400), headers

    def one(self, name: str, item: int) -> dict | None:
        if name == "posts" and 1 <= item <= self.posts:
            return self.entry_json(item, set())
        if name == "pages" and item in self.pages:
            return self.entry_json(item, set())
        if name == "comments" and 1 <= item <= self.comments_total:
            return self.comment_json(item)
        if name == "users" and 1 <= item <= len(USERS):
            return self.user_json(item)
        if name in ("categories", "tags") and item in {t[0] for t in (CATEGORIES if name == "categories" else TAGS)}:
            return self.term_json(item)
        return None

    def listing(self, name: str, q: dict[str, str], headers: list) -> tuple[int, object, list]:
        per_page = int_param(q, "per_page", 10, 1, 100)
        page = int_param(q, "page", 1, 1)
        offset = int_param(q, "offset", (page - 1) * per_page, 0)
        ids = self.select(name, q)
        total = len(ids)
        pages = math.ceil(total / per_page)
        if name in ("posts", "pages") and page > pages and total > 0:
            return 400, error("rest_post_invalid_page_number",
                              "The page number requested is larger than the number of pages available.", 400), headers
        chosen = ids[offset:offset + per_page]
        fields = [f for f in q.get("_fields", "").split(",") if f]
        embed = embed_param(q)
        if name == "comments" and fields and set(fields) <= {"id", "post", "parent"}:
            body: list = []
            for cid in chosen:
                post = (cid - 1) // COMMENTS_PER_POST + 1
                full = {"id": cid, "post": post, "parent": self.comment(cid)["parent"] if "parent" in fields else 0}
                body.append({f: full[f] for f in fields})
        elif name in ("posts", "pages") and fields == ["id"]:
            body = [{"id": i} for i in chosen]
        else:
            render = {"posts": lambda i: self.entry_json(i, embed), "pages": lambda i: self.entry_json(i, embed),
                      "comments": self.comment_json, "users": self.user_json, "categories": self.term_json,
                      "tags": self.term_json}[name]
            body = [render(i) for i in chosen]
            if fields:
                body = [{f: item[f] for f in fields if f in item} for item in body]
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages)), *headers]
        base = {k: v for k, v in q.items() if k != "page"}
        links = []
        if page > 1:
            links.append(f'<{self.rest(f"/wp/v2/{name}", {**base, "page": min(page - 1, max(pages, 1))})}>; rel="prev"')
        if pages > page:
            links.append(f'<{self.rest(f"/wp/v2/{name}", {**base, "page": page + 1})}>; rel="next"')
        if links:
            headers.append(("Link", ", ".join(links)))
        return 200, body, headers

    def select(self, name: str, q: dict[str, str]) -> list[int]:
        """The ids a listing selects, in its order (dates grow with ids, so every order is by id)."""
        include = ids_param(q, "include")
        order = q.get("order") or ("asc" if name in ("users", "categories", "tags") else "desc")
        if order not in ("asc", "desc"):
            raise BadParam("order")
        orderby = q.get("orderby") or "date"
        if orderby not in ("date", "id", "post", "modified", "date_gmt", "name", "slug", "title", "include",
                           "parent", "count"):
            raise BadParam("orderby")
        if name == "posts":
            low, high = 1, self.posts
            low, high = self.date_bounds(q, low, high, ("after", "before"), self.post_date)
            low, high = self.date_bounds(q, low, high, ("modified_after", "modified_before"), self.post_date)
            ids = range(low, high + 1)
            chosen = [i for i in include if low <= i <= high] if include is not None else None
        elif name == "pages":
            chosen = [i for i in self.pages if include is None or i in include]
            chosen = [i for i in chosen if self.in_dates(q, self.entry_date(i))]
            ids = None
        elif name == "comments":
            posts, parents = ids_param(q, "post"), ids_param(q, "parent")
            low, high = 1, self.comments_total
            low, high = self.date_bounds(q, low, high, ("after", "before"), lambda c: self.comment(c)["date"])
            if posts is not None:
                chosen = [c for p in sorted(set(posts)) if 1 <= p <= self.posts for c in self.comment_ids(p)
                          if low <= c <= high]
            else:
                chosen = None
            if include is not None:
                chosen = [c for c in (chosen if chosen is not None else include) if c in include and low <= c <= high]
            if parents is not None:
                pool = chosen if chosen is not None else range(low, high + 1)
                chosen = [c for c in pool if self.comment(c)["parent"] in parents]
            ids = range(low, high + 1)
        else:
            pool = {"users": [u[0] for u in USERS], "categories": [t[0] for t in CATEGORIES],
                    "tags": [t[0] for t in TAGS]}[name]
            chosen = [i for i in pool if include is None or i in include]
            ids = None
        if chosen is None:
            return list(ids if order == "asc" else reversed(ids))
        return sorted(chosen, reverse=order == "desc")

    def date_bounds(self, q: dict[str, str], low: int, high: int, names: tuple[str, str], date_of) -> tuple[int, int]:
        """Narrow [low, high] (ids whose dates grow with them) to those after/before the dates asked."""
        after, before = date_param(q, names[0]), date_param(q, names[1])
        if after is not None:
            low = first_index(low, high + 1, lambda i: date_of(i) > after)
        if before is not None:
            high = first_index(low, high + 1, lambda i: date_of(i) >= before) - 1
        return low, high

    def in_dates(self, q: dict[str, str], when: datetime) -> bool:
        for name, later in (("after", True), ("modified_after", True), ("before", False), ("modified_before", False)):
            bound = date_param(q, name)
            if bound is not None and (when <= bound if later else when >= bound):
                return False
        return True

    # -------------------------------------------------------------- HTML

    def document(self, title: str, body_class: str, main: str, head: str = "") -> str:
        menu = "".join(f'<li class="menu-item"><a href="{self.permalink(i)}">{e(t)}</a></li>'
                       for i, (_, t) in self.pages.items())
        recent = "".join(f'<li><a href="{self.permalink(p)}">{e(self.title(p))}</a></li>'
                         for p in range(self.posts, max(0, self.posts - 5), -1))
        categories = "".join(f'<li class="cat-item cat-item-{i}"><a href="{self.home}/category/{s}/">{e(n)}</a></li>'
                             for i, s, n in CATEGORIES)
        return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8" />
<meta name="viewport" content="width=device-width" />
<title>{e(title)} | {e(self.name)}</title>
<link rel="profile" href="http://gmpg.org/xfn/11" />
<link rel="pingback" href="{self.home}/xmlrpc.php" />
<link rel="alternate" type="application/rss+xml" title="{e(self.name)} &raquo; Feed" href="{self.home}/feed/" />
<link rel="alternate" type="application/rss+xml" title="{e(self.name)} &raquo; Comments Feed" \
href="{self.home}/comments/feed/" />
{HEAD_EXTRA.replace("{home}", self.home)}
<script type='text/javascript' src='{self.home}/wp-includes/js/jquery/jquery.js?ver=1.10.2'></script>
<link rel="https://api.w.org/" href="{self.home}/wp-json/" />
{head}
<meta name="generator" content="WordPress 5.8.3" />
</head>
<body class="{body_class}">
<div id="page" class="hfeed site">
<header id="masthead" class="site-header" role="banner">
<a class="home-link" href="{self.home}/" title="{e(self.name)}" rel="home"><h1 class="site-title">{e(self.name)}</h1>
<h2 class="site-description">A synthetic course blog</h2></a>
<div id="navbar" class="navbar"><nav id="site-navigation" class="navigation main-navigation" role="navigation">
<ul id="menu-course" class="nav-menu"><li class="menu-item"><a href="{self.home}/">Blog</a></li>{menu}</ul>
<form role="search" method="get" class="search-form" action="{self.home}/"><input type="search" name="s" /></form>
</nav></div>
</header>
<div id="main" class="site-main">
<div id="primary" class="content-area"><div id="content" class="site-content" role="main">
{main}
</div></div>
<div id="tertiary" class="sidebar-container" role="complementary"><div class="widget-area">
<aside id="recent-posts-2" class="widget widget_recent_entries"><h3 class="widget-title">Recent Posts</h3>\
<ul>{recent}</ul></aside>
<aside id="categories-2" class="widget widget_categories"><h3 class="widget-title">Categories</h3>\
<ul>{categories}</ul></aside>
<aside id="meta-2" class="widget widget_meta"><h3 class="widget-title">Meta</h3><ul>\
<li><a href="{self.home}/wp-login.php">Log in</a></li><li><a href="{self.home}/feed/">Entries feed</a></li></ul></aside>
</div></div>
</div>
<footer id="colophon" class="site-footer" role="contentinfo"><div class="site-info">\
<a href="https://wordpress.org/">Proudly powered by WordPress</a></div></footer>
</div>
</body>
</html>
"""

    def term_links(self, post: int) -> str:
        cats = ", ".join(f'<a href="{self.home}/category/{s}/" rel="category tag">{e(n)}</a>'
                         for i, s, n in CATEGORIES if i in self.categories(post))
        tags = ", ".join(f'<a href="{self.home}/tag/{s}/" rel="tag">{e(n)}</a>'
                         for i, s, n in TAGS if i in self.tags(post))
        return f'<span class="categories-links">{cats}</span><span class="tags-links">{tags}</span>'

    def comment_html(self, cid: int, children: dict[int, list[int]], post: int) -> str:
        c = self.comment(cid)
        name = e(c["name"])
        author = f"<a href='{e(c['url'])}' rel='external nofollow ugc' class='url'>{name}</a>" if c["url"] else name
        classes = ["comment"]
        if c["user"]:
            classes += ["byuser", f"comment-author-{USERS[c['user'] - 1][1]}"]
            if c["user"] == self.author(post):
                classes.append("bypostauthor")
        classes += ["even" if cid % 2 else "odd", f"depth-{c['depth']}"]
        if children.get(cid):
            classes.append("parent")
        replies = "".join(self.comment_html(r, children, post) for r in children.get(cid, []))
        nested = f'<ul class="children">\n{replies}</ul>\n' if replies else ""
        return f"""<li id="comment-{cid}" class="{' '.join(classes)}">
<article id="div-comment-{cid}" class="comment-body">
<footer class="comment-meta">
<div class="comment-author vcard"><img alt='' src='http://0.gravatar.com/avatar/{avatar_hash(c["name"])}?s=74&amp;d=mm\
&amp;r=g' class='avatar avatar-74 photo' height='74' width='74' /><b class="fn">{author}</b> <span class="says">says:\
</span></div>
<div class="comment-metadata"><a href="{self.permalink(post)}#comment-{cid}"><time datetime="{c["date"].isoformat()}">\
{c["date"]:%B %-d, %Y at %-I:%M %p}</time></a></div>
</footer>
<div class="comment-content">{c["content"]}</div>
<div class="reply"><a rel='nofollow' class='comment-reply-link' href='{self.permalink(post)}?replytocom={cid}#respond' \
data-commentid="{cid}" data-postid="{post}" aria-label='Reply to {name}'>Reply</a></div>
</article>
{nested}</li>
"""

    def comments_html(self, post: int) -> str:
        children: dict[int, list[int]] = {}
        top = []
        for cid in self.comment_ids(post):
            parent = self.comment(cid)["parent"]
            (children.setdefault(parent, []) if parent else top).append(cid)
        threads = "".join(self.comment_html(c, children, post) for c in top)
        return f"""<div id="comments" class="comments-area">
<h2 class="comments-title">{COMMENTS_PER_POST} thoughts on &ldquo;<span>{e(self.title(post))}</span>&rdquo;</h2>
<ol class="commentlist">
{threads}</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="{self.home}/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-form-comment"><textarea id="comment" name="comment" cols="45" rows="8"></textarea></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" value="Post Comment" />
<input type="hidden" name="comment_post_ID" value="{post}" id="comment_post_ID" /></p></form></div>
</div>"""

    def entry_page(self, entry: int) -> str:
        page = entry in self.pages
        when = self.entry_date(entry)
        author = USERS[self.author(entry) - 1]
        meta = "" if page else (
            f'<div class="entry-meta"><span class="date"><a href="{self.permalink(entry)}" rel="bookmark">'
            f'<time class="entry-date" datetime="{when.isoformat()}">{when:%B %-d, %Y}</time></a></span>'
            f'{self.term_links(entry)}<span class="author vcard"><a class="url fn n" '
            f'href="{self.home}/author/{author[1]}/" rel="author">{e(author[2])}</a></span></div>')
        classes = "page type-page status-publish hentry" if page else (
            "post type-post status-publish format-standard hentry "
            + " ".join(f"category-{s}" for i, s, _ in CATEGORIES if i in self.categories(entry))
            + " " + " ".join(f"tag-{s}" for i, s, _ in TAGS if i in self.tags(entry)))
        nav = ""
        if not page:
            older = (f'<a href="{self.permalink(entry - 1)}" rel="prev">{e(self.title(entry - 1))}</a>'
                     if entry > 1 else "")
            newer = (f'<a href="{self.permalink(entry + 1)}" rel="next">{e(self.title(entry + 1))}</a>'
                     if entry < self.posts else "")
            nav = (f'<nav class="navigation post-navigation" role="navigation"><div class="nav-links">{older}{newer}'
                   "</div></nav>")
        main = f"""<article id="post-{entry}" class="post-{entry} {classes}">
<header class="entry-header"><h1 class="entry-title">{e(self.title(entry))}</h1>
{meta}</header>
<div class="entry-content">
{self.content(entry)}</div>
</article>
{nav}
{self.comments_html(entry) if self.has_comments(entry) else ""}"""
        kind = "page" if page else "post"
        head = (f'<link rel="alternate" type="application/rss+xml" title="{e(self.title(entry))} Comments Feed" '
                f'href="{self.permalink(entry)}feed/" />\n'
                f'<link rel="alternate" type="application/json" href="{self.rest(f"/wp/v2/{kind}s/{entry}")}" />\n'
                f'<link rel="canonical" href="{self.permalink(entry)}" />\n'
                f"<link rel='shortlink' href='{self.home}/?p={entry}' />")
        body_class = f"page-template-default page page-id-{entry}" if page else \
            f"post-template-default single single-post postid-{entry} single-format-standard"
        return self.document(self.title(entry), body_class, main, head)

    def home_page(self, page: int) -> str | None:
        per_page = 10
        pages = max(1, math.ceil(self.posts / per_page))
        if page > pages:
            return None
        newest = self.posts - (page - 1) * per_page
        items = []
        for post in range(newest, max(0, newest - per_page), -1):
            items.append(f"""<article id="post-{post}" class="post-{post} post type-post status-publish hentry">
<header class="entry-header"><h1 class="entry-title"><a href="{self.permalink(post)}" rel="bookmark">\
{e(self.title(post))}</a></h1></header>
<div class="entry-summary"><p>{self.excerpt(post)}</p></div>
<footer class="entry-meta"><span class="comments-link"><a href="{self.permalink(post)}#comments">\
{COMMENTS_PER_POST} Comments</a></span></footer></article>""")
        older = f'<div class="nav-previous"><a href="{self.home}/page/{page + 1}/">Older posts</a></div>' \
            if page < pages else ""
        body_class = "home blog" + (f" paged paged-{page}" if page > 1 else "")
        return self.document(self.name, body_class, "\n".join(items) + f'<nav class="navigation">{older}</nav>')

    def comments_feed(self, post: int | None) -> str:
        """The latest 10 comments (of the site, or of one post) as RSS 2.0."""
        ids = list(self.comment_ids(post)) if post else list(
            range(self.comments_total, max(0, self.comments_total - 10), -1))
        items = []
        for cid in sorted(ids, reverse=True)[:10]:
            c = self.comment(cid)
            items.append(f"""<item><title>By: {e(c["name"])}</title>
<link>{self.permalink(c["post"])}#comment-{cid}</link>
<dc:creator><![CDATA[{c["name"]}]]></dc:creator>
<pubDate>{format_datetime(c["date"], usegmt=True)}</pubDate>
<guid isPermaLink="false">{self.home}/?p={c["post"]}#comment-{cid}</guid>
<description><![CDATA[{c["content"]}]]></description></item>""")
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Comments for {e(self.name)}</title><link>{self.home}/</link>
<description>A synthetic course blog</description>
{"".join(items)}
</channel></rss>
"""

    def newest_change(self) -> datetime:
        return self.modified(self.posts) if self.posts else EPOCH

    # -------------------------------------------------------------- routing

    def entry_of_path(self, path: str) -> int | None:
        for entry, (slug, _) in self.pages.items():
            if path == f"/{slug}/":
                return entry
        match = re.fullmatch(r"/(\d{4})/(\d\d)/(\d\d)/post-(\d+)/", path)
        if match and 1 <= int(match[4]) <= self.posts:
            post = int(match[4])
            if f"{self.post_date(post):%Y/%m/%d}" == f"{match[1]}/{match[2]}/{match[3]}":
                return post
        return None


class BadParam(ValueError):
    pass


def error(code: str, message: str, status: int) -> dict:
    return {"code": code, "message": message, "data": {"status": status}}


def int_param(q: dict[str, str], name: str, default: int, low: int, high: int | None = None) -> int:
    raw = q.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        raise BadParam(name)
    return int(raw)


def ids_param(q: dict[str, str], name: str) -> list[int] | None:
    raw = q.get(name) or q.get(f"{name}[]")
    if not raw:
        return None
    if not re.fullmatch(r"\d+(,\d+)*", raw):
        raise BadParam(name)
    return [int(v) for v in raw.split(",")]


def date_param(q: dict[str, str], name: str) -> datetime | None:
    raw = q.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as problem:
        raise BadParam(name) from problem
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def embed_param(q: dict[str, str]) -> set[str]:
    if "_embed" not in q:
        return set()
    value = q["_embed"]
    return {"author", "wp:term", "replies"} if value in ("", "1", "true") else set(value.split(","))


def first_index(low: int, high: int, test) -> int:
    """The first i in [low, high) for which `test(i)` holds (it holds for every later i), else high."""
    while low < high:
        middle = (low + high) // 2
        if test(middle):
            high = middle
        else:
            low = middle + 1
    return low


def not_modified(request: web.Request, etag: str, modified: datetime) -> bool:
    match = request.headers.get("If-None-Match")
    if match is not None:
        return etag in [m.strip() for m in match.split(",")]
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


class Server:
    """The aiohttp application: routes each request to its blog and counts what it answered."""

    def __init__(self, posts: int, blogs: int) -> None:
        self.posts, self.blogs_count = posts, blogs
        self.blogs: dict[str, Blog] = {}
        self.kinds: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()

    def start(self, base: str) -> None:
        if self.blogs_count == 1:
            self.blogs[""] = Blog(base, self.posts, "Synthetic course blog")
        else:
            for n in range(1, self.blogs_count + 1):
                self.blogs[f"/blog{n}"] = Blog(f"{base}/blog{n}", self.posts, f"Synthetic course blog {n}")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/__bench__/stats":
            body = {"kinds": dict(self.kinds), "statuses": {str(k): v for k, v in self.statuses.items()},
                    "requests": sum(self.kinds.values()), "pid": os.getpid()}
            if request.query.get("reset"):
                self.kinds.clear()
                self.statuses.clear()
            return web.json_response(body)
        kind, response = self.answer(request, path)
        self.kinds[kind] += 1
        self.statuses[response.status] += 1
        return response

    def answer(self, request: web.Request, path: str) -> tuple[str, web.Response]:
        if path == "/robots.txt":
            return "robots.txt", web.Response(text="User-agent: *\nDisallow: /wp-admin/\n")
        prefix = ""
        if self.blogs_count > 1:
            match = re.match(r"(/blog\d+)(/.*)?$", path)
            if not match or match[1] not in self.blogs:
                return "other", html_response(404, "<html><body>Not Found</body></html>")
            prefix, path = match[1], match[2] or "/"
            if path == "/" and not request.path.endswith("/"):
                return "redirect", web.Response(status=301, headers={"Location": request.path + "/"})
        blog = self.blogs[prefix]
        query = dict(parse_qsl(request.query_string, keep_blank_values=True))
        if path.startswith("/wp-json/") or path == "/wp-json":
            route = path.removeprefix("/wp-json")
            status, body, headers = blog.rest_answer(route, query)
            kind = "REST " + route.removeprefix("/wp/v2/").split("/")[0]
            if query.get("per_page") == "1":
                kind += " counts" if "post" in query else " total"
            elif "_fields" in query:
                kind += " ids"
            elif "after" in query or "modified_after" in query:
                kind += " changed since"
            elif "include" in query:
                kind += " by id"
            return kind, web.Response(status=status, body=json.dumps(body).encode(),
                                      content_type="application/json", charset="UTF-8", headers=headers)
        if path == "/" or re.fullmatch(r"/page/(\d+)/", path):
            number = int(path.split("/")[2]) if path != "/" else 1
            page = blog.home_page(number)
            if page is None:
                return "other", html_response(404, blog.document("Page not found", "error404", "<p>Not Found</p>"))
            link = f'<{blog.home}/wp-json/>; rel="https://api.w.org/"'
            return "home page", html_response(200, page, {"Link": link})
        if path == "/comments/feed/":
            return "site comments feed", self.conditional(
                request, f'"c{blog.comments_total}"', blog.newest_change(), lambda: blog.comments_feed(None),
                "application/rss+xml")
        feed = re.fullmatch(r"(.*/)feed/", path)
        if feed and blog.entry_of_path(feed[1]) is not None:
            entry = blog.entry_of_path(feed[1])
            assert entry is not None
            return "a post's comments feed", self.conditional(
                request, f'"f{entry}"', blog.modified(entry), lambda: blog.comments_feed(entry if entry <= blog.posts
                                                                                         else None),
                "application/rss+xml")
        entry = blog.entry_of_path(path)
        if entry is not None:
            return "post or page", self.conditional(request, f'"p{entry}-{int(blog.modified(entry).timestamp())}"',
                                                    blog.modified(entry), lambda: blog.entry_page(entry), "text/html")
        return "other", html_response(404, blog.document("Page not found", "error404", "<p>Not Found</p>"))

    def conditional(self, request: web.Request, etag: str, modified: datetime, body, content_type: str) -> web.Response:
        headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        if not_modified(request, etag, modified):
            return web.Response(status=304, headers=headers)
        return web.Response(status=200, body=body().encode(), content_type=content_type, charset="UTF-8",
                            headers=headers)


def html_response(status: int, page: str, headers: dict | None = None) -> web.Response:
    return web.Response(status=status, body=page.encode(), content_type="text/html", charset="UTF-8",
                        headers=headers or {})


async def serve(posts: int, blogs: int, host: str, port: int) -> None:
    server = Server(posts, blogs)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://{host}:{bound}"
    server.start(base)
    print(base, flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--blogs", type=int, default=1, help="more than 1: blogs at /blog1/, /blog2/, ...")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    if not args.host.startswith("127."):
        parser.error("the synthetic blog listens on 127.0.0.0/8 only")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.posts, args.blogs, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
