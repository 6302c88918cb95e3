"""The fixture corpus, field by field: one test per (theme case, field), so a failure names both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.cli import load_page
from spiders.extraction import extract_post
from tests.conftest import fixture_cases

FIELDS = [
    "wp_id",
    "type",
    "title",
    "author",
    "published",
    "modified",
    "categories",
    "tags",
    "breadcrumbs",
    "share_links",
    "comment_count_declared",
    "external_comments",
]
COMMENT_FIELDS = ["wp_id", "parent_wp_id", "depth", "author", "author_url", "published", "type", "content_text"]
_cache: dict[Path, tuple[dict, dict]] = {}
# Fields the extractor is known to get wrong, with the reason: xfail(strict), so a fix is noticed.
KNOWN_FAILURES = json.loads((Path(__file__).parent / "fixtures" / "extract" / "known_failures.json").read_text())


def squash(value: str | None) -> str:
    return " ".join((value or "").split())


def extracted(case: Path) -> tuple[dict, dict]:
    if case not in _cache:
        expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
        text, _ = load_page(str(case / "page.html"))
        _cache[case] = (extract_post(text, expected["url"]).summary(), expected)
    return _cache[case]


CASES = fixture_cases()


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_post_field(case: Path, field: str) -> None:
    got, expected = extracted(case)
    if field not in expected:
        pytest.skip(f"{case.name} does not state {field}")
    reason = KNOWN_FAILURES.get(case.name, {}).get(field)
    if reason and got[field] != expected[field]:
        pytest.xfail(reason)
    if reason:
        pytest.fail(f"a known failure is fixed, remove it from known_failures.json: {reason}")
    assert got[field] == expected[field]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_content(case: Path) -> None:
    got, expected = extracted(case)
    text = squash(got["content_text"])
    for sentence in expected.get("content_contains", []):
        assert squash(sentence) in text
    for sentence in expected.get("content_excludes", []):
        assert squash(sentence) not in text


@pytest.mark.parametrize("field", COMMENT_FIELDS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_comment_field(case: Path, field: str) -> None:
    got, expected = extracted(case)
    assert len(got["comments"]) == len(expected["comments"]), "comment count"
    for position, (have, want) in enumerate(zip(got["comments"], expected["comments"], strict=True)):
        a, b = have[field], want[field]
        if field == "content_text":
            a, b = squash(a), squash(b)
        assert a == b, f"comment #{position + 1} (wp_id {want['wp_id']})"
