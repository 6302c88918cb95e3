"""The archive in Datasette, through Datasette's own client: every page and canned query, by content.

The archive is `tests/datasette_data.py`: two course blogs written through `archive.db.save_post`,
a thread six replies deep, pingbacks, and hostile HTML stored unsanitised so that the pages' own
sanitising is what is tested.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from archive import research
from archive.datasette import (
    activity_svg,
    build_metadata,
    build_thread,
    datasette_instance,
    metadata_for,
    safe_href,
    sanitise_html,
    serve_args,
    thread_depth,
)
from archive.schema import TABLES, VIEWS
from tests import datasette_data as data

DB = "archive"
HOSTILE_MARKERS = ("<script", "onerror", "onclick", "onmouseover", "<iframe", "expression(", "javascript:")


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    return data.build_archive(tmp_path_factory.mktemp("datasette") / f"{DB}.db")


@pytest.fixture
def ds(archive_path):
    return datasette_instance(archive_path)


@pytest.fixture(scope="module")
def ids(archive_path) -> dict[str, int]:
    return {
        "deep": data.post_id(archive_path, data.DEEP_TITLE),
        "hostile": data.post_id(archive_path, data.HOSTILE_TITLE),
        "quiet": data.post_id(archive_path, "Readings for week 3"),
        "final": data.post_id(archive_path, "Final thoughts"),
    }


async def page(ds, path: str, status: int = 200) -> BeautifulSoup:
    response = await ds.client.get(path)
    assert response.status_code == status, (path, response.text[:2000])
    return BeautifulSoup(response.text, "html.parser")


async def rows(ds, path: str) -> list[dict]:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:2000])
    return response.json()["rows"]


def archived_html(soup: BeautifulSoup) -> str:
    """All archived HTML on a page (post content and comment bodies), as served."""
    return "".join(str(node) for node in soup.select(".archived-html"))


def thread_items(soup: BeautifulSoup) -> list[tuple[str, int, str, int]]:
    """(author, data-depth, type, how many thread lists enclose it) for each comment, in page order."""
    items = []
    for article in soup.select("article.comment"):
        nesting = len(article.find_parents("ol", class_="thread"))
        author = article.select_one(".comment-author").get_text(strip=True)
        items.append((author, int(article["data-depth"]), article["data-type"], nesting))
    return items


# ---------------------------------------------------------------------------------------------
# Metadata, read-only serving


def test_every_table_and_column_is_described(archive_path):
    metadata = metadata_for(archive_path)
    tables = metadata["databases"][DB]["tables"]
    for table in TABLES:
        assert tables[table.name]["description"], table.name
        for column in table.columns:
            assert tables[table.name]["columns"][column.name], (table.name, column.name)
    for view in (*VIEWS, *research.RESEARCH_VIEWS):
        assert tables[view]["description"], view
        assert tables[view]["columns"], view


async def test_views_columns_match_their_descriptions(ds):
    tables = metadata_for(ds.databases[DB].path)["databases"][DB]["tables"]
    for view in (*VIEWS, *research.RESEARCH_VIEWS):
        response = await ds.client.get(f"/{DB}/{view}.json?_size=0")
        assert set(response.json()["columns"]) == set(tables[view]["columns"]), view


def test_metadata_states_source_and_crawl_dates(archive_path):
    metadata = metadata_for(archive_path)
    description = metadata["databases"][DB]["description"]
    assert data.HIST in description and data.EDU in description
    assert "2 crawls" in description and "crawls table" in description
    assert re.search(r"from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d", description)
    assert "crawls table" in metadata["databases"][DB]["tables"]["posts"]["description"]
    assert metadata["source"] == "2 WordPress blogs (see the sites table)"


def test_metadata_without_an_archive():
    metadata = metadata_for("/nonexistent/archive.db")
    assert metadata["databases"]["archive"]["description"] == "No blog archived yet."
    assert build_metadata()["databases"]["*"]["queries"].keys() == research.CANNED_QUERIES.keys()


async def test_served_read_only(ds, archive_path):
    before = archive_path.read_bytes()
    response = await ds.client.get(f"/{DB}.json?sql=" + quote("DELETE FROM posts"))
    assert response.status_code == 400
    assert "Statement must be a SELECT" in response.text
    # Datasette reads through read-only connections: SQLite itself refuses a write.
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await ds.databases[DB].execute_fn(lambda conn: conn.execute("DELETE FROM posts"))
    for path in ("/", f"/{DB}", f"/{DB}/posts", "/-/search?q=sugar", "/-/activity"):
        assert (await ds.client.get(path)).status_code == 200
    assert archive_path.read_bytes() == before


def test_serve_command_matches_the_instance(archive_path):
    args = serve_args(str(archive_path), "/tmp/m.json", "127.0.0.1", 9999)
    assert args[args.index("serve") + 1] == str(archive_path) and "-i" not in args  # not immutable
    assert "--plugins-dir" in args and "--template-dir" in args and "--static" in args
    assert args[args.index("max_returned_rows") - 1:][:3] == ["--setting", "max_returned_rows", "5000"]


# ---------------------------------------------------------------------------------------------
# The front page


async def test_front_page_leads_to_everything(ds, ids):
    soup = await page(ds, "/")
    text = soup.get_text(" ", strip=True)
    assert "10 posts and pages, 22 comments, pingbacks and trackbacks from 2 blogs" in text
    assert "archived in 2 crawls" in text
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    assert "/-/search" in hrefs and "/-/activity" in hrefs
    assert f"/{DB}/post_index" in hrefs
    assert f"/-/post/{ids['deep']}" in hrefs  # most discussed and deepest thread
    for name in research.CANNED_QUERIES:
        assert f"/{DB}/{name}" in hrefs, name
    assert soup.select_one("form[action='/-/search'] input[name=q]")
    deepest = soup.select_one(".front-threads").get_text(" ", strip=True)
    assert f"{data.DEEP_TITLE} 6 levels" in deepest
    # Titles are text, never markup.
    assert "<script>alert('title')</script>" in text
    assert not soup.select(".content script")


async def test_every_front_page_link_works(ds):
    soup = await page(ds, "/")
    for a in soup.select(".content a[href^='/']"):
        response = await ds.client.get(a["href"])
        assert response.status_code == 200, a["href"]


async def test_menu_on_datasette_pages(ds):
    soup = await page(ds, f"/{DB}/posts")
    menu = {a.get_text(strip=True): a["href"] for a in soup.select(".nav-menu a")}
    assert menu["Search"] == "/-/search" and menu["Activity chart"] == "/-/activity"


# ---------------------------------------------------------------------------------------------
# The post page


async def test_post_page_shows_the_post(ds, ids):
    soup = await page(ds, f"/-/post/{ids['deep']}")
    assert soup.select_one("h1.post-title").get_text() == data.DEEP_TITLE
    assert soup.title.get_text() == f"{data.DEEP_TITLE} — {data.HIST_NAME}"
    assert soup.select_one(".post-author").get_text() == data.INSTRUCTOR
    time = soup.select_one(".post-meta time")
    assert time["datetime"] == "2012-09-11T09:00:00-04:00" and time.get_text() == "Tue 11 Sep 2012, 09:00"
    trail = [li.get_text(strip=True) for li in soup.select(".trail li")]
    assert trail == ["Home", "Readings", data.DEEP_TITLE]
    assert soup.select(".trail li a")[0]["href"] == data.HIST
    assert [a.get_text() for a in soup.select(".categories a")] == ["Readings"]
    assert [a.get_text() for a in soup.select(".tags a")] == ["Slavery", "Sugar"]
    assert "tags__arraycontains=Sugar" in soup.select(".tags a")[1]["href"]
    assert "manumission" in soup.select_one(".post-content").get_text()
    assert [p.get_text() for p in soup.select(".post-content p")][0] == "Sugar transformed the Atlantic world."
    footer = soup.select_one(".provenance").get_text(" ", strip=True)
    assert "https://hist101.blogs.example.edu/2012/09/sugar-slavery/" in footer
    assert "First archived by crawl 1" in footer
    assert soup.select_one("a[rel=prev]").get_text() == "← Welcome to History 101"
    assert soup.select_one("a[rel=next]").get_text() == "Response: the Middle Passage →"


async def test_share_links_are_data_and_javascript_is_never_a_link(ds, ids):
    soup = await page(ds, f"/-/post/{ids['deep']}")
    cells = [[td.get_text() for td in tr.select("td")] for tr in soup.select(".share-links tbody tr")]
    assert [c[0] for c in cells] == ["twitter", "digg", "print", "email"]
    assert cells[2][1] == "javascript:window.print()"
    links = [a["href"] for a in soup.select(".share-links a")]
    assert links == [
        "https://twitter.com/intent/tweet?url=https://hist101.blogs.example.edu/2012/09/sugar-slavery/",
        "http://digg.com/submit?url=https://hist101.blogs.example.edu/2012/09/sugar-slavery/",
    ]
    assert soup.select_one(".share-links code.inert-url").get_text() == "javascript:window.print()"
    assert not soup.select("[href^='javascript'], [src^='javascript']")


async def test_thread_is_nested_in_reply_order(ds, ids):
    soup = await page(ds, f"/-/post/{ids['deep']}")
    items = thread_items(soup)
    assert [(author, depth, kind) for author, depth, kind, _ in items] == data.DEEP_THREAD
    for author, depth, _, nesting in items:
        assert nesting == depth, author  # each reply sits inside its parent's list
    heading = soup.select_one(".discussion h2").get_text(" ", strip=True)
    assert heading == "11 responses (9 comments, 1 pingback, 1 trackback; replies 6 deep)"
    deepest = soup.select("article.comment[data-depth='6']")
    assert len(deepest) == 1
    assert "replying to Dmitri Petrov" in deepest[0].get_text()
    # The depth-6 reply is inside the depth-1 comment's article list item, five levels down.
    top = soup.select("ol.thread > li.thread-item")[0]
    assert deepest[0] in top.find_all("article")
    meta = soup.select_one("article[data-type=pingback] .comment-meta").get_text(" ", strip=True)
    assert meta.startswith("atlantichistorynotes.example.net pingback Mon 17 Sep 2012, 10:00")
    assert soup.select_one("article[data-type=pingback] a.comment-author")["href"] == (
        "https://atlantichistorynotes.example.net/sugar/"
    )


async def test_comment_anchors_and_dates(ds, ids, archive_path):
    soup = await page(ds, f"/-/post/{ids['deep']}")
    import sqlite3

    with sqlite3.connect(archive_path) as conn:
        comment_id = conn.execute("SELECT id FROM comments WHERE content_text LIKE '%quilombo%'").fetchone()[0]
    article = soup.select_one(f"#comment-{comment_id}")
    assert article["data-depth"] == "4"
    assert article.select_one("time")["datetime"] == "2012-09-13T08:05:00-04:00"
    assert article.select_one(".permalink")["href"] == f"#comment-{comment_id}"


async def test_hostile_post_cannot_run_anything(ds, ids):
    response = await ds.client.get(f"/-/post/{ids['hostile']}")
    assert re.search(r"script-src 'nonce-[\w-]+';", response.headers["content-security-policy"])
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    soup = BeautifulSoup(response.text, "html.parser")
    served = archived_html(soup)
    for marker in HOSTILE_MARKERS:
        assert marker not in served.lower(), marker
    assert "style=" not in served
    assert not soup.select(".content iframe, .content script, .content object, .content embed")
    for element in soup.select(".content *"):
        for attribute, value in element.attrs.items():
            assert not attribute.startswith("on"), element
            values = value if isinstance(value, list) else [value]
            assert not any("javascript" in v.lower() for v in values), element
    # What is harmless stays: text, structure, the image as a link to it (without its handler).
    content = soup.select_one(".post-content")
    assert "Styled paragraph" in content.get_text()
    image = content.select_one("a.archived-media")
    assert image["href"] == "http://127.0.0.1:9/missing.png" and image.get_text() == "Image: broken image"
    assert content.select_one("a").get_text() == "primary source" and not content.select_one("a").get("href")
    # Broken markup is balanced inside the post: nothing after it is swallowed or moved.
    shares = soup.select_one(".shares")
    assert shares is not None and shares.find_parent(class_="post-content") is None
    # Titles and names are text.
    assert soup.select_one("h1.post-title").get_text() == data.HOSTILE_TITLE


async def test_hostile_comments_keep_the_thread_intact(ds, ids):
    soup = await page(ds, f"/-/post/{ids['hostile']}")
    items = thread_items(soup)
    assert [(a, d, n) for a, d, _, n in items] == [
        ("Emma Walsh", 1, 1),
        ("\"><img src=x onerror=alert('author')>", 2, 2),
        (data.INSTRUCTOR, 3, 3),
    ]
    first = soup.select("article.comment")[0]
    assert first.select_one(".comment-author").name == "span"  # javascript: website is not a link
    assert first.select_one(".data-url code").get_text() == "javascript:alert('author-url')"
    assert "click" in first.select_one(".comment-body").get_text()
    assert [a["href"] for a in soup.select(".comment-body a[href]")] == ["http://127.0.0.1:9/x.png"]  # the image
    assert not soup.select("article img[onerror]")


async def test_unknown_post_is_404(ds):
    soup = await page(ds, "/-/post/999999", status=404)
    assert "No post 999999" in soup.get_text()


async def test_post_without_comments(ds, ids):
    soup = await page(ds, f"/-/post/{ids['quiet']}")
    assert soup.select_one(".discussion h2").get_text(strip=True) == "0 responses"
    assert soup.select_one(".discussion .empty").get_text() == "No comments archived."


# ---------------------------------------------------------------------------------------------
# Search


async def test_search_finds_a_comment_and_links_to_it(ds, ids):
    soup = await page(ds, f"/-/search?q={data.COMMENT_WORD}")
    summary = soup.select_one(".search-summary").get_text(" ", strip=True)
    assert summary.startswith(f"0 posts and 1 comment match “{data.COMMENT_WORD}”")
    hit = soup.select_one(".hit-comment")
    link = hit.select_one("a.hit-title")
    assert link.get_text() == f"Chloé Martin on “{data.DEEP_TITLE}”"
    assert re.fullmatch(rf"/-/post/{ids['deep']}#comment-\d+", link["href"])
    assert hit.select_one("mark").get_text() == data.COMMENT_WORD
    assert "reply, depth 4" in hit.get_text()
    target = await page(ds, link["href"].split("#")[0])
    assert target.select_one(f"#{link['href'].split('#')[1]}") is not None


async def test_search_finds_a_post_with_stemming(ds, ids):
    soup = await page(ds, "/-/search?q=transforming")  # porter: transformed ~ transforming
    hit = soup.select_one(".hit-post a.hit-title")
    assert hit.get_text() == data.DEEP_TITLE and hit["href"] == f"/-/post/{ids['deep']}"
    assert soup.select_one(".hit-post mark").get_text() == "transformed"


async def test_search_scope_and_site(ds):
    soup = await page(ds, "/-/search?q=palmares")
    assert len(soup.select(".hit-post")) == 1 and len(soup.select(".hit-comment")) == 2
    soup = await page(ds, "/-/search?q=palmares&in=comments")
    assert not soup.select(".hits-posts") and len(soup.select(".hit-comment")) == 2
    assert soup.select_one(".search-summary").get_text(" ", strip=True).startswith("2 comments match")
    soup = await page(ds, "/-/search?q=palmares&site=2")
    assert not soup.select(".hit")
    soup = await page(ds, "/-/search?q=blogging&site=2")
    assert [a.get_text() for a in soup.select(".hit-post a.hit-title")] == ["Blogging in class"]  # blog ~ blogging


async def test_search_with_too_many_hits_to_rank(ds, monkeypatch):
    monkeypatch.setattr(research, "SEARCH_RANK_LIMIT", 1)
    soup = await page(ds, "/-/search?q=palmares")
    summary = soup.select_one(".search-summary").get_text(" ", strip=True)
    assert summary.startswith("1 post and more than 1 comments match")
    assert "newest archived first" in soup.select_one(".unranked").get_text()
    assert len(soup.select(".hit-comment")) == 2  # all hits still there, newest first
    ids = [int(a["href"].rsplit("-", 1)[1]) for a in soup.select(".hit-comment a.hit-title")]
    assert ids == sorted(ids, reverse=True)


async def test_search_survives_odd_input(ds):
    for q in ['"unbalanced', "AND OR NOT (", "*", "<script>alert(1)</script>", "a" * 2000, "Chlo\u00e9"]:
        soup = await page(ds, "/-/search?q=" + quote(q))
        assert not soup.select(".message-error"), q
        assert not soup.select(".content script")
    soup = await page(ds, "/-/search")
    assert "Finds words in post titles" in soup.select_one(".hint").get_text()


async def test_search_links_to_faceted_table_search(ds, ids):
    soup = await page(ds, "/-/search?q=sugar")
    refine = [a["href"] for a in soup.select(".search-summary a")]
    assert refine == [f"/{DB}/posts?_search=sugar", f"/{DB}/comments?_search=sugar"]
    table = await page(ds, refine[0])
    assert table.select_one(f"td.col-title a[href='/-/post/{ids['deep']}']").get_text() == data.DEEP_TITLE


# ---------------------------------------------------------------------------------------------
# Links from Datasette's tables and queries to the post page


async def test_table_cells_link_to_post_pages(ds, ids):
    soup = await page(ds, f"/{DB}/posts")
    assert soup.select_one(f"td.col-title a[href='/-/post/{ids['deep']}']").get_text() == data.DEEP_TITLE
    soup = await page(ds, f"/{DB}/post_index?site=" + quote(data.EDU_NAME))
    assert len(soup.select("td.col-title a[href^='/-/post/']")) == 4
    soup = await page(ds, f"/{DB}/comments?_search={data.COMMENT_WORD}")
    link = soup.select_one("td.col-post_id a")
    assert re.fullmatch(rf"/-/post/{ids['deep']}#comment-\d+", link["href"]) and link.get_text() == data.DEEP_TITLE
    soup = await page(ds, f"/{DB}/comment_index?_search=&type=pingback")
    assert soup.select_one("td.col-post_title a")["href"].startswith(f"/-/post/{ids['deep']}#comment-")
    # Hostile titles are escaped in Datasette's own tables too.
    soup = await page(ds, f"/{DB}/posts/{ids['hostile']}")
    assert not soup.select(".content script")


async def test_facets(ds):
    response = await ds.client.get(f"/{DB}/post_index.json?_size=0")
    facets = response.json()["facet_results"]
    assert set(facets) == {"site", "author", "year", "categories", "tags"}
    assert {r["value"]: r["count"] for r in facets["categories"]["results"]}["Readings"] == 2
    assert {r["value"]: r["count"] for r in facets["year"]["results"]} == {2012: 6, 2013: 4}
    response = await ds.client.get(f"/{DB}/comment_index.json?_size=0")
    facets = response.json()["facet_results"]
    assert {"site", "type", "author", "year", "depth"} <= set(facets)
    assert {r["value"]: r["count"] for r in facets["type"]["results"]} == {
        "comment": 20, "pingback": 1, "trackback": 1,
    }
    response = await ds.client.get(f"/{DB}/post_terms_index.json?_size=0&taxonomy=post_tag")
    assert {r["value"]: r["count"] for r in response.json()["facet_results"]["term"]["results"]}["Blogging"] == 2


# ---------------------------------------------------------------------------------------------
# Canned queries: every one, by content, as JSON and as a page


async def test_canned_queries_are_listed_with_descriptions(ds):
    soup = await page(ds, f"/{DB}")
    listed = [a["href"] for a in soup.select_one("h2#queries").find_next("ul").select("a")]
    assert listed == [f"/{DB}/{name}" for name in research.CANNED_QUERIES]
    for name, spec in research.CANNED_QUERIES.items():
        soup = await page(ds, f"/{DB}/{name}")
        assert soup.select_one("h1").get_text(strip=True).startswith(spec["title"]), name
        assert spec["description"][:40] in soup.get_text(" ", strip=True), name


async def test_thread_query(ds, ids):
    result = await rows(ds, f"/{DB}/thread.json?_shape=objects&post_id={ids['deep']}")
    assert [(r["reply_by"].replace("\u2003", "").removeprefix("↳ "), r["depth"], r["type"]) for r in result] == (
        data.DEEP_THREAD
    )
    assert result[5]["reply_by"] == "\u2003" * 10 + "↳ " + data.INSTRUCTOR
    assert result[5]["replying_to"] == "Dmitri Petrov"
    soup = await page(ds, f"/{DB}/thread?post_id={ids['deep']}")
    assert soup.select_one("td.col-comment_id a")["href"] == f"/-/post/{ids['deep']}#comment-{result[0]['comment_id']}"
    assert soup.select_one("td.col-post_id a")["href"] == f"/-/post/{ids['deep']}"


async def test_reply_network_query(ds):
    result = await rows(ds, f"/{DB}/reply_network.json?_shape=objects&site=")
    edges = {(r["site"][:3], r["replier"], r["replied_to"]): r["replies"] for r in result}
    assert edges[("His", data.INSTRUCTOR, "Ben Okafor")] == 1
    assert edges[("His", "Chloé Martin", "Ben Okafor")] == 1
    assert edges[("EDU", data.EDU_INSTRUCTOR, "Farah Haddad")] == 1
    assert sum(edges.values()) == 10  # pingbacks and top-level comments are not edges
    by_name = await rows(ds, f"/{DB}/reply_network.json?_shape=objects&site=" + quote(data.EDU_NAME))
    by_url = await rows(ds, f"/{DB}/reply_network.json?_shape=objects&site=" + quote(data.EDU))
    by_id = await rows(ds, f"/{DB}/reply_network.json?_shape=objects&site=2")
    assert by_name == by_url == by_id and len(by_id) == 1


async def test_authors_query(ds):
    result = await rows(ds, f"/{DB}/authors.json?_shape=objects&site=1&instructor=")
    people = {r["author"]: r for r in result}
    assert people[data.INSTRUCTOR]["role"] == "instructor"
    assert people[data.INSTRUCTOR]["posts_written"] == 4
    assert people[data.INSTRUCTOR]["comments_received"] == 11
    ben = people["Ben Okafor"]
    assert (ben["posts_written"], ben["comments_written"], ben["comments_received"], ben["replies_received"],
            ben["instructor_replies"]) == (1, 3, 2, 3, 2)
    assert people["Chloé Martin"]["instructor_replies"] == 1
    named = await rows(ds, f"/{DB}/authors.json?_shape=objects&site=1&instructor=Ben+Okafor")
    assert {r["author"]: r["role"] for r in named}["Ben Okafor"] == "instructor"
    # Ben, as instructor, answered Ada three times: two top-level comments on her posts, one reply.
    assert {r["author"]: r["instructor_replies"] for r in named}[data.INSTRUCTOR] == 3


async def test_most_discussed_and_silent_posts(ds, ids):
    result = await rows(ds, f"/{DB}/most_discussed.json?_shape=objects&site=")
    assert result[0]["post_id"] == ids["deep"]
    assert (result[0]["comments"], result[0]["commenters"], result[0]["deepest_reply"]) == (9, 5, 6)
    silent = await rows(ds, f"/{DB}/posts_without_comments.json?_shape=objects&site=")
    assert {r["title"] for r in silent} == {"Readings for week 3", "Response: Palmares and resistance"}
    soup = await page(ds, f"/{DB}/posts_without_comments")
    assert soup.select_one(f"td.col-title a[href='/-/post/{ids['quiet']}']")


async def test_comments_after_last_post(ds, ids):
    result = await rows(ds, f"/{DB}/comments_after_last_post.json?_shape=objects&site=")
    assert [(r["author"], r["days_after_last_post"]) for r in result] == [("Dmitri Petrov", 1.0), ("Emma Walsh", 86.0)]
    assert {r["post_id"] for r in result} == {ids["final"]}


async def test_weekly_activity_query(ds):
    result = await rows(ds, f"/{DB}/weekly_activity.json?_shape=objects&site=1")
    weeks = [r["week"] for r in result]
    assert weeks[0] == "2012-09-03" and weeks[-1] == "2013-01-07" and len(weeks) == 19  # quiet weeks included
    assert {r["week"]: (r["posts"], r["comments"], r["pingbacks"]) for r in result}["2012-09-10"] == (1, 9, 0)
    assert sum(r["posts"] for r in result) == 6 and sum(r["comments"] for r in result) == 17
    response = await ds.client.get(f"/{DB}/weekly_activity.csv?site=2")
    assert response.text.splitlines()[1] == "2,EDU 540 Learning Technologies,2013-01-14,1,2,0"


async def test_search_query(ds, ids):
    result = await rows(ds, f"/{DB}/search.json?_shape=objects&q=palmares")
    assert [r["kind"] for r in result].count("comment") == 2 and [r["kind"] for r in result].count("post") == 1
    assert any("[Palmares]" in r["snippet"] for r in result)


# ---------------------------------------------------------------------------------------------
# The chart


async def test_activity_page_draws_a_chart_per_site(ds):
    soup = await page(ds, "/-/activity")
    blocks = {b.select_one("h2").get_text(): b for b in soup.select(".chart-block")}
    assert set(blocks) == {data.HIST_NAME, data.EDU_NAME}
    hist = blocks[data.HIST_NAME]
    posts = hist.select("svg rect.bar.posts")
    comments = hist.select("svg rect.bar.comments")
    assert [r["data-week"] for r in posts] == [
        "2012-09-03", "2012-09-10", "2012-09-17", "2012-09-24", "2012-10-01", "2012-10-15",
    ]
    assert {r["data-week"]: int(r["data-count"]) for r in comments} == {
        "2012-09-03": 1, "2012-09-10": 9, "2012-09-17": 2, "2012-09-24": 3, "2012-10-15": 1, "2013-01-07": 1,
    }
    assert comments[1].select_one("title").get_text() == "Week of 10 Sep 2012: 9 comments"
    tallest = max(comments, key=lambda r: float(r["height"]))
    assert tallest["data-week"] == "2012-09-10"
    assert hist.select_one(".chart-summary").get_text(" ", strip=True).startswith("6 posts and 17 comments")
    assert len(hist.select(".chart-numbers tbody tr")) == 19
    assert len(blocks[data.EDU_NAME].select("rect.bar")) == 5
    assert not soup.select(".content script")


async def test_activity_page_for_one_site(ds):
    soup = await page(ds, "/-/activity?site=2")
    assert [h.get_text() for h in soup.select(".chart-block h2")] == [data.EDU_NAME]
    assert soup.select_one("option[selected]").get_text() == data.EDU_NAME
    soup = await page(ds, "/-/activity?site=nonsense")
    assert len(soup.select(".chart-block")) == 2


async def test_activity_page_pages_through_many_blogs(ds, monkeypatch):
    import archive.datasette

    monkeypatch.setattr(archive.datasette, "CHARTS_PER_PAGE", 1)
    soup = await page(ds, "/-/activity")
    assert [h.get_text() for h in soup.select(".chart-block h2")] == [data.EDU_NAME]
    assert soup.select_one(".pager").get_text(" ", strip=True) == "Blogs 1 to 1 of 2: next →"
    soup = await page(ds, "/-/activity" + soup.select_one(".pager a[rel=next]")["href"])
    assert [h.get_text() for h in soup.select(".chart-block h2")] == [data.HIST_NAME]
    assert soup.select_one(".pager a[rel=prev]")["href"] == "?page=1"


# ---------------------------------------------------------------------------------------------
# The safe-rendering functions themselves


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=JaVaScRiPt:alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="width:expression(alert(1))">x</p>',
        "<svg onload=alert(1)><script>alert(1)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<object data="evil.swf"></object><embed src="evil.swf">',
        "<form action=https://evil.example><input autofocus onfocus=alert(1)></form>",
        '<div><p>unclosed <b>bold</div></p></section><a href="https://ok.example/">ok</a>',
        "<base href=https://evil.example/><meta http-equiv=refresh content=0;url=https://evil.example/>",
        "<!--<script>alert(1)</script>-->",
    ],
)
def test_sanitise_html_removes_everything_that_runs(payload):
    cleaned = str(sanitise_html(payload)).lower()
    for marker in ("<script", "onerror", "onload", "onfocus", "javascript", "expression(", "<iframe", "style=",
                   "<object", "<embed", "<form", "<base", "<meta", "data:text"):
        assert marker not in cleaned, (marker, cleaned)


def test_sanitise_html_keeps_content():
    cleaned = str(sanitise_html('<p>A <a href="https://ok.example/">link</a> and <em>emphasis</em></p>'))
    assert cleaned == (
        '<p>A <a href="https://ok.example/" rel="noopener noreferrer nofollow ugc">link</a> and <em>emphasis</em></p>'
    )
    assert str(sanitise_html(None, "First <para>\n\nSecond")) == "<p>First &lt;para&gt;</p><p>Second</p>"
    assert str(sanitise_html("<a href='/relative'>x</a>")) == '<a rel="noopener noreferrer nofollow ugc">x</a>'


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ok.example/a?b=c", "https://ok.example/a?b=c"),
        ("http://ok.example/", "http://ok.example/"),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("java\tscript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("mailto:someone@example.edu", None),
        ("//evil.example/", None),
        ("/relative", None),
        ("https://", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_href(url, expected):
    assert safe_href(url) == expected


def test_build_thread_orders_nests_and_survives_bad_links():
    comments = [
        {"id": 1, "parent_id": None, "position": 1},
        {"id": 2, "parent_id": 1, "position": 2},
        {"id": 3, "parent_id": 2, "position": 3},
        {"id": 4, "parent_id": 1, "position": 4},
        {"id": 5, "parent_id": 99, "position": 5},  # parent not archived
        {"id": 6, "parent_id": 7, "position": 6},  # a cycle: 6 -> 7 -> 6
        {"id": 7, "parent_id": 6, "position": 7},
        {"id": 8, "parent_id": 8, "position": 8},  # its own parent
    ]
    tree = build_thread(list(reversed(comments)))

    def walk(nodes):
        for node in nodes:
            yield node.comment["id"], node.depth
            yield from walk(node.children)

    assert list(walk(tree)) == [(1, 1), (2, 2), (3, 3), (4, 2), (5, 1), (8, 1), (6, 1), (7, 2)]
    assert thread_depth(tree) == 3
    assert build_thread([]) == [] and thread_depth([]) == 0


def test_activity_svg():
    weeks = [
        {"week": "2013-01-07", "posts": 2, "comments": 0},
        {"week": "2013-01-14", "posts": 0, "comments": 0},
        {"week": "2013-01-21", "posts": 1, "comments": 4},
    ]
    soup = BeautifulSoup(str(activity_svg(weeks, "A <b>blog</b>")), "html.parser")
    assert [r["data-count"] for r in soup.select("rect.posts")] == ["2", "1"]
    assert [r["data-count"] for r in soup.select("rect.comments")] == ["4"]
    assert float(soup.select("rect.posts")[0]["height"]) == 2 * float(soup.select("rect.posts")[1]["height"])
    assert soup.svg["aria-label"] == "A <b>blog</b>" and not soup.select("b")
    assert not soup.select("script")
    empty = BeautifulSoup(str(activity_svg([], "Empty")), "html.parser")
    assert "No dated posts or comments." in empty.get_text()


# ---------------------------------------------------------------------------------------------
# The documentation cannot drift


def test_docs_list_every_page_and_query():
    from cogapp import Cog

    doc = Path(__file__).resolve().parent.parent / "docs" / "datasette.md"
    assert Cog().main(["cog", "--check", str(doc)]) == 0, "run: cog -r docs/datasette.md"
    text = doc.read_text()
    for url in ("/-/post/<id>", "/-/search?q=", "/-/activity", "`/`"):
        assert url in text, url
    for name, spec in research.CANNED_QUERIES.items():
        assert f"### {spec['title']} — `{name}`" in text
    for facets in ("site, author, year, categories, tags", "site, type (comment, pingback, trackback), author"):
        assert facets in text


# ---------------------------------------------------------------------------------------------
# No route answers 500, whatever the input (issue 13)


async def test_odd_ids_and_queries_are_never_a_server_error(ds):
    for path in ("/-/post/99999999999999999999999", "/-/post/9223372036854775808"):
        soup = await page(ds, path, status=404)
        assert "No post" in soup.get_text()
    for q in ['"', '""', "'", "-", "NEAR(", '"a" "', "^", "*a"]:
        soup = await page(ds, "/-/search?q=" + quote(q))
        assert not soup.select(".content script"), q
    soup = await page(ds, "/-/search?q=" + quote('"'))
    assert "no words to find" in soup.select_one(".message-error").get_text()


async def test_sql_cannot_reach_the_fts3_tokenizer(ds):
    for sql in ("select fts3_tokenizer('simple') as t", "select fts3_tokenizer('porter', x'00') as t"):
        response = await ds.client.get(f"/{DB}.json?_shape=array&sql=" + quote(sql))
        assert response.status_code == 200, response.text
        assert response.json() == [{"t": None}]
