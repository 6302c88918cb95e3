"""Requests of a re-crawl: wparchive against `wget --mirror --timestamping`, on a real WordPress.

    python benchmarks/bench_incremental.py                   # prints the report
    python benchmarks/bench_incremental.py --output docs/incremental.md
    python benchmarks/bench_incremental.py --output docs/incremental.md --wget-from docs/incremental.md

A private WordPress (tests/wordpress/harness.py, folder /tmp/wparchive-wp-bench) is seeded at
scale 6 (384 posts and pages, 3,143 comments) and then:

1. crawled by wparchive into an empty archive, and mirrored by wget;
2. crawled and mirrored again, unchanged;
3. changed through WordPress's own functions: one new post, five new comments (two of them on a
   post from 2013), one edited post, one trashed comment;
4. crawled and mirrored again. The re-crawl must find exactly those changes.

Then the same site without its REST API (sitemaps only), with and without page-cache validators.
Requests are counted by the site itself (every request the router answers), not by the crawlers.
Only 127.0.0.1 is ever contacted. Takes about 13 minutes, 12 of them wget's: `--wget-from` takes
wget's figures from an earlier report instead (wget and the seeded site are the same; only
wparchive's side changes), and then takes about 2 minutes.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "wordpress"))

import harness  # noqa: E402

from archive.db import open_db  # noqa: E402

SCRAPY = [sys.executable, "-m", "scrapy", "crawl", "wordpress"]
FAST = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


@dataclass
class Run:
    """One crawl or mirror: what the site answered, how long it took, what the archive found."""

    name: str
    requests: list[tuple[int, str, str]]
    seconds: float
    found: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.requests)

    def kinds(self) -> Counter[str]:
        return Counter(kind(path) for _, _, path in self.requests)

    def statuses(self) -> Counter[int]:
        return Counter(status for status, _, _ in self.requests)


def kind(path: str) -> str:
    """What a request was for, in a few words."""
    if path == "/robots.txt":
        return "robots.txt"
    if path == "/":
        return "home page"
    if path.startswith("/wp-json/"):
        route = path.split("?")[0].removeprefix("/wp-json/wp/v2/")
        query = path.partition("?")[2]
        if "modified_after=" in query or "after=" in query:
            return f"REST {route} changed since"
        if "include=" in query:
            return f"REST {route} by id"
        if "per_page=1&" in query:
            one = route.removesuffix("s")
            return f"REST {one} counts" if "post=" in query else f"REST {one} total"
        if "post=" in query and "_fields=id" in query:
            return f"REST {route.removesuffix('s')} ids of some posts"
        if "post=" in query:
            return f"REST {route} of some posts"
        if "_fields=id" in query:
            return f"REST {route.removesuffix('s')} ids"
        return f"REST {route}"
    if path.startswith("/comments/feed"):
        return "site comments feed"
    if path.startswith("/wp-sitemap"):
        return "sitemap"
    if path.endswith("/feed/") or "/feed/?" in path:
        return "a post's comments feed"
    if re.search(r"/comment-page-\d+/", path):
        return "comment page"
    if re.match(r"/\d{4}/\d\d/\d\d/[^/]+/$", path) or re.match(r"/[a-z-]+/$", path):
        return "post or page"
    return "other"


class Bench:
    def __init__(self, site: harness.WordPressSite, work: Path, wget: bool) -> None:
        self.site = site
        self.work = work
        self.wget = wget and shutil.which("wget") is not None

    def crawl(self, name: str, db: Path, *extra: str) -> Run:
        mark = self.site.request_log_mark()
        began = time.monotonic()
        command = [
            *SCRAPY,
            "-a",
            f"url={self.site.base_url}/",
            "-s",
            f"ARCHIVE_DB={db}",
            "-s",
            "ARCHIVE_CONTACT=bench@localhost",
            *FAST,
            *extra,
        ]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"crawl failed:\n{result.stderr[-3000:]}")
        run = Run(name, self.site.requests_since(mark), time.monotonic() - began)
        archive = open_db(db)
        crawl_id = archive.execute("select max(id) from crawls").fetchone()[0]
        run.found = Counter(
            (r["kind"], r["change"])
            for r in archive.query("select kind, change from changes where crawl_id = ?", [crawl_id])
        )
        archive.close()
        return run

    def mirror(self, name: str, folder: Path) -> Run | None:
        if not self.wget:
            return None
        mark = self.site.request_log_mark()
        began = time.monotonic()
        subprocess.run(
            [
                "wget",
                "--mirror",
                "--no-verbose",
                "-e",
                "robots=on",
                "--directory-prefix",
                str(folder),
                self.site.base_url + "/",
            ],
            capture_output=True,
            text=True,
        )  # wget exits 8 when some URL answered 404: expected on a blog
        return Run(name, self.site.requests_since(mark), time.monotonic() - began)


def change_the_site(site: harness.WordPressSite) -> dict[str, object]:
    """One new post, five new comments (two on a post from 2013), one edit, one trashed comment."""
    truth = site.ground_truth()
    posts = [p for p in truth["posts"] if p["type"] == "post" and not p["password_protected"]]
    comments_of: dict[int, list[dict]] = {}
    for comment in truth["comments"]:
        comments_of.setdefault(comment["post_id"], []).append(comment)
    oldest, replied, edited = posts[0], posts[len(posts) // 2], posts[len(posts) // 3]
    loser = next(p for p in posts[len(posts) // 4 :] if len(comments_of.get(p["id"], [])) >= 3)
    victim = [c for c in comments_of[loser["id"]] if c["type"] == "comment"][-1]
    syllabus = next(p for p in truth["posts"] if p["type"] == "page" and comments_of.get(p["id"]))
    new = site.add_post("Course reunion: where are they now?", "<p>Ten years on, the class met again.</p>")
    site.add_comment(oldest["id"], "Alumna 2013", "Rereading this ten years later.")
    site.add_comment(oldest["id"], "Prof. Hélène Marchetti", "Still the right question.")
    site.add_comment(replied["id"], "Guest reader", "A late reply.", parent=comments_of[replied["id"]][0]["id"])
    site.add_comment(new["id"], "José Álvarez", "Great to see everyone!")
    site.add_comment(syllabus["id"], "Curious parent", "Is there a reading list this year?")
    site.edit_post(edited["id"], "<p>Update: the 1911 map is now in the city archive.</p>")
    site.delete_comment(victim["id"])
    return {"oldest": oldest["date"][:10], "pages": 6}


EXPECTED = Counter({("post", "new"): 1, ("post", "changed"): 1, ("comment", "new"): 5, ("comment", "missing"): 1})


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %"


REUSED_NOTE = "_wget's figures are kept from an earlier run"
WGET_ROWS = {
    "first": "first crawl / mirror",
    "unchanged": "again, nothing changed",
    "changed": "again, after the changes below",
}


def read_wget(path: Path) -> dict[str, Any]:
    """wget's cells of the requests table and its section, from an earlier report (`--wget-from`)."""
    text = path.read_text(encoding="utf-8")
    cells = {}
    for line in text.splitlines():
        for key, label in WGET_ROWS.items():
            if line.startswith(f"| {label} |"):
                cells[key] = line.rstrip(" |").rsplit("|", 1)[1].strip()
    if len(cells) != len(WGET_ROWS) or "\n### wget\n" not in text or "not run" in cells.values():
        raise SystemExit(f"{path}: no wget figures to keep")
    section = "### wget\n" + text.split("\n### wget\n", 1)[1].split("\n## ", 1)[0]
    return {"cells": cells, "section": [line for line in section.splitlines() if not line.startswith(REUSED_NOTE)]}


def report(
    runs: dict[str, Run | None], sizes: dict[str, int], no_rest: dict[str, Run], kept: dict[str, Any] | None = None
) -> str:
    first, unchanged, changed = runs["first"], runs["unchanged"], runs["changed"]
    assert first and unchanged and changed
    lines = [
        "# Re-crawling: what a scheduled crawl costs",
        "",
        "Generated by `python benchmarks/bench_incremental.py --output docs/incremental.md` on a real",
        "WordPress 6.1 (Debian's package, `tests/wordpress/harness.py`) seeded at scale 6: "
        f"**{sizes['posts']} posts and pages, {sizes['comments']:,} comments** (pingbacks and trackbacks included),",
        "REST API open, theme Twenty Twenty-One. Requests are counted by the site itself (every request it",
        "answered), not by the crawlers. Times are wall-clock on the benchmark machine, for reference only.",
        "",
        "## Requests",
        "",
        "| run | wparchive | share of its first crawl | `wget --mirror` (`--timestamping`) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, label in WGET_ROWS.items():
        ours, theirs = runs[key], runs.get(f"wget_{key}")
        assert ours is not None
        wget_cell = (
            f"{theirs.count:,} in {theirs.seconds:.0f} s"
            if theirs
            else (kept or {}).get("cells", {}).get(key, "not run")
        )
        share = "" if key == "first" else pct(ours.count, first.count)
        lines.append(f"| {label} | {ours.count:,} in {ours.seconds:.1f} s | {share} | {wget_cell} |")
    lines += [
        "",
        "The changes: one new post, five new comments (two of them on the blog's first post, "
        "from 2013, one a reply, one on the new post, one on the Syllabus page), one edited post and "
        "one comment moved to the trash, all through WordPress's own PHP functions.",
        "",
        "What the re-crawl after the changes found (the `changes` table of that crawl): "
        + ", ".join(f"{n} {kind} {change}" for (kind, change), n in sorted(changed.found.items()))
        + (" — exactly the changes made." if changed.found == EXPECTED else f" — EXPECTED {dict(EXPECTED)}."),
        "The unchanged re-crawl found " + ("nothing." if not unchanged.found else f"{dict(unchanged.found)}."),
        "",
        "### Where wparchive's requests went",
        "",
        "| request | first crawl | unchanged | after the changes |",
        "| --- | ---: | ---: | ---: |",
    ]
    kinds = sorted(
        set(first.kinds()) | set(unchanged.kinds()) | set(changed.kinds()),
        key=lambda k: (-first.kinds()[k], -changed.kinds()[k], k),
    )
    for name in kinds:
        lines.append(f"| {name} | {first.kinds()[name]} | {unchanged.kinds()[name]} | {changed.kinds()[name]} |")
    lines.append(f"| **all** | **{first.count}** | **{unchanged.count}** | **{changed.count}** |")
    news = {"robots.txt", "home page", "REST posts changed since", "REST pages changed since"}
    news |= {"REST comments changed since", "site comments feed"}
    deletions = {"REST post ids", "REST page ids", "REST comment counts", "REST comment total"}
    deletions |= {"REST comment ids", "REST comment ids of some posts"}
    noticing = sum(n for k, n in unchanged.kinds().items() if k in news)
    gone = sum(n for k, n in unchanged.kinds().items() if k in deletions)
    counts = unchanged.kinds()["REST comment counts"]
    id_listings = unchanged.kinds()["REST comment ids of some posts"] + unchanged.kinds()["REST comment ids"]
    page_kinds = ("post or page", "comment page", "a post's comments feed")
    pages = sum(n for k, n in changed.kinds().items() if k in page_kinds)
    others = changed.kinds() - unchanged.kinds()
    for name in page_kinds:
        others.pop(name, None)
    fewer = unchanged.kinds() - changed.kinds()
    if not others and not fewer:
        beyond = "and no other request. Goal: the unchanged cost plus the changed pages: met."
    else:
        listed = ", ".join(f"{n} more {k}" for k, n in sorted(others.items()))
        listed += "".join(f", {n} fewer {k}" for k, n in sorted(fewer.items()))
        beyond = f"and besides: {listed}. Goal: the unchanged cost plus the changed pages."
    lines += [
        "",
        "Against the issue's goal:",
        "",
        f"- **Unchanged re-crawl: {unchanged.count} requests, {pct(unchanged.count, first.count)} of the first "
        f"crawl.** Noticing what is new takes {noticing} ({pct(noticing, first.count)}: robots.txt, the home page, "
        "posts, pages and comments changed since the last complete crawl, and the site's comments feed, which "
        f"answers 304 once its validators are stored); noticing what disappeared or was approved late takes {gone} "
        f"({pct(gone, first.count)}: the first page of post ids and of page ids, the site's comment total, and "
        f"{counts} comment count(s) of the posts, 100 posts a request; {id_listings} request(s) listing comment ids, "
        f"where the first crawl read {first.kinds()['REST comments'] + first.kinds()['REST comments of some posts']} "
        "pages of comments). Goal: at most 2 % plus the deletion listings, 10 % in all: "
        + ("met." if noticing <= 0.02 * first.count and unchanged.count <= 0.1 * first.count else "NOT MET."),
        f"- **After the changes: {changed.count} requests ({pct(changed.count, first.count)}).** The same "
        f"{unchanged.count}, the {pages} changed pages (the new post, the edited one, the four that gained or lost a "
        "comment; a post's comments feed when a pingback shows no date), "
        + beyond
        + " The posts fetched again need no REST request of their own: the new and edited ones came whole in the "
        "`modified_after` listing, the new comments in the `after` listing, and the REST data of a post that only "
        "gained or lost a comment is the archive's (its `modified` date did not change).",
        "",
    ]
    wget_first, wget_again, wget_changed = runs.get("wget_first"), runs.get("wget_unchanged"), runs.get("wget_changed")
    if wget_first and wget_again and wget_changed:
        lines += [
            "### wget",
            "",
            f"`wget --mirror -e robots=on` (which implies `--timestamping`) asked for {wget_first.count:,} URLs the "
            f"first time, {wget_again.count:,} when nothing had changed "
            f"({pct(wget_again.count, wget_first.count)} of its first run; statuses "
            f"{dict(wget_again.statuses())}) and {wget_changed.count:,} after the changes. "
            "WordPress sends no `Last-Modified` on pages, so `--timestamping` cannot skip any page: every URL is "
            "downloaded again (only the feeds answer 304). wget also follows every link a theme prints: "
            "`?replytocom=` links (one per comment), category, tag, author and date archives, feeds, embeds and "
            "REST links, and it never notices a deleted comment (the old file stays, nothing says it is gone).",
            "",
            "| wget's requests | first | unchanged | after the changes |",
            "| --- | ---: | ---: | ---: |",
        ]
        groups = Counter()
        for run_key in ("wget_first", "wget_unchanged", "wget_changed"):
            run = runs[run_key]
            assert run is not None
            for _, _, path in run.requests:
                groups[(wget_kind(path), run_key)] += 1
        for name in sorted({k for k, _ in groups}, key=lambda k: (-groups[(k, "wget_first")], k)):
            lines.append(
                f"| {name} | {groups[(name, 'wget_first')]} | {groups[(name, 'wget_unchanged')]} "
                f"| {groups[(name, 'wget_changed')]} |"
            )
        lines.append("")
    elif kept:
        lines += kept["section"][:2]
        lines += [
            f"{REUSED_NOTE} of this benchmark on the same seeded site (`--wget-from`): neither wget nor the site "
            "changed, only wparchive did._",
            "",
            *kept["section"][2:],
        ]
        if lines[-1] != "":
            lines.append("")
    if no_rest:
        lines += [
            "## Without the REST API",
            "",
            "The same site with its REST API disabled (`harness.set_rest_mode('disabled')`): posts are listed from",
            "the sitemaps. WordPress 6.1's sitemaps give no `lastmod` and its pages no validators, so each known page",
            "is asked for again with `If-None-Match`/`If-Modified-Since` (sent only when the page gave validators). "
            "With a page cache that sends them (the harness's `set_validators(True)`, as a caching plugin or proxy "
            "does), unchanged pages answer 304 with no body.",
            "",
            "| run | requests | statuses |",
            "| --- | ---: | --- |",
        ]
        for run in no_rest.values():
            statuses = ", ".join(f"{n}× {s}" for s, n in sorted(run.statuses().items()))
            lines.append(f"| {run.name} | {run.count} | {statuses} |")
        lines.append("")
    lines += [
        "## How a re-crawl decides what to fetch",
        "",
        "See the README (Re-crawling) for the settings. In short, for a site with a complete crawl in the archive:",
        "",
        "1. **New and changed posts**: REST `modified_after` (posts and pages) from the site's own clock (`Date`) at "
        "the start of the last complete crawl, minus `ARCHIVE_RECRAWL_OVERLAP`; each is compared with the archived "
        "`modified` date and fetched only when it differs.",
        "2. **New comments**: REST `after` (plain comments), from `ARCHIVE_LATE_APPROVAL_DAYS` (30) days further "
        "back, so that a comment held for moderation and approved since is listed too, and the site's comments "
        "feed (pingbacks and trackbacks are only there; conditional, so 304 when nothing is new). A post with a "
        "comment the archive lacks is fetched again.",
        "3. **What disappeared or came late**: the first page of post ids and of page ids; when their total is what "
        "the archive expects, nothing was deleted or added, else every page of ids is read. Then the REST comment "
        "count of the posts and pages, 100 posts a request (`comments?post=<ids>&per_page=1`, its `X-WP-Total`), "
        "against the REST comments the archive holds for them plus those `after` listed. Where a count agrees, "
        "the batch's comment ids are known without listing them. Where it does not (a comment gone, or one "
        "approved late and written more than 30 days before the last crawl, so `after` does not list it), "
        "the batch is halved while counting is cheaper than listing, and then its comment ids are listed "
        "with their post (`_fields=id,post`): a post whose ids differ from the archive's is fetched again (one "
        "`comments?include=` request brings a late comment's REST data). A deletion and a late approval in the "
        "same batch between two crawls cancel out in the count; a `--full` crawl lists everything. The REST API "
        "lists plain comments only, so pingbacks and trackbacks are not compared with it.",
        "4. **Fetching again** a post brings its page and comment pages, and no REST request of its own: its REST "
        "data comes from the `modified_after` listing when it changed, else from the archive (same `modified` "
        "date), and its REST comments are the archived ones still listed plus the new ones, so its rows are what a "
        "full crawl writes (`tests/test_incremental_wordpress.py` compares them).",
        "5. Without the REST API: sitemap `lastmod` when the sitemap has it, the comments feed, and conditional "
        "requests with the ETag/Last-Modified stored per URL (`url_state`).",
        "",
        "Limits: a comment edited in place (the REST API gives comments no modification date), a pingback or "
        "trackback deleted, and a category or author renamed (the posts' `modified` does not change) are not "
        "noticed until the post is fetched again; the comments feed shows the latest 10 comments, so more than 10 "
        "new pingbacks between two crawls can hide some. A weekly `--full` crawl (`ARCHIVE_FULL_RECRAWL`) catches "
        "all of these, and a deletion cancelled by a late approval in one batch of posts. The comment counts cost "
        f"one request per 100 posts and pages on every re-crawl ({counts} of {unchanged.count} here), whatever the "
        "number of comments.",
        "",
    ]
    return "\n".join(lines)


def wget_kind(path: str) -> str:
    if re.match(r"/\?p=\d+$", path):
        return "?p= shortlinks (301 to the post, fetched again)"
    if path == "/robots.txt":
        return "robots.txt"
    if "replytocom=" in path:
        return "?replytocom= (one per comment)"
    if path.startswith("/wp-json/") or "rest_route=" in path:
        return "REST links (wp-json, oEmbed)"
    if "/feed" in path:
        return "feeds"
    if re.search(r"/(category|tag|author)/", path):
        return "category, tag and author archives"
    if re.match(r"/\d{4}/(\d\d/)?(\d\d/)?(page/\d+/)?$", path):
        return "date archives"
    if re.search(r"/page/\d+/", path) or path == "/":
        return "home and its pages"
    if path.startswith(("/wp-content/", "/wp-includes/")):
        return "styles, scripts, images"
    if "comment-page-" in path:
        return "comment pages"
    if re.match(r"/\d{4}/\d\d/\d\d/[^/]+/$", path) or re.match(r"/[a-z-]+/$", path):
        return "posts and pages"
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", help="write the Markdown report here (e.g. docs/incremental.md)")
    parser.add_argument("--scale", type=int, default=6, help="seed N times the default blog (6: 384 posts)")
    parser.add_argument("--dir", default="/tmp/wparchive-wp-bench", help="the WordPress site's folder")
    parser.add_argument("--no-wget", action="store_true", help="skip wget (the longest part)")
    parser.add_argument(
        "--wget-from",
        metavar="REPORT",
        help="skip wget and keep its figures from an earlier report of this benchmark (e.g. docs/incremental.md)",
    )
    parser.add_argument("--no-rest-runs", action="store_true", help="skip the runs without the REST API")
    args = parser.parse_args(argv)
    kept = read_wget(Path(args.wget_from)) if args.wget_from else None
    missing = harness.missing_requirements()
    if missing:
        print(f"missing Debian packages: {missing} (make system-deps)", file=sys.stderr)
        return 1
    site = harness.WordPressSite(args.dir, scale=args.scale)
    site.start()
    site.reset()
    truth = site.ground_truth()
    sizes = {
        "posts": truth["counts"]["posts"] + truth["counts"]["pages"],
        "comments": truth["counts"]["comments"]["total"],
    }
    work = Path(tempfile.mkdtemp(prefix="wparchive-bench-"))
    bench = Bench(site, work, wget=not args.no_wget and kept is None)
    db = work / "archive.db"
    runs: dict[str, Run | None] = {}
    print(f"site {site.base_url}: {sizes}", file=sys.stderr)
    runs["first"] = bench.crawl("first crawl", db)
    runs["wget_first"] = bench.mirror("wget first", work / "mirror")
    runs["unchanged"] = bench.crawl("unchanged", db)
    runs["wget_unchanged"] = bench.mirror("wget unchanged", work / "mirror")
    change_the_site(site)
    runs["changed"] = bench.crawl("after the changes", db)
    runs["wget_changed"] = bench.mirror("wget after the changes", work / "mirror")
    for key, run in runs.items():
        if run:
            print(f"{key}: {run.count} requests in {run.seconds:.1f} s; found {dict(run.found)}", file=sys.stderr)
    no_rest: dict[str, Run] = {}
    if not args.no_rest_runs:
        site.set_rest_mode("disabled")
        try:
            plain = work / "sitemap.db"
            no_rest["first"] = bench.crawl("sitemaps: first crawl", plain)
            no_rest["again"] = bench.crawl("sitemaps: unchanged, no validators", plain)
            site.set_validators(True)
            cached = work / "cached.db"
            bench.crawl("sitemaps with validators: first crawl", cached)
            no_rest["cached"] = bench.crawl("sitemaps with validators: unchanged", cached)
        finally:
            site.set_validators(False)
            site.set_rest_mode("open")
    text = report(runs, sizes, no_rest, kept)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if runs["changed"] and runs["changed"].found == EXPECTED else 1


if __name__ == "__main__":
    sys.exit(main())
