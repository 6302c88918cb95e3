"""Benchmark: how many HTTP requests a complete archive of a real WordPress costs (issue 3).

Starts the real WordPress of `tests/wordpress/` through its harness (a private copy by default, so
that test runs switching themes on the shared site cannot disturb the figures), then for each theme
(twentytwentyone, twentytwentythree) and each way in (REST open; `/wp-json/` blocked so that
`?rest_route=` is used; REST disabled so that only sitemaps and HTML pages are left) runs the real
`scrapy crawl wordpress` into a temporary database with the politeness delays off, and reads:

- the request counts from the archive's own `crawls` row (`requests`, and Scrapy's stats in
  `stats`: `downloader/request_count`, `wparchive/comment_pages`, `wparchive/discovery/...`);
- what each request was for, from `benchmarks/request_log.py`, a small Scrapy extension enabled
  only here with `-s EXTENSIONS=...` (the PHP built-in server logs no line for the requests its
  router hands to WordPress, so its access log cannot give this breakdown);
- whether the archive is complete: every published post and page, every approved comment, as
  WordPress's tables say (`ground_truth()`).

Then it mirrors the same site with `wget --mirror` (127.0.0.1 only, robots.txt obeyed,
`--no-parent`, a time limit), once as is and once with a stated `--reject-regex`, counts wget's
requests from its log, and checks whether the mirror holds every approved comment (`id="comment-N"`
in the mirrored HTML). It writes the tables to docs/requests.md.

    .venv/bin/python benchmarks/bench_requests.py                 # everything, about 4 minutes
    .venv/bin/python benchmarks/bench_requests.py --no-wget --no-write --themes twentytwentyone
    .venv/bin/python benchmarks/bench_requests.py --site-dir /tmp/wparchive-wp   # the shared test site

The site is left with REST mode "open" and theme twentytwentyone; a site this script started is
stopped again (`--keep-running` to leave it up).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests" / "wordpress"))

import harness  # noqa: E402

DOC = ROOT / "docs" / "requests.md"
DEFAULT_SITE_DIR = Path(tempfile.gettempdir()) / "wparchive-bench-wp"
THEMES = ["twentytwentyone", "twentytwentythree"]
MODES = ["open", "wp-json-blocked", "disabled"]
MODE_LABEL = {
    "open": "REST open",
    "wp-json-blocked": "/wp-json/ blocked (?rest_route=)",
    "disabled": "REST disabled (sitemaps + HTML)",
}
CRAWL_SETTINGS = [
    "AUTOTHROTTLE_ENABLED=False",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=4",
]
# The kinds of request, in the order of the tables; `kind_of` decides.
KINDS = [
    ("robots", "robots.txt"),
    ("home", "home page"),
    ("rest_probe", "failed REST probes"),
    ("rest", "REST listing pages"),
    ("sitemap", "sitemap files"),
    ("feed", "feed pages"),
    ("listing", "HTML listing pages"),
    ("post", "post/page HTML"),
    ("comment_page", "comment pages"),
    ("comment_feed", "comment feeds"),
    ("other", "other"),
]
# The tuned wget run leaves out what a reader of the blog does not need: reply links (one URL per
# comment), the REST API and oEmbed, feeds, XML-RPC and the ?p=N shortlinks (duplicates of posts).
WGET_REJECT = r"(replytocom=|/wp-json/|rest_route=|/feed/|xmlrpc\.php|[?&]p=[0-9]+$)"


# ----------------------------------------------------------------------------------- our crawls


@dataclass
class CrawlResult:
    theme: str
    mode: str
    wall: float
    row: dict[str, Any]
    stats: dict[str, Any]
    log: list[dict[str, Any]]
    kinds: Counter[str] = field(default_factory=Counter)
    rest_routes: Counter[str] = field(default_factory=Counter)
    posts: set[int] = field(default_factory=set)
    comments: list[int] = field(default_factory=list)
    discovery: str | None = None
    comment_sources: Counter[str] = field(default_factory=Counter)


def kind_of(entry: dict[str, Any]) -> str:
    """What a request of our crawl was for, from the spider callback that reads its response."""
    callback, status = entry["callback"], entry["status"]
    if callback == "NO_CALLBACK" and urlsplit(entry["url"]).path.endswith("/robots.txt"):
        return "robots"
    return {
        "parse_start": "home",
        "parse_rest_first": "rest" if status == 200 else "rest_probe",
        "parse_rest_listing": "rest",
        "parse_single_rest_comments": "rest",
        "parse_sitemap": "sitemap",
        "parse_feed": "feed",
        "parse_listing": "listing",
        "parse_post": "post",
        "parse_comment_page": "comment_page",
        "parse_comment_feed": "comment_feed",
    }.get(callback, "other")


def run_crawl(site: harness.WordPressSite, theme: str, mode: str, work: Path) -> CrawlResult:
    site.set_theme(theme)
    site.set_rest_mode(mode)
    db_path = work / f"{theme}-{mode}.db"
    log_path = work / f"{theme}-{mode}.requests.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "wordpress",
        "-a", f"url={site.base_url}/",
        "-s", f"ARCHIVE_DB={db_path}",
        "-s", "ARCHIVE_CONTACT=bench@localhost",
        "-s", "LOG_LEVEL=INFO",
        "-s", f"LOG_FILE={work / f'{theme}-{mode}.log'}",
        *(arg for setting in CRAWL_SETTINGS for arg in ("-s", setting)),
        "-s", 'EXTENSIONS={"request_log.RequestLog": 0}',
        "-s", f"BENCH_REQUEST_LOG={log_path}",
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
    began = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    wall = time.monotonic() - began
    if result.returncode != 0:
        raise RuntimeError(f"crawl {theme}/{mode} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM crawls ORDER BY id DESC LIMIT 1").fetchone())
    crawl = CrawlResult(
        theme=theme,
        mode=mode,
        wall=wall,
        row=row,
        stats=json.loads(row["stats"]),
        log=[json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()],
    )
    crawl.posts = {r[0] for r in db.execute("SELECT wp_id FROM posts")}
    crawl.comments = [r[0] for r in db.execute("SELECT wp_id FROM comments")]
    crawl.discovery = db.execute("SELECT discovery FROM sites").fetchone()[0]
    crawl.comment_sources = Counter(r[0] for r in db.execute("SELECT sources FROM comments"))
    db.close()
    for entry in crawl.log:
        kind = kind_of(entry)
        crawl.kinds[kind] += 1
        if kind == "rest":
            crawl.rest_routes[entry.get("route") or "?"] += 1
    return crawl


def crawl_checks(crawl: CrawlResult, truth: dict[str, Any]) -> list[str]:
    """What does not add up: incomplete archive, counts that disagree, repeated or failed requests."""
    problems = []
    want_posts = {p["id"] for p in truth["posts"]}
    want_comments = {c["id"] for c in truth["comments"]}
    if crawl.posts != want_posts:
        problems.append(
            f"posts differ from WordPress: missing {sorted(want_posts - crawl.posts)}, "
            f"extra {sorted(crawl.posts - want_posts)}"
        )
    if Counter(crawl.comments) != Counter(want_comments):
        problems.append(f"comments differ: {len(crawl.comments)} archived, {len(want_comments)} in WordPress")
    total = len(crawl.log)
    if not (total == crawl.row["requests"] == crawl.stats.get("downloader/request_count")):
        problems.append(
            f"request counts disagree: log {total}, crawls.requests {crawl.row['requests']}, "
            f"downloader/request_count {crawl.stats.get('downloader/request_count')}"
        )
    if crawl.kinds["comment_page"] != crawl.stats.get("wparchive/comment_pages", 0):
        problems.append("comment pages in the log and wparchive/comment_pages disagree")
    return problems


def waste(crawl: CrawlResult, truth: dict[str, Any]) -> list[str]:
    """Requests beyond the least a complete archive needs, described URL by URL."""
    notes = []
    seen = Counter(entry["url"] for entry in crawl.log)
    repeated = {url: n for url, n in seen.items() if n > 1}
    if repeated:
        notes.append(
            f"{sum(repeated.values()) - len(repeated)} repeated request(s): "
            + ", ".join(f"{url} ×{n}" for url, n in repeated.items())
        )
    failed = [e for e in crawl.log if e["status"] is None or e["status"] >= 300]
    for entry in failed:
        notes.append(f"HTTP {entry['status']} for {entry['url']} ({entry['callback']})")
    needed_comment_pages = sum(p["comment_pages"] - 1 for p in truth["posts"] if p["comment_pages"] > 1)
    if crawl.kinds["comment_page"] != needed_comment_pages:
        notes.append(f"{crawl.kinds['comment_page']} comment pages fetched, {needed_comment_pages} needed")
    posts = len(truth["posts"])
    if crawl.kinds["post"] != posts:
        extra = [e["url"] for e in crawl.log if kind_of(e) == "post"]
        notes.append(f"{crawl.kinds['post']} post/page fetches for {posts} posts and pages: {extra[:5]} ...")
    return notes


# ----------------------------------------------------------------------------------- wget


@dataclass
class WgetResult:
    label: str
    theme: str
    command: list[str]
    wall: float
    returncode: int
    timed_out: bool
    urls: list[str]
    statuses: Counter[str]
    files: int
    bytes: int
    comment_ids: set[int]
    kinds: Counter[str]

    @property
    def repeated(self) -> int:
        """Requests for a URL wget had requested before (the target of a redirect, mostly)."""
        return len(self.urls) - len(set(self.urls))

    def posts_found(self, truth: dict[str, Any]) -> int:
        """Published posts and pages whose own URL wget fetched."""
        fetched = {unquote(url).lower() for url in self.urls}
        return sum(1 for post in truth["posts"] if unquote(post["link"]).lower() in fetched)


def wget_kind(url: str) -> str:
    parts = urlsplit(url)
    path, query = parts.path, parse_qs(parts.query)
    if "replytocom" in query:
        return "?replytocom= reply links"
    if path.startswith("/wp-json/") or "rest_route" in query:
        return "REST API and oEmbed"
    if re.search(r"/feed/?$", path):
        return "feeds"
    if path.startswith(("/wp-content/", "/wp-includes/")) or path.endswith("/robots.txt"):
        return "robots.txt, CSS, JS, images"
    if "p" in query or "page_id" in query:
        return "?p=N shortlinks (301)"
    if "xmlrpc.php" in path:
        return "xmlrpc.php"
    if "/comment-page-" in path:
        return "comment pages"
    if re.fullmatch(r"/(\d{4}/(\d{2}/)?(\d{2}/)?)?(page/\d+/)?", path):
        return "home, date archives, older posts"
    if path.startswith(("/category/", "/tag/", "/author/")):
        return "category, tag, author archives"
    if re.fullmatch(r"/\d{4}/\d{2}/\d{2}/[^/]+/", path) or re.fullmatch(r"/[^/]+/", path):
        return "post/page HTML"
    return "other"


def run_wget(
    site: harness.WordPressSite, theme: str, label: str, reject: str | None, work: Path, limit: float
) -> WgetResult:
    site.set_theme(theme)
    site.set_rest_mode("open")
    target = work / f"wget-{theme}-{label}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    log_path = work / f"wget-{theme}-{label}.log"
    command = [
        "wget", "--mirror", "--no-parent", "-e", "robots=on", "--no-proxy",
        "--tries=1", "--timeout=30", "-o", str(log_path), "-P", str(target),
    ]  # fmt: skip
    if reject:
        command += ["--reject-regex", reject]
    command.append(f"{site.base_url}/")
    assert urlsplit(command[-1]).hostname == "127.0.0.1"
    began = time.monotonic()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    timed_out = False
    try:
        returncode = proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.kill()  # only the wget this function started, by its own handle
        returncode = proc.wait()
    wall = time.monotonic() - began
    text = log_path.read_text(encoding="utf-8", errors="replace")
    # Every HTTP request wget sends starts with a "--DATE TIME--  URL" line (redirects too).
    urls = re.findall(r"^--\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}--  (\S+)$", text, flags=re.M)
    statuses = Counter(re.findall(r"awaiting response\.\.\. (\d{3})", text))
    files, size, ids = 0, 0, set()
    pattern = re.compile(rb"""id=["']comment-(\d+)["']""")
    for path in target.rglob("*"):
        if path.is_file():
            files += 1
            data = path.read_bytes()
            size += len(data)
            ids.update(int(m) for m in pattern.findall(data))
    return WgetResult(
        label=label,
        theme=theme,
        command=command,
        wall=wall,
        returncode=returncode,
        timed_out=timed_out,
        urls=urls,
        statuses=statuses,
        files=files,
        bytes=size,
        comment_ids=ids,
        kinds=Counter(wget_kind(url) for url in urls),
    )


# ----------------------------------------------------------------------------------- report


def machine_notes() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass

    def version(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
            first = out.splitlines()[0].strip() if out else "?"
            return re.split(r" \(built| built on", first)[0]
        except (OSError, subprocess.SubprocessError):
            return "not installed"

    import scrapy

    return [
        f"{os.cpu_count()} cores ({cpu}){mem}; {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, Scrapy {scrapy.__version__}, {version(['php', '--version'])}, "
        f"{version(['wget', '--version'])}",
        f"Server: `php -S` with {harness.PHP_WORKERS} workers and MariaDB, on the same "
        f"{os.cpu_count()} cores as the crawler (wall times move with whatever else runs on the machine)",
    ]


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def per_post(requests: int, posts: int) -> str:
    return f"{requests / posts:.2f}" if posts else "–"


def report(
    crawls: list[CrawlResult],
    wgets: list[WgetResult],
    truth: dict[str, Any],
    notes: dict[str, list[str]],
    problems: dict[str, list[str]],
    argv: list[str],
) -> str:
    counts = truth["counts"]
    n_posts = counts["posts"] + counts["pages"]
    n_comments = counts["comments"]["total"]
    paged = {k: v for k, v in counts["posts_by_comment_pages"].items() if k != "1"}
    needed_comment_pages = sum((int(k) - 1) * v for k, v in paged.items())
    pingback_posts = len({c["post_id"] for c in truth["comments"] if c["type"] != "comment"})
    lines = [
        "# Requests per archived post",
        "",
        'How many HTTP requests a complete archive of a real WordPress costs (issue 3, "Efficiency"),',
        "measured by `benchmarks/bench_requests.py`, which writes this file. A benchmark, not a test.",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        *(f"- Machine: {note}" for note in machine_notes()[:1]),
        *(f"- {note}" for note in machine_notes()[1:]),
        f"- The site: the seeded course blog of `tests/wordpress/` (WordPress "
        f"{truth['site'].get('wordpress_version', '?')}): {counts['posts']} posts + {counts['pages']} pages, "
        f"{n_comments} approved comments ({counts['comments']['pingback']} pingbacks, "
        f"{counts['comments']['trackback']} trackback), 20 top-level comments a page: "
        + ", ".join(f"{v} posts with {k} comment pages" for k, v in sorted(paged.items()))
        + f" (so {needed_comment_pages} comment pages beyond the posts' own pages).",
        "- Our crawls: `scrapy crawl wordpress` with "
        + ", ".join(f"`{s}`" for s in CRAWL_SETTINGS)
        + "; counts from the archive's `crawls` row (`requests`, `stats`) and a request log (the extension "
        "`benchmarks/request_log.py`, enabled only by the benchmark with `-s EXTENSIONS=...`).",
        "- Reproduce: `.venv/bin/python benchmarks/bench_requests.py` (needs `bash tests/wordpress/install.sh` "
        "and `wget`; about 4 minutes).",
        "",
        "## Our crawler: 2 themes × 3 ways in",
        "",
        '"per post" is requests per archived post or page; "complete" means every published post and '
        "page and every approved comment of WordPress's tables is in the archive, once.",
        "",
    ]
    header = [
        "theme",
        "way in",
        "discovery",
        "requests",
        "per post",
        "posts",
        "comments",
        "complete",
        "wall time",
        "crawl time",
    ]
    rows = []
    for c in crawls:
        complete = "yes" if not problems[f"{c.theme}/{c.mode}"] else "**no**"
        rows.append([
            c.theme, MODE_LABEL[c.mode], c.discovery, c.row["requests"], per_post(c.row["requests"], len(c.posts)),
            c.row["posts_saved"], c.row["comments_saved"], complete, f"{c.wall:.1f} s",
            f"{c.stats.get('elapsed_time_seconds', 0):.1f} s",
        ])  # fmt: skip
    lines += table(header, rows)
    lines += [
        "",
        "Wall time is the whole `scrapy crawl` command (Python and Scrapy start-up included, about 1 s);",
        "crawl time is Scrapy's `elapsed_time_seconds`. One run each; Twenty Twenty-Three pages take longer",
        "to render than Twenty Twenty-One's (see the wget wall times, and tests/wordpress/README.md).",
        "",
        "### What the requests were for",
        "",
    ]
    used = [(k, label) for k, label in KINDS if any(c.kinds[k] for c in crawls)]
    header = ["theme", "way in", *(label for _, label in used), "total"]
    rows = []
    for c in crawls:
        cells = []
        for k, _ in used:
            cell = str(c.kinds[k])
            if k == "rest" and c.rest_routes:
                cell += " (" + ", ".join(f"{route} {n}" for route, n in sorted(c.rest_routes.items())) + ")"
            cells.append(cell)
        rows.append([c.theme, MODE_LABEL[c.mode], *cells, len(c.log)])
    lines += table(header, rows)
    stat_keys = sorted({k for c in crawls for k in c.stats if k.startswith("wparchive/discovery/")})
    lines += [
        "",
        "The same from Scrapy's stats in the `crawls` table:",
        "",
    ]
    header = [
        "theme",
        "way in",
        "`downloader/request_count`",
        "`downloader/response_status_count/200`",
        "`wparchive/comment_pages`",
        *(f"`{k}`" for k in stat_keys),
        "MB downloaded",
    ]
    rows = [
        [c.theme, MODE_LABEL[c.mode], c.stats.get("downloader/request_count"),
         c.stats.get("downloader/response_status_count/200"), c.stats.get("wparchive/comment_pages", 0),
         *(c.stats.get(k, "–") for k in stat_keys), f"{c.stats.get('downloader/response_bytes', 0) / 1e6:.1f}"]
        for c in crawls
    ]  # fmt: skip
    lines += table(header, rows)

    if wgets:
        lines += [
            "",
            "## `wget --mirror` of the same site",
            "",
            "REST open, robots.txt obeyed, nothing fetched outside 127.0.0.1, a time limit. Requests are the",
            "`--DATE--  URL` lines of wget's log (one per HTTP request, redirects included); comments are the",
            'ground-truth ids found as `id="comment-N"` anywhere in the mirrored files.',
            "",
            f"- as is: `wget --mirror --no-parent -e robots=on --no-proxy --tries=1 --timeout=30 {'{URL}'}`",
            f"- tuned: the same with `--reject-regex '{WGET_REJECT}'` (reply links, REST API and oEmbed, "
            "feeds, XML-RPC and `?p=N` shortlinks left out)",
            "",
        ]
        header = ["theme", "wget", "requests", "per post", "repeated URLs", "files", "MB",
                  "posts and pages in the copy", "approved comments in the copy", "wall time",
                  "ours / wget (REST open)", "ours / wget (REST disabled)"]  # fmt: skip
        rows = []
        want = {c["id"] for c in truth["comments"]}
        for w in wgets:
            ratios = []
            for mode in ("open", "disabled"):
                ours = next((c for c in crawls if c.theme == w.theme and c.mode == mode), None)
                ratios.append(f"{ours.row['requests'] / len(w.urls):.3f}" if ours and w.urls else "–")
            status = "" if not w.timed_out else " (time limit hit)"
            rows.append([
                w.theme, w.label + status, len(w.urls), per_post(len(w.urls), n_posts), w.repeated, w.files,
                f"{w.bytes / 1e6:.1f}", f"{w.posts_found(truth)} / {n_posts}",
                f"{len(want & w.comment_ids)} / {len(want)}", f"{w.wall:.0f} s", *ratios,
            ])  # fmt: skip
        lines += table(header, rows)
        kinds = sorted({k for w in wgets for k in w.kinds}, key=lambda k: -max(w.kinds[k] for w in wgets))
        lines += ["", "What wget fetched (by URL; a post fetched twice counts twice):", ""]
        header = ["theme", "wget", *kinds]
        lines += table(header, [[w.theme, w.label, *(w.kinds[k] for k in kinds)] for w in wgets])
        lines += [
            "",
            "HTTP statuses: "
            + "; ".join(
                f"{w.theme} {w.label}: " + ", ".join(f"{s} ×{n}" for s, n in sorted(w.statuses.items())) for w in wgets
            ),
        ]

    lines += ["", "## Reading the figures", ""]
    lines += interpretation(crawls, wgets, truth, needed_comment_pages, pingback_posts)
    lines += ["", "## Requests beyond the minimum", ""]
    lines += waste_summary(crawls, truth)
    all_notes = {key: value for key, value in notes.items() if value}
    if all_notes or any(problems.values()):
        lines += ["", "Run by run (checks that failed, repeated URLs, answers other than 200):", ""]
        for key in sorted(set(all_notes) | {k for k, v in problems.items() if v}):
            for note in problems.get(key, []) + all_notes.get(key, []):
                lines.append(f"- {key}: {note}")
    lines += [
        "",
        f"Command line of this run: `{' '.join(['.venv/bin/python', 'benchmarks/bench_requests.py', *argv])}`",
    ]
    return "\n".join(lines).rstrip() + "\n"


def interpretation(
    crawls: list[CrawlResult], wgets: list[WgetResult], truth: dict[str, Any], comment_pages: int, pingback_posts: int
) -> list[str]:
    n_posts = len(truth["posts"])
    out = []
    for mode in MODES:
        runs = [c for c in crawls if c.mode == mode]
        if not runs:
            continue
        parts = []
        for c in runs:
            others = [f"{c.kinds[k]} {label}" for k, label in KINDS if k != "post" and c.kinds[k]]
            parts.append(
                f"{c.theme} {c.row['requests']} = {c.kinds['post']} post/page HTML + " + " + ".join(others)
                + f" ({c.row['requests'] / n_posts:.2f} per post)"
            )  # fmt: skip
        out.append(f"- **{MODE_LABEL[mode]}**: " + "; ".join(parts) + ".")
    if crawls:
        overhead = sorted(c.row["requests"] - c.kinds["post"] for c in crawls)
        feeds = {c.theme: c.kinds["comment_feed"] for c in crawls}
        by_mode: dict[str, set[int]] = {}
        for c in crawls:
            by_mode.setdefault(c.mode, set()).add(c.row["requests"] - c.kinds["comment_feed"])
        themes = {c.theme for c in crawls}
        same = (
            " The theme changes the count only through those feeds."
            if len(themes) > 1 and all(len(v) == 1 for v in by_mode.values())
            else ""
        )
        exact = "exactly" if all(c.kinds["comment_page"] == comment_pages for c in crawls) else "NOT always"
        rest_comments = "/".join(sorted({str(c.rest_routes["comments"]) for c in crawls if c.rest_routes}))
        sitemaps = "/".join(sorted({str(c.kinds["sitemap"]) for c in crawls if c.kinds["sitemap"]}))
        out += [
            "",
            f"In short: **one request per post or page, plus {overhead[0]}–{overhead[-1]} others** for the whole "
            f"blog, whatever the way in. Of those, robots.txt and the home page are 2; the listing is 1 REST page "
            f"of posts and 1 of pages (100 a page) plus 1 REST page of comments per 100 comments ({rest_comments} here "
            f"for the {truth['counts']['comments']['comment']} plain comments), or {sitemaps} sitemap files without "
            f"the API (WordPress puts 2,000 URLs in a sitemap); comment pages are {exact} the {comment_pages} "
            f"pages that the post URLs do not show (the post URL shows the newest page, so page N of N is not "
            f"fetched again); comment feeds are read only where the theme prints a pingback or trackback without its "
            f"date (" + ", ".join(f"{theme}: {n}" for theme, n in feeds.items()) + f"; {pingback_posts} posts "
            f"have pingbacks or trackbacks).{same}",
        ]  # fmt: skip
    if wgets and crawls:
        out.append("")
        for w in wgets:
            ours = next((c for c in crawls if c.theme == w.theme and c.mode == "open"), None)
            if ours and w.urls:
                out.append(
                    f"- `wget --mirror` ({w.label}, {w.theme}): {len(w.urls)} requests, "
                    f"{len(w.urls) / n_posts:.1f} per post, {w.posts_found(truth)} of {n_posts} posts and pages, "
                    f"{len(w.comment_ids & {c['id'] for c in truth['comments']})} of "
                    f"{len(truth['comments'])} comments; ours (REST open) sends "
                    f"{ours.row['requests'] / len(w.urls):.3f} as many requests "
                    f"({len(w.urls) / ours.row['requests']:.1f}× fewer) for a complete archive."
                )
    return out


def waste_summary(crawls: list[CrawlResult], truth: dict[str, Any]) -> list[str]:
    """What our crawl fetches that a complete archive could do without, from the request logs."""
    out = []
    repeated = sum(len(c.log) - len({e["url"] for e in c.log}) for c in crawls)
    links = {unquote(p["link"]).lower() for p in truth["posts"]}
    post_fetches = [e for c in crawls for e in c.log if kind_of(e) == "post"]
    not_posts = [e["url"] for e in post_fetches if unquote(e["url"]).lower() not in links]
    traps = re.compile(r"replytocom=|/embed/|/category/|/tag/|/author/|/wp-content/|/wp-includes/|/page/\d+/|/\d{4}/$")
    trapped = [e["url"] for c in crawls for e in c.log if traps.search(e["url"])]
    out.append(
        f"- Repeated URLs: {repeated} in all {len(crawls)} runs. Post/page fetches that were not a published "
        f"post or page: {len(not_posts)}{' ' + str(not_posts[:5]) if not_posts else ''}. Requests for reply "
        f"links, embeds, archive, author, category or tag pages, or static files: {len(trapped)}"
        f"{' ' + str(trapped[:5]) if trapped else ''}."
    )
    probes = [c for c in crawls if c.mode == "disabled" and c.kinds["rest_probe"]]
    if probes:
        entries = [e for c in probes for e in c.log if kind_of(e) == "rest_probe"]
        kb = sum(e.get("bytes", 0) for e in entries) / len(entries) / 1000
        urls = sorted({re.sub(r"127\.0\.0\.1:\d+", "HOST", e["url"]) for e in entries})
        out.append(
            f"- REST disabled: {probes[0].kinds['rest_probe']} REST probes answered 404 ("
            + ", ".join(f"`{u}`" for u in urls)
            + f"; each a full theme 404 page, {kb:.0f} kB on average), although the home page has no "
            '`<link rel="https://api.w.org/">`: the spider falls back to `HOME/wp-json/` when the link is '
            "missing (`_api_root`), then retries as `?rest_route=`. "
            f"{probes[0].kinds['rest_probe']} requests per site; skipping the probe when the link is absent "
            "would save them, at the risk of missing an API whose link a plugin removed."
        )
    blocked = [c for c in crawls if c.mode == "wp-json-blocked" and c.kinds["rest_probe"]]
    if blocked:
        out.append(
            f"- /wp-json/ blocked: {blocked[0].kinds['rest_probe']} request answered 403 before `?rest_route=` "
            "was tried: the home page advertises `/wp-json/`, so this one is unavoidable."
        )
    rest = [c for c in crawls if c.rest_routes.get("comments")]
    if rest:
        html_only = sum(n for src, n in rest[0].comment_sources.items() if "html" in src)
        rest_only = sum(n for src, n in rest[0].comment_sources.items() if "html" not in src)
        verdict = (
            "They add no comment" if rest_only == 0 else f"{rest_only} comments came only from them, so they are needed"
        )
        out.append(
            f"- REST comments: {rest[0].rest_routes['comments']} requests (`/wp/v2/comments?per_page=100`) "
            f"per crawl with the API. {verdict}: {html_only} of {sum(rest[0].comment_sources.values())} "
            f"archived comments were also found in the HTML ({rest[0].theme}, {rest[0].mode}). They give the "
            "REST count and the comment parents to cross-check (`comment_count_rest`, the "
            "`comment_integrity` view)"
            + (", so they are a check, not needed for completeness." if rest_only == 0 else ".")
        )
    feeds = [c for c in crawls if c.kinds["comment_feed"]]
    if feeds:
        c = feeds[0]
        urls = [e["url"] for e in c.log if kind_of(e) == "comment_feed"]
        with_pingbacks = len({x["post_id"] for x in truth["comments"] if x["type"] != "comment"})
        later = sum(1 for u in urls if "paged=" in u)
        out.append(
            f"- Comment feeds ({c.theme}): {len(urls)} per crawl for the {with_pingbacks} posts with a pingback or "
            f"trackback ({len(set(urls))} distinct, {later} second or later feed pages), because the theme prints "
            "them without a date; needed for those dates (anonymous REST leaves pingbacks and trackbacks out)."
        )
    return out


# ----------------------------------------------------------------------------------- main


def start_site(site: harness.WordPressSite) -> bool:
    try:
        return site.start()
    except harness.HarnessUnavailable:
        raise
    except harness.HarnessError as exc:  # a cold start can trip over its own readiness check once
        print(f"harness: {exc}; trying again", file=sys.stderr)
        return site.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--site-dir",
        default=str(DEFAULT_SITE_DIR),
        help=f"harness folder of the WordPress to use (default {DEFAULT_SITE_DIR}, a private copy)",
    )
    parser.add_argument("--port", type=int, help="HTTP port of the site (default: the harness chooses)")
    parser.add_argument("--themes", nargs="+", default=THEMES, choices=THEMES)
    parser.add_argument("--modes", nargs="+", default=MODES, choices=MODES)
    parser.add_argument("--no-wget", action="store_true", help="skip the wget --mirror comparison")
    parser.add_argument("--wget-themes", nargs="+", default=THEMES, choices=THEMES)
    parser.add_argument("--wget-limit", type=float, default=1200, help="seconds before a wget run is stopped")
    parser.add_argument("--work-dir", help="keep databases and logs here (default: a temporary folder, removed)")
    parser.add_argument("--output", default=str(DOC), help=f"Markdown report (default {DOC.relative_to(ROOT)})")
    parser.add_argument("--no-write", action="store_true", help="print the report instead of writing it")
    parser.add_argument("--keep-running", action="store_true", help="leave a site this script started running")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv

    if not args.no_wget and shutil.which("wget") is None:
        parser.error("wget is not installed (apt-get install wget), or pass --no-wget")
    site = harness.WordPressSite(args.site_dir, args.port)
    started = start_site(site)
    print(
        f"WordPress at {site.base_url}/ ({site.root}); {'started' if started else 'already running'}", file=sys.stderr
    )
    temp = None if args.work_dir else tempfile.TemporaryDirectory(prefix="wparchive-bench-requests-")
    work = Path(args.work_dir or temp.name)
    work.mkdir(parents=True, exist_ok=True)
    crawls: list[CrawlResult] = []
    wgets: list[WgetResult] = []
    notes: dict[str, list[str]] = {}
    problems: dict[str, list[str]] = {}
    try:
        truth = site.ground_truth()
        for theme in args.themes:
            for mode in args.modes:
                crawl = run_crawl(site, theme, mode, work)
                key = f"{theme}/{mode}"
                problems[key] = crawl_checks(crawl, truth)
                notes[key] = waste(crawl, truth)
                crawls.append(crawl)
                print(
                    f"{key}: {crawl.row['requests']} requests, {dict(crawl.kinds)}, {crawl.wall:.1f} s"
                    + (f"; PROBLEMS {problems[key]}" if problems[key] else ""),
                    file=sys.stderr,
                )
        if not args.no_wget:
            for theme in args.wget_themes:
                for label, reject in (("as is", None), ("tuned", WGET_REJECT)):
                    w = run_wget(site, theme, label, reject, work, args.wget_limit)
                    wgets.append(w)
                    print(
                        f"wget {theme} {label}: {len(w.urls)} requests, {w.files} files, "
                        f"{len(w.comment_ids)} comment ids, {w.wall:.0f} s, rc {w.returncode}",
                        file=sys.stderr,
                    )
    finally:
        site.set_rest_mode("open")
        if site.is_running():
            site.set_theme("twentytwentyone")
        if started and not args.keep_running:
            site.stop()
        if temp is not None:
            temp.cleanup()

    text = report(crawls, wgets, truth, notes, problems, argv)
    if args.no_write:
        print(text)
    else:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        old = Path(args.output).read_text(encoding="utf-8") if Path(args.output).exists() else ""
        start, end = "<!-- realsites:start -->", "<!-- realsites:end -->"
        if start in old and end in old:  # bench_realsites.py's section stays
            text = text.rstrip("\n") + "\n\n" + old[old.index(start) : old.index(end) + len(end)] + "\n"
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 1 if any(problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
