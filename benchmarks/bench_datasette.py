"""Benchmark: the archive in Datasette at scale (not a test).

Generates an archive of 100,000 posts and 1,000,000 comments (100 course blogs) through the
project's own `archive.db.save_post`, then measures the median time of the research questions:
full-text search of posts and of comments, one thread, the reply network and weekly activity, as
raw SQL on the file and as Datasette pages and canned queries (through Datasette's client, no
network). Writes the figures to docs/performance-datasette.md.

    python benchmarks/bench_datasette.py                       # full size: several minutes
    python benchmarks/bench_datasette.py --posts 2000 --comments 20000 --no-write   # a quick look
    python benchmarks/bench_datasette.py --reuse               # measure an archive built before

The archive is kept (default /tmp/wparchive-bench/archive.db) so that `--reuse` can measure again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from datasette.utils import escape_fts  # noqa: E402

from archive import research  # noqa: E402
from archive.datasette import datasette_instance, prepare_archive  # noqa: E402
from archive.db import finish_crawl, open_db, save_post, save_site, start_crawl  # noqa: E402

GOAL_MS = 100.0
DOC = ROOT / "docs" / "performance-datasette.md"

# A vocabulary with a Zipf-like spread: a few words everywhere, most words rare.
_COMMON = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which but "
    "they have an had one were their there what all when we you more been would who will can so if"
)
_TOPICS = (
    "history slavery sugar empire colonial trade revolution atlantic reading source archive teacher "
    "student learning blog technology classroom discussion essay primary evidence argument museum "
    "memory nation war peace labour women rights church science city market freedom resistance"
)
_SYLLABLES = "ka lo mi ra ne tu si po da ve lu ri no sa te mo ga zi pe fu"
_FIRST = "Ada Ben Chloé Dmitri Emma Farah Grace Hugo Ines Jonas Kenji Lena Malik Nora Omar Priya"
_LAST = "Rivera Okafor Martin Petrov Walsh Haddad Kim Silva Novak Berg Tanaka Moreau Diallo Costa"
COMMON, TOPICS, SYLLABLES = _COMMON.split(), _TOPICS.split(), _SYLLABLES.split()


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Common words, topic words, then invented rare words, in order of frequency rank."""
    words = list(dict.fromkeys(COMMON + TOPICS))
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in words:
            words.append(word)
    return words


class Writer:
    """Random text whose word frequencies follow Zipf's law over the vocabulary."""

    def __init__(self, rng: random.Random, size: int = 20000) -> None:
        self.rng = rng
        self.words = vocabulary(size, rng)
        weights = [1 / (rank + 1) for rank in range(len(self.words))]
        total = sum(weights)
        self.cumulative = []
        running = 0.0
        for weight in weights:
            running += weight / total
            self.cumulative.append(running)

    def text(self, n: int) -> str:
        picked = self.rng.choices(self.words, cum_weights=self.cumulative, k=n)
        return " ".join(picked).capitalize() + "."


def people(rng: random.Random, site: int) -> tuple[str, list[str]]:
    first, last = _FIRST.split(), _LAST.split()
    instructor = f"Prof. {rng.choice(first)} {rng.choice(last)} ({site})"
    students = [f"{rng.choice(first)} {rng.choice(last)} {site}-{i}" for i in range(24)]
    return instructor, students


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S-05:00")


def comment_counts(rng: random.Random, posts: int, comments: int) -> list[int]:
    """Comments per post: skewed (many quiet posts, a few long discussions), summing to `comments`."""
    raw = [rng.lognormvariate(0, 1.1) for _ in range(posts)]
    scale = comments / sum(raw)
    counts = [int(x * scale) for x in raw]
    shortfall = comments - sum(counts)
    for index in rng.sample(range(posts), k=min(posts, abs(shortfall))):
        counts[index] += 1 if shortfall > 0 else (-1 if counts[index] > 0 else 0)
    while sum(counts) < comments:  # rounding leftovers
        counts[rng.randrange(posts)] += 1
    return counts


def generate_posts(
    site: int, site_url: str, n_posts: int, counts: list[int], writer: Writer, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """One course blog: a 15-week term, an instructor, 24 students, threaded discussions."""
    instructor, students = people(rng, site)
    start = datetime.combine(date(2006 + site % 10, 1 + (site % 2) * 8, 1), datetime.min.time())
    start -= timedelta(days=start.weekday())
    term = timedelta(weeks=15)
    categories = ["Readings", "Responses", "Announcements", "Projects"]
    tags = [f"week-{w}" for w in range(1, 16)] + TOPICS[:12]
    wp_comment = 0
    for number in range(n_posts):
        published = start + term * (number / max(1, n_posts - 1)) + timedelta(minutes=rng.randint(0, 600))
        author = instructor if rng.random() < 0.35 else rng.choice(students)
        slug = f"post-{number}"
        url = f"{site_url}{published:%Y/%m}/{slug}/"
        comments: list[dict[str, Any]] = []
        depths: list[int] = []
        moment = published
        deep_chain = counts[number] >= 40 and rng.random() < 0.3
        for index in range(counts[number]):
            wp_comment += 1
            moment += timedelta(minutes=rng.randint(5, 900))
            if rng.random() < 0.01:
                moment += timedelta(days=rng.randint(30, 200))  # comments long after the course
            kind = "pingback" if rng.random() < 0.04 else "comment"
            parent_index = None
            if kind == "comment" and comments:
                if deep_chain and index < 12:
                    parent_index = index - 1
                elif rng.random() < 0.5:
                    parent_index = rng.randrange(len(comments))
                    if comments[parent_index]["type"] != "comment" or depths[parent_index] >= 10:
                        parent_index = None
            depth = depths[parent_index] + 1 if parent_index is not None else 1
            commenter = instructor if rng.random() < 0.15 else rng.choice(students)
            if kind == "pingback":
                commenter = f"blog{rng.randrange(500)}.example.net"
            text = writer.text(rng.randint(12, 60))
            comments.append(
                {
                    "wp_id": wp_comment,
                    "parent_wp_id": comments[parent_index]["wp_id"] if parent_index is not None else None,
                    "depth": depth,
                    "author": commenter,
                    "author_url": f"https://{commenter.split()[0].lower()}.example.org/",
                    "published": iso(moment),
                    "type": kind,
                    "content_html": f"<p>{text}</p>",
                    "content_text": text,
                    "sources": ["html"],
                }
            )
            depths.append(depth)
        paragraphs = [writer.text(rng.randint(40, 90)) for _ in range(rng.randint(2, 4))]
        title = writer.text(rng.randint(3, 8)).rstrip(".")
        yield {
            "url": url,
            "wp_id": number + 1,
            "type": "post",
            "title": title,
            "author": author,
            "published": iso(published),
            "content_html": "".join(f"<p>{p}</p>" for p in paragraphs),
            "content_text": "\n\n".join(paragraphs),
            "terms": [{"taxonomy": "category", "name": rng.choice(categories)}]
            + [{"taxonomy": "post_tag", "name": t} for t in rng.sample(tags, 2)],
            "breadcrumbs": [{"label": "Home", "url": site_url}, {"label": title}],
            "share_links": [{"service": "twitter", "url": f"https://twitter.com/share?url={url}"}],
            "comments": comments,
            "comment_count_declared": len(comments),
            "sources": ["html"],
        }


def build(path: Path, n_posts: int, n_comments: int, n_sites: int, batch: int, seed: int) -> dict[str, Any]:
    """Write the archive through save_post; return how fast that went."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rng = random.Random(seed)
    writer = Writer(rng)
    counts = comment_counts(rng, n_posts, n_comments)
    db = open_db(path)
    crawl = start_crawl(db, {"benchmark": True})
    per_site = math.ceil(n_posts / n_sites)
    started = time.perf_counter()
    saved_posts = saved_comments = 0
    progress = started
    samples: list[tuple[float, int]] = []
    for site in range(1, n_sites + 1):
        first = (site - 1) * per_site
        site_posts = min(per_site, n_posts - first)
        if site_posts <= 0:
            break
        url = f"https://course{site}.blogs.example.edu/"
        site_id = save_site(db, url, crawl, name=f"Course {site:03d}", discovery="html")
        posts = generate_posts(site, url, site_posts, counts[first : first + site_posts], writer, rng)
        pending = True
        while pending:
            chunk_start = time.perf_counter()
            chunk_comments = 0
            with db.atomic():  # one transaction per batch; save_post nests a savepoint per post
                for _ in range(batch):
                    post = next(posts, None)
                    if post is None:
                        pending = False
                        break
                    save_post(db, site_id, post, crawl)
                    saved_posts += 1
                    chunk_comments += len(post["comments"])
            saved_comments += chunk_comments
            samples.append((time.perf_counter() - chunk_start, chunk_comments))
            if time.perf_counter() - progress > 15:
                progress = time.perf_counter()
                rate = saved_posts / (progress - started)
                print(f"  {saved_posts:,} posts, {saved_comments:,} comments ({rate:,.0f} posts/s)", flush=True)
    finish_crawl(db, crawl, "finished", "finished", {})
    db.close()
    elapsed = time.perf_counter() - started
    shape_started = time.perf_counter()
    prepare_archive(path)  # what `wparchive serve` does first: research shape, ANALYZE, checkpoint
    return {
        "posts": saved_posts,
        "comments": saved_comments,
        "seconds": elapsed,
        "posts_per_second": saved_posts / elapsed,
        "comments_per_second": saved_comments / elapsed,
        "prepare_seconds": time.perf_counter() - shape_started,
        "batch": batch,
    }


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float, Any]:
    """(median, min, max) in ms over `repeat` runs after one warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), max(times), result


def pick_cases(conn: sqlite3.Connection, seed: int) -> dict[str, Any]:
    """Words of four frequencies, a typical and the biggest thread, a typical site."""
    writer_words = vocabulary(20000, random.Random(seed))  # the generator's words, by rank
    rare = next(
        w
        for w in writer_words[3000:]
        if conn.execute("SELECT count(*) FROM comments_fts WHERE comments_fts MATCH ?", [f'"{w}"']).fetchone()[0] > 0
    )
    cases = {
        "everywhere": "the",
        "common": "history",
        "medium": writer_words[400],
        "rare": rare,
        "phrase": '"slavery sugar"',
    }
    biggest = conn.execute("SELECT id, comment_count_captured FROM posts ORDER BY comment_count_captured DESC LIMIT 1")
    big_id, big_n = biggest.fetchone()
    typical = conn.execute(
        "SELECT id, comment_count_captured FROM posts WHERE comment_count_captured BETWEEN 8 AND 12 LIMIT 1"
    ).fetchone()
    site = conn.execute("SELECT id FROM sites ORDER BY id LIMIT 1 OFFSET 41").fetchone() or (1,)
    return {"words": cases, "big": (big_id, big_n), "typical": tuple(typical), "site": site[0]}


def sql_benchmarks(path: Path, repeat: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The research SQL straight on the file (read-only, as Datasette opens it)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    cases = pick_cases(conn, seed)
    results = []

    def run(name: str, scope: str, sql: str, params: dict[str, Any]) -> None:
        median, low, high, rows = measure(lambda: conn.execute(sql, params).fetchall(), repeat)
        results.append({"name": name, "scope": scope, "rows": len(rows), "median": median, "min": low, "max": high})
        print(f"  {name:<28} {scope:<34} {median:8.1f} ms  ({len(rows)} rows)", flush=True)

    search = {"open": "[", "close": "]", "site": "", "limit": 21, "offset": 0}
    cap = research.SEARCH_RANK_LIMIT + 1
    for label, word in cases["words"].items():
        word = escape_fts(word)
        for kind in ("posts", "comments"):
            total = conn.execute(f"SELECT count(*) FROM {kind}_fts WHERE {kind}_fts MATCH ?", [word]).fetchone()[0]
            ranked = total <= research.SEARCH_RANK_LIMIT
            order = "by relevance" if ranked else "newest first"
            run(
                f"search {kind}",
                f"{label} {word}: {total:,} hits, {order}",
                research.search_sql(kind, ranked),
                {**search, "q": word},
            )
            run(
                f"count {kind} hits",
                f"{label} {word} (up to {cap:,})",
                research.count_sql(kind),
                {"q": word, "cap": cap},
            )
        if label == "everywhere":
            run(
                "search comments",
                f"{label} {word}: ranked anyway",
                research.search_sql("comments"),
                {**search, "q": word},
            )
    big_id, big_n = cases["big"]
    typical_id, typical_n = cases["typical"]
    run("thread", f"typical post ({typical_n} comments)", research.THREAD_SQL, {"post_id": typical_id})
    run("thread", f"biggest post ({big_n} comments)", research.THREAD_SQL, {"post_id": big_id})
    site = cases["site"]
    run("reply network", f"one site (id {site})", research.REPLY_NETWORK_SQL, {"site": site})
    run("reply network", "all sites", research.REPLY_NETWORK_SQL, {"site": ""})
    run("weekly activity", f"one site (id {site})", research.WEEKLY_ACTIVITY_SQL, {"site": site})
    run("weekly activity", "all sites", research.WEEKLY_ACTIVITY_SQL, {"site": ""})
    run("authors", f"one site (id {site})", research.AUTHORS_SQL, {"site": site, "instructor": ""})
    run("authors", "all sites", research.AUTHORS_SQL, {"site": "", "instructor": ""})
    run("most discussed", f"one site (id {site})", research.MOST_DISCUSSED_SQL, {"site": site})
    run("most discussed", "all sites", research.MOST_DISCUSSED_SQL, {"site": ""})
    conn.close()
    return results, cases


def page_benchmarks(path: Path, cases: dict[str, Any], repeat: int) -> list[dict[str, Any]]:
    """The same questions as a researcher asks them: Datasette pages and canned queries (HTML/JSON)."""
    ds = datasette_instance(path)
    name = path.stem
    site = cases["site"]
    words = cases["words"]
    paths = [
        ("search page", f"/-/search?q={words['everywhere']}"),
        ("search page", f"/-/search?q={words['common']}"),
        ("search page", f"/-/search?q={words['rare']}"),
        ("post page (thread)", f"/-/post/{cases['typical'][0]}"),
        ("post page (thread)", f"/-/post/{cases['big'][0]}"),
        ("thread query (JSON)", f"/{name}/thread.json?post_id={cases['big'][0]}"),
        ("reply network (JSON)", f"/{name}/reply_network.json?site={site}"),
        ("weekly activity (JSON)", f"/{name}/weekly_activity.json?site={site}"),
        ("activity chart page", f"/-/activity?site={site}"),
        ("activity chart page", "/-/activity"),
        ("front page", "/"),
    ]
    results = []

    async def main() -> None:
        for label, url in paths:

            async def get(url: str = url) -> int:
                response = await ds.client.get(url)
                assert response.status_code == 200, (url, response.status_code, response.text[:500])
                return len(response.text)

            await get()
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                size = await get()
                times.append((time.perf_counter() - started) * 1000)
            median = statistics.median(times)
            results.append(
                {"name": label, "scope": url, "rows": size, "median": median, "min": min(times), "max": max(times)}
            )
            print(f"  {label:<28} {url:<48} {median:8.1f} ms", flush=True)

    asyncio.run(main())
    return results


def table(rows: list[dict[str, Any]], unit: str) -> str:
    lines = [
        f"| Question | Case | {unit} | Median ms | Min ms | Max ms | Under {GOAL_MS:.0f} ms |",
        "|---|---|---:|---:|---:|---:|:---:|",
    ]
    for r in rows:
        ok = "yes" if r["median"] < GOAL_MS else "**no**"
        lines.append(
            f"| {r['name']} | {r['scope'].replace('|', '/')} | {r['rows']:,} | {r['median']:.1f} | {r['min']:.1f} "
            f"| {r['max']:.1f} | {ok} |"
        )
    return "\n".join(lines)


def reading(sql_rows: list[dict[str, Any]], page_rows: list[dict[str, Any]]) -> str:
    """What the figures say, with the figures in it."""

    def worst(name: str, scope: str) -> float:
        found = [r["median"] for r in sql_rows if r["name"] == name and r["scope"].startswith(scope)]
        return max(found) if found else float("nan")

    one = {q: worst(q, "one site") for q in ("reply network", "weekly activity", "authors", "most discussed")}
    every = {q: worst(q, "all sites") for q in ("reply network", "weekly activity", "authors", "most discussed")}
    searches = [r for r in sql_rows if r["name"].startswith(("search", "count")) and "anyway" not in r["scope"]]
    search = max(r["median"] for r in searches)
    ranked = max(r["median"] for r in sql_rows if "anyway" in r["scope"])
    threads = worst("thread", "biggest")
    slow_pages = [r for r in page_rows if r["median"] >= GOAL_MS]
    lines = [
        f"- **One course at a time**, the questions are all under the goal: one thread {threads:.0f} ms even for "
        f"the biggest thread; for one blog, reply network {one['reply network']:.0f} ms, weekly activity "
        f"{one['weekly activity']:.0f} ms, authors {one['authors']:.0f} ms, most discussed "
        f"{one['most discussed']:.0f} ms. The thread walks the post's comments by index; the other four read "
        "summary tables (`research_reply_edges`, `research_post_weeks`, `research_comment_weeks`, "
        "`research_people`, `research_answers`, `research_discussion` in `archive/research.py`) from `sites` "
        "by index (`CROSS JOIN` keeps SQLite to that order). The summaries are rebuilt from the rows at the end "
        "of every crawl (`finish_crawl`) and before serving (`prepare_archive`), so they are never older than "
        "the rows Datasette shows.",
        f"- **Search** answers in at most {search:.0f} ms for any word. Ranking every hit of a word found in "
        f"most comments would take {ranked:.0f} ms (the \"ranked anyway\" row), which is why such words are "
        "shown newest first and the page says so.",
        f"- **All blogs at once** (the canned queries with `site` left empty) read the whole of those summaries: "
        f"reply network {every['reply network']:,.0f} ms, weekly activity {every['weekly activity']:,.0f} ms, "
        f"most discussed {every['most discussed']:,.0f} ms, authors {every['authors']:,.0f} ms. "
        + (
            "These meet the goal too."
            if max(every.values()) < GOAL_MS
            else "These miss the goal; "
            + (
                "they stay under Datasette's time limit (`sql_time_limit_ms` = 5000), but a busier machine or a "
                "bigger archive could reach it."
                if max(every.values()) < 5000
                else "some pass Datasette's time limit (`sql_time_limit_ms` = 5000) and fail in Datasette."
            )
            + " The activity page draws ten blogs at a time, one indexed query each, for the same reason."
        ),
    ]
    if slow_pages:
        lines.append(
            "- Pages over the goal: "
            + "; ".join(f"`{r['scope']}` {r['median']:.0f} ms" for r in slow_pages)
            + "."
        )
    return "\n".join(lines)


def write_doc(build_info: dict[str, Any], sql_rows, page_rows, path: Path, args) -> None:
    size_mb = sum(Path(f"{path}{s}").stat().st_size for s in ("",) if Path(f"{path}{s}").exists()) / 1e6
    machine = f"{platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = names[0] if names else ""

    cores = os.cpu_count()
    generated = build_info.get("seconds")
    gen_text = (
        f"Generated through `archive.db.save_post` in {generated / 60:.1f} min: "
        f"{build_info['posts_per_second']:,.0f} posts/s, {build_info['comments_per_second']:,.0f} comments/s "
        f"(batches of {build_info['batch']} posts per transaction, each post in its own savepoint; "
        f"FTS triggers on). `prepare_archive` (research indexes and views, ANALYZE, checkpoint) took "
        f"{build_info['prepare_seconds']:.0f} s."
        if generated
        else "Measured on an archive generated by an earlier run (`--reuse`)."
    )
    if build_info.get("refresh_seconds") is not None:
        gen_text += (
            f" Preparing it for this version of the code (`prepare_archive`: research indexes and views, the "
            f"summary tables rebuilt, as after every crawl) took {build_info['refresh_seconds']:.1f} s."
        )
    summary = reading(sql_rows, page_rows)
    doc = f"""# Datasette at scale

<!-- Written by `python benchmarks/bench_datasette.py`; run it again to refresh these figures. -->

The benchmark `benchmarks/bench_datasette.py` generates an archive of
**{build_info["posts"]:,} posts and {build_info["comments"]:,} comments** ({args.sites} course blogs of
{math.ceil(build_info["posts"] / args.sites):,} posts, a skewed number of comments per post, threads up to 12
deep, 4% pingbacks, Zipf-distributed words) through the project's own `archive.db.save_post`, then measures
each question {args.repeat} times after one warm-up and reports the median. Goal: under {GOAL_MS:.0f} ms.

- Machine: {cpu or "unknown CPU"}, {cores} cores shared with other work; {machine}; SQLite
  {sqlite3.sqlite_version}. Archive file: {size_mb:,.0f} MB.
- {gen_text}
- Run on {datetime.now():%Y-%m-%d}.

## The research SQL, straight on the file

The queries of `archive.research` and of the search page, on a read-only (`mode=ro`) connection, as
Datasette runs them. Search returns one page (21 rows): by relevance (FTS5 `rank`, bm25) when a
word matches at most {research.SEARCH_RANK_LIMIT:,} rows, newest archived first beyond that, as the
search page does; "count ... hits" is the total the page shows (counted up to {research.SEARCH_RANK_LIMIT + 1:,}).
The hit counts in the "Case" column were counted in full, outside the timing.

{table(sql_rows, "Rows")}

## As a researcher sees it: Datasette pages and canned queries

Through Datasette's own client (no network; template rendering, sanitising and the SVG chart
included). "Bytes" is the size of the response.

{table(page_rows, "Bytes")}

## Reading the figures

{summary}
"""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(doc)
    print(f"wrote {DOC.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/wparchive-bench/archive.db"))
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--batch", type=int, default=200, help="posts per transaction while generating")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--reuse", action="store_true", help="measure the archive at --db without regenerating")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance-datasette.md")
    args = parser.parse_args()

    record = args.db.with_suffix(".build.json")  # how the archive was generated, for --reuse
    if args.reuse and args.db.exists():
        if record.exists():
            build_info: dict[str, Any] = json.loads(record.read_text())
        else:
            conn = sqlite3.connect(args.db)
            posts, comments = conn.execute(
                "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM comments)"
            ).fetchone()
            conn.close()
            build_info = {"posts": posts, "comments": comments}
        started = time.perf_counter()
        prepare_archive(args.db)  # research views, indexes and summary tables of this version of the code
        build_info["refresh_seconds"] = time.perf_counter() - started
    else:
        print(f"generating {args.posts:,} posts and {args.comments:,} comments in {args.db} ...", flush=True)
        build_info = build(args.db, args.posts, args.comments, args.sites, args.batch, args.seed)
        record.write_text(json.dumps(build_info))
        print(
            f"  done in {build_info['seconds']:.0f} s: {build_info['posts_per_second']:,.0f} posts/s, "
            f"{build_info['comments_per_second']:,.0f} comments/s; prepare {build_info['prepare_seconds']:.0f} s",
            flush=True,
        )
    print("SQL:", flush=True)
    sql_rows, cases = sql_benchmarks(args.db, args.repeat, args.seed)
    print("Datasette:", flush=True)
    page_rows = page_benchmarks(args.db, cases, args.repeat)
    if not args.no_write:
        write_doc(build_info, sql_rows, page_rows, args.db, args)


if __name__ == "__main__":
    main()
