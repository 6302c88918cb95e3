"""Benchmark: what keeping the pages themselves costs: bytes stored per post and crawl time, with
capture (and media) on and off, on whole real blogs.

Each site of `../shared/realsites` is served as a static host serves it (tests/realsites/server.py)
and crawled from its home page, politeness off, alternately with capture on (the default: every
response and the posts' files in a WACZ) and off (`ARCHIVE_CAPTURE=False`), `--runs` times each.
It reports the median wall time of each, the archive's size, the WACZ's size, and both per post.
Writes docs/capture.md (or prints it with `--no-write`).

    .venv/bin/python benchmarks/bench_capture.py                 # every site, 3 runs (minutes)
    .venv/bin/python benchmarks/bench_capture.py --sites whizzy --runs 1 --no-write
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import crawl_command  # noqa: E402
from tests.realsites.server import serve_in_thread, site_table, unpack  # noqa: E402

OUTPUT = ROOT / "docs" / "capture.md"


def one_crawl(base: str, work: Path, name: str, capture: bool) -> dict:
    """A first crawl into a fresh archive; its time, sizes and counts."""
    db = work / f"{name}-{'on' if capture else 'off'}-{time.monotonic_ns()}.db"
    extra = [] if capture else ["-s", "ARCHIVE_CAPTURE=False"]
    began = time.monotonic()
    subprocess.run(crawl_command(f"{base}/", db, *extra), cwd=ROOT, capture_output=True, check=True)
    seconds = time.monotonic() - began
    with sqlite3.connect(db) as con:
        posts = con.execute("select count(*) from posts").fetchone()[0]
        media = con.execute("select count(*), coalesce(sum(bytes), 0) from media").fetchone()
        stats = json.loads(con.execute("select stats from crawls order by id desc limit 1").fetchone()[0])
    wacz = sorted(db.with_name(f"{db.stem}.wacz").glob("*.wacz"))
    return {
        "seconds": seconds,
        "posts": posts,
        "db_bytes": db.stat().st_size + sum(p.stat().st_size for p in db.parent.glob(f"{db.name}-wal")),
        "wacz_bytes": sum(p.stat().st_size for p in wacz),
        "media": media[0],
        "media_bytes": media[1],
        "responses": stats.get("downloader/response_count", 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", nargs="*", default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        for name in args.sites or sorted(site_table()):
            root = unpack(name, work / "sites")
            server = serve_in_thread(root, site_table()[name]["hosts_in_links"].split(","))
            try:
                runs: dict[bool, list[dict]] = {True: [], False: []}
                for _ in range(args.runs):
                    for capture in (True, False):  # alternating, so that load hits both alike
                        runs[capture].append(one_crawl(server.base_url, work, name, capture))
            finally:
                server.shutdown()
                server.server_close()
            on, off = runs[True], runs[False]
            row = {
                "site": name,
                "posts": on[0]["posts"],
                "responses": on[0]["responses"],
                "media": on[0]["media"],
                "media_bytes": on[0]["media_bytes"],
                "on": statistics.median(r["seconds"] for r in on),
                "off": statistics.median(r["seconds"] for r in off),
                "db_on": on[0]["db_bytes"],
                "db_off": off[0]["db_bytes"],
                "wacz": on[0]["wacz_bytes"],
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    text = report(rows, args.runs)
    if args.no_write:
        print(text)
    else:
        OUTPUT.write_text(text)
        print(f"wrote {OUTPUT}")
    return 0


def report(rows: list[dict], runs: int) -> str:
    lines = [
        "# What keeping the pages costs",
        "",
        f"Measured by `benchmarks/bench_capture.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, 2 cores: each site of",
        "`../shared/realsites` served as a static host serves it and crawled from its home page into a fresh",
        f"archive, politeness off, {runs} times with capture on (the default: every response, and the posts' files,",
        "in a WACZ beside the archive) and as many with `-s ARCHIVE_CAPTURE=False`, alternately; times are medians",
        "of the whole `scrapy crawl` process. \"per post\" divides by the posts and pages archived.",
        "",
        "| site | posts | responses | files kept | crawl s (on / off) | ratio | archive KB (on / off) "
        "| WACZ KB | WACZ KB per post |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['site']} | {r['posts']} | {r['responses']} | {r['media']} ({r['media_bytes'] / 1024:.0f} KB) | "
            f"{r['on']:.1f} / {r['off']:.1f} | {r['on'] / r['off']:.2f}× | "
            f"{r['db_on'] / 1024:.0f} / {r['db_off'] / 1024:.0f} | {r['wacz'] / 1024:.0f} | "
            f"{r['wacz'] / 1024 / max(1, r['posts']):.1f} |"
        )
    total_posts = sum(r["posts"] for r in rows)
    total_wacz = sum(r["wacz"] for r in rows)
    lines += [
        "",
        f"All sites: {total_posts} posts and pages, {total_wacz / 1024 / 1024:.1f} MB of WACZ"
        f" ({total_wacz / 1024 / max(1, total_posts):.1f} KB per post, gzip-compressed records with their CDXJ"
        " index); crawl time with capture on over off, median of the sites:"
        f" {statistics.median(r['on'] / r['off'] for r in rows):.2f}×.",
        "",
        "The static copies keep few of the blogs' images (most were not saved with the pages), so \"files kept\"",
        "is small here; a live blog's images and attachments add their own size to the WACZ, once each.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
