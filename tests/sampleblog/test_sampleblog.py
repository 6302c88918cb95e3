"""The sample blog answers like WordPress: pages, comment threads, REST, feeds, sitemaps, traps."""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest

from . import data
from .server import SampleBlogServer, serve_in_thread

POST_WITH_THREADS = 47
PAGED_POST = 75


@dataclass
class Fetched:
    """One HTTP answer, redirects not followed."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Let 3xx answers through so tests can look at them."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str) -> Fetched:
    """GET a URL and return status, headers and text, whatever the status."""
    try:
        with OPENER.open(url, timeout=10) as response:
            return Fetched(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, dict(error.headers), error.read().decode())


@dataclass
class SeenComment:
    """A comment as found in the page's markup."""

    id: int
    depth: int
    parent: int
    classes: list[str] = field(default_factory=list)


class CommentTree(HTMLParser):
    """Collects ``li#li-comment-N`` items with their depth class and parent from nesting."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, int | None]] = []
        self.comments: list[SeenComment] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        match = re.fullmatch(r"li-comment-(\d+)", found.get("id") or "")
        cid = int(match[1]) if tag == "li" and match else None
        if cid is not None:
            parents = [c for _, c in self.stack if c is not None]
            classes = (found.get("class") or "").split()
            level = int(next(c for c in classes if c.startswith("depth-"))[6:])
            self.comments.append(SeenComment(cid, level, parents[-1] if parents else 0, classes))
        if tag not in ("img", "input", "br", "meta", "link"):
            self.stack.append((tag, cid))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Self-closing tags (``<img />``) open nothing."""

    def handle_endtag(self, tag: str) -> None:
        if all(open_tag != tag for open_tag, _ in self.stack):
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def comments_in(page: str) -> list[SeenComment]:
    """The comments of a page, in document order."""
    parser = CommentTree()
    parser.feed(page)
    return parser.comments


def permalink(base: str, post_id: int) -> str:
    """A post's URL on a running server."""
    post = data.entry(post_id)
    assert post is not None
    return f"{base}/{post.date:%Y/%m/%d}/{post.slug}/"


@pytest.fixture(scope="module")
def blog() -> Iterator[tuple[SampleBlogServer, str]]:
    """The blog with every feature on."""
    server, base = serve_in_thread()
    yield server, base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def base(blog: tuple[SampleBlogServer, str]) -> str:
    """The default blog's base URL."""
    return blog[1]


def test_data_is_consistent() -> None:
    """Ids are unique, threads stay inside a post and the promised cases are all there."""
    ids = [c.id for c in data.COMMENTS]
    assert len(ids) == len(set(ids))
    assert len(data.POSTS) == 14 and len(data.PAGES) == 2
    assert len({p.id for p in data.all_entries()} | {m.id for m in data.MEDIA}) == 17
    for c in data.COMMENTS:
        if c.parent:
            parent = data.comment(c.parent)
            assert parent and parent.post == c.post and parent.date < c.date
    assert max(data.depth(c) for c in data.COMMENTS) == 3
    assert sorted(c.type for c in data.COMMENTS if c.type != "comment") == ["pingback",
                                                                          "trackback"]
    assert len(data.comments_on(PAGED_POST)) == 25 and data.comment_pages(PAGED_POST) == 2
    closed = [p for p in data.POSTS if p.comment_status == "closed"]
    assert closed and all(not data.comments_on(p.id) for p in closed)
    hostile = [c for c in data.COMMENTS if c.hostile]
    assert len(hostile) == 1
    assert all(snippet in hostile[0].content for snippet in data.HOSTILE_SNIPPETS)
    assert {p.date.utcoffset().total_seconds() / 3600 for p in data.POSTS} == {-5, -4}


def test_home_pages_list_every_post_newest_first(base: str) -> None:
    titles = []
    for url in (f"{base}/", f"{base}/page/2/", f"{base}/page/3/"):
        page = fetch(url)
        assert page.status == 200
        titles += re.findall(r'<h2 class="entry-title"><a href="[^"]+" rel="bookmark">(.*?)</a>',
                             page.body)
    assert len(titles) == 14
    assert titles[0] == data.posts_newest_first()[0].title
    assert f'href="{base}/page/2/"><span class="meta-nav">&larr;</span> Older posts' \
        in fetch(f"{base}/").body
    assert 'class="home blog paged paged-2"' in fetch(f"{base}/page/2/").body
    assert fetch(f"{base}/page/4/").status == 404
    assert fetch(f"{base}/page/1/").headers["Location"] == f"{base}/"


def test_post_page_shows_threads_three_levels_deep(base: str) -> None:
    page = fetch(permalink(base, POST_WITH_THREADS))
    assert page.status == 200
    assert f'<body class="post-template-default single single-post postid-{POST_WITH_THREADS}' \
        in page.body
    assert f"<link rel='shortlink' href='{base}/?p={POST_WITH_THREADS}' />" in page.body
    assert '<div class="breadcrumbs">You are here: ' in page.body
    assert 'http://digg.com/submit?url=' in page.body
    seen = comments_in(page.body)
    expected = data.comments_on(POST_WITH_THREADS)
    assert [(c.id, c.depth, c.parent) for c in seen] == [
        (c.id, data.depth(c), c.parent) for c in sorted(
            expected, key=lambda c: (data.thread_root(c).date, data.depth(c), c.date))]
    assert max(c.depth for c in seen) == 3
    authors = {c.id for c in seen if "bypostauthor" in c.classes}
    assert authors == {c.id for c in expected if c.user_id == data.entry(c.post).author}
    assert "5 Responses to &#8220;" in page.body


def test_pingback_and_trackback_are_marked(base: str) -> None:
    kinds = {}
    for c in data.COMMENTS:
        if c.type != "comment":
            seen = comments_in(fetch(permalink(base, c.post)).body)
            kinds[c.type] = next(s for s in seen if s.id == c.id).classes[0]
    assert kinds == {"pingback": "pingback", "trackback": "trackback"}


def test_comments_paginate_twenty_threads_a_page(base: str) -> None:
    url = permalink(base, PAGED_POST)
    first, second = fetch(url), fetch(f"{url}comment-page-2/")
    on_first, on_second = comments_in(first.body), comments_in(second.body)
    assert len([c for c in on_first if c.depth == 1]) == 20
    assert len(on_first) + len(on_second) == 25
    assert [c.id for c in on_second] == [197, 198]
    assert 199 in {c.id for c in on_first}, "a late reply stays with its thread on page 1"
    assert f'href="{url}comment-page-2/#comments">Newer Comments' in first.body
    assert f'href="{url}#comments"><span class="meta-nav">&larr;</span> Older Comments' \
        in second.body
    assert "25 Responses to &#8220;" in second.body
    assert fetch(f"{url}comment-page-3/").status == 404


def test_rest_totals_and_paging(base: str) -> None:
    posts = fetch(f"{base}/wp-json/wp/v2/posts?per_page=5")
    assert posts.status == 200
    assert (posts.headers["X-WP-Total"], posts.headers["X-WP-TotalPages"]) == ("14", "3")
    assert 'rel="next"' in posts.headers["Link"]
    first = posts.json()[0]
    assert {"id", "date", "date_gmt", "modified", "modified_gmt", "slug", "link", "title",
            "content", "excerpt", "author", "categories", "tags", "comment_status",
            "type"} <= set(first)
    beyond = fetch(f"{base}/wp-json/wp/v2/posts?per_page=5&page=4")
    assert beyond.status == 400 and beyond.json()["code"] == "rest_post_invalid_page_number"
    assert fetch(f"{base}/wp-json/wp/v2/posts?per_page=101").status == 400
    comments = fetch(f"{base}/wp-json/wp/v2/comments?post={PAGED_POST}&per_page=100")
    assert comments.headers["X-WP-Total"] == "25"
    with_ping = fetch(f"{base}/wp-json/wp/v2/comments?post=26")
    assert with_ping.headers["X-WP-Total"] == "3", "pingbacks are not in the REST API"
    assert all(c["type"] == "comment" for c in with_ping.json())
    assert fetch(f"{base}/wp-json/wp/v2/comments?type=pingback").status == 401
    users = fetch(f"{base}/wp-json/wp/v2/users").json()
    assert data.DANIEL not in {u["id"] for u in users}


def test_rest_route_form_matches_wp_json(base: str) -> None:
    pretty = fetch(f"{base}/wp-json/wp/v2/comments?post={POST_WITH_THREADS}")
    plain = fetch(f"{base}/?rest_route=/wp/v2/comments&post={POST_WITH_THREADS}")
    assert plain.status == 200 and plain.json() == pretty.json()
    assert plain.headers["X-WP-Total"] == pretty.headers["X-WP-Total"] == "5"
    assert fetch(f"{base}/?rest_route=/").json()["name"] == data.SITE.name


def test_without_rest_both_forms_are_404() -> None:
    server, base = serve_in_thread(rest=False)
    try:
        assert fetch(f"{base}/wp-json/wp/v2/posts").status == 404
        assert fetch(f"{base}/?rest_route=/wp/v2/posts").status == 404
        assert "api.w.org" not in fetch(f"{base}/").body
    finally:
        server.shutdown()
        server.server_close()


def test_blocked_wp_json_leaves_rest_route() -> None:
    server, base = serve_in_thread(block_wp_json=True)
    try:
        assert fetch(f"{base}/wp-json/wp/v2/posts").status == 403
        assert fetch(f"{base}/?rest_route=/wp/v2/posts").headers["X-WP-Total"] == "14"
    finally:
        server.shutdown()
        server.server_close()


def test_sitemaps(base: str) -> None:
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(fetch(f"{base}/wp-sitemap.xml").body)
    locs = [e.text for e in index.findall("sm:sitemap/sm:loc", ns)]
    assert f"{base}/wp-sitemap-posts-post-1.xml" in locs
    assert f"{base}/wp-sitemap-posts-page-1.xml" in locs
    posts = ET.fromstring(fetch(f"{base}/wp-sitemap-posts-post-1.xml").body)
    urls = posts.findall("sm:url", ns)
    assert len(urls) == 14 and all(u.find("sm:lastmod", ns) is not None for u in urls)
    assert "Sitemap: " in fetch(f"{base}/robots.txt").body


def test_feed_paging(base: str) -> None:
    def items(url: str) -> list[ET.Element]:
        return ET.fromstring(fetch(url).body).findall("channel/item")

    first, second = items(f"{base}/feed/"), items(f"{base}/feed/?paged=2")
    assert (len(first), len(second)) == (10, 4)
    slash = "{http://purl.org/rss/1.0/modules/slash/}comments"
    wfw = "{http://wellformedweb.org/CommentAPI/}commentRss"
    counts = {i.findtext("link"): i.findtext(slash) for i in first + second}
    assert counts[permalink(base, PAGED_POST)] == "25"
    assert all(i.findtext(wfw, "").endswith("/feed/") for i in first)
    assert len(items(f"{base}/comments/feed/")) == 10
    assert len(items(f"{permalink(base, POST_WITH_THREADS)}feed/")) == 5


def test_unknown_urls_get_the_theme_404(base: str) -> None:
    for path in ("/no-such-page/", "/2013/01/01/nothing/", "/category/nope/", "/?p=9999"):
        page = fetch(base + path)
        assert page.status == 404 and 'class="error404"' in page.body


def test_traps_resolve_and_are_logged(blog: tuple[SampleBlogServer, str]) -> None:
    server, base = blog
    url = permalink(base, POST_WITH_THREADS)
    for trap in (f"{url}?replytocom=150", f"{url}?share=facebook&nb=1", f"{base}/?m=201304"):
        assert fetch(trap).status == 200
    assert 'content="noindex, follow"' in fetch(f"{url}?replytocom=150").body
    path = url.removeprefix(f"{base}")
    assert server.hits()[f"{path}?replytocom=150"] == 2
    assert ("GET", "/?m=201304", 200) in server.requests()


def test_hostile_comment_is_served_unsanitised(base: str) -> None:
    hostile = next(c for c in data.COMMENTS if c.hostile)
    body = fetch(permalink(base, hostile.post)).body
    assert all(snippet in body for snippet in data.HOSTILE_SNIPPETS)


def test_prefix_and_root_robots() -> None:
    server, base = serve_in_thread(prefix="/hist380")
    try:
        assert base.endswith("/hist380")
        assert fetch(f"{base}/").status == 200
        assert fetch(base).headers["Location"] == f"{base}/"
        root = base.removesuffix("/hist380")
        assert "Disallow: /hist380/wp-admin/" in fetch(f"{root}/robots.txt").body
        assert fetch(f"{root}/feed/").status == 404
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------- plain permalinks


@pytest.fixture(scope="module")
def plain() -> Iterator[str]:
    """The blog with plain permalinks (``/?p=N``), every other feature on."""
    server, base = serve_in_thread(plain_permalinks=True)
    yield base
    server.shutdown()
    server.server_close()


def entry_titles(page: str) -> list[tuple[str, str]]:
    """(link, title) of the entries a list page shows."""
    return [(link, html.unescape(title)) for link, title in re.findall(
        r'<h2 class="entry-title"><a href="([^"]+)" rel="bookmark">(.*?)</a>', page)]


def test_plain_home_pages_use_paged(plain: str) -> None:
    entries = []
    for url in (f"{plain}/", f"{plain}/?paged=2", f"{plain}/?paged=3"):
        page = fetch(url)
        assert page.status == 200
        entries += entry_titles(page.body)
    newest = data.posts_newest_first()
    assert entries == [(f"{plain}/?p={p.id}", p.title) for p in newest]
    assert f'href="{plain}/?paged=2"><span class="meta-nav">&larr;</span> Older posts' \
        in fetch(f"{plain}/").body
    second = fetch(f"{plain}/?paged=2").body
    assert 'class="home blog paged paged-2"' in second
    assert f'href="{plain}/">Newer posts' in second
    assert fetch(f"{plain}/?paged=4").status == 404
    assert fetch(f"{plain}/?paged=1").headers["Location"] == f"{plain}/"
    essays = fetch(f"{plain}/?cat={data.ESSAYS}").body
    assert f'href="{plain}/?cat={data.ESSAYS}&#038;paged=2"' in essays


def test_plain_post_and_page(plain: str) -> None:
    page = fetch(f"{plain}/?p={POST_WITH_THREADS}")
    assert page.status == 200
    assert f'<link rel="canonical" href="{plain}/?p={POST_WITH_THREADS}" />' in page.body
    assert f"<link rel='shortlink' href='{plain}/?p={POST_WITH_THREADS}' />" in page.body
    post = data.entry(POST_WITH_THREADS)
    category, author = data.term(post.categories[0]), data.user(post.author)
    assert f'&gt; <a href="{plain}/?cat={category.id}">{category.name}</a> &gt;' in page.body
    assert f'href="{plain}/?author={author.id}"' in page.body
    assert f'href="{plain}/?tag={data.term(post.tags[0]).slug}" rel="tag"' in page.body
    assert f'href="{plain}/?attachment_id=49"' in page.body, "content links are plain too"
    assert f"href='{plain}/?p={POST_WITH_THREADS}&#038;replytocom=150#respond'" in page.body
    assert f'href="{plain}/?p={POST_WITH_THREADS}&#038;share=facebook&amp;nb=1"' in page.body
    seen = comments_in(page.body)
    assert {(c.id, c.depth, c.parent) for c in seen} == {
        (c.id, data.depth(c), c.parent) for c in data.comments_on(POST_WITH_THREADS)}
    about = fetch(f"{plain}/?page_id=2")
    assert about.status == 200 and 'class="page-template-default page page-id-2"' in about.body
    assert f'<a href="{plain}/?page_id=5">Syllabus</a>' in about.body
    assert fetch(f"{plain}/?p=2").headers["Location"] == f"{plain}/?page_id=2"
    assert fetch(f"{plain}/?attachment_id=49").status == 200
    assert fetch(f"{plain}/?p={POST_WITH_THREADS}&replytocom=150").status == 200
    assert fetch(f"{plain}/?m=201304").status == 200
    assert f"<li><a href='{plain}/?m=201302'>February 2013</a></li>" in page.body


def test_plain_comment_page_two(plain: str) -> None:
    url = f"{plain}/?p={PAGED_POST}"
    first, second = fetch(url), fetch(f"{url}&cpage=2")
    assert second.status == 200
    assert [c.id for c in comments_in(second.body)] == [197, 198]
    assert 199 in {c.id for c in comments_in(first.body)}
    assert f'href="{url}&#038;cpage=2#comments">Newer Comments' in first.body
    assert f'href="{url}#comments"><span class="meta-nav">&larr;</span> Older Comments' \
        in second.body
    assert f'<link rel="canonical" href="{url}&#038;cpage=2" />' in second.body
    assert f'<a href="{url}&#038;cpage=2#comment-197">' in second.body
    assert f"href='{url}&#038;cpage=2&#038;replytocom=197#respond'" in second.body
    assert fetch(f"{url}&cpage=3").status == 404


def test_plain_feeds(plain: str) -> None:
    def items(url: str) -> list[ET.Element]:
        return ET.fromstring(fetch(url).body).findall("channel/item")

    first, second = items(f"{plain}/?feed=rss2"), items(f"{plain}/?feed=rss2&paged=2")
    assert (len(first), len(second)) == (10, 4)
    assert [i.findtext("link") for i in first + second] == [
        f"{plain}/?p={p.id}" for p in data.posts_newest_first()]
    wfw = "{http://wellformedweb.org/CommentAPI/}commentRss"
    assert first[0].findtext(wfw) == f"{plain}/?feed=rss2&p={data.posts_newest_first()[0].id}"
    comments = items(f"{plain}/?feed=comments-rss2")
    assert len(comments) == 10
    assert all(re.fullmatch(rf"{re.escape(plain)}/\?p=\d+(&cpage=\d+)?#comment-\d+",
                            i.findtext("link", "")) for i in comments)
    assert len(items(f"{plain}/?feed=rss2&p={POST_WITH_THREADS}")) == 5
    home = fetch(f"{plain}/").body
    assert f'href="{plain}/?feed=rss2" />' in home
    assert f'href="{plain}/?feed=comments-rss2" />' in home


def test_plain_sitemaps(plain: str) -> None:
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert f"Sitemap: {plain}/?sitemap=index" in fetch(f"{plain}/robots.txt").body
    index = ET.fromstring(fetch(f"{plain}/?sitemap=index").body)
    locs = [e.text for e in index.findall("sm:sitemap/sm:loc", ns)]
    assert locs == [f"{plain}/?sitemap=posts&sitemap-subtype=post&paged=1",
                    f"{plain}/?sitemap=posts&sitemap-subtype=page&paged=1",
                    f"{plain}/?sitemap=taxonomies&sitemap-subtype=category&paged=1",
                    f"{plain}/?sitemap=taxonomies&sitemap-subtype=post_tag&paged=1",
                    f"{plain}/?sitemap=users&paged=1"]
    posts = ET.fromstring(fetch(locs[0]).body).findall("sm:url", ns)
    assert sorted(u.findtext("sm:loc", namespaces=ns) for u in posts) == sorted(
        f"{plain}/?p={p.id}" for p in data.POSTS)
    assert all(u.find("sm:lastmod", ns) is not None for u in posts)
    users = ET.fromstring(fetch(locs[4]).body).findall("sm:url/sm:loc", ns)
    assert {u.text for u in users} == {f"{plain}/?author={u.id}" for u in data.authors_with_posts()}
    assert fetch(f"{plain}/?sitemap=posts&sitemap-subtype=post&paged=2").status == 404


def test_plain_rest_route_only(plain: str) -> None:
    home = fetch(f"{plain}/")
    assert f'<link rel="https://api.w.org/" href="{plain}/index.php?rest_route=/" />' in home.body
    assert home.headers["Link"] == f'<{plain}/index.php?rest_route=/>; rel="https://api.w.org/"'
    for url in (f"{plain}/?rest_route=/wp/v2/posts&per_page=5",
                f"{plain}/index.php?rest_route=/wp/v2/posts&per_page=5"):
        posts = fetch(url)
        assert posts.status == 200 and posts.headers["X-WP-Total"] == "14"
    assert f'<{plain}/index.php?rest_route=/wp/v2/posts&per_page=5&page=2>; rel="next"' \
        in posts.headers["Link"]
    first = posts.json()[0]
    assert first["link"] == f"{plain}/?p={first['id']}"
    assert first["_links"]["self"][0]["href"] == \
        f"{plain}/index.php?rest_route=/wp/v2/posts/{first['id']}"
    pages = fetch(f"{plain}/?rest_route=/wp/v2/pages").json()
    assert {p["link"] for p in pages} == {f"{plain}/?page_id={p.id}" for p in data.PAGES}
    late = fetch(f"{plain}/?rest_route=/wp/v2/comments/197").json()
    assert late["link"] == f"{plain}/?p={PAGED_POST}&cpage=2#comment-197"
    terms = fetch(f"{plain}/?rest_route=/wp/v2/categories").json()
    assert {t["link"] for t in terms} == {f"{plain}/?cat={c.id}" for c in data.CATEGORIES}
    assert fetch(f"{plain}/wp-json/wp/v2/posts").status == 404


def test_plain_blog_has_no_pretty_paths(plain: str) -> None:
    pretty = [permalink("", POST_WITH_THREADS), f"{permalink('', PAGED_POST)}comment-page-2/",
              "/about/", "/page/2/", "/category/essays/", "/tag/stalin/", "/author/znovak/",
              "/2013/04/", "/feed/", "/comments/feed/", "/wp-sitemap.xml",
              "/wp-sitemap-posts-post-1.xml", "/wp-json/", "/wp-json/wp/v2/posts"]
    for path in pretty:
        page = fetch(plain + path)
        assert page.status == 404 and 'class="error404"' in page.body, path
    body = fetch(f"{plain}/?p={PAGED_POST}").body
    links = re.findall(r'(?:href|src|action)=["\']([^"\']+)', body)
    paths = {urlsplit(u).path for u in links if u.startswith(plain)}
    assert paths and all(p in ("/", "/index.php") or p.startswith("/wp-") for p in paths), paths


def test_plain_permalinks_under_a_prefix() -> None:
    server, base = serve_in_thread(plain_permalinks=True, prefix="/hist380")
    try:
        root = base.removesuffix("/hist380")
        assert f"Sitemap: {base}/?sitemap=index" in fetch(f"{root}/robots.txt").body
        assert fetch(base).headers["Location"] == f"{base}/"
        assert [t for _, t in entry_titles(fetch(f"{base}/?paged=3").body)] == [
            p.title for p in data.posts_newest_first()[10:]]
        assert fetch(f"{base}/index.php?p={PAGED_POST}&cpage=2").status == 200
        assert fetch(f"{root}/?p={PAGED_POST}").status == 404
    finally:
        server.shutdown()
        server.server_close()
