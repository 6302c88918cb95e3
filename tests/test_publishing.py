"""Publishing the archive safely (issue 13): one Content-Security-Policy on every response, archived
media that never load from outside, bidi controls that cannot turn a page around, no server error
on any input, and correct pages while a crawl writes.

Real Datasette through its own client (and a real `wparchive serve` for serving during writes), on
the archives of `tests/datasette_data.py`.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.datasette import MEDIA_PLACEHOLDER, archived_media_url, datasette_instance, sanitise_html
from archive.db import finish_crawl, open_db, save_post, start_crawl
from tests import datasette_data as data
from tests.conftest import serving

DB = "archive"
ODD = "odd"


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    return data.build_archive(tmp_path_factory.mktemp("publishing") / f"{DB}.db")


@pytest.fixture(scope="module")
def odd_path(tmp_path_factory) -> Path:
    return data.build_odd_archive(tmp_path_factory.mktemp("publishing-odd") / f"{ODD}.db")


@pytest.fixture
def ds(archive_path):
    return datasette_instance(archive_path)


@pytest.fixture
def odd(odd_path):
    return datasette_instance(odd_path)


def policy_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


# ---------------------------------------------------------------------------------------------
# One Content-Security-Policy on every response


def every_kind_of_response(archive_path: Path) -> list[tuple[str, int]]:
    """(path, expected status): each kind of page, file and error the archive serves."""
    deep = data.post_id(archive_path, data.DEEP_TITLE)
    return [
        ("/", 200),
        (f"/{DB}", 200),
        (f"/{DB}/posts", 200),
        (f"/{DB}/post_index?site=" + quote(data.HIST_NAME), 200),
        (f"/{DB}/posts/{deep}", 200),
        (f"/{DB}/most_discussed", 200),
        (f"/{DB}/thread?post_id={deep}", 200),
        (f"/{DB}?sql=" + quote("select id, title from posts"), 200),
        (f"/{DB}/posts.json", 200),
        (f"/{DB}/weekly_activity.csv?site=1", 200),
        (f"/{DB}/posts.csv?_stream=on", 200),
        ("/-/static/app.css", 200),
        ("/wparchive-static/wparchive.css", 200),
        ("/-/versions.json", 200),
        (f"/-/post/{deep}", 200),
        ("/-/search?q=sugar", 200),
        ("/-/activity", 200),
        ("/no-such-database", 404),
        (f"/{DB}/no_such_table", 404),
        ("/-/post/999999", 404),
        (f"/{DB}?sql=" + quote("select nonsense from"), 400),
    ]


async def test_every_response_carries_the_same_policy(ds, archive_path):
    nonces = set()
    for path, status in every_kind_of_response(archive_path):
        response = await ds.client.get(path)
        assert response.status_code == status, (path, response.text[:500])
        header = response.headers.get("content-security-policy")
        assert header, path
        directives = policy_directives(header)
        nonce_source = directives["script-src"]
        assert len(nonce_source) == 1 and re.fullmatch(r"'nonce-[A-Za-z0-9_-]{24}'", nonce_source[0]), header
        nonces.add(nonce_source[0])
        assert {k: v for k, v in directives.items() if k != "script-src"} == {
            "default-src": ["'none'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": ["'self'", "data:"],
            "form-action": ["'self'"],
            "base-uri": ["'none'"],
            "frame-ancestors": ["'none'"],
        }, (path, header)
        assert not re.search(r"(^|\s)(https?:|\*)", header), header  # no other host, no wildcard
        assert len(response.headers.get_list("content-security-policy")) == 1, path
        assert response.headers.get_list("referrer-policy") == ["no-referrer"], path
    assert len(nonces) == len(every_kind_of_response(archive_path))  # a fresh nonce every time


async def test_html_pages_give_the_nonce_to_their_own_scripts(ds, archive_path):
    for path, _ in every_kind_of_response(archive_path):
        response = await ds.client.get(path)
        if not response.headers["content-type"].startswith("text/html"):
            assert "nonce=" not in response.text, path
            continue
        nonce = policy_directives(response.headers["content-security-policy"])["script-src"][0][7:-1]
        soup = BeautifulSoup(response.text, "html.parser")
        scripts = soup.find_all("script")
        assert scripts, path  # every Datasette page closes its menus with a script
        assert [s.get("nonce") for s in scripts] == [nonce] * len(scripts), path
        assert len(re.findall(r"<script", response.text, flags=re.I)) == len(scripts), path
        assert int(response.headers["content-length"]) == len(response.content), path


def odd_pages(odd_path: Path) -> list[str]:
    """Every page that shows the hostile post, its author or its comment."""
    xss = data.post_id(odd_path, data.XSS_TITLE)
    return [
        "/",
        f"/-/post/{xss}",
        "/-/search?q=alert",
        "/-/search?q=" + quote("<script>alert('q')</script>"),
        "/-/activity",
        f"/{ODD}/posts",
        f"/{ODD}/posts/{xss}",
        f"/{ODD}/comments",
        f"/{ODD}/post_index",
        f"/{ODD}/comment_index",
        f"/{ODD}/post_index?author=" + quote(data.XSS_AUTHOR),
        f"/{ODD}/thread?post_id={xss}",
        f"/{ODD}/authors?site=1&instructor=",
        f"/{ODD}?sql=" + quote("select title, author, content_html from posts"),
        f"/{ODD}?sql=" + quote("select '<script>alert(\"sql\")</script>' as x from"),
        f"/{ODD}/posts?_where=" + quote("title like '<script>%'"),
    ]


async def test_no_nonce_lands_on_archived_content(odd, odd_path):
    """Datasette autoescapes every value and archived HTML passes nh3: a `<script>` in a title,
    an author's name, a post or a comment never becomes a script tag, so never gets the nonce."""
    shown = 0
    for path in odd_pages(odd_path):
        response = await odd.client.get(path)
        assert response.status_code in (200, 400), (path, response.status_code)
        nonce = policy_directives(response.headers["content-security-policy"])["script-src"][0][7:-1]
        soup = BeautifulSoup(response.text, "html.parser")
        for script in soup.find_all("script"):
            assert script.get("nonce") == nonce, path
            assert "alert" not in (script.string or ""), (path, str(script)[:300])
            assert not script.get("src") or script["src"].startswith("/-/static/"), (path, script)
        for element in soup.find_all(True):
            assert not any(name.startswith("on") for name in element.attrs), (path, str(element)[:200])
            assert not str(element.get("href", "")).lower().startswith("javascript"), (path, element)
        text = soup.get_text(" ")
        shown += any(marker in text for marker in ("alert('title')", "alert('author')", "alert('comment')"))
    assert shown >= 10  # the hostile strings were on the pages, as text


# ---------------------------------------------------------------------------------------------
# Archived media never load from outside

LOADING_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc", "ping", "style")


def loading_attributes(fragment: BeautifulSoup) -> list[tuple[str, str, str]]:
    """(element, attribute, value) for every attribute that would make a browser fetch a file,
    except the placeholder pictures drawn inline (data: URIs)."""
    found = []
    for element in fragment.find_all(True):
        for attribute in LOADING_ATTRIBUTES:
            value = element.get(attribute)
            if value is None or (element.name == "img" and attribute == "src" and value == MEDIA_PLACEHOLDER):
                continue
            found.append((element.name, attribute, str(value)))
    return found


def attribute_text(fragment: BeautifulSoup) -> str:
    """Every attribute value but links and tooltips, where an address may only be read, not loaded."""
    return " ".join(
        str(value)
        for element in fragment.find_all(True)
        for name, value in element.attrs.items()
        if name not in ("href", "title")
    )


def shown_media(fragment: BeautifulSoup) -> list[tuple[str | None, str]]:
    """(the link a placeholder leads to, its words), as a reader meets them."""
    shown = []
    for box in fragment.select(".archived-media"):
        link = box if box.name == "a" else box.find_parent("a")
        shown.append((link["href"] if link else None, box.get_text(" ", strip=True)))
    return shown


async def test_archived_media_become_placeholders_that_link_out(odd, odd_path):
    response = await odd.client.get(f"/-/post/{data.post_id(odd_path, data.MEDIA_TITLE)}")
    soup = BeautifulSoup(response.text, "html.parser")
    content = soup.select_one(".post-content")
    assert shown_media(content) == data.MEDIA_SHOWN
    comment = soup.select_one(".comment-body")
    assert shown_media(comment) == [(f"{data.MEDIA_HOST}/commenter.jpg", "Image: Commenter photo")]
    for fragment in (content, comment):
        assert loading_attributes(fragment) == []
        assert not fragment.select("video, audio, source, track, picture, object, embed, iframe, input, svg, link")
    for link in soup.select("a.archived-media"):
        assert {"noopener", "noreferrer"} <= set(link["rel"]), link
    for image in soup.find_all("img"):
        assert image["src"] == MEDIA_PLACEHOLDER, image
    assert "Styled with a picture" in content.get_text() and "a link that pings" in content.get_text()
    assert data.MEDIA_HOST not in attribute_text(soup)


def test_an_archived_copy_is_shown_instead_of_the_placeholder():
    """Where media capture (issue 14) has a copy, `archived_copy` names it and the page shows it."""
    copies = {f"{data.MEDIA_HOST}/map.jpg": "/-/media/1.jpg", f"{data.MEDIA_HOST}/ship.jpg": "/-/media/2.jpg"}
    fragment = BeautifulSoup(str(sanitise_html(data.MEDIA_HTML, archived_copy=copies.get)), "html.parser")
    shown = [(img["src"], img["alt"]) for img in fragment.select("img.archived-copy")]
    assert shown == [("/-/media/1.jpg", "A 1650 map of Barbados"), ("/-/media/2.jpg", "A ship")]
    assert len(shown_media(fragment)) == len(data.MEDIA_SHOWN) - 2
    assert archived_media_url(f"{data.MEDIA_HOST}/map.jpg") is None  # nothing is captured yet


@pytest.mark.parametrize(
    "html",
    [
        '<img src="https://x.example/a.png" srcset="https://x.example/b.png 2x" alt="a">',
        '<img srcset="https://x.example/b.png 2x, https://x.example/c.png 3x">',
        '<picture><source srcset="https://x.example/a.webp"><img src="https://x.example/a.jpg"></picture>',
        '<video poster="https://x.example/p.jpg"><source src="https://x.example/v.mp4"><track src="https://x.example/t.vtt"></video>',
        '<audio src="https://x.example/a.mp3"></audio><source src="https://x.example/stray.mp4">',
        '<p style="background:url(https://x.example/bg.png)">x</p><table background="https://x.example/t.png"></table>',
        '<a href="https://ok.example/" ping="https://x.example/ping">x</a>',
        '<input type="image" src="https://x.example/i.png"><object data="https://x.example/o"></object>',
        '<embed src="https://x.example/e"><iframe src="https://x.example/f"></iframe><frame src="https://x.example/f">',
        '<link rel="stylesheet" href="https://x.example/s.css"><svg><image href="https://x.example/i.png"/></svg>',
        '<body background="https://x.example/b.png"><img lowsrc="https://x.example/l.png" dynsrc="https://x.example/d">',
        '<img src="https://x.example/a.png" style="content:url(https://x.example/c.png)">',
        "<img src=\"javascript:alert(1)\" srcset=\"javascript:alert(2) 1x\" alt='x'>",
        '<math><mi xlink:href="https://x.example/m">x</mi></math><div><img src="https://x.example/deep.png"></div>',
    ],
)
def test_sanitised_html_loads_nothing(html):
    fragment = BeautifulSoup(str(sanitise_html(html)), "html.parser")
    assert loading_attributes(fragment) == []
    assert "x.example" not in attribute_text(fragment)
    for link in fragment.select("a.archived-media"):
        assert link["href"].startswith("https://x.example/")


# ---------------------------------------------------------------------------------------------
# Serving while a crawl writes


def fetch(url: str) -> tuple[int, str]:
    """(status, body) of a GET on the local server."""
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def counted(path: Path) -> dict[str, int]:
    """What the archive holds, read from the file itself."""
    conn = sqlite3.connect(path)
    try:
        posts, comments = conn.execute(
            "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM comments)"
        ).fetchone()
    finally:
        conn.close()
    return {"posts": posts, "comments": comments}


def live_post(number: int) -> dict:
    """A post as a crawl would save it, with three comments and a word found nowhere else."""
    comments = [
        {"wp_id": 8000 + number * 10 + i, "parent_wp_id": None, "depth": 1, "author": f"Reader {i}",
         "author_url": None, "published": f"2013-02-{number:02d}T10:0{i}:00+00:00", "type": "comment",
         "content_html": f"<p>livecomment{number} number {i}</p>", "content_text": f"livecomment{number} number {i}",
         "sources": ["html"]}
        for i in range(3)
    ]
    return {
        "url": f"{data.EDU}2013/02/live-{number}/", "wp_id": 800 + number, "type": "post",
        "title": f"Live post {number}", "author": data.EDU_INSTRUCTOR,
        "published": f"2013-02-{number:02d}T09:00:00+00:00",
        "content_html": f"<p>liveword{number} written while the archive is served.</p>",
        "content_text": f"liveword{number} written while the archive is served.",
        "terms": [], "breadcrumbs": [], "share_links": [], "comments": comments,
        "comment_count_declared": 3, "sources": ["html"],
    }


def test_pages_show_what_a_crawl_writes_while_serving(tmp_path):
    """`wparchive serve` on 127.0.0.1 while posts are saved through archive.db: the next request
    shows each one (counts as in the file), and no request fails meanwhile."""
    path = data.build_archive(tmp_path / f"{DB}.db")
    with serving(path, "datasette-live-server.log") as base:
        statuses: Counter[int] = Counter()
        failures: list[tuple[str, object]] = []
        stop = threading.Event()

        def read_all_the_time() -> None:
            paths = ("/", f"/{DB}/posts.json?_size=5", "/-/search?q=liveword1", f"/{DB}/comments", "/-/activity")
            while not stop.is_set():
                for page_path in paths:
                    try:
                        status, _ = fetch(base + page_path)
                    except OSError as error:
                        failures.append((page_path, repr(error)))
                        continue
                    statuses[status] += 1
                    if status != 200:
                        failures.append((page_path, status))

        reader = threading.Thread(target=read_all_the_time)
        reader.start()
        db = open_db(path)
        try:
            site = db.execute("SELECT id FROM sites WHERE url = ?", [data.EDU]).fetchone()[0]
            crawl = start_crawl(db, {"urls": [data.EDU]})
            for number in range(1, 6):
                post_id = save_post(db, site, live_post(number), crawl)
                expected = counted(path)
                sql = "select (select count(*) from posts) as posts, (select count(*) from comments) as comments"
                status, body = fetch(f"{base}/{DB}.json?_shape=array&sql=" + quote(sql))
                assert (status, json.loads(body)) == (200, [expected]), number
                status, body = fetch(f"{base}/{DB}/posts.json?_size=0")
                assert json.loads(body)["filtered_table_rows_count"] == expected["posts"]
                front = BeautifulSoup(fetch(base + "/")[1], "html.parser").select_one(".totals").get_text(" ")
                assert f"{expected['posts']} posts and pages, {expected['comments']} comments" in front
                status, body = fetch(f"{base}/-/post/{post_id}")
                assert status == 200 and len(BeautifulSoup(body, "html.parser").select("article.comment")) == 3
                status, body = fetch(f"{base}/-/search?q=liveword{number}")
                hits = BeautifulSoup(body, "html.parser").select(".hit-post a.hit-title")
                assert [a.get_text() for a in hits] == [f"Live post {number}"]
            finish_crawl(db, crawl, "finished", "finished", {})
        finally:
            db.close()
            stop.set()
            reader.join(timeout=60)
    assert failures == []
    assert statuses[200] >= 10 and set(statuses) == {200}
    assert counted(path) == {"posts": 15, "comments": 37}  # 10 + 5 posts, 22 + 15 comments


# ---------------------------------------------------------------------------------------------
# No route answers 500, whatever the input

ODD_VALUES = [
    "", "'", '"', "\\", "%00", "%FF%FE", "%C0%AF", "%E2%82", "a%00b", "x" * 5000, "-1", "0", "1e308",
    "99999999999999999999999999", "-99999999999999999999999", "nan", "<script>", "' OR 1=1 --", "%%", "%",
    "%2F..%2F..%2Fetc%2Fpasswd", "\u202e", "%F0%9F%92%A9", "null", "[]", "{}",
]


def hostile_paths(post: int) -> list[str]:
    """Every route with odd input in its path and query parameters (values are already URL-encoded)."""
    paths = []
    for value in ODD_VALUES:
        v = value if "%" in value else quote(value)
        paths += [
            f"/-/post/{post}?x={v}",
            f"/-/search?q={v}", f"/-/search?q=a&site={v}&in={v}&page={v}",
            f"/-/activity?site={v}", f"/-/activity?page={v}",
            f"/{DB}/posts?_sort={v}", f"/{DB}/posts?_sort_desc={v}", f"/{DB}/posts?_where={v}",
            f"/{DB}/posts?_search={v}", f"/{DB}/comments?_search={v}&_searchmode=raw",
            f"/{DB}/posts?title__contains={v}", f"/{DB}/posts?id__gt={v}", f"/{DB}/posts?{v}={v}",
            f"/{DB}/posts?published__date={v}", f"/{DB}/post_index?categories__arraycontains={v}",
            f"/{DB}/posts?_facet={v}", f"/{DB}/posts?_facet_array={v}", f"/{DB}/posts?_facet_date={v}",
            f"/{DB}/posts?_size={v}", f"/{DB}/posts?_next={v}", f"/{DB}/posts?_col={v}", f"/{DB}/posts?_nocol={v}",
            f"/{DB}/posts?_shape={v}", f"/{DB}/posts.json?_shape={v}", f"/{DB}/posts.json?_labels={v}",
            f"/{DB}/posts/{v}", f"/{DB}/posts/{v}.json", f"/{DB}/comments/{v}",
            f"/{DB}?sql={v}", f"/{DB}.json?sql={v}", f"/{DB}/thread?post_id={v}",
            f"/{DB}/reply_network?site={v}", f"/{DB}/authors?site={v}&instructor={v}",
            f"/{DB}/search?q={v}", f"/{DB}/weekly_activity.csv?site={v}",
            f"/{v}", f"/{DB}/{v}", f"/-/{v}",
        ]
    paths += [
        "/-/post/99999999999999999999999", "/-/post/0", "/-/post/9223372036854775807",
        f"/{DB}/posts/99999999999999999999999", f"/{DB}/posts/-1", f"/{DB}/posts/9223372036854775808",
        f"/{DB}?sql=" + quote("select * from posts where id = 99999999999999999999999"),
        f"/{DB}?sql=" + quote("select zeroblob(2000000000)"), f"/{DB}?sql=" + quote("select char(0)"),
        f"/{DB}?sql=" + quote("with recursive r(n) as (select 1 union all select n+1 from r) select n from r"),
        f"/{DB}?sql=" + quote("select fts3_tokenizer('simple')"), f"/{DB}?sql=" + quote("attach 'x' as y"),
        f"/{DB}?sql=" + quote("select load_extension('x')"), f"/{DB}?sql=" + quote("pragma writable_schema=1"),
    ]
    return paths


async def test_no_route_answers_a_server_error(ds, archive_path):
    deep = data.post_id(archive_path, data.DEEP_TITLE)
    errors = []
    statuses: Counter[int] = Counter()
    for path in hostile_paths(deep):
        response = await ds.client.get(path)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            errors.append((path[:120], response.status_code, response.text[:200]))
    assert errors == []
    assert statuses[200] > 100 and sum(statuses.values()) == len(hostile_paths(deep))


ENCODED_VALUES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300).map(lambda text: quote(text, safe="")),
    st.binary(max_size=40).map(lambda raw: quote_from_bytes(raw, safe="")),  # invalid UTF-8 too
    st.integers().map(str),
)


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    """One Datasette and one event loop for every example hypothesis draws."""
    loop = asyncio.new_event_loop()
    archive = data.build_archive(tmp_path_factory.mktemp("sampled") / f"{DB}.db")
    yield datasette_instance(archive), loop
    loop.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(["/-/search", "/-/activity", "/-/post/2", "/-/post/99999999999999999999"]),
    names=st.lists(st.sampled_from(["q", "site", "in", "page", "x", "q%00", "page[]"]), min_size=1, max_size=5),
    values=st.lists(ENCODED_VALUES, min_size=5, max_size=5),
)
def test_our_routes_answer_any_query_without_a_server_error(sampled, route, names, values):
    ds, loop = sampled
    query = "&".join(f"{name}={value}" for name, value in zip(names, values, strict=False))
    response = loop.run_until_complete(ds.client.get(f"{route}?{query}"))
    assert response.status_code < 500, (route, query, response.text[:300])


# ---------------------------------------------------------------------------------------------
# Bidi controls in names and titles

RAW_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


async def test_bidi_controls_are_shown_as_markers_in_isolated_names(odd, odd_path):
    bidi = data.post_id(odd_path, data.BIDI_TITLE)
    response = await odd.client.get(f"/-/post/{bidi}")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("h1.post-title bdi").get_text() == "Week 10: [U+2067]\u05e9\u05dc\u05d5\u05dd notes"
    assert soup.select_one(".post-author bdi").get_text() == "Alice[U+202E]gnp.exe"
    assert soup.select_one(".comment-author bdi").get_text() == "Alice[U+202E]gnp.exe"
    assert soup.select_one(".site-line bdi").get_text() == "ODD 200 [U+202E]Spoofed[U+202C] blog"
    assert soup.title.get_text() == (
        "Week 10: [U+2067]\u05e9\u05dc\u05d5\u05dd notes — ODD 200 [U+202E]Spoofed[U+202C] blog"
    )
    for path in (f"/-/post/{bidi}", "/", "/-/search?q=names", "/-/search?q=gnp", "/-/activity"):
        page = (await odd.client.get(path)).text
        assert RAW_CONTROLS.findall(page) == [], path
    # Datasette's tables and rows: every name and title cell is isolated, with markers.
    for path, columns in (
        (f"/{ODD}/posts?_facet=type", ("title", "author")),
        (f"/{ODD}/posts/{bidi}", ("title", "author")),
        (f"/{ODD}/comments?_facet=type", ("author",)),
        (f"/{ODD}/post_index?_facet=type", ("title", "author", "site")),
        (f"/{ODD}/comment_index?_facet=type", ("author", "post_title", "site")),
        (f"/{ODD}/sites", ("name",)),
        (f"/{ODD}/thread?post_id={bidi}", ("reply_by", "title")),
    ):
        soup = BeautifulSoup((await odd.client.get(path)).text, "html.parser")
        cells = [cell for column in columns for cell in soup.select(f"td.col-{column}")]
        assert cells, path
        for cell in cells:
            assert cell.find("bdi") is not None and not RAW_CONTROLS.search(cell.get_text()), (path, str(cell))
    # The archive keeps the names as crawled: only what is shown changes.
    conn = sqlite3.connect(odd_path)
    try:
        assert conn.execute("SELECT title, author FROM posts WHERE id = ?", [bidi]).fetchone() == (
            data.BIDI_TITLE, data.BIDI_NAME,
        )
    finally:
        conn.close()
    rows = (await odd.client.get(f"/{ODD}/posts/{bidi}.json?_shape=objects")).json()["rows"]
    assert (rows[0]["title"], rows[0]["author"]) == (data.BIDI_TITLE, data.BIDI_NAME)
