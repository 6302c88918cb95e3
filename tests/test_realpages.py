"""The real-page corpus (../shared/realpages): every labelled page is one test, its diff against the
hand-written label. Pages listed in tests/realpages/known_failures.json must fail exactly as listed
(a fix or a new failure both show), so the list always tells the truth."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from spiders import evaluation_real as real
from tests.conftest import ROOT, require

LABELS_DIR = ROOT / "tests" / "realpages"
LABELS = real.load_labels(LABELS_DIR)
KNOWN = json.loads((LABELS_DIR / "known_failures.json").read_text(encoding="utf-8"))
CORPUS = ROOT.parent / "shared" / "realpages" / "pages.tar.xz"
SERVICES = {
    "digg", "stumbleupon", "reddit", "twitter", "facebook", "delicious", "googleplus", "linkedin", "pinterest",
    "tumblr", "email", "print", "rss", "whatsapp", "pocket", "telegram", "mastodon", "bluesky", "other",
}  # fmt: skip


@pytest.fixture(scope="session")
def realpages(tmp_path_factory) -> Path:
    """The corpus unpacked once (it is read from ../shared, never copied into the repository)."""
    require(CORPUS.exists(), f"the real-page corpus is not at {CORPUS}")
    return real.unpack_pages(CORPUS, tmp_path_factory.mktemp("realpages"))


@pytest.mark.parametrize("name", sorted(LABELS))
def test_page_against_its_label(realpages: Path, name: str) -> None:
    label = LABELS[name]
    outcomes = real.compare(real.extract_summary(realpages, label), label)
    known = KNOWN.get(name, {})
    got = real.failure_keys(outcomes)
    want = sorted(known.get("failures", []))
    if got != want:
        fixed = sorted(set(want) - set(got))
        new = [o.describe() for o in outcomes if o.status != real.RIGHT and real.failure_keys([o])[0] not in want]
        pytest.fail(
            f"{name}: differs from its label and known failures ({known.get('reason', 'none listed')}).\n"
            + ("new failures:\n  " + "\n  ".join(new) + "\n" if new else "")
            + ("fixed (remove from known_failures.json):\n  " + "\n  ".join(fixed) if fixed else "")
        )


def test_every_page_has_a_checked_label(realpages: Path) -> None:
    pages = sorted(path.name for path in realpages.glob("*.html"))
    assert pages == sorted(LABELS), "every page of the corpus has a label, and every label a page"
    unchecked = [name for name, label in LABELS.items() if not label.get("checked_by")]
    assert not unchecked, f"labels not yet checked by a second reader: {unchecked}"


def test_known_failures_name_labelled_pages_with_reasons() -> None:
    for name, entry in KNOWN.items():
        assert name in LABELS, name
        assert entry.get("reason") and entry.get("failures"), name


def _day(value: str | None) -> bool:
    if value is None:
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    date.fromisoformat(value)
    return True


@pytest.mark.parametrize("name", sorted(LABELS))
def test_label_is_well_formed(name: str) -> None:
    """The label follows tests/realpages/README.md: fields, days, services, and a reply tree whose
    parents come first and whose depths follow them."""
    label = LABELS[name]
    assert label["file"] == name and label["url"].startswith(("http://", "https://"))
    assert _day(label.get("published"))
    assert set(label.get("share_services") or []) <= SERVICES
    assert label.get("comment_markup") in ("li", "div", "dl", "article", "block", "other", "none")
    assert label.get("comment_count_declared") is None or isinstance(label["comment_count_declared"], int)
    depth_of: dict[int, int] = {}
    for comment in label["comments"]:
        assert comment["type"] in ("comment", "pingback", "trackback")
        assert _day(comment.get("published")), comment
        parent = comment.get("parent_wp_id")
        if parent is None:
            assert comment["depth"] == 1 or f"comment {comment.get('wp_id')} parent" in label.get("uncertain", {})
        elif parent in depth_of:
            assert comment["depth"] == depth_of[parent] + 1, comment
        if comment.get("wp_id") is not None:
            depth_of[comment["wp_id"]] = comment["depth"]
