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


# ---------------------------------------------------------------------------------------------
# A second archive for the publishing tests (issue 13): hostile names and titles, bidi controls,
# and media from other hosts. Kept apart so that the figures of the archive above do not change.

ODD_SITE = "https://odd-course.example.net/"
ODD_NAME = "ODD 200 \u202eSpoofed\u202c blog"
XSS = "<script>alert('{where}')</script><img src=x onerror=alert('{where}')> javascript:alert('{where}')"
XSS_TITLE = "Week 9: " + XSS.format(where="title")
XSS_AUTHOR = "Mallory " + XSS.format(where="author")
XSS_COMMENTER = "Eve " + XSS.format(where="commenter")
XSS_CONTENT = (
    "<p>Read this.</p>" + XSS.format(where="content") + '<a href="javascript:alert(\'href\')">a link</a>'
    "<svg onload=\"alert('svg')\"><script>alert('svg-script')</script></svg>"
)
XSS_COMMENT = "<p>Hello " + XSS.format(where="comment") + "</p>"
BIDI_NAME = "Alice\u202egnp.exe"  # shows as "Aliceexe.png" when the override is obeyed
BIDI_TITLE = "Week 10: \u2067\u05e9\u05dc\u05d5\u05dd notes"  # an isolate opened, never closed
# Every way archived HTML can ask for a file from another host: what the page must never load.
MEDIA_HOST = "https://media.example.org"
MEDIA_TITLE = "Week 11: pictures, a video and a recording"
MEDIA_HTML = f"""
<p>The map we discussed:</p>
<img src="{MEDIA_HOST}/map.jpg" alt="A 1650 map of Barbados" width="800" height="600">
<img src="{MEDIA_HOST}/small.jpg" srcset="{MEDIA_HOST}/small.jpg 1x, {MEDIA_HOST}/large.jpg 2x" alt="Plantation">
<img srcset="{MEDIA_HOST}/only-srcset-1.jpg 480w, {MEDIA_HOST}/only-srcset-2.jpg 960w" alt="Srcset only">
<picture><source srcset="{MEDIA_HOST}/ship.webp" type="image/webp">
<img src="{MEDIA_HOST}/ship.jpg" alt="A ship"></picture>
<a href="{MEDIA_HOST}/full-size.jpg"><img src="{MEDIA_HOST}/thumb.jpg" alt="Thumbnail"></a>
<img src="{MEDIA_HOST}/no-alt.png">
<video src="{MEDIA_HOST}/lecture.mp4" poster="{MEDIA_HOST}/poster.jpg" controls>Your browser...</video>
<video controls><source src="{MEDIA_HOST}/clip.webm" type="video/webm"><track src="{MEDIA_HOST}/subs.vtt"></video>
<audio src="{MEDIA_HOST}/interview.mp3" controls></audio>
<audio controls><source src="{MEDIA_HOST}/song.ogg"></audio>
<p style="background: url({MEDIA_HOST}/style-bg.png)">Styled with a picture</p>
<table background="{MEDIA_HOST}/table-bg.png"><tr><td background="{MEDIA_HOST}/td-bg.png">cell</td></tr></table>
<a href="https://example.edu/" ping="{MEDIA_HOST}/ping">a link that pings</a>
<input type="image" src="{MEDIA_HOST}/input.png"><object data="{MEDIA_HOST}/movie.swf"></object>
<embed src="{MEDIA_HOST}/embed.swf"><iframe src="{MEDIA_HOST}/frame.html"></iframe>
<link rel="stylesheet" href="{MEDIA_HOST}/style.css"><svg><image href="{MEDIA_HOST}/svg-image.png"/></svg>
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E" alt="Inline data image">
<img src="/relative/on-the-blog.png" alt="Relative image">
"""
# What a reader must see instead, in order: (where the placeholder's link leads, its words). An
# image inside a link keeps that link; a data: or relative address is no link at all.
MEDIA_SHOWN = [
    (f"{MEDIA_HOST}/map.jpg", "Image: A 1650 map of Barbados"),
    (f"{MEDIA_HOST}/small.jpg", "Image: Plantation"),
    (f"{MEDIA_HOST}/only-srcset-1.jpg", "Image: Srcset only"),
    (f"{MEDIA_HOST}/ship.jpg", "Image: A ship"),
    (f"{MEDIA_HOST}/full-size.jpg", "Image: Thumbnail"),
    (f"{MEDIA_HOST}/no-alt.png", "Image: no-alt.png"),
    (f"{MEDIA_HOST}/lecture.mp4", "Video: lecture.mp4"),
    (f"{MEDIA_HOST}/clip.webm", "Video: clip.webm"),
    (f"{MEDIA_HOST}/interview.mp3", "Audio recording: interview.mp3"),
    (f"{MEDIA_HOST}/song.ogg", "Audio recording: song.ogg"),
    (None, "Image: Inline data image"),
    (None, "Image: Relative image"),
]
MEDIA_COMMENT = f'<p>My photo: <img src="{MEDIA_HOST}/commenter.jpg" alt="Commenter photo"></p>'


def odd_posts() -> list[dict[str, Any]]:
    """Three posts: one hostile everywhere, one with bidi controls, one full of outside media."""
    xss = _post(ODD_SITE, "xss", 91, XSS_TITLE, XSS_AUTHOR, "2014-03-03T09:00:00+00:00",
                "Read this. alert('content')", html=XSS_CONTENT, categories=("Readings",),
                comments=[_comment(901, XSS_COMMENTER, "2014-03-04T09:00:00+00:00", "Hello alert('comment')",
                                   html=XSS_COMMENT)])
    bidi = _post(ODD_SITE, "bidi", 92, BIDI_TITLE, BIDI_NAME, "2014-03-10T09:00:00+00:00",
                 "Names that try to turn the page around.", categories=("Readings",),
                 comments=[_comment(902, BIDI_NAME, "2014-03-11T09:00:00+00:00", "I sent gnp.exe")])
    media = _post(ODD_SITE, "media", 93, MEDIA_TITLE, "Ben Okafor", "2014-03-17T09:00:00+00:00",
                  "The map we discussed.", html=MEDIA_HTML, categories=("Readings",),
                  comments=[_comment(903, "Chloé Martin", "2014-03-18T09:00:00+00:00", "My photo:",
                                     html=MEDIA_COMMENT)])
    return [xss, bidi, media]


def build_odd_archive(path: Path) -> Path:
    """Write the publishing tests' archive (one blog, `odd_posts`) to `path` and return it."""
    db = open_db(path)
    crawl = start_crawl(db, {"urls": [ODD_SITE]})
    site = save_site(db, ODD_SITE, crawl, name=ODD_NAME, discovery="html")
    for post in odd_posts():
        save_post(db, site, post, crawl)
    finish_crawl(db, crawl, "finished", "finished", {"downloader/request_count": 4})
    ensure_research_shape(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path
