"""The archive as a person sees it: Debian's Chromium, driven by Playwright, against `wparchive serve`.

A real server process on a free port of 127.0.0.1 serves the test archive (`tests/datasette_data.py`).
The tests open the deep thread, the hostile post, search and the chart, assert what is visible, fail
on any `alert` dialog, and save screenshots in tests/artifacts/. A second server serves the
publishing tests' archive (hostile names, bidi controls, media from other hosts). Every page records
every request it makes (one to anything but 127.0.0.1 is aborted and fails the test) and every
Content-Security-Policy violation Chromium reports.

Needs the `chromium` Debian package and the `playwright` Python package (never `playwright
install`: the browser is Debian's). Skipped when either is missing, except on CI (CI=true) where
that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import datasette_data as data
from tests.conftest import ARTIFACTS, require, serving

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("WPARCHIVE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEPTH_OF = """el => { let n = 0; for (let p = el.parentElement; p; p = p.parentElement) {
  if (p.matches('ol.thread')) n++; } return n; }"""


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    return data.build_archive(tmp_path_factory.mktemp("browser") / "archive.db")


@pytest.fixture(scope="module")
def server(archive_path) -> Iterator[str]:
    """The test archive served, until the module's tests are done."""
    with serving(archive_path, "datasette-server.log") as base:
        yield base


@pytest.fixture(scope="module")
def odd_path(tmp_path_factory) -> Path:
    return data.build_odd_archive(tmp_path_factory.mktemp("browser-odd") / "odd.db")


@pytest.fixture(scope="module")
def odd_server(odd_path) -> Iterator[str]:
    """The publishing tests' archive (hostile names, bidi controls, outside media) served."""
    with serving(odd_path, "datasette-odd-server.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    require(importlib.util.find_spec("playwright") is not None, "playwright is not installed (pip install playwright)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, base: str):
    """A fresh page on `base` that records every dialog (and dismisses it: none may ever open),
    every request it makes (`page.requests`; one for another address than 127.0.0.1 is recorded
    and aborted, so no test touches the network) and every Content-Security-Policy violation
    Chromium reports (`page.csp_violations`)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=base)
    page = context.new_page()
    page.dialogs = []
    page.requests = []
    page.csp_violations = []

    def route(route) -> None:
        page.requests.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.set_default_timeout(15000)
    return context, page


def outside_requests(page) -> list[str]:
    """The requests the page made to anything but 127.0.0.1 (data: URLs are not requests)."""
    return [url for url in page.requests if urlsplit(url).scheme != "data" and urlsplit(url).hostname != "127.0.0.1"]


@pytest.fixture
def page(browser, server):
    """A fresh page on the test archive; afterwards, none of its requests left 127.0.0.1."""
    context, page = open_page(browser, server)
    yield page
    context.close()
    assert outside_requests(page) == []


@pytest.fixture
def odd_page(browser, odd_server):
    """A fresh page on the publishing tests' archive; afterwards, none of its requests left 127.0.0.1."""
    context, page = open_page(browser, odd_server)
    yield page
    context.close()
    assert outside_requests(page) == []


def settle(page) -> None:
    """Let images fail, handlers (if any) fire, and layout finish."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(400)


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def post_id(archive_path: Path, title: str) -> int:
    return data.post_id(archive_path, title)


def test_thread_page_shows_nested_replies(page, archive_path):
    page.goto(f"/-/post/{post_id(archive_path, data.DEEP_TITLE)}")
    settle(page)
    assert page.locator("h1.post-title").inner_text() == data.DEEP_TITLE
    assert page.locator(".trail").inner_text().split("\n")[0].startswith("Home")
    comments = page.locator("article.comment")
    assert comments.count() == len(data.DEEP_THREAD)
    lefts = {}
    for index, (author, depth, kind) in enumerate(data.DEEP_THREAD):
        comment = comments.nth(index)
        assert comment.is_visible()
        assert comment.locator(".comment-author").inner_text() == author
        assert comment.get_attribute("data-depth") == str(depth)
        assert comment.locator(".badge").inner_text().lower() == kind
        assert comment.locator(".depth").inner_text() == f"depth {depth}"
        assert comment.evaluate(DEPTH_OF) == depth
        lefts.setdefault(depth, comment.bounding_box()["x"])
    # Seen on screen: every level of replies sits further right than the one it answers.
    assert [lefts[d] for d in range(1, 7)] == sorted(lefts[d] for d in range(1, 7))
    assert lefts[6] - lefts[1] > 100
    deepest = page.locator("article.comment[data-depth='6']")
    assert "replying to Dmitri Petrov" in deepest.inner_text()
    assert page.locator(".discussion h2").inner_text().startswith("11 responses")
    assert page.locator(".share-links").get_by_text("javascript:window.print()").is_visible()
    assert page.locator(".share-links a[href^='javascript']").count() == 0
    assert page.dialogs == []
    shoot(page, "thread.png")


def test_hostile_post_runs_nothing(page, archive_path):
    page.goto(f"/-/post/{post_id(archive_path, data.HOSTILE_TITLE)}")
    settle(page)
    assert page.locator("h1.post-title").inner_text() == data.HOSTILE_TITLE
    assert page.locator(".post-content").get_by_text("Styled paragraph").is_visible()
    # A person reads, hovers, clicks: still nothing runs.
    page.locator(".post-content a", has_text="primary source").click()
    page.locator(".comment-body", has_text="Who am I?").hover()
    page.locator(".comment-body a", has_text="click").click()
    settle(page)
    assert page.dialogs == []
    assert page.url.endswith(f"/-/post/{post_id(archive_path, data.HOSTILE_TITLE)}")
    counts = page.evaluate(
        """() => ({
          iframes: document.querySelectorAll('iframe, object, embed').length,
          handlers: [...document.querySelectorAll('.content *')].filter(
              el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
          scripts: document.querySelectorAll('.content script').length,
          styled: document.querySelectorAll('.archived-html [style]').length,
        })"""
    )
    assert counts == {"iframes": 0, "handlers": 0, "scripts": 0, "styled": 0}
    thread = page.locator("article.comment")
    assert [thread.nth(i).evaluate(DEPTH_OF) for i in range(thread.count())] == [1, 2, 3]
    shoot(page, "hostile.png")


def test_search_finds_a_comment_and_opens_it(page, archive_path):
    page.goto("/-/search")
    box = page.get_by_role("searchbox", name="Words to find")
    box.fill(data.COMMENT_WORD)
    box.press("Enter")
    page.wait_for_url(f"**/-/search?q={data.COMMENT_WORD}*")
    hit = page.locator(".hit-comment")
    assert hit.count() == 1 and hit.is_visible()
    assert hit.locator("mark").inner_text() == data.COMMENT_WORD
    assert page.locator(".search-summary").inner_text().startswith("0 posts and 1 comment")
    shoot(page, "search.png")
    hit.locator("a.hit-title").click()
    page.wait_for_url("**/-/post/*#comment-*")
    settle(page)
    target = page.locator("article.comment:target")
    assert target.count() == 1 and target.is_visible()
    assert data.COMMENT_WORD in target.inner_text()
    assert target.get_attribute("data-depth") == "4"
    box = target.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"]  # scrolled to the comment
    assert page.dialogs == []
    shoot(page, "search-hit.png")


def test_chart_is_drawn(page):
    page.goto("/-/activity")
    settle(page)
    hist = page.locator(".chart-block", has=page.get_by_role("heading", name=data.HIST_NAME))
    svg = hist.locator("svg.activity-chart")
    assert svg.is_visible()
    chart = svg.bounding_box()
    assert chart["width"] > 300 and chart["height"] > 150
    posts = hist.locator("rect.bar.posts")
    comments = hist.locator("rect.bar.comments")
    assert posts.count() == 6 and comments.count() == 6
    heights = []
    for bar in [posts.nth(i) for i in range(6)] + [comments.nth(i) for i in range(6)]:
        box = bar.bounding_box()
        assert box["height"] > 0 and box["width"] > 0
        assert chart["x"] <= box["x"] <= chart["x"] + chart["width"]
        heights.append(box["height"])
    assert max(heights[6:]) == comments.nth(1).bounding_box()["height"]  # 9 comments, week of 10 Sep
    assert hist.locator("text.month").first.text_content() == "Sep 2012"
    edu = page.locator(".chart-block", has=page.get_by_role("heading", name=data.EDU_NAME))
    assert edu.locator("rect.bar").count() == 5
    assert page.dialogs == []
    shoot(page, "chart.png")


def test_front_page_leads_to_a_thread_and_the_chart(page, archive_path):
    page.goto("/")
    settle(page)
    assert page.get_by_role("heading", name="Research queries").is_visible()
    page.locator(".front-threads a", has_text=data.DEEP_TITLE).first.click()
    page.wait_for_url(f"**/-/post/{post_id(archive_path, data.DEEP_TITLE)}")
    assert page.locator("article.comment[data-depth='6']").is_visible()
    page.get_by_role("link", name="Activity chart").first.click()
    page.wait_for_url("**/-/activity")
    assert page.locator("svg.activity-chart").count() == 2
    page.go_back()
    page.get_by_role("link", name="Archive").first.click()
    page.get_by_role("link", name="Who replies to whom").click()
    page.wait_for_url("**/archive/reply_network")
    assert page.locator("table.rows-and-columns tbody tr").count() == 10
    assert page.dialogs == []
    shoot(page, "reply-network.png")
    page.goto("/")
    settle(page)
    shoot(page, "front.png")


# ---------------------------------------------------------------------------------------------
# One Content-Security-Policy on every page (issue 13): Datasette's own scripts run, nothing else
# does, and nothing is loaded from outside the machine.


def test_every_kind_of_page_works_under_the_policy(page, archive_path):
    deep = post_id(archive_path, data.DEEP_TITLE)
    pages = [
        "/",
        "/archive",
        "/archive/posts",
        "/archive/post_index?_facet=author",
        f"/archive/posts/{deep}",
        "/archive/most_discussed",
        "/archive?sql=select+id%2C+title+from+posts",
        "/archive?sql=select+nonsense+from",
        f"/-/post/{deep}",
        f"/-/search?q={data.COMMENT_WORD}",
        "/-/activity",
        "/no-such-page",
    ]
    for path in pages:
        page.goto(path)
        settle(page)
        assert page.csp_violations == [], path
    # Datasette's own scripts ran under the nonce: the SQL editor, the table's column menus, and
    # the script that closes the menu when the reader clicks elsewhere.
    page.goto("/archive?sql=select+id%2C+title+from+posts")
    settle(page)
    assert page.locator(".CodeMirror").count() == 1
    page.goto("/archive/posts")
    settle(page)
    assert page.locator("th .dropdown-menu-icon").count() > 3
    page.locator("details.nav-menu summary").click()
    assert page.locator("details.nav-menu").get_attribute("open") is not None
    page.locator("h1").first.click()
    assert page.locator("details.nav-menu").get_attribute("open") is None
    assert page.csp_violations == [] and page.dialogs == []
    assert len(page.requests) > len(pages) and outside_requests(page) == []


# ---------------------------------------------------------------------------------------------
# Hostile names and outside media (issue 13), in the publishing tests' archive


def test_outside_media_are_placeholders_and_nothing_leaves(odd_page, odd_path):
    odd_page.goto(f"/-/post/{data.post_id(odd_path, data.MEDIA_TITLE)}")
    settle(odd_page)
    boxes = odd_page.locator(".post-content .archived-media")
    assert boxes.count() == len(data.MEDIA_SHOWN)
    for index, (href, words) in enumerate(data.MEDIA_SHOWN):
        box = boxes.nth(index)
        assert box.is_visible() and box.inner_text().strip() == words
        link = box if box.evaluate("el => el.tagName") == "A" else box.locator("xpath=ancestor::a[1]")
        assert (link.get_attribute("href") if href else None) == href
    images = odd_page.evaluate("() => [...document.images].map(i => [i.currentSrc, i.complete, i.naturalWidth])")
    assert images and all(src.startswith("data:image/svg+xml") and done and width > 0 for src, done, width in images)
    assert odd_page.locator("video, audio, iframe, object, embed").count() == 0
    assert odd_page.csp_violations == [] and odd_page.dialogs == []
    assert outside_requests(odd_page) == []
    shoot(odd_page, "media-placeholders.png")


def test_hostile_names_run_nothing_on_any_page(odd_page, odd_path):
    xss = data.post_id(odd_path, data.XSS_TITLE)
    shown = 0
    for path in (
        "/",
        f"/-/post/{xss}",
        "/-/search?q=alert",
        "/-/activity",
        "/odd/posts",
        f"/odd/posts/{xss}",
        "/odd/comments",
        "/odd/post_index?_facet=author",
        f"/odd/thread?post_id={xss}",
        "/odd?sql=select+title%2C+author%2C+content_html+from+posts",
    ):
        odd_page.goto(path)
        settle(odd_page)
        assert odd_page.dialogs == [], path
        assert odd_page.csp_violations == [], path
        shown += any(f"alert('{where}')" in odd_page.locator("body").inner_text() for where in ("title", "author"))
    assert shown >= 8  # the hostile strings were there, as text
    assert outside_requests(odd_page) == []


def test_bidi_controls_cannot_turn_the_page_around(odd_page, odd_path):
    odd_page.goto(f"/-/post/{data.post_id(odd_path, data.BIDI_TITLE)}")
    settle(odd_page)
    author = odd_page.locator(".post-meta .post-author")
    assert author.inner_text() == "Alice[U+202E]gnp.exe"
    # On screen, the date still follows the name on its line (an override left open would have
    # turned the rest of the line around and put the date before it).
    assert odd_page.locator(".post-meta time").bounding_box()["x"] > author.bounding_box()["x"]
    comment = odd_page.locator("article.comment").first
    assert comment.locator(".badge").bounding_box()["x"] > comment.locator(".comment-author").bounding_box()["x"]
    assert odd_page.locator("h1.post-title").inner_text() == "Week 10: [U+2067]\u05e9\u05dc\u05d5\u05dd notes"
    assert odd_page.title().startswith("Week 10: [U+2067]")
    odd_page.goto("/odd/posts")
    settle(odd_page)
    row = odd_page.locator("tr", has=odd_page.locator("td.col-author", has_text="gnp.exe"))
    assert row.locator("td.col-author").inner_text() == "Alice[U+202E]gnp.exe"
    assert row.locator("td.col-published").bounding_box()["x"] > row.locator("td.col-author").bounding_box()["x"]
    assert odd_page.csp_violations == [] and odd_page.dialogs == []
    shoot(odd_page, "bidi-names.png")
