"""A small, realistic archive for the Datasette tests, written through `archive.db.save_post`.

Two course blogs. History 101 has an instructor and four students, a post whose thread is six
replies deep, pingbacks and a trackback, a comment after the course ended, and hostile content in a
post and in comments (scripts, handlers, javascript: URLs, an iframe, a CSS expression, broken
markup) stored *unsanitised*, as if an old archive or a bug had let it through, so that the pages'
own sanitising is what is tested. EDU 540 has a page, a post without comments and tags.

The constants below are what the tests assert against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.db import finish_crawl, open_db, save_post, save_site, start_crawl
from archive.research import ensure_research_shape

HIST = "https://hist101.blogs.example.edu/"
EDU = "https://edu540.example.org/blog/"
HIST_NAME = "History 101: The Atlantic World"
EDU_NAME = "EDU 540 Learning Technologies"
INSTRUCTOR = "Prof. Ada Rivera"
EDU_INSTRUCTOR = "Dr. Sam Lee"

# Words that occur in exactly one place, for search tests.
POST_WORD = "manumission"  # in the deep-thread post's text
COMMENT_WORD = "quilombo"  # in the depth-4 comment of the deep thread

DEEP_TITLE = "Week 2: Sugar, slavery and the Atlantic economy"
HOSTILE_TITLE = "Week 4: Primary sources <script>alert('title')</script>"
DEEP_THREAD_DEPTH = 6
# The deep thread, in reply order: (author, depth, type).
DEEP_THREAD = [
    ("Ben Okafor", 1, "comment"),
    (INSTRUCTOR, 2, "comment"),
    ("Ben Okafor", 3, "comment"),
    ("Chloé Martin", 4, "comment"),
    ("Dmitri Petrov", 5, "comment"),
    (INSTRUCTOR, 6, "comment"),
    ("Emma Walsh", 2, "comment"),
    ("Chloé Martin", 1, "comment"),
    (INSTRUCTOR, 2, "comment"),
    ("atlantichistorynotes.example.net", 1, "pingback"),
    ("Slavery Archive Blog", 1, "trackback"),
]

HOSTILE_HTML = """
<p>Read the <a href="javascript:alert('link')">primary source</a> before class.</p>
<script>alert('script')</script>
<img src="http://127.0.0.1:9/missing.png" onerror="alert('onerror')" alt="broken image">
<iframe src="javascript:alert('iframe')"></iframe>
<p style="width:expression(alert('css'))" onclick="alert('click')">Styled paragraph</p>
<svg><script>alert('svg')</script></svg>
<div><p>Unclosed <b>bold <i>markup</div></p></section></article><h1>Stray heading
"""

HOSTILE_COMMENT_HTML = (
    "<p>Nice post <img src=http://127.0.0.1:9/x.png onerror=\"alert('comment')\"></p></li></ol></article>"
    "<a href=\"javascript:alert('c-link')\">click</a><math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>"
)


def _comment(
    wp_id: int,
    author: str,
    published: str,
    text: str,
    *,
    parent: int | None = None,
    depth: int = 1,
    kind: str = "comment",
    html: str | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    return {
        "wp_id": wp_id,
        "parent_wp_id": parent,
        "depth": depth,
        "author": author,
        "author_url": url,
        "published": published,
        "type": kind,
        "content_html": html if html is not None else f"<p>{text}</p>",
        "content_text": text,
        "sources": ["html"],
    }


def _post(
    site: str,
    slug: str,
    wp_id: int,
    title: str,
    author: str,
    published: str,
    text: str,
    *,
    categories: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    comments: list[dict[str, Any]] | None = None,
    html: str | None = None,
    kind: str = "post",
) -> dict[str, Any]:
    url = f"{site}{published[:4]}/{published[5:7]}/{slug}/"
    terms = [{"taxonomy": "category", "name": c, "url": f"{site}category/{c.lower()}/"} for c in categories]
    terms += [{"taxonomy": "post_tag", "name": t, "url": f"{site}tag/{t.lower()}/"} for t in tags]
    crumbs = [{"label": "Home", "url": site}]
    if categories:
        crumbs.append({"label": categories[0], "url": f"{site}category/{categories[0].lower()}/"})
    crumbs.append({"label": title, "url": None})
    return {
        "url": url,
        "wp_id": wp_id,
        "type": kind,
        "title": title,
        "author": author,
        "published": published,
        "content_html": html if html is not None else "".join(f"<p>{p}</p>" for p in text.split("\n\n")),
        "content_text": text,
        "terms": terms,
        "breadcrumbs": crumbs,
        "share_links": [
            {"service": "twitter", "url": f"https://twitter.com/intent/tweet?url={url}"},
            {"service": "digg", "url": f"http://digg.com/submit?url={url}"},
            {"service": "print", "url": "javascript:window.print()"},
            {"service": "email", "url": f"mailto:?subject={slug}"},
        ],
        "comments": comments or [],
        "comment_count_declared": len(comments or []),
        "sources": ["html"],
    }


def hist_posts() -> list[dict[str, Any]]:
    """History 101: six posts over seven weeks (Sep-Oct 2012) and their discussions."""
    deep = [
        _comment(101, "Ben Okafor", "2012-09-12T09:15:00-04:00", "Was sugar the engine of the slave trade?"),
        _comment(102, INSTRUCTOR, "2012-09-12T11:00:00-04:00", "Partly: think about demand in Europe.",
                 parent=101, depth=2),
        _comment(103, "Ben Okafor", "2012-09-12T13:30:00-04:00", "So consumers shaped the plantations?",
                 parent=102, depth=3),
        _comment(104, "Chloé Martin", "2012-09-13T08:05:00-04:00",
                 "And resistance shaped them too: the quilombo of Palmares lasted a century.",
                 parent=103, depth=4),
        _comment(105, "Dmitri Petrov", "2012-09-13T10:40:00-04:00", "Palmares deserves its own week.",
                 parent=104, depth=5),
        _comment(106, INSTRUCTOR, "2012-09-13T12:00:00-04:00", "Agreed: we read Kent's article next.",
                 parent=105, depth=6),
        _comment(107, "Emma Walsh", "2012-09-14T16:20:00-04:00", "Demand also meant credit and insurance.",
                 parent=101, depth=2),
        _comment(108, "Chloé Martin", "2012-09-15T18:00:00-04:00", "The reading on Barbados was hard going."),
        _comment(109, INSTRUCTOR, "2012-09-16T09:00:00-04:00", "Take it a section at a time.",
                 parent=108, depth=2),
        _comment(110, "atlantichistorynotes.example.net", "2012-09-17T10:00:00-04:00",
                 "[…] a good discussion of sugar at History 101 […]", kind="pingback",
                 url="https://atlantichistorynotes.example.net/sugar/"),
        _comment(111, "Slavery Archive Blog", "2012-09-18T10:00:00-04:00",
                 "Trackback: sources on the Atlantic economy.", kind="trackback",
                 url="https://slavery-archive.example.org/2012/09/sources/"),
    ]
    hostile_comments = [
        _comment(201, "Emma Walsh", "2012-09-26T10:00:00-04:00", "Nice post click x",
                 html=HOSTILE_COMMENT_HTML, url="javascript:alert('author-url')"),
        _comment(202, "\"><img src=x onerror=alert('author')>", "2012-09-26T12:00:00-04:00",
                 "Who am I?", parent=201, depth=2,
                 html="<p onmouseover=\"alert('hover')\">Who am I?</p><iframe src=\"https://evil.example/\"></iframe>"),
        _comment(203, INSTRUCTOR, "2012-09-27T09:00:00-04:00", "Please keep the discussion civil.",
                 parent=202, depth=3),
    ]
    return [
        _post(HIST, "welcome", 11, "Welcome to History 101", INSTRUCTOR, "2012-09-03T09:00:00-04:00",
              "Welcome to the course blog.\n\nPost your reading responses here every week.",
              categories=("Announcements",),
              comments=[_comment(301, "Ben Okafor", "2012-09-04T10:00:00-04:00", "Looking forward to it!")]),
        _post(HIST, "sugar-slavery", 12, DEEP_TITLE, INSTRUCTOR, "2012-09-11T09:00:00-04:00",
              "Sugar transformed the Atlantic world.\n\nThis week: plantations, manumission and the trade.",
              categories=("Readings",), tags=("Sugar", "Slavery"), comments=deep),
        _post(HIST, "ben-response-1", 13, "Response: the Middle Passage", "Ben Okafor",
              "2012-09-18T20:00:00-04:00", "The Middle Passage readings were harrowing.",
              categories=("Responses",), tags=("Slavery",),
              comments=[
                  _comment(401, INSTRUCTOR, "2012-09-19T09:00:00-04:00", "A thoughtful response, Ben."),
                  _comment(402, "Chloé Martin", "2012-09-19T12:00:00-04:00", "I agree with Ben."),
              ]),
        _post(HIST, "primary-sources", 14, HOSTILE_TITLE, INSTRUCTOR, "2012-09-25T09:00:00-04:00",
              "Read the primary source before class. Styled paragraph. Unclosed bold markup",
              categories=("Readings",), html=HOSTILE_HTML, comments=hostile_comments),
        _post(HIST, "chloe-response", 15, "Response: Palmares and resistance", "Chloé Martin",
              "2012-10-02T21:00:00-04:00", "Palmares shows resistance could last generations.",
              categories=("Responses",), tags=("Resistance",)),
        _post(HIST, "final-thoughts", 16, "Final thoughts", INSTRUCTOR, "2012-10-16T09:00:00-04:00",
              "Thank you all for a great course.", categories=("Announcements",),
              comments=[
                  _comment(501, "Dmitri Petrov", "2012-10-17T09:00:00-04:00", "Thank you!"),
                  _comment(502, "Emma Walsh", "2013-01-10T09:00:00-05:00",
                           "Coming back to this blog months later: still useful."),
              ]),
    ]


def edu_posts() -> list[dict[str, Any]]:
    """EDU 540: three posts and a page in spring 2013, one post without comments."""
    return [
        _post(EDU, "syllabus", 21, "Syllabus", EDU_INSTRUCTOR, "2013-01-14T08:00:00+00:00",
              "Readings and assignments.", kind="page"),
        _post(EDU, "blogging-in-class", 22, "Blogging in class", EDU_INSTRUCTOR, "2013-01-15T08:00:00+00:00",
              "Why we blog: reflection in public.", categories=("Lectures",), tags=("Blogging",),
              comments=[
                  _comment(601, "Farah Haddad", "2013-01-16T10:00:00+00:00", "Public reflection is scary."),
                  _comment(602, EDU_INSTRUCTOR, "2013-01-16T12:00:00+00:00", "It gets easier.",
                           parent=601, depth=2),
              ]),
        _post(EDU, "lms-critique", 23, "A critique of the LMS", "Farah Haddad", "2013-01-22T19:00:00+00:00",
              "The learning management system shapes what we can teach.", categories=("Essays",),
              tags=("LMS", "Blogging"),
              comments=[_comment(701, "Grace Kim", "2013-01-23T09:00:00+00:00", "Great critique.")]),
        _post(EDU, "quiet-week", 24, "Readings for week 3", EDU_INSTRUCTOR, "2013-01-28T08:00:00+00:00",
              "Nothing to discuss, apparently.", categories=("Lectures",)),
    ]


def build_archive(path: Path) -> Path:
    """Write the test archive to `path` (a .db file) with two crawls, and return the path."""
    db = open_db(path)
    crawl = start_crawl(db, {"urls": [HIST, EDU]})
    hist = save_site(db, HIST, crawl, name=HIST_NAME, discovery="html")
    for post in hist_posts():
        save_post(db, hist, post, crawl)
    finish_crawl(db, crawl, "finished", "finished", {"downloader/request_count": 12})
    crawl = start_crawl(db, {"urls": [EDU]})
    edu = save_site(db, EDU, crawl, name=EDU_NAME, discovery="rest")
    for post in edu_posts():
        save_post(db, edu, post, crawl)
    finish_crawl(db, crawl, "finished", "finished", {"downloader/request_count": 6})
    ensure_research_shape(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def post_id(db_path: Path, title: str) -> int:
    """The archive id of the post with this title."""
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return int(conn.execute("SELECT id FROM posts WHERE title = ?", [title]).fetchone()[0])
