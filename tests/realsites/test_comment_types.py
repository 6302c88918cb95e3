"""Comment types on a whole real blog against what its pages state: lesscode.org's theme prints
each comment's type with WordPress's comment_type() in its meta line ("comment at 08. July 2005",
"pingback at …", "trackback at …"). That line, read here with plain lxml, is the source of truth
for every comment of every post (1,090 comments, about 160 of them pings)."""

from __future__ import annotations

from pathlib import Path

from lxml import html

from spiders.extraction.page import extract_post
from tests.conftest import require
from tests.realsites.server import SHARED, gold, site_table, unpack

SITE = "lesscode.org"


def stated_type(item: html.HtmlElement) -> str | None:
    """The type the comment's meta line states: its <small> starts with comment_type()'s word."""
    for small in item.iter("small"):
        words = " ".join(small.text_content().split()).lower().split(" ")
        if len(words) > 1 and words[1] == "at" and words[0] in ("comment", "pingback", "trackback"):
            return words[0]
    return None


def test_every_comment_is_typed_as_its_page_states(tmp_path: Path) -> None:
    require((SHARED / "sites.tsv").exists(), f"the real sites are not there: {SHARED}")
    root = unpack(SITE, tmp_path)
    host = site_table()[SITE]["hosts_in_links"].split(",")[0]
    compared, wrong = 0, []
    kinds: dict[str, int] = {}
    for path in gold(SITE):
        page = root / path.strip("/") / "index.html"
        if not page.exists():
            continue
        text = page.read_text("utf-8", "replace")
        tree = html.fromstring(text)
        for comment in extract_post(text, host + path).comments:
            found = tree.xpath(f"//li[@id='comment-{comment.wp_id}']")
            want = stated_type(found[0]) if found else None
            if want is None:
                continue
            compared += 1
            kinds[want] = kinds.get(want, 0) + 1
            if comment.type != want:
                wrong.append(f"{path}#comment-{comment.wp_id}: {comment.type}, the page says {want}")
    assert compared > 1000 and kinds.get("pingback", 0) > 50 and kinds.get("trackback", 0) > 10, (compared, kinds)
    summary = f"{len(wrong)} of {compared} comments typed otherwise than their pages state:"
    assert not wrong, "\n".join([summary, *wrong[:20]])
