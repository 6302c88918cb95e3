"""Scoring the extractor (and trafilatura, for comparison) over pages with expected JSON.

A case is a folder with `page.html` and `expected.json` (see tests/fixtures/extract/README.md).
Scores are counts turned into ratios, so they can be summed over the corpus.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spiders.extraction.page import extract_post
from spiders.extraction.text import decode_html


def squash(value: Any) -> str:
    return " ".join(str(value or "").split())


@dataclass
class Tally:
    """Right answers over attempts for one measure."""

    right: int = 0
    total: int = 0

    def add(self, ok: bool, weight: int = 1) -> None:
        self.right += weight if ok else 0
        self.total += weight

    @property
    def ratio(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass
class Scores:
    """All measures for one tool over a set of cases, and what went wrong where."""

    measures: dict[str, Tally] = field(default_factory=dict)
    misses: dict[str, list[str]] = field(default_factory=dict)

    def add(self, measure: str, ok: bool, case: str, weight: int = 1) -> None:
        self.measures.setdefault(measure, Tally()).add(ok, weight)
        if not ok:
            self.misses.setdefault(measure, []).append(case)

    def ratio(self, measure: str) -> float | None:
        tally = self.measures.get(measure)
        return tally.ratio if tally else None


def load_case(folder: Path) -> tuple[str, dict]:
    """The page as text (decoded with its `headers.json` charset) and its expected JSON."""
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    content_type = None
    headers = folder / "headers.json"
    if headers.exists():
        content_type = json.loads(headers.read_text()).get("Content-Type")
    return decode_html((folder / "page.html").read_bytes(), content_type), expected


def cases(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if (p / "expected.json").exists() and (p / "page.html").exists())


def score_wparchive(got: dict, expected: dict, case: str, scores: Scores) -> None:
    """Every measure of the issue: post fields, trail, share services, comments and threads."""
    for name in ("title", "author", "published"):
        scores.add(f"post {name}", got.get(name) == expected.get(name), case)
    scores.add("post date (day)", (got.get("published") or "")[:10] == (expected.get("published") or "")[:10], case)
    scores.add("breadcrumb trail exact", got["breadcrumbs"] == expected.get("breadcrumbs", []), case)
    _score_services(
        Counter(s["service"] for s in got["share_links"]),
        Counter(s["service"] for s in expected.get("share_links", [])),
        case,
        scores,
    )
    scores.add("declared comment count", got["comment_count_declared"] == expected.get("comment_count_declared"), case)
    scores.add("external comments", got.get("external_comments") == expected.get("external_comments"), case)
    _score_comments(got["comments"], expected["comments"], case, scores)


def _score_services(got: Counter, want: Counter, case: str, scores: Scores) -> None:
    hits = sum((got & want).values())
    found, wanted = sum(got.values()), sum(want.values())
    scores.measures.setdefault("share-service precision", Tally())
    scores.measures.setdefault("share-service recall", Tally())
    scores.measures["share-service precision"].right += hits
    scores.measures["share-service precision"].total += found
    scores.measures["share-service recall"].right += hits
    scores.measures["share-service recall"].total += wanted
    if hits < found or hits < wanted:
        scores.misses.setdefault("share services", []).append(case)


def _score_comments(got: list[dict], want: list[dict], case: str, scores: Scores) -> None:
    by_id = {c["wp_id"]: c for c in got if c.get("wp_id") is not None}
    by_text = {squash(c["content_text"]): c for c in got}
    matched = 0
    for expected in want:
        have = (
            by_id.get(expected["wp_id"])
            if expected.get("wp_id") is not None
            else by_text.get(squash(expected["content_text"]))
        )
        if have is None:
            scores.add("comment recall", False, case)
            continue
        matched += 1
        scores.add("comment recall", True, case)
        scores.add("comment parent", have["parent_wp_id"] == expected["parent_wp_id"], case)
        scores.add("comment depth", have["depth"] == expected["depth"], case)
        scores.add("comment author", have["author"] == expected["author"], case)
        scores.add("comment date", have["published"] == expected["published"], case)
        scores.add("comment type", have["type"] == expected["type"], case)
        scores.add("comment text", squash(have["content_text"]) == squash(expected["content_text"]), case)
    extra = len(got) - matched
    scores.measures.setdefault("comment precision", Tally())
    scores.measures["comment precision"].right += matched
    scores.measures["comment precision"].total += matched + max(extra, 0)
    if extra > 0:
        scores.misses.setdefault("comment precision", []).append(case)
    texts = [squash(c["content_text"]) for c in want if squash(c["content_text"])]
    joined = " ".join(squash(c["content_text"]) for c in got)
    for text in texts:
        scores.add("comment text recall", text in joined, case)


def score_trafilatura(result: dict | None, expected: dict, case: str, scores: Scores) -> None:
    """What trafilatura can do: title, author, date (a day, no time) and comment text."""
    result = result or {}
    scores.add("post title", squash(result.get("title")) == squash(expected.get("title")), case)
    scores.add("post author", (result.get("author") or None) == expected.get("author"), case)
    scores.add("post date (day)", (result.get("date") or "")[:10] == (expected.get("published") or "")[:10], case)
    comments = squash(result.get("comments"))
    for comment in expected["comments"]:
        text = squash(comment["content_text"])
        if text:
            scores.add("comment text recall", text in comments, case)


def run_trafilatura(text: str, url: str) -> dict | None:
    import trafilatura

    document = trafilatura.bare_extraction(text, url=url, include_comments=True, with_metadata=True)
    if document is None:
        return None
    return document.as_dict() if hasattr(document, "as_dict") else dict(document)


def evaluate(directory: Path, with_trafilatura: bool = True) -> dict[str, Scores]:
    """Scores per tool over every case in the directory."""
    results = {"wparchive": Scores()}
    if with_trafilatura:
        results["trafilatura"] = Scores()
    for folder in cases(directory):
        text, expected = load_case(folder)
        score_wparchive(extract_post(text, expected["url"]).summary(), expected, folder.name, results["wparchive"])
        if with_trafilatura:
            score_trafilatura(run_trafilatura(text, expected["url"]), expected, folder.name, results["trafilatura"])
    return results


MEASURES = [
    "comment recall",
    "comment precision",
    "comment parent",
    "comment depth",
    "comment author",
    "comment date",
    "comment type",
    "comment text",
    "comment text recall",
    "post title",
    "post author",
    "post published",
    "post date (day)",
    "breadcrumb trail exact",
    "share-service precision",
    "share-service recall",
    "declared comment count",
    "external comments",
]


def report(results: dict[str, Scores], directory: Path) -> str:
    """The Markdown table of docs/extraction.md."""
    tools = list(results)
    count = len(cases(directory))
    lines = [
        "# Extraction quality",
        "",
        f"Generated by `wparchive eval {directory}` over {count} fixture pages (`make eval`);",
        "each page has hand-written expected JSON. Ratios are right answers over attempts, summed",
        "over the corpus; `n` is the number of attempts. trafilatura (`bare_extraction(...,",
        "include_comments=True, with_metadata=True)`) is scored on what it can do: title, author,",
        "the day of the date, and comment text recall (it returns comments as one text).",
        "",
        "| measure | " + " | ".join(tools) + " | n |",
        "| --- | " + " | ".join("---" for _ in tools) + " | --- |",
    ]
    for measure in MEASURES:
        tallies = [results[tool].measures.get(measure) for tool in tools]
        values = [f"{t.ratio:.3f}" if t and t.ratio is not None else "–" for t in tallies]
        n = tallies[0].total if tallies[0] else ""
        lines.append(f"| {measure} | " + " | ".join(values) + f" | {n} |")
    lines += [
        "",
        "A caution on these numbers: the fixtures were written by the people who tuned the extractor,",
        "so a perfect score here shows the rules hold on the structures we know, not on every theme.",
        "Two checks are independent of the fixtures: the real WordPress tests",
        "(`tests/test_wordpress_ground_truth.py`) crawl Twenty Twenty-One and Twenty Twenty-Three pages",
        "that nobody wrote by hand and compare every post and comment with WordPress's own database",
        "(exact counts, parents, depths, authors, dates and types), and the speed and the comparison",
        "with trafilatura are measured by `make bench` (docs/performance-extraction.md).",
        "Fields listed in `tests/fixtures/extract/known_failures.json` are known misses, kept as",
        "strict expected failures in the tests.",
        "",
        "## Where wparchive misses",
        "",
    ]
    misses = results["wparchive"].misses
    if not misses:
        lines.append("Nowhere: every measure is right on every page.")
    for measure in sorted(misses):
        counted = Counter(misses[measure])
        lines.append(f"- {measure}: " + ", ".join(f"{case} ({n})" if n > 1 else case for case, n in counted.items()))
    return "\n".join(lines) + "\n"
