"""The HTML way in as plain functions: static-copy URLs, listing kinds, permalink shapes, a page's
links sorted into posts and listings, and the URL rules it relies on."""

from __future__ import annotations

import pytest

from pipelines.cleaning import clean_url
from spiders.extraction.document import Document
from spiders.extraction.page import document_kind
from spiders.linkgraph import LinkGraph, links_prefix, listing_kind, permalink_shape, static_copy_url
from spiders.urls import normalise_url, trap_reason

HOME = "http://blog.test/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://blog.test/2009/08/slug/index.html", "http://blog.test/2009/08/slug/"),
        ("http://blog.test/2009/08/slug/index.html#comments", "http://blog.test/2009/08/slug/"),
        ("http://blog.test/index.htm", "http://blog.test/"),
        ("http://blog.test/2009/08/slug/", "http://blog.test/2009/08/slug/"),
        ("http://blog.test/notindex.html", "http://blog.test/notindex.html"),
    ],
)
def test_static_copy_url(url: str, expected: str) -> None:
    assert static_copy_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://blog.test/page/3/", "paged"),
        ("http://blog.test/?paged=3", "paged"),
        ("http://blog.test/tag/latex/page/2.html", "taxonomy"),
        ("http://blog.test/category/essays/", "taxonomy"),
        ("http://blog.test/category/essays/page/2/", "taxonomy"),
        ("http://blog.test/author/jq/", "taxonomy"),
        ("http://blog.test/2013/", "date"),
        ("http://blog.test/2013/04/", "date"),
        ("http://blog.test/2013/04/page/2/", "paged"),  # an archive's further pages
        ("http://blog.test/2013/04/09/", "day"),
        ("http://blog.test/2013/04/09/slug/", None),
        ("http://blog.test/about/", None),
    ],
)
def test_listing_kind(url: str, expected: str | None) -> None:
    assert listing_kind(url) == expected


def test_permalink_shape() -> None:
    assert permalink_shape("http://blog.test/2009/05/08/slug/", HOME) == "dddd/dd/dd/*/"
    assert permalink_shape("http://blog.test/2009/slug/", HOME) == "dddd/*/"
    assert permalink_shape("http://blog.test/blog/2009/slug/", "http://blog.test/blog/") == "dddd/*/"


def test_normalise_url_decodes_unreserved_escapes_and_uppercases_the_rest() -> None:
    assert normalise_url("http://blog.test/by-%300/i%e2%80%99ll/") == "http://blog.test/by-00/i%E2%80%99ll/"
    assert normalise_url("http://blog.test/a%2Fb?q=%2f") == "http://blog.test/a%2Fb?q=%2F"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://blog.test/2009/04/20/x/2009/04/20/y/", "repeated_path"),
        ("http://blog.test/category/a/category/a/", "repeated_path"),
        ("http://blog.test/" + "a/" * 21, "repeated_path"),
        ("http://blog.test/2010/10/10/10-things/", None),
        ("http://blog.test/category/iot/page/2/wp-content/uploads/a.png", "path"),
    ],
)
def test_pathological_paths_are_traps(url: str, reason: str | None) -> None:
    assert trap_reason(url) == reason


def test_a_malformed_author_url_is_dropped_not_raised() -> None:
    assert clean_url("http://mailto:someone.example.org") is None
    assert clean_url("https://example.org/~me") == "https://example.org/~me"


LISTING_PAGE = """<html><head><link rel="next" href="page/2/index.html"></head><body class="home blog">
<ul id="menu"><li class="page_item"><a href="about/index.html">About</a></li></ul>
<div class="post"><h2><a href="2009/04/20/first/index.html" rel="bookmark">First</a></h2>
<a href="2009/04/20/first/index.html#comments">2 comments</a>
<a href="2009/04/20/first/attachment-page/" rel="attachment wp-att-9">image</a></div>
<div class="post"><h2><a href="2009/04/18/second/" rel="bookmark">Second</a></h2></div>
<div id="sidebar"><a href="2009/03/12/older/">An older post</a> <a href="notes/">Notes</a>
<a href="2009/04/">April 2009</a> <a href="2009/04/18/">18</a> <a href="category/news/">News</a>
<a href="?replytocom=5">Reply</a> <a href="feed/">RSS</a> <a href="wp-login.php">Log in</a>
<a href="2009/04/20/first/comment-page-2/">Older comments</a>
<a href="http://elsewhere.test/2009/01/01/x/">Elsewhere</a> <a href="mailto:a@b.test">Mail</a></div>
</body></html>"""


def test_harvest_sorts_a_listing_page_and_offers_each_link_once() -> None:
    graph = LinkGraph(HOME)
    graph.learn("http://blog.test/2009/01/01/known/")
    doc = Document.parse(LISTING_PAGE, HOME)
    found = graph.harvest(doc)
    assert found.listings == [
        "http://blog.test/page/2/",
        "http://blog.test/2009/04/",
        "http://blog.test/category/news/",
    ]
    # Marked (bookmark, page menu) or shaped like a permalink already found: first.
    assert found.likely_posts == [
        "http://blog.test/about/",
        "http://blog.test/2009/04/20/first/",
        "http://blog.test/2009/04/18/second/",
        "http://blog.test/2009/03/12/older/",
    ]
    assert found.posts == ["http://blog.test/notes/"]
    assert graph.skipped == {"day_archive": 1, "param_replytocom": 1, "path": 2}
    assert graph.in_page_menu("http://blog.test/about/index.html")
    assert graph.is_marked("http://blog.test/2009/04/18/second/")
    again = graph.harvest(doc)
    assert (again.listings, again.likely_posts, again.posts) == ([], [], [])


def test_a_moved_static_copy_is_read_where_it_is_served() -> None:
    page = LISTING_PAGE.replace('href="2009/', 'href="http://blog.test/wp-content/plugins/exporter/static/2009/')
    doc = Document.parse(page, HOME)
    prefix = links_prefix(doc, HOME)
    assert prefix == "http://blog.test/wp-content/plugins/exporter/static/"
    graph = LinkGraph(HOME, rebase=(prefix, HOME))
    assert "http://blog.test/2009/04/18/second/" in graph.harvest(doc).likely_posts
    assert links_prefix(Document.parse(LISTING_PAGE, HOME), HOME) is None


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ('<body class="attachment single attachmentid-9"><article id="post-9"></article></body>', "attachment"),
        ('<body class="error404"><h1>Not found</h1></body>', "error"),
        ('<body><div class="post-26 post hentry"><h1 class="entry-title">T</h1></div></body>', "post"),
        ('<body><div class="post-26 post hentry"></div><div class="post-27 post hentry"></div></body>', "listing"),
        ("<body><h1>News</h1><p>Moved.</p></body>", "other"),
    ],
)
def test_document_kind(body: str, kind: str) -> None:
    assert document_kind(Document.parse(f"<html>{body}</html>", HOME)) == kind
