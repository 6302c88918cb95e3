"""Extraction never crashes: mutated real pages (../shared/realpages) in, a valid contract out.

Hypothesis picks a real page and mutates its bytes the ways broken servers, editors and mirrors do:
truncation, tags dropped or repeated, flipped bytes, wrong or mixed encodings, control characters,
absurd nesting and absurd comment ids. Every run must return a summary that is valid for the
`wparchive extract` contract within one second of CPU time per page (CPU time, not hypothesis's
wall-clock deadline: on a loaded machine the wall clock measures the other processes too).
"""

from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spiders.evaluation_real import unpack_pages
from spiders.extraction import extract_post
from spiders.extraction.dates import parse_text_date
from spiders.extraction.text import decode_html
from tests.conftest import ROOT, require

CORPUS = ROOT.parent / "shared" / "realpages" / "pages.tar.xz"
URL = "https://blog.example.edu/2013/04/07/post/"
_pages: list[bytes] = []


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> int:
    """Loads the corpus into `_pages` (hypothesis prints a test's arguments: not the pages)."""
    require(CORPUS.exists(), f"the real-page corpus is not at {CORPUS}")
    if not _pages:
        folder = unpack_pages(CORPUS, tmp_path_factory.mktemp("fuzz"))
        _pages.extend(path.read_bytes() for path in sorted(folder.glob("*.html")))
        for page in _pages[:20]:  # the lazy imports (dateparser's data) before the time counts
            extract_post(decode_html(page), URL)
        # The first date without a page language that only dateparser might read loads every
        # locale it has, once a process: about 2 s of CPU, not the page's.
        parse_text_date("07 bis 2016")
    return len(_pages)


@pytest.fixture(scope="module")
def pages(loaded: int) -> list[bytes]:
    return _pages


def _truncate(page: bytes, data: st.DataObject) -> bytes:
    return page[: data.draw(st.integers(0, len(page)))]


def _drop_tags(page: bytes, data: st.DataObject) -> bytes:
    tag = data.draw(st.sampled_from([b"</li>", b"</div>", b"<ol", b"</ul>", b"</article>", b"<html", b"</body>"]))
    return page.replace(tag, b"", data.draw(st.integers(1, 50)))


def _repeat(page: bytes, data: st.DataObject) -> bytes:
    start = data.draw(st.integers(0, len(page)))
    stop = min(len(page), start + data.draw(st.integers(0, 20000)))
    return page[:stop] + page[start:stop] * data.draw(st.integers(1, 5)) + page[stop:]


def _flip(page: bytes, data: st.DataObject) -> bytes:
    mutable = bytearray(page)
    for _ in range(data.draw(st.integers(1, 200)) if mutable else 0):
        mutable[data.draw(st.integers(0, max(0, len(mutable) - 1)))] = data.draw(st.integers(0, 255))
    return bytes(mutable)


def _encoding(page: bytes, data: st.DataObject) -> bytes:
    text = page.decode("utf-8", "replace")
    codec = data.draw(st.sampled_from(["utf-16", "utf-16-be", "cp1252", "latin-1", "shift_jis", "koi8-r"]))
    converted = text.encode(codec, "replace")
    if data.draw(st.booleans()):  # a page of two encodings (an include in another charset)
        cut = data.draw(st.integers(0, len(page)))
        return page[:cut] + converted[cut:]
    return converted


def _controls(page: bytes, data: st.DataObject) -> bytes:
    junk = data.draw(st.sampled_from([b"\x00", b"\x0b", b"\x1a", b"\x7f", b"\xef\xbf\xbe", b"\xed\xa0\x80", b"&#0;"]))
    at = data.draw(st.integers(0, len(page)))
    return page[:at] + junk * data.draw(st.integers(1, 30)) + page[at:]


def _nesting(page: bytes, data: st.DataObject) -> bytes:
    tag = data.draw(st.sampled_from([b"div", b"ul", b"li", b"blockquote", b"span"]))
    depth = data.draw(st.integers(100, 5000))
    at = page.find(b"comment-")
    at = at if at >= 0 else len(page) // 2
    return page[:at] + (b"<" + tag + b">") * depth + page[at:]


def _ids(page: bytes, data: st.DataObject) -> bytes:
    value = data.draw(
        st.sampled_from([b"9" * 25, b"18446744073709551616", b"0", b"-1", b"00000000000000000000001", b"1" * 5000])
    )
    target = data.draw(st.sampled_from([rb"comment-(\d+)", rb"depth-(\d+)", rb"postid-(\d+)", rb"replytocom=(\d+)"]))
    count = data.draw(st.integers(1, 40))
    return re.sub(target, lambda m: m.group(0)[: m.start(1) - m.start(0)] + value, page, count=count)


MUTATIONS = [_truncate, _drop_tags, _repeat, _flip, _encoding, _controls, _nesting, _ids]


def assert_valid_contract(summary: dict) -> None:
    """The `wparchive extract` contract: JSON, types, a reply tree that points at its own comments."""
    json.dumps(summary)
    for key in ("title", "author", "published", "external_comments"):
        assert summary[key] is None or isinstance(summary[key], str), key
    assert summary["comment_count_declared"] is None or 0 <= summary["comment_count_declared"] < 2**63
    ids = {c["wp_id"] for c in summary["comments"] if c["wp_id"] is not None}
    for comment in summary["comments"]:
        assert comment["wp_id"] is None or 0 < comment["wp_id"] < 2**63, comment["wp_id"]
        assert comment["parent_wp_id"] is None or comment["parent_wp_id"] in ids
        assert isinstance(comment["depth"], int) and comment["depth"] >= 1
        assert comment["type"] in ("comment", "pingback", "trackback")
        assert comment["published"] is None or re.match(r"\d{4}-\d{2}-\d{2}", comment["published"])
    for link in summary["share_links"]:
        assert isinstance(link["service"], str) and isinstance(link["url"], str)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_real_pages_extract_to_a_valid_contract(loaded: int, data: st.DataObject) -> None:
    page = _pages[data.draw(st.integers(0, loaded - 1), label="page number")]
    for mutation in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3), label="mutations"):
        page = mutation(page, data)
    content_type = data.draw(st.sampled_from([None, "text/html; charset=utf-8", "text/html; charset=iso-8859-1"]))
    started = time.process_time()
    summary = extract_post(decode_html(page, content_type), URL).summary()
    spent = time.process_time() - started
    assert spent < 1.0, f"{spent:.2f} s of CPU for one page"
    assert_valid_contract(summary)


def test_two_documents_in_one_response(pages: list[bytes]) -> None:
    """Two `<html>` documents concatenated (a proxy's error page after the post) still extract."""
    assert_valid_contract(extract_post(decode_html(pages[0] + pages[1]), URL).summary())


def test_deep_json_ld_and_huge_numbers(pages: list[bytes]) -> None:
    deep = b'<script type="application/ld+json">' + b"[" * 100000 + b"]" * 100000 + b"</script>"
    huge = b'<p class="comments-title">' + b"9" * 5000 + b" Comments</p>"
    page = pages[0].replace(b"</head>", deep + b"</head>", 1).replace(b"<body", huge + b"<body", 1)
    assert_valid_contract(extract_post(decode_html(page), URL).summary())


def test_malformed_urls(pages: list[bytes]) -> None:
    page = pages[0].replace(b'href="http', b'href="http://[::1', 30).replace(b'src="', b'src="http://[zz', 30)
    assert_valid_contract(extract_post(decode_html(page), URL).summary())


def test_a_page_nested_past_the_parsers_limit_says_its_comments_are_not_all_there() -> None:
    """Broken markup that nests each comment in the one before (real: a theme's unclosed <li>).
    A browser nests up to 512 levels, and so does the extractor: 300 such comments are all read
    (libxml2 stops at 256 levels unless asked for more). Past 512 what is deeper is dropped, and the
    page says so."""

    def nested(count: int) -> str:
        comments = "".join(
            f'<div class="comment" id="comment-{n}"><p class="comment-author">Student {n}</p><p>Reply {n}</p>'
            for n in range(1, count + 1)
        )
        post = '<article id="post-1"><h1>Post</h1></article>'
        return f'<html><body class="single postid-1">{post}{comments}</body></html>'

    post = extract_post(nested(300), URL)
    assert [c.author for c in post.comments] == [f"Student {n}" for n in range(1, 301)]
    assert [c.parent_wp_id for c in post.comments] == [None, *range(1, 300)]
    assert post.comments_complete is True
    post = extract_post(nested(600), URL)
    assert 0 < len(post.comments) < 600
    assert post.comments_complete is False
    comments = "".join(f'<div class="comment" id="comment-{n}"><p>Reply {n}</p></div>' for n in range(1, 601))
    whole = extract_post(f"<html><body>{comments}</body></html>", URL)
    assert len(whole.comments) == 600 and whole.comments_complete is True


def test_a_comment_before_the_one_whose_wrapper_holds_it() -> None:
    """Found by the fuzz test: a comment's item (`li.comment`, wrapping comment 6) that holds,
    before comment 6, another comment (5) nested too deep to be boxed itself. Comment 5 cannot
    reply to one that comes after it: both are top-level, and nothing raises (a KeyError did)."""
    html = """<html><body><ol class="commentlist">
    <li class="comment depth-1"><div class="x"><div class="y"><div id="comment-5"><p>Written first</p></div></div></div>
    <div id="comment-6"><p>The comment of this item</p></div></li></ol></body></html>"""
    post = extract_post(html, URL)
    assert [(c.wp_id, c.parent_wp_id, c.depth) for c in post.comments] == [(5, None, 1), (6, None, 1)]
    assert_valid_contract(post.summary())
