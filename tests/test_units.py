"""Small pure functions: dates, URLs, traps, share services, cleaning."""

from __future__ import annotations

import random
from datetime import datetime
from urllib.parse import urljoin

import pytest

from pipelines.cleaning import clean_text, sanitise_html
from spiders.extraction.dates import _day, normalise_machine_date, parse_text_date, with_offset
from spiders.extraction.sharing import _SERVICES, _SHARE_URL, _may_match_share_url, share_service
from spiders.extraction.text import absolute_url
from spiders.urls import comment_page_number, in_scope, post_url_of_comment_page, site_prefix, trap_reason


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("April 8, 2013 at 9:02 am", None, "2013-04-08T09:02:00"),
        ("April 8th, 2008 at 12:15 pm", None, "2008-04-08T12:15:00"),
        ("April 8, 2013 at 12:05 am", None, "2013-04-08T00:05:00"),
        ("Posted on Sunday, 7 April 2013 by Jane", None, "2013-04-07"),
        ("7. April 2013 um 9:02 Uhr", "de", "2013-04-07T09:02:00"),
        ("7 avril 2013", "fr", "2013-04-07"),
        ("7 de abril de 2013 a las 14:12", "es", "2013-04-07T14:12:00"),
        ("7 de abril de 2013", "pt", "2013-04-07"),
        # date_i18n() translates the month of "F jS, Y" but not the English suffix of "S"
        ("Juni 19th, 2018", "de-DE", "2018-06-19"),
        ("Januar 1st, 2017", "de", "2017-01-01"),
        ("Comment by Daniel — 17.07, 2011 @ 13:10", "de", "2011-07-17T13:10:00"),
        ("Version 3.5, 2011", None, None),
        ("2013-04-07", None, "2013-04-07"),
        ("February 30, 2013", None, None),
        ("no date here", None, None),
        ("", None, None),
    ],
)
def test_text_dates(text: str, language: str | None, expected: str | None) -> None:
    assert parse_text_date(text, language) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2013-04-07T10:15:00+00:00", "2013-04-07T10:15:00+00:00"),
        ("2013-04-07T10:15:00Z", "2013-04-07T10:15:00+00:00"),
        ("2013-04-07T10:15:00-0400", "2013-04-07T10:15:00-04:00"),
        ("2013-04-07T10:15", "2013-04-07T10:15:00"),
        ("2013-04-07", "2013-04-07"),
        ("2013-13-07", None),
    ],
)
def test_machine_dates(value: str, expected: str | None) -> None:
    assert normalise_machine_date(value) == expected


def test_rest_local_and_gmt_give_the_offset() -> None:
    assert with_offset("2013-04-07T10:15:00", "2013-04-07T14:15:00") == "2013-04-07T10:15:00-04:00"
    assert with_offset("2013-01-07T10:15:00", "2013-01-07T15:15:00") == "2013-01-07T10:15:00-05:00"
    assert with_offset("2013-01-07T10:15:00", None) == "2013-01-07T10:15:00"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://b.example/2013/04/07/post/?replytocom=12", "param_replytocom"),
        ("http://b.example/2013/04/07/post/?share=twitter&nb=1", "param_nb"),
        ("http://b.example/?m=201304", "param_m"),
        ("http://b.example/?s=soviet", "param_s"),
        ("http://b.example/wp-login.php?action=register", "param_action"),
        ("http://b.example/wp-login.php", "path"),
        ("http://b.example/2013/04/07/post/embed/", "path"),
        ("http://b.example/2013/04/", "date_archive"),
        ("http://b.example/wp-content/uploads/a.jpg", "path"),
        ("http://b.example/2013/04/07/post/", None),
        ("http://b.example/?p=12", None),
        ("http://b.example/about/", None),
    ],
)
def test_traps(url: str, reason: str | None) -> None:
    assert trap_reason(url) == reason


def test_scope_and_comment_pages() -> None:
    assert site_prefix("http://B.example:80/hist380/") == "http://b.example/hist380/"
    assert site_prefix("http://b.example/hist380/2013/04/07/post/") == "http://b.example/hist380/2013/04/07/post/"
    assert in_scope("http://b.example/hist380/about/", "http://b.example/hist380/")
    assert not in_scope("http://b.example/other/", "http://b.example/hist380/")
    assert not in_scope("http://evil.example/hist380/", "http://b.example/hist380/")
    assert comment_page_number("http://b.example/p/comment-page-3/") == 3
    assert comment_page_number("http://b.example/?p=4&cpage=2") == 2
    assert comment_page_number("http://b.example/p/") is None
    assert post_url_of_comment_page("http://b.example/p/comment-page-3/") == "http://b.example/p/"


@pytest.mark.parametrize(
    ("url", "service"),
    [
        ("http://digg.com/submit?url=x&title=y", "digg"),
        ("http://www.stumbleupon.com/submit?url=x", "stumbleupon"),
        ("http://reddit.com/submit?url=x", "reddit"),
        ("http://twitter.com/home?status=x", "twitter"),
        ("https://twitter.com/intent/tweet?url=x", "twitter"),
        ("https://www.facebook.com/sharer.php?u=x", "facebook"),
        ("http://del.icio.us/post?url=x", "delicious"),
        ("https://www.addtoany.com/add_to/linkedin?linkurl=x", "linkedin"),
        ("http://b.example/post/?share=email&nb=1", "email"),
        ("https://twitter.com/hist380course", None),
        ("https://www.facebook.com/hist380", None),
        # Jetpack's links as static mirrors saved them (wget: the query in the file's name)
        ("http://b.example/post/index.html%3Fshare=facebook.html", "facebook"),
        ("http://b.example/post/index.html%3fshare=x.html", "twitter"),
        ("http://b.example/post/index.html@share=email.html", "email"),
        ("http://b.example/post/index.html%3Fshare=jetpack-whatsapp.html", "whatsapp"),
        ("http://b.example/tag/share=fun/", None),
        # Viber's share scheme, a service outside the list
        ("viber://forward?text=Post%20https://b.example/post/", "other"),
        ("viber://chat?number=123", None),
        ("https://www.addtoany.com/add_to/printfriendly?linkurl=x", "print"),
    ],
)
def test_share_services(url: str, service: str | None) -> None:
    assert share_service(url) == service


def test_share_url_prefilter_never_hides_a_match() -> None:
    """The cheap test before the share-URL regex may say "maybe" wrongly, never "no" wrongly:
    checked on random URLs built from every service's pieces, in mixed case."""
    pieces = [
        "digg.com/submit", "stumbleupon.com/badge", "reddit.com/submit", "twitter.com/share",
        "x.com/intent/post", "facebook.com/sharer.php", "delicious.com/save", "del.icio.us/post",
        "plus.google.com/share", "linkedin.com/shareArticle", "pinterest.com/pin/create",
        "tumblr.com/widgets/share", "api.whatsapp.com/send", "wa.me/?text=", "whatsapp://send",
        "getpocket.com/edit", "t.me/share", "telegram.me/share", "mastodonshare.com",
        "toot.kytta.dev", "/share?text=", "bsky.app/intent/compose",
        "www.", ".", "/", "?u=", "example.org", "box", "me", "share", "com",
    ]  # fmt: skip
    # A sample of every service (a service added to sharing.py needs one here).
    assert {match.lastgroup for piece in pieces if (match := _SHARE_URL.search(piece))} == set(_SERVICES)
    generator = random.Random(4)
    matches = 0
    for _ in range(20_000):
        target = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 4)))
        target = "".join(c.upper() if generator.random() < 0.2 else c for c in target)
        if _SHARE_URL.search(target):
            matches += 1
            assert _may_match_share_url(target), target
    assert matches > 1_000  # the test saw many real matches


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="http://evil.example/"></iframe>',
        '<div style="width: expression(alert(1))">x</div>',
        '<svg onload="alert(1)"></svg>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        "<p>unclosed <b>bold <i>",
    ],
)
def test_sanitise_removes_anything_that_runs(hostile: str) -> None:
    cleaned = sanitise_html(f"<p>kept</p>{hostile}")
    lowered = cleaned.lower()
    assert "kept" in cleaned
    for bad in ("<script", "onerror", "onload", "javascript:", "<iframe", "expression(", "style="):
        assert bad not in lowered


def test_clean_text_keeps_paragraphs() -> None:
    assert clean_text("  one \t two \n\n\n\n three  ") == "one two\n\nthree"
    assert clean_text("   ") is None


def _fragment(html: str):
    from lxml import etree

    return etree.fromstring(html, etree.HTMLParser()).find("body")[0]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<div>\n  <p>One  two\tthree</p>\n\n\n<p>Four<br>five</p>  </div>", "One two three\n\nFour\nfive"),
        # \u2003 (em space) is kept inside a line, \u200b (zero-width space) becomes a space:
        # the rule stored texts were made with, so re-crawls do not see changed texts.
        ("<div><p>a\u2003\u2003b</p><p>c\u200bd \u00a0e</p></div>", "a\u2003\u2003b\n\nc d e"),
        ("<div><p>x</p><script>var a = 1;</script><ul><li>y</li><li>z</li></ul></div>", "x\n\ny\n\nz"),
    ],
)
def test_block_text(html: str, expected: str) -> None:
    from spiders.extraction.text import block_text

    assert block_text(_fragment(html)) == expected


def test_inner_html_escapes_leading_text() -> None:
    from spiders.extraction.text import to_html

    assert to_html(_fragment("<div>5 &lt; 6 &amp; <b>bold</b> tail</div>")) == "5 &lt; 6 &amp; <b>bold</b> tail"


@pytest.mark.parametrize(
    "html",
    [
        "<div>5 &lt; 6 &amp; <b>bold</b> tail</div>",
        "<div class='a' title='x &gt; y \"q\"' data-x=\"it's\">text<p>one</p>\n<p>two</p> tail</div>",
        '<div hidden title="a>b"><p>p</p></div>',
        "<div>\xa0nbsp é “curly” \x01</div>",
        "<div></div>",
        "<div><script>if (a < b && c > d) {}</script><br>after</div>",
        "<section><ul><li>one<li>two</ul><img src=x alt='&lt;'></section>",
    ],
)
def test_inner_html_is_the_children_serialised(html: str) -> None:
    """One serialisation of the element with its tags cut off equals the children's, one by one."""
    from html import escape

    from lxml import etree

    from spiders.extraction.text import to_html

    element = _fragment(html)
    children = [escape(element.text, quote=False) if element.text else ""]
    children += [etree.tostring(child, method="html", encoding="unicode", with_tail=True) for child in element]
    assert to_html(element) == "".join(children).strip()


@pytest.mark.parametrize(
    "href",
    [
        "http://b.example/2013/04/07/post/",
        "https://b.example/?p=12",
        "http://b.example/post/?",
        "http://b.example/post/#",
        "http://b.example/post;params",
        "http://b.example/po\nst/",
        "http://b.example/\tpost/",
        "http://b.example",
        "https://other.example/a/../b",
        "/category/history/",
        "../up/",
        "?cpage=2",
        "#comments",
    ],
)
def test_absolute_url_is_urljoin(href: str) -> None:
    """The fast path for links that are already absolute gives what urljoin gives."""
    base = "http://b.example/2013/04/07/post/"
    assert absolute_url(base, href) == urljoin(base, href)


@pytest.mark.parametrize("day", [(2013, 4, 8), (999, 1, 2), (1000, 12, 31), (9999, 1, 1), (1, 1, 1)])
def test_day_format_is_strftime(day: tuple[int, int, int]) -> None:
    assert _day(datetime(*day)) == datetime(*day).strftime("%Y-%m-%d")


def test_widget_class_prefilter_covers_every_widget_class() -> None:
    """`is_widget_area` tests tokens only when the class attribute holds one of these parts."""
    from spiders.extraction.regions import _WIDGET_CLASS_PARTS, _WIDGET_CLASSES

    assert all(any(part in token for part in _WIDGET_CLASS_PARTS) for token in _WIDGET_CLASSES)
    assert {"widget", "sidebar"} <= set(_WIDGET_CLASS_PARTS)  # the prefixes that count too


def test_english_month_prefilter_covers_every_month_name() -> None:
    """`_parse_text_date` skips the English rules when no month name can be in the text."""
    from spiders.extraction.dates import _ENGLISH_MONTH_PARTS, _MONTHS

    assert all(any(part in name for part in _ENGLISH_MONTH_PARTS) for name in _MONTHS)


def _trail(body: str) -> list[tuple[str, str | None]]:
    from spiders.extraction.breadcrumbs import extract_breadcrumbs
    from spiders.extraction.document import Document

    html = f"<html><body><div id='page'>{body}</div></body></html>"
    return [(crumb.label, crumb.url) for crumb in extract_breadcrumbs(Document.parse(html, "http://b.example/p/"))]


_ARIA_TRAIL = "<nav aria-label='Breadcrumb'><a href='/'>Home</a> / <a href='/c/'>Course</a> / Essay</nav>"
_CLASS_TRAIL = "<div class='breadcrumbs'><a href='/'>Start</a> &gt; <a href='/u/'>Unit</a> &gt; Essay</div>"


@pytest.mark.parametrize(
    ("body", "first"),
    [
        (_ARIA_TRAIL, "Home"),  # a trail named only by aria-label
        (f"{_ARIA_TRAIL}<p>text</p>{_CLASS_TRAIL}", "Home"),  # the first trail in the page wins
        (f"{_CLASS_TRAIL}<p>text</p>{_ARIA_TRAIL}", "Start"),
        (f"<div class='breadcrumb'>Posted</div>{_ARIA_TRAIL}", "Home"),  # a marked element with no trail
        # the outer, labelled element is read whole (the marked one inside it is not read alone)
        (f"<nav aria-label='breadcrumbs'><div class='breadcrumb'>Here</div>{_CLASS_TRAIL}</nav>", "Here"),
    ],
)
def test_aria_labelled_trails_in_page_order(body: str, first: str) -> None:
    trail = _trail(body)
    assert len(trail) >= 2 and trail[0][0] == first, trail


def test_media_hosts_the_blog_and_wordpress_cdns_by_default_others_when_named() -> None:
    from spiders.media import media_host_allowed

    home = "https://blogs.example.edu/hist380/"
    none: frozenset[str] = frozenset()
    assert media_host_allowed("https://blogs.example.edu/wp-content/uploads/a.png", home, none)
    for cdn in ("i0.wp.com", "i3.wp.com", "s1.wordpress.com", "s0.wp.com", "hist380.files.wordpress.com"):
        assert media_host_allowed(f"https://{cdn}/a.png", home, none), cdn
        assert not media_host_allowed(f"https://{cdn}/a.png", home, none, cdns=False), cdn
    for other in ("otherblog.wordpress.com", "i4.wp.com", "images.example.com", "wp.com.evil.example"):
        assert not media_host_allowed(f"https://{other}/a.png", home, none), other
    assert media_host_allowed("https://images.example.com/a.png", home, frozenset({"images.example.com"}))
    assert media_host_allowed("https://anything.example/a.png", home, frozenset({"*"}))
    assert not media_host_allowed("data:image/png;base64,AAAA", home, frozenset({"*"}))


_POST = "https://blog.example.org/2020/01/essay/"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # comment_form()'s title is no count, even in a language whose "a" is "one"
        ("<div id='comments'><div id='respond'><h3 id='reply-title'>Eine Antwort schreiben</h3></div></div>", None),
        ("<div id='comments'><h3 id='reply-title'>Einen Kommentar schreiben</h3></div>", None),
        # translations of "One thought on “%s”" and "One Response to “%s”"
        ("<div id='comments'><h2 class='comments-title'>Ein Gedanke zu „Essay“</h2></div>", 1),
        ("<h3 id='comments'><span>Eine Antwort zu „Essay“</span></h3>", 1),
        ("<div id='comments'><h3 id='comments-title'><em>Essay</em> için 4 cevap</h3></div>", 4),
        # the singular of each language's "%s Responses" (Dutch, Italian), and its "One"/"No"
        ("<div id='comments-header'><h2 class='title'>1 Reactie</h2></div>", 1),
        ("<p class='metadata'>door Janny | <a class='comments-link' href='#comments'>1 Reactie</a></p>", 1),
        ("<div id='comments'><h2 class='comments-title'>Één reactie op “Essay”</h2></div>", 1),
        ("<div id='comments'><h2 class='comments-title'>Geen reacties</h2></div>", 0),
        ("<div id='comments'><h3 class='comments-title'>1 commento</h3></div>", 1),
        ("<div id='comments'><h3 class='comments-title'>Una risposta a “Essay”</h3></div>", 1),
        ("<div id='comments'><h3 class='comments-title'>Nessun commento</h3></div>", 0),
        # Dutch comment_form() title: "een" is "a", not "one"
        ("<div id='comments'><h3 class='comments-title'>Een reactie achterlaten</h3></div>", None),
        # wpDiscuz's thread head, beside its counter of threads
        (
            "<div class='wpdiscuz-stat wpd-stat-threads'><span class='wpd-stat-threads-count'>63</span>"
            " Kommentar Themen</div><h3 id='wc-comment-header'><div class='wpdiscuz-comment-count'>"
            "<div class='wpd-cc-value'>112</div></div> Hinterlasse einen Kommentar</h3>",
            112,
        ),
    ],
)
def test_declared_comment_count(body: str, expected: int | None) -> None:
    from spiders.extraction.document import Document
    from spiders.extraction.page import declared_comment_count

    assert declared_comment_count(Document.parse(f"<html><body>{body}</body></html>", _POST)) == expected


def test_a_layout_column_named_for_the_sidebar_is_not_one() -> None:
    """A wrapper whose class or id names the sidebar beside it (`sidebar-included`, `id="sidebar"`
    on the content column) holds the post; the sidebar itself is still a widget area."""
    from spiders.extraction.document import Document

    page = (
        "<html><body class='single postid-7'><div class='content-wrapper sidebar-included'>"
        "<div id='sidebar' class='content-area'><article id='post-7' class='post hentry'>"
        "<h1 class='entry-title'>Essay</h1><p id='byline'>By Jane</p></article></div>"
        "<div id='secondary'><p id='widget'>Recent posts</p></div></div></body></html>"
    )
    index = Document.parse(page, _POST).index
    assert not index.in_widget_area(index.by_id["byline"][0])
    assert index.in_widget_area(index.by_id["widget"][0])


def test_a_page_read_is_freed_without_the_garbage_collector() -> None:
    """Reading a page leaves no reference cycle: its tree and element index go as soon as the post
    is read. A cycle through the index (a bound method of it kept in its own memo) left every page's
    elements for the cyclic garbage collector to find, walking them all: a fifth of a crawl's CPU (#16)."""
    import gc

    from archive.cli import load_page
    from spiders.extraction.index import PageIndex
    from spiders.extraction.page import extract_post
    from tests.conftest import fixture_cases

    gc.collect()
    gc.disable()
    try:
        for case in fixture_cases():
            text, _ = load_page(str(case / "page.html"))
            extract_post(text, _POST)
        left = [o for o in gc.get_objects() if isinstance(o, PageIndex)]
    finally:
        gc.enable()
    assert not left


def test_the_garbage_collector_is_set_for_the_crawl_and_given_back() -> None:
    """Start-up's objects are frozen and the youngest generation's threshold raised while the
    crawl runs (spiders/garbage.py); both are undone when the spider closes."""
    import gc

    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from spiders.garbage import YOUNG_THRESHOLD, GarbageCollection

    with pytest.raises(NotConfigured):
        GarbageCollection.from_crawler(get_crawler(settings_dict={"ARCHIVE_GC_TUNING": False}))
    before = gc.get_threshold()
    tuning = GarbageCollection.from_crawler(get_crawler())
    tuning.engine_started()
    try:
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (max(YOUNG_THRESHOLD, before[0]), *before[1:])
    finally:
        tuning.spider_closed()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        # a name with no class the rules know, confirmed by the reply link's label
        ("<span class='c-meta'>| Chaka Artwell</span>", "Chaka Artwell"),
        ("<p><a class='c-name' href='#'>Mm</a> on 2 May 2019</p>", "Mm"),
        # the label's name shown nowhere outside the comment's text: no author
        ("<span class='c-meta'>Posted on 3 May 2019</span>", None),
    ],
)
def test_comment_author_from_the_reply_links_label(meta: str, expected: str | None) -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    page = (
        "<html><body><ol class='commentlist'><li id='comment-5' class='comment depth-1'>"
        f"<div class='c-body'>{meta}<div class='comment-content'><p>Chaka Artwell wrote this.</p></div>"
        "<a class='comment-reply-link' href='?replytocom=5#respond' data-commentid='5'"
        f" aria-label='Reply to {expected or 'Chaka Artwell'}'>Reply</a></div></li></ol></body></html>"
    )
    (comment,) = extract_comments(Document.parse(page, _POST))
    assert comment.author == expected


@pytest.mark.parametrize(
    ("author_line", "label", "expected"),
    [
        # the date printed in the author's own element, after the name
        ("<strong>Ben</strong> 19. Juni 2018 um 15:28 Uhr", "Antworte auf Ben", "Ben"),
        # a role badge on the line after the name, inside the name's element
        ("<cite class='fn'>Martina Berg<br><span class='badge'>Autor</span></cite>", "Antworte auf Martina Berg",
         "Martina Berg"),
        # the name as the label gives it: nothing to cut
        ("<cite class='fn'>Jane van Dyke</cite>", "Reply to Jane van Dyke", "Jane van Dyke"),
        # a label that does not begin the name says nothing about it
        ("<cite class='fn'>Jane Doe (guest)</cite>", "Reply to Janet", "Jane Doe (guest)"),
    ],
)
def test_comment_author_is_cut_to_the_reply_links_name(author_line: str, label: str, expected: str) -> None:
    """get_comment_reply_link() labels the link with get_comment_author(): an author line that
    starts with that name and goes on holds the name and something else (a date, a badge)."""
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    page = (
        "<html><body><ol class='commentlist'><li id='comment-5' class='comment depth-1'>"
        f"<div class='comment-author meta'>{author_line}"
        f"<a class='comment-reply-link' href='?replytocom=5#respond' data-commentid='5' aria-label='{label}'>"
        "Antworten</a></div><div class='comment-text'><p>Ein Text.</p></div></li></ol></body></html>"
    )
    (comment,) = extract_comments(Document.parse(page, _POST))
    assert comment.author == expected


def test_wpdiscuz_7_replies_take_the_depth_of_their_wrapper() -> None:
    """wpDiscuz 7 puts `comment depth-N` on a wrapper two levels above the `comment-N` element."""
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    def thread(wp_id: int, parent: int, depth: int, inner: str = "") -> str:
        return (
            f"<div id='wpd-comm-{wp_id}_{parent}' class='comment depth-{depth} wpd-comment'>"
            f"<div class='wpd-comment-wrap'><div id='comment-{wp_id}' class='wpd-comment-right'>"
            f"<div class='wpd-comment-author'>Name {wp_id}</div><div class='wpd-comment-text'><p>Text {wp_id}</p>"
            f"</div></div></div>{inner}</div>"
        )

    body = thread(1, 0, 1, thread(2, 1, 2)) + thread(3, 0, 1)
    page = f"<html><body><div class='wpd-thread-list'>{body}</div></body></html>"
    found = [(c.wp_id, c.parent_wp_id, c.depth) for c in extract_comments(Document.parse(page, _POST))]
    assert found == [(1, None, 1), (2, 1, 2), (3, None, 1)]


def test_post_date_is_never_a_comments_date() -> None:
    """A comment (WordPress's `div-comment-N`) in a list the section rules do not know by name
    still holds no date of the post's: the post's own line, later in the rules' order, gives it."""
    from spiders.extraction.page import extract_post

    page = (
        "<html><body><div class='post'><div class='post-title'>22 Mar 2008 10:54 pm</div>"
        "<div class='post-content'><p>Text.</p></div></div><div class='thread'><div id='div-comment-9'>"
        "<cite>Jane</cite><div class='meta'>2008-03-23 00:58:51</div><p>Reply.</p></div></div></body></html>"
    )
    # (a URL without a date: a /2020/01/ permalink would contradict the 2008 date)
    assert extract_post(page, "https://blog.example.org/essay/").published == "2008-03-22T22:54:00"


def test_a_placeholder_in_the_trackback_list_is_no_comment() -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    page = (
        "<html><body><ol class='commentlist'><li id='comment-4' class='comment'><cite>Jane</cite>"
        "<p>Text.</p></li></ol><ol class='trackbacklist'><li class='trackback'>No trackbacks yet.</li></ol>"
        "</body></html>"
    )
    assert [c.author for c in extract_comments(Document.parse(page, _POST))] == ["Jane"]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    from spiders.politeness import retry_after_seconds

    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120", now) == 120
    assert retry_after_seconds(b"Sun, 06 Dec 2026 12:01:30 GMT", now) == 90
    assert retry_after_seconds(b"Sun, 06 Dec 2026 11:00:00 GMT", now) == 0  # already past
    assert retry_after_seconds(b"soon", now) is None and retry_after_seconds(None, now) is None


def test_a_byline_keeps_a_short_surname_before_a_number() -> None:
    """The name ends at a date, not at a short word before a number: "Doe 2012" is a surname and a
    year, "on 12" and "am 3." are date words (the name was cut to "Jane" before)."""
    from spiders.extraction.page import _name_in_byline

    assert _name_in_byline("By Jane Doe 12 March 2012") == "Jane Doe"
    assert _name_in_byline("Bob Fox 3 days ago") == "Bob Fox"
    assert _name_in_byline("By Jane Doe on 12 March 2012") == "Jane Doe"
    assert _name_in_byline("Von Max Muster am 3. Mai 2012") == "Max Muster"
    assert _name_in_byline("Par Jean Dupont le 3 mai 2012") == "Jean Dupont"


@pytest.mark.parametrize(
    ("depth", "home", "own"),
    [
        # a static mirror's home link: the steps up to the root where wp-content sits, index file
        ("", "index.html", "tools.html"),
        ("../../", "../../index.html", "index.html"),
        ("./../../", "./../../", "./index.html"),
    ],
)
def test_a_heading_linked_to_a_mirrors_home_is_the_sites_name(depth: str, home: str, own: str) -> None:
    """Old themes print the site's name as the only h1, linked to the home page (home_url()); a
    static mirror writes that link relatively, and the <title> ("Tools « Site") names both. The
    post's own heading links to its own file or folder ("index.html" two folders down), not home."""
    from spiders.extraction.page import extract_post

    page = (
        f"<html><head><title>Tools &laquo; The Site</title><link rel='stylesheet' href='{depth}wp-content/"
        f"themes/t/style.css'></head><body><div id='header'><h1><a href='{home}'>The Site</a></h1></div>"
        f"<div class='page'><h2 class='posttitle-page'><a href='{own}'>Tools</a></h2><p>Text.</p></div>"
        "</body></html>"
    )
    assert extract_post(page, "https://realpages.invalid/tools.html").title == "Tools"


def test_the_entry_title_heading_outranks_a_later_heading_the_metadata_repeats() -> None:
    """hAtom's entry-title on a heading is the_title() as shown; a heading lower down (a product's
    description) that og:title repeats does not replace it. A Query Loop's titles (other posts,
    post-N of another N) are not the post's entry title."""
    from spiders.extraction.page import extract_post

    page = (
        "<html><head><meta property='og:title' content='Atmos 65 Rental | Shop'><title>Atmos 65 Rental | Shop"
        "</title></head><body class='single postid-7'><div id='product-7' class='product post-7'>"
        "<h1 class='product_title entry-title'>Atmos AG 65 Rental</h1><div class='description'>"
        "<h2>Atmos 65 Rental</h2><p>Text.</p></div></div></body></html>"
    )
    assert extract_post(page, _POST).title == "Atmos AG 65 Rental"
    query_loop = (
        "<html><head><meta property='og:title' content='The Essay'></head><body class='single postid-7'>"
        "<h2 class='wp-block-post-title'>The Essay</h2><main><div class='entry-content'><p>Text.</p></div>"
        "<ul class='wp-block-post-template'><li class='wp-block-post post-9'><h2 class='wp-block-post-title'>"
        "<a href='/other/'>Other Post</a></h2></li></ul></main></body></html>"
    )
    assert extract_post(query_loop, _POST).title == "The Essay"


@pytest.mark.parametrize(
    ("url", "head", "meta_line", "expected"),
    [
        # a date permalink is made from the post's date: another date of the page gives way to it
        ("https://b.example/2019/05/07/essay/", "", "Posted on 3 June 2021", "2019-05-07"),
        # a day apart is a time zone, not a contradiction
        ("https://b.example/2019/05/07/essay/", "", "Posted on 8 May 2019", "2019-05-08"),
        # year and month alone: a date outside that month is dropped, one inside it kept
        ("https://b.example/2019/05/essay/", "", "Posted on 3 June 2021", None),
        ("https://b.example/2019/05/essay/", "", "Posted on 31 May 2019", "2019-05-31"),
        ("https://b.example/2019/12/essay/", "", "Posted on 1 January 2020", "2020-01-01"),
        # the shown date is the modified one: the published metadata is taken
        (
            "https://b.example/essay/",
            "<meta property='article:published_time' content='2020-03-10T15:30:00+00:00'>"
            "<meta property='article:modified_time' content='2025-02-12T08:00:00+00:00'>",
            "Updated <time class='entry-date published updated' datetime='2025-02-12T13:28:34+05:30'>"
            "12th February 2025</time>",
            "2020-03-10",
        ),
        # ... but a shown date that is not the modified one stays (the metadata may be an import's)
        (
            "https://b.example/essay/",
            "<meta property='article:published_time' content='2020-03-10T15:30:00+00:00'>"
            "<meta property='article:modified_time' content='2025-02-12T08:00:00+00:00'>",
            "<time class='entry-date published' datetime='2021-06-01T10:00:00+02:00'>1 June 2021</time>",
            "2021-06-01",
        ),
    ],
)
def test_the_post_date_agrees_with_the_permalink_and_is_not_the_modified_date(
    url: str, head: str, meta_line: str, expected: str | None
) -> None:
    from spiders.extraction.page import extract_post

    page = (
        f"<html><head>{head}</head><body class='single postid-7'><article id='post-7' class='post hentry'>"
        f"<h1 class='entry-title'>Essay</h1><div class='entry-meta'>{meta_line}</div>"
        "<div class='entry-content'><p>Text.</p></div></article></body></html>"
    )
    published = extract_post(page, url).published
    assert (published[:10] if published else None) == expected


def test_a_json_ld_author_that_is_a_url_is_no_name() -> None:
    """schema.org allows the author's page (a URL) as `author`: no name; the metadata's is read."""
    from spiders.extraction.page import extract_post

    page = (
        "<html><head><script type='application/ld+json'>{\"@type\": \"BlogPosting\", \"headline\": \"Essay\","
        " \"author\": \"https://b.example/author/jegx/#author\"}</script>{meta}</head><body><div class='post'>"
        "<h1>Essay</h1><p>Text.</p></div></body></html>"
    )
    assert extract_post(page.replace("{meta}", ""), _POST).author is None
    assert extract_post(page.replace("{meta}", "<meta name='author' content='JeGX'>"), _POST).author == "JeGX"


@pytest.mark.parametrize(
    ("byline", "meta", "expected"),
    [
        # the byline's date after the name, which the metadata states alone
        ("Posted by <span class='author'>R4ndom on Jun.08</span>", "R4ndom", "R4ndom"),
        # the metadata's name is not the start of the byline's: the byline is kept
        ("Posted by <span class='author'>R4ndom on Jun.08</span>", "Random", "R4ndom on Jun.08"),
        # words without a number after the name are not a date: kept as shown
        ("Posted by <span class='author'>Kristin Addis</span>", "Kristin", "Kristin Addis"),
        # a name with a digit that the metadata states as it is
        ("Posted by <span class='author'>R2 Unit</span>", "R2", "R2 Unit"),
    ],
)
def test_a_bylines_date_after_the_name_the_metadata_states_is_cut(byline: str, meta: str, expected: str) -> None:
    from spiders.extraction.page import extract_post

    page = (
        f"<html><head><meta name='author' content='{meta}'></head><body class='single postid-7'>"
        f"<article id='post-7' class='post hentry'><h1 class='entry-title'>Essay</h1><p class='byline'>{byline}"
        "</p><div class='entry-content'><p>Text.</p></div></article></body></html>"
    )
    assert extract_post(page, "https://b.example/essay/").author == expected


def test_no_comments_declared_on_a_page_that_lists_comments_is_not_read() -> None:
    """"No Comments" in a line of the page while its comment list shows comments: the two
    contradict, so the count is not this post's statement (NULL, not a wrong 0)."""
    from spiders.extraction.page import extract_post

    def page(comments: str) -> str:
        return (
            "<html><body class='single postid-7'><article id='post-7' class='post hentry'>"
            "<h1 class='entry-title'>Essay</h1><span class='comments-link'><a href='#respond'>No Comments</a>"
            f"</span><p>Text.</p></article><div id='comments'><ol class='commentlist'>{comments}</ol></div>"
            "</body></html>"
        )

    listed = "<li id='comment-5' class='comment depth-1'><cite class='fn'>Jane</cite><p>Reply.</p></li>"
    pingback = "<li id='comment-6' class='pingback'><cite class='fn'>Other Blog</cite></li>"
    assert extract_post(page(listed), _POST).comment_count_declared is None
    assert extract_post(page(pingback), _POST).comment_count_declared == 0  # "No comments", one pingback
    assert extract_post(page(""), _POST).comment_count_declared == 0


def test_debug_lines_for_every_response_and_item_only_when_the_log_shows_them() -> None:
    from scrapy import Spider
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from spiders.logformat import QuietLogFormatter

    request = Request(_POST)
    response = HtmlResponse(_POST, body=b"<html></html>", request=request)
    spider = Spider("s")
    for level, shown in (("INFO", False), ("WARNING", False), ("DEBUG", True), (10, True), (20, False)):
        formatter = QuietLogFormatter.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": level}))
        assert (formatter.crawled(request, response, spider) is not None) is shown, level
        assert (formatter.scraped({"a": 1}, response, spider) is not None) is shown, level


def test_a_pingback_is_named_by_the_whole_title_of_the_post_that_linked() -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    # Kubrick's markup on a saved real blog (academicproductivity): a pingback without a link,
    # its author the linking post's title, longer than any person's name.
    title = (
        "Blog Web World &raquo; Blog Archive &raquo; The definitive hack for your music collection and"
        " how to use it to help you reach productivity nirvana: MusicIP review"
    )
    page = (
        "<html><body><ol class='commentlist'><li id='comment-7' class='pingback'>"
        f"<div class='comment-author vcard'><cite class='fn'>{title}</cite> <span class='says'>says:</span></div>"
        "<p>[...] talked about how [...]</p></li>"
        "<li id='comment-8' class='comment'><div class='comment-author vcard'><cite class='fn'>"
        f"{'Jane ' * 30}</cite></div><p>Text.</p></li></ol></body></html>"
    )
    pingback, comment = extract_comments(Document.parse(page, _POST))
    assert pingback.type == "pingback" and pingback.author == title.replace("&raquo;", "»")
    assert comment.author is None  # a commenter's "name" of 150 characters is not read as one


def test_a_link_to_an_author_archive_in_the_post_text_is_no_byline() -> None:
    from spiders.extraction.page import extract_post

    # A page of a saved real blog (academicproductivity's colophon) introducing its authors.
    text = (
        "<p><strong>Jose</strong> wanted to be a matador.</p>"
        "<ul><li><a href='https://blog.example.org/author/jq/'>posts by jose</a></li></ul>"
    )
    page = (
        "<html><body class='page'><div class='post' id='post-36'><h2>Colophon</h2>{}"
        "<div class='entry'>{}</div></div></body></html>"
    )
    assert extract_post(page.format("", text), _POST).author is None
    # the_author_posts_link() in the meta line: the name alone is the link's text
    byline = "<p class='postmetadata'>By <a href='https://blog.example.org/author/jq/'>Jose Quesada</a></p>"
    assert extract_post(page.format(byline, text), _POST).author == "Jose Quesada"


def test_output_before_the_doctype_keeps_the_pages_own_html_and_body_attributes() -> None:
    from spiders.extraction.document import Document
    from spiders.extraction.page import extract_post

    # A plugin printed a hidden div before <!DOCTYPE> (a saved real blog's page, fluffysblog):
    # the parser opens <html> and <body> itself; a browser still gives them the page's attributes.
    page = (
        "<div style='display:none;'>Sorry, there is no translation.</div><!DOCTYPE html>\n"
        "<html lang='en-US'><head><title>Translator</title></head>"
        "<body class='page page-id-85 page-template'><div id='post-85' class='post-85 page'>"
        "<h2>Translator</h2><div class='entry'><p>Type here.</p></div></div></body></html>"
    )
    doc = Document.parse(page, _POST)
    assert doc.body_classes == {"page", "page-id-85", "page-template"} and doc.language == "en-us"
    post = extract_post(page, _POST)
    assert (post.type, post.wp_id) == ("page", 85)


def test_a_date_in_a_trackbacks_stored_excerpt_is_not_its_date() -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    # An unclassed trackback list (a saved real page, 045): the link, then the "[…] excerpt"
    # WordPress stored, which the theme cut short; the date in it is the linking post's text.
    page = (
        "<html><body><ol class='pinglist'><li id='comment-1337'><a href='https://other.example/post/' class='url'>"
        "&raquo; Das NetzDG</a> - [&#8230;] Sie auch die Beiträge: „Sorgfaltspflicht“ (7.6.2017) und…</li>"
        "<li id='comment-1338'><a href='https://other.example/two/' class='url'>Another blog</a>"
        " 5. Mai 2017 - [&#8230;] an excerpt of 3.4.2016 [&#8230;]</li></ol></body></html>"
    )
    comments = extract_comments(Document.parse(page, _POST))
    assert [(c.wp_id, c.published) for c in comments] == [(1337, None), (1338, "2017-05-05")]


def test_a_heading_repeating_a_piece_of_the_title_yields_to_the_whole_title() -> None:
    from spiders.extraction.page import extract_post

    # A saved real blog (whizzy, emmet-lite): the theme's h1.page-title above the post's element,
    # and the post's text opening with an h1 of the title's first piece.
    page = (
        "<html><head><title>bravialib &#8211; a Python library to abstract the Bravia web API &#8211;"
        " whizzy.org</title></head><body class='single postid-7'><header><h1 class='page-title'>bravialib"
        " &#8211; a Python library to abstract the Bravia web API</h1></header><article id='post-7'"
        " class='post-7 post'><div class='entry-content'><h1>bravialib</h1><p>Text.</p></div></article>"
        "</body></html>"
    )
    assert extract_post(page, _POST).title == "bravialib – a Python library to abstract the Bravia web API"
    # a heading that is the whole title piece stays the title
    alone = page.replace(" &#8211; a Python library to abstract the Bravia web API</h1></header>", "</h1></header>")
    assert extract_post(alone, _POST).title == "bravialib"


def test_a_pingback_from_is_a_pingback() -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    # Kubrick-style markup without type classes, as translated themes print it: "Pingback von"
    # (German for "Pingback from") in the cite, a "|" before the date, the stored "[…] excerpt […]".
    item = (
        "<li id='comment-{0}'><cite>{1} <a href='https://other.example/{0}/' rel='external nofollow'"
        " class='url'>Linking blog - Lesezeichen</a></cite>| <small><a href='#comment-{0}'>11.09.2011 23:31</a>"
        "</small><p>{2}</p></li>"
    )
    page = "<html lang='de'><body><ol class='commentlist'>{}</ol></body></html>".format(
        item.format(1, "Pingback von", "[&#8230;] the post said so [&#8230;]")
        + item.format(2, "Trackback from", "A trackback&#8217;s own words")
        + item.format(3, "", "[&#8230;] a linking post, unnamed [&#8230;]")
        + "<li id='comment-4'><cite><a href='https://jane.example/' class='url'>Jane</a></cite> |"
        " <small>12.09.2011</small><p>Text by a reader [...]</p></li>"
    )
    comments = extract_comments(Document.parse(page, _POST))
    assert [(c.wp_id, c.type, c.author) for c in comments] == [
        (1, "pingback", "Linking blog - Lesezeichen"),
        (2, "trackback", "Linking blog - Lesezeichen"),
        (3, "pingback", "Linking blog - Lesezeichen"),
        (4, "comment", "Jane"),
    ]


def test_the_title_without_the_sites_part_after_any_separator_or_host_name() -> None:
    from spiders.extraction.page import extract_post

    # "Post ‹ Site": a separator themes use beside » and |; a colon inside the post's title stays.
    page = "<html><head><title>Guinée : un braconnier condamné ! &lsaquo; Projet Wara</title></head></html>"
    assert extract_post(page, _POST).title == "Guinée : un braconnier condamné !"
    # No <title> of its own, only an SVG icon's; the site's part in og:title is its host name.
    page = (
        "<html><head><meta property='og:title' content='Ein Presse-Event | EXAMPLE.org'></head><body>"
        "<a href='https://facebook.com/'><svg><title>Facebook icon</title><path d='M0 0'/></svg></a></body></html>"
    )
    assert extract_post(page, "https://www.example.org/ein-presse-event/").title == "Ein Presse-Event"


def test_a_date_in_a_pingbacks_author_is_not_its_date() -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    # A pingback that shows no date: its author is the linking post's title, which holds one.
    page = (
        "<html lang='de'><body><ol class='commentlist'><li id='comment-827' class='pingback'><p>Pingback: "
        "<a href='https://other.example/2014/04/04/camp/' class='url'>IT Camp 2014, 5.4.2014, Frankfurt</a></p>"
        "</li><li id='comment-828' class='pingback'><p>Pingback: <a href='https://other.example/b/' class='url'>"
        "Another blog</a></p> 7.4.2014</li></ol></body></html>"
    )
    comments = extract_comments(Document.parse(page, _POST))
    assert [(c.wp_id, c.published) for c in comments] == [(827, None), (828, "2014-04-07")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # "von" inside a name is no byline's "by"; the first of several authors is read
        ("von <a href='/autoren/mb/'>Marcus Bensmann</a>, <a href='/autoren/jvd/'>Justus von Daniels</a>",
         "Marcus Bensmann"),
        ("Veröffentlicht von Justus von Daniels", "Justus von Daniels"),
        # a disclaimer's "by the author" names nobody
        ("Abgelegt unter Coding. The views expressed by the author are personal.", None),
    ],
)
def test_the_byline_word_in_a_meta_line(line: str, expected: str | None) -> None:
    from spiders.extraction.page import extract_post

    page = (
        "<html lang='de'><body class='single postid-3'><article id='post-3' class='post-3 post'>"
        f"<h1 class='entry-title'>Titel</h1><p class='postmeta'>{line}</p>"
        "<div class='entry-content'><p>Text.</p></div></article></body></html>"
    )
    assert extract_post(page, _POST).author == expected


def test_a_date_after_a_commenters_name_and_a_separator_is_not_the_name() -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    # "Comment by Name — date @ time" in one cite, the name a link or plain text.
    item = (
        "<li id='comment-{}'><p>Text.</p><p><cite>Comment by {} &#8212; 17.07, 2011 @ <a href='#c'>13:10</a>"
        "</cite></p></li>"
    )
    page = "<html><body><ol class='commentlist'>{}{}{}</ol></body></html>".format(
        item.format(1, "Daniel"),
        item.format(2, "<a href='https://example.org/' rel='external nofollow' class='url'>Jan Dark</a>"),
        "<li id='comment-3'><p>Text.</p><p><cite>Comment by Weekly links &#8212; 12 picks</cite></p></li>",
    )
    comments = extract_comments(Document.parse(page, _POST))
    assert [c.author for c in comments] == ["Daniel", "Jan Dark", "Weekly links"]


def test_a_bylines_date_label_ends_the_name() -> None:
    from spiders.extraction.page import extract_post

    page = (
        "<html><body class='single postid-3'><article id='post-3' class='post-3 post'><header>"
        "<h1 class='entry-title'>Title</h1><div class='entry-details byline'><div class='author-wrap'>"
        "<span class='name'>Reuters</span></div>\n<div class='byline-dates'>Updated: January 16, 2020</div></div>"
        "</header><div class='entry-content'><p>Text.</p></div></article></body></html>"
    )
    assert extract_post(page, _POST).author == "Reuters"


def test_a_hidden_modified_date_in_the_meta_line_is_not_the_published_date() -> None:
    from spiders.extraction.page import extract_post

    # hAtom's `updated` (the_modified_date) hidden inside the meta line, before the date shown.
    page = (
        "<html lang='de-DE'><body class='single postid-3'><article id='post-3' class='post-3 post'>"
        "<h1 class='entry-title'>Titel</h1><div class='fusion-meta-info'><span class='vcard rich-snippet-hidden'>"
        "<span class='fn'>Moritz</span></span><span class='updated rich-snippet-hidden'>2019-01-07T17:27:31+02:00"
        "</span><span>Juni 19th, 2018</span> | Social Media</div><div class='entry-content'><p>Text.</p></div>"
        "</article></body></html>"
    )
    assert extract_post(page, "https://blog.example.org/vreni/").published == "2018-06-19"


@pytest.mark.parametrize(
    ("meta", "footer", "expected"),
    [
        ("Arentik d.o.o. - www.arentik.com", "", None),  # a web address: the theme's maker
        ("Peter Amende", "Theme by <a href='https://maker.example/'>Peter Amende</a>", None),
        ("Jane Doe", "Theme by <a href='https://maker.example/'>Peter Amende</a>", "Jane Doe"),
    ],
)
def test_the_meta_author_naming_the_themes_maker_is_no_author(meta: str, footer: str, expected: str | None) -> None:
    from spiders.extraction.page import extract_post

    page = (
        f"<html><head><meta name='author' content='{meta}'></head><body class='single postid-3'>"
        "<article id='post-3' class='post-3 post'><h1 class='entry-title'>Title</h1><div class='entry-content'>"
        f"<p>Text.</p></div></article><footer><aside>{footer}</aside></footer></body></html>"
    )
    assert extract_post(page, _POST).author == expected


def test_the_count_in_the_link_to_the_posts_own_comments() -> None:
    from spiders.extraction.page import extract_post

    url = "https://blog.example.org/2019/02/10/missgeschick/"
    page = (
        "<html><body class='single postid-3'><article id='post-3' class='post-3 post'><div class='meta'>"
        f"<span class='meta-comment'><a href='{url}#comments'>17 Comments</a></span></div>"
        "<h1 class='entry-title'>Title</h1><div class='entry-content'><p>Text.</p></div></article>"
        "<aside><ul><li><a href='https://blog.example.org/other/#comments'>4 Comments</a></li></ul></aside>"
        "</body></html>"
    )
    assert extract_post(page, url).comment_count_declared == 17
    # another post's comments link (a teaser's) states nothing about this one
    teaser = page.replace(f"{url}#comments", "https://blog.example.org/x/#comments")
    assert extract_post(teaser, url).comment_count_declared is None


def test_a_kubrick_meta_line_with_the_date_before_the_byline() -> None:
    from spiders.extraction.page import extract_post

    page = (
        "<html lang='de'><body class='single postid-3'><div class='post' id='post-3'><h1><a href='/p/'>Parken</a></h1>"
        "<small>11.05.2012, 10:22 von jovelstefan </small><div class='entry'><p>Text.</p></div></div></body></html>"
    )
    assert extract_post(page, _POST).author == "jovelstefan"


@pytest.mark.parametrize(
    ("column", "line"),
    [
        # a layout column named for the sidebar beside it, and the date in the post's "details" line
        ("<div class='sidebar_content'>", "<div class='post_detail'><img src='c.png' alt=''> 27 Sep 2016</div>"),
        ("<div class='mainwrap sidebar'>", "<div class='post-meta'><a href='/2016/09/27/'>27/09/2016</a></div>"),
    ],
)
def test_the_date_in_a_post_whose_column_is_named_sidebar(column: str, line: str) -> None:
    from spiders.extraction.page import extract_post

    # An old theme that marks nothing of the post (no post-N id, no hAtom classes): its heading
    # repeats the <title>'s first part.
    page = (
        "<html lang='fr-FR'><head><title>Un braconnier interpellé ! &lsaquo; Projet Wara</title></head>"
        f"<body class='single single-post postid-7'>{column}<div class='post_wrapper'>"
        "<h3><a href='/un-braconnier/'>Un braconnier interpellé !</a></h3>"
        f"{line}<p>Le texte.</p></div></div><div id='sidebar'><p>Archives: 3 Oct 2016</p></div></body></html>"
    )
    post = extract_post(page, "https://example.org/un-braconnier/")
    assert (post.title, post.published) == ("Un braconnier interpellé !", "2016-09-27")


def test_a_meta_line_marked_by_its_id() -> None:
    from spiders.extraction.page import extract_post

    page = (
        "<html lang='de-DE'><body class='single postid-3'><div id='main'><h2>Ear Candy!</h2><div id='meta'>"
        "<p>Freitag | 14. Juni 2019 | 15:49 VON Sina Giebel IN <a href='/category/fashion/' rel='category tag'>"
        "Fashion</a> | 0 COMMENTS</p></div><div class='text'><p>Text.</p></div></div></body></html>"
    )
    post = extract_post(page, "https://blog.example.org/ear-candy/")
    assert (post.published, post.author, post.comment_count_declared) == ("2019-06-14", "Sina Giebel", 0)


def test_share_links_of_a_page_saved_from_the_wayback_machine() -> None:
    from spiders.extraction.page import extract_post
    from spiders.extraction.sharing import archived_target

    wayback = "https://web.archive.org/web/20210916140120/"
    assert archived_target(wayback + "https://twitter.com/share?url=x") == "https://twitter.com/share?url=x"
    assert archived_target("https://web.archive.org/web/2013id_/whatsapp://send/?text=x") == "whatsapp://send/?text=x"
    assert archived_target("https://example.org/web/2013/04/post/") == "https://example.org/web/2013/04/post/"
    post = "https%3A%2F%2Fblog.example.org%2Fpost%2F"
    page = (
        "<html><body class='single postid-3'><article id='post-3' class='post-3 post'><h1 class='entry-title'>T</h1>"
        "<div class='entry-content'><p>Text.</p></div><div class='share'>"
        f"<a href='{wayback}https://twitter.com/share?url={post}'>Tweet</a>"
        f"<a href='{wayback}whatsapp://send/?text={post}'>WhatsApp</a>"
        f"<a href='{wayback}http://www.addtoany.com/add_to/printfriendly?linkurl={post}'>Print</a>"
        f"<a href='{wayback}https://twitter.com/example'>Follow us</a></div></article></body></html>"
    )
    services = [link.service for link in extract_post(page, "https://blog.example.org/post/").share_links]
    assert services == ["twitter", "whatsapp", "print"]


def test_a_trail_whose_last_crumb_is_the_pages_heading() -> None:
    from spiders.extraction.breadcrumbs import extract_breadcrumbs
    from spiders.extraction.document import Document

    page = (
        "<html><body><div class='breadcrumbs'><p>You are here:</p><ul><li><a href='/'>Home</a></li>"
        "<li><a href='/category/urteile/'>Urteile</a></li><li><h1 class='entry-title'>BGH: Kochbuch</h1></li></ul>"
        "</div><div class='post'><p>Text.</p></div></body></html>"
    )
    crumbs = extract_breadcrumbs(Document.parse(page, "https://example.org/bgh/"))
    assert [(c.label, c.url) for c in crumbs] == [
        ("Home", "https://example.org/"),
        ("Urteile", "https://example.org/category/urteile/"),
        ("BGH: Kochbuch", None),
    ]
    # a title area named for its breadcrumb, with the page's h1 beside a trail, is still no trail
    area = (
        "<html><body><div class='title-breadcrumb-area'><h1>Post</h1><a href='/'>Home</a> <a href='/a/'>A</a>"
        "</div></body></html>"
    )
    assert extract_breadcrumbs(Document.parse(area, "https://example.org/p/")) == []


def test_a_wrapper_around_an_empty_breadcrumb_list_is_no_trail() -> None:
    from spiders.extraction.breadcrumbs import extract_breadcrumbs
    from spiders.extraction.document import Document

    page = (
        "<html><body><div class='breadcrumb-wrap'><ul class='breadcrumb-list' itemscope"
        " itemtype='https://schema.org/BreadcrumbList'></ul><ul class='circular-list'><li>Featured:</li>"
        "<li><a href='/tracker'>Tracker</a></li><li><a href='/guide'>Visitors Guide</a></li></ul></div></body></html>"
    )
    assert extract_breadcrumbs(Document.parse(page, "https://example.org/p/")) == []


def test_an_author_link_in_a_quote_is_no_byline() -> None:
    from spiders.extraction.page import extract_post

    quote = (
        "<blockquote class='cc-short-block'><div class='blockquote-text'>Our work is to build a commons.</div>"
        "<div class='user-title'><a href='/author/ryan/'>Ryan Merkley, CEO</a></div></blockquote>"
    )
    page = (
        "<html><body class='page page-id-4'><div id='post-4' class='post-4 page'><h1>What we do</h1>"
        "<div class='entry-content'><p>Text.</p>{}</div></div></body></html>"
    )
    assert extract_post(page.format(quote), "https://example.org/about/").author is None
    byline = "<p class='meta'>By <a href='/author/jane/'>Jane Doe</a></p><p>Text.</p>"
    assert extract_post(page.format(byline), "https://example.org/about/").author == "Jane Doe"


def test_share_buttons_that_open_their_url_from_onclick() -> None:
    from spiders.extraction.page import extract_post

    post = "https%3A%2F%2Fblog.example.org%2Fpost%2F"
    page = (
        "<html><body class='single postid-3'><article id='post-3' class='post-3 post'><h1 class='entry-title'>T</h1>"
        "<div class='entry-content'><p>Text.</p></div><ul class='soc-list'>"
        f"<a href='#' onclick=\"window.open('http://www.facebook.com/sharer.php?u={post}', 'fb'); return false;\">F</a>"
        f"<a href='#' onclick=\"essb.window('https://twitter.com/intent/tweet?url={post}','twitter');\">T</a>"
        f"<a href='#' onclick=\"window.open('https://plusone.google.com/_/+1/confirm?url={post}');\">G</a>"
        "<a href='#' onclick=\"window.open('https://example.org/newsletter');\">Newsletter</a>"
        "<a href='javascript:window.print()'>Print</a></ul></article>"
        # the Wayback Machine's toolbar shares the archive's copy, not the post
        "<div id='wm-ipp'><a href='#' onclick=\"window.open('https://twitter.com/intent/tweet?text="
        "https://web.archive.org/web/2014/https://blog.example.org/post/');\">Share</a></div></body></html>"
    )
    services = [link.service for link in extract_post(page, "https://blog.example.org/post/").share_links]
    assert services == ["facebook", "twitter", "googleplus", "print"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a line that is only a date, right after the post's heading
        ("<h1>Top 10</h1><p>January 22, 2014</p><p>A generally accepted myth.</p>", "2014-01-22"),
        # a paragraph that begins by stating the publication (a podcast plugin's episode box)
        ("<h1>Episode 158</h1><p>Text.</p><p>Veröffentlicht am 16.08.2019<br>Dauer: 1 Stunde</p>", "2019-08-16"),
        # a date inside the text, or a paragraph about another publication, dates nothing
        ("<h1>Top 10</h1><p>On January 22, 2014 we met.</p><p>Published in Nature on 3 May 2019.</p>", None),
    ],
)
def test_a_date_line_without_a_class(body: str, expected: str | None) -> None:
    from spiders.extraction.page import extract_post

    page = f"<html lang='de'><body class='single postid-3'><div id='post-3' class='post-3 post'>{body}</div></body>"
    assert extract_post(page, "https://blog.example.org/top-10/").published == expected


def test_the_disqus_plugins_own_list_of_the_comments() -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    # The Disqus plugin prints the comments WordPress holds for readers without its script:
    # dsq-comment-N is the WordPress id, replies nest in ul.children.
    def item(wp_id: int, name: str, depth: int, inner: str = "") -> str:
        return (
            f"<li class='comment depth-{depth}' id='dsq-comment-{wp_id}'><div id='dsq-comment-header-{wp_id}'"
            f" class='dsq-comment-header'><cite id='dsq-cite-{wp_id}'><span id='dsq-author-user-{wp_id}'>{name}</span>"
            f"</cite></div><div id='dsq-comment-body-{wp_id}' class='dsq-comment-body'>"
            f"<div class='dsq-comment-message'><p>Text {wp_id}.</p></div></div>{inner}</li>"
        )

    page = "<html><body><div id='dsq-content'><ul id='dsq-comments'>{}{}</ul></div></body></html>".format(
        item(62, "Paddy", 1), item(63, "Nikola", 1, "<ul class='children'>" + item(64, "alkrauss48", 2) + "</ul>")
    )
    comments = extract_comments(Document.parse(page, _POST))
    assert [(c.wp_id, c.parent_wp_id, c.author) for c in comments] == [
        (62, None, "Paddy"),
        (63, None, "Nikola"),
        (64, 63, "alkrauss48"),
    ]


def test_a_meta_line_with_durch_and_a_link_to_the_comment_form() -> None:
    from spiders.extraction.page import extract_post

    # A German theme's meta line: "durch" for "by", "Keine Kommentare" linked to the form.
    page = (
        "<html lang='de-DE'><body class='single postid-3'><div class='post-3 post' id='post-3'><h2 class='title'>"
        "Fall in love</h2><div class='post-meta'><a class='post-meta-time' href='/2017/08/08/'>08/08/2017</a>"
        "<a class='post-meta-author' href='https://maker.example/'>durch Stephan Markus</a>"
        "<a href='#commentform'>Keine Kommentare</a></div><p>Text.</p></div></body></html>"
    )
    post = extract_post(page, "https://blog.example.org/fall-in-love/")
    assert (post.author, post.comment_count_declared, post.published) == ("Stephan Markus", 0, "2017-08-08")


def test_a_comment_date_in_the_author_line() -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    # The comment's text and its author line are both unclassed paragraphs; the cite holds the date.
    page = (
        "<html lang='de'><body><ol id='commentlist'><li id='comment-9258'><p>Wenn das so ist.</p>"
        "<p><cite>Comment by Daniel &#8212; 17.07, 2011 @ <a href='#comment-9258'>13:10</a></cite></p></li>"
        "<li id='comment-9259'><p>Seit 1808 schon.</p><p><cite>Comment by Jan</cite></p></li>"
        "</ol></body></html>"
    )
    comments = extract_comments(Document.parse(page, _POST))
    assert [(c.author, c.published) for c in comments] == [("Daniel", "2011-07-17T13:10:00"), ("Jan", None)]


def test_a_comments_type_stated_by_comment_type_in_its_meta_line() -> None:
    from spiders.extraction.comments import extract_comments
    from spiders.extraction.document import Document

    item = (
        "<li id='comment-{0}'><p class='who'><cite><a href='https://other.example/{0}' rel='external'>{1}</a>"
        "</cite>:</p><p>{2}</p><p><small>{3} at <a href='#comment-{0}'>15. July 2005</a></small></p></li>"
    )
    page = "<html><body><ol class='commentlist'>{}{}{}</ol></body></html>".format(
        item.format(50, "figby.com", "<strong>Django</strong></p><p>Django is a new framework &#8230;", "trackback"),
        item.format(51, "Jane", "I like it.", "comment"),
        item.format(52, "Blog", "[&#8230;] a ping [&#8230;]", "Pingback"),
    )
    comments = extract_comments(Document.parse(page, _POST))
    assert [(c.wp_id, c.type) for c in comments] == [(50, "trackback"), (51, "comment"), (52, "pingback")]


def test_share_bars_of_the_articles_loaded_below_the_post_are_not_its_own() -> None:
    from spiders.extraction.page import extract_post

    def bar(path: str) -> str:
        url = f"https%3A%2F%2Fnews.example.org%2F{path}%2F"
        return (
            f"<div class='share'><a href='https://www.facebook.com/sharer/sharer.php?u={url}'>F</a>"
            f"<a href='mailto:?subject=Lesen&amp;body={url}'>E</a>"
            f"<a href='whatsapp://send?text=Lesen%20{url}'>W</a></div>"
        )

    page = (
        "<html><body class='single postid-3'><article id='post-3' class='post-3 post'><h1 class='entry-title'>Zusage"
        f"</h1><p>Text.</p>{bar('zusage')}</article><article class='list__item'><h2>Kurier</h2>{bar('kurier')}"
        f"</article><article class='list__item'><h2>Strafe</h2>{bar('strafe')}</article></body></html>"
    )
    services = [link.service for link in extract_post(page, "https://news.example.org/zusage/").share_links]
    assert services == ["facebook", "email", "whatsapp"]
    # where no link shares this page's address (a shortlink, say), every one is kept
    moved = extract_post(page, "https://news.example.org/?p=3").share_links
    assert len(moved) == 9


def test_a_bare_number_in_the_link_to_the_posts_own_comments() -> None:
    from spiders.extraction.page import extract_post

    url = "https://blog.example.org/2010/controversy/"
    page = (
        "<html><body class='single postid-3'><div class='post' id='post-3'><small>September 5, 2010</small>"
        f"<a href='{url}#comments' class='bubble' title='Comment on Controversy'>1</a><h2>Controversy</h2>"
        "<p>Text.</p></div><div class='related'><a href='https://blog.example.org/other/#comments'>7</a></div>"
        "</body></html>"
    )
    assert extract_post(page, url).comment_count_declared == 1
    # another post's bubble is not this post's count
    elsewhere = page.replace(f"{url}#comments", "https://blog.example.org/x/")
    assert extract_post(elsewhere, url).comment_count_declared is None
