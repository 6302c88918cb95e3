"""Benchmark: faults tried, crawls run, rows lost and false successes; and the extraction fuzz.

Writes docs/reliability.md (or prints it with `--no-write`):

- every case of tests/test_host_faults.py (the sample blog behind a host that misbehaves:
  tests/faults/server.py), each crawled twice: a first crawl into an empty archive, and a full
  re-crawl of a good archive. For each crawl it counts the rows of the good archive that are lost
  or changed (re-crawls), the rows written that the healthy blog does not have, things marked
  missing, and false successes (recorded complete, or exit code 0, without the whole blog);
- hypothesis mutating real pages (../shared/realpages) the ways of tests/test_extraction_fuzz.py,
  `--cases` of them (10,000 by default), counting exceptions, outputs outside the contract and
  pages over one second.

    .venv/bin/python benchmarks/bench_reliability.py                   # about 6 minutes
    .venv/bin/python benchmarks/bench_reliability.py --cases 500 --no-write
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from archive.db import open_db  # noqa: E402
from spiders.evaluation_real import unpack_pages  # noqa: E402
from spiders.extraction import extract_post  # noqa: E402
from spiders.extraction.text import decode_html  # noqa: E402
from tests import test_extraction_fuzz as fuzz  # noqa: E402
from tests import test_host_faults as faults  # noqa: E402
from tests.archive_rows import snapshot  # noqa: E402
from tests.sampleblog.server import serve_in_thread  # noqa: E402

OUTPUT = ROOT / "docs" / "reliability.md"


def rows_of(rows: dict) -> set[tuple]:
    """Every row of a snapshot as (table, row), the crawl's own bookkeeping aside."""
    return {(table, row) for table, table_rows in rows.items() if table != "sites" for row in table_rows}


def crawl_cases() -> tuple[list[dict], dict]:
    """Each case crawled first and as a full re-crawl; what each crawl kept, lost and claimed."""
    work = Path(tempfile.mkdtemp(prefix="wparchive-reliability-"))
    healthy_db = work / "healthy.db"
    server, base = serve_in_thread(port=faults.PORT)
    try:
        assert faults.wparchive_crawl(base, healthy_db).returncode == 0
    finally:
        server.shutdown()
        server.server_close()
    db = open_db(healthy_db)
    healthy = snapshot(db, history=False)
    db.close()
    good = rows_of(healthy)
    results = []
    for fault, target, once in faults.CASES:
        for mode in ("first", "re-crawl"):
            db_path = work / f"{fault}-{target}-{once}-{mode}.db"
            extra: tuple[str, ...] = ()
            if mode == "re-crawl":
                shutil.copy(healthy_db, db_path)
                extra = ("--full",)
            started = time.monotonic()
            report, code, _ = faults.crawl_faulty(db_path, fault, target, once, *extra)
            seconds = time.monotonic() - started
            kept = rows_of(report["rows"])
            lost = len(good - kept) if mode == "re-crawl" else 0
            wrong = len(faults.wrong_rows(report["rows"], healthy))
            whole = all(
                {tuple(dict(r)[k] for k in faults.KEYS[t]) for r in report["rows"][t]}
                == {tuple(dict(r)[k] for k in faults.KEYS[t]) for r in rows}
                if t in faults.KEYS
                else report["rows"][t] == rows
                for t, rows in healthy.items()
            )
            false_success = (report["status"] == "complete" and not whole) or (
                code == 0 and report["status"] != "complete"
            )
            results.append(
                {
                    "fault": fault,
                    "target": target + (" (once)" if once else ""),
                    "mode": mode,
                    "status": report["status"],
                    "code": code,
                    "lost": lost,
                    "wrong": wrong,
                    "missing": report["missing"],
                    "false_success": false_success,
                    "seconds": seconds,
                }
            )
            print(f"{fault:15} {target:14} {mode:8} {report['status']:8} exit {code}  lost {lost}", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return results, healthy


def fuzz_extraction(cases: int) -> dict:
    """`cases` mutated real pages through extract_post; failures are counted, not raised."""
    corpus = ROOT.parent / "shared" / "realpages" / "pages.tar.xz"
    folder = unpack_pages(corpus, Path(tempfile.mkdtemp(prefix="wparchive-fuzz-")))
    pages = [path.read_bytes() for path in sorted(folder.glob("*.html"))]
    tally: Counter[str] = Counter()
    slowest = [0.0]

    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        page = pages[data.draw(st.integers(0, len(pages) - 1))]
        for mutation in data.draw(st.lists(st.sampled_from(fuzz.MUTATIONS), min_size=1, max_size=3)):
            page = mutation(page, data)
        content_type = data.draw(st.sampled_from([None, "text/html; charset=utf-8", "text/html; charset=iso-8859-1"]))
        started = time.perf_counter()
        tally["cases"] += 1
        try:
            summary = extract_post(decode_html(page, content_type), fuzz.URL).summary()
        except Exception as error:  # noqa: BLE001 - counted: the point of the benchmark
            tally[f"exception {type(error).__name__}"] += 1
            traceback.print_exc(limit=3)
            return
        finally:
            elapsed = time.perf_counter() - started
            slowest[0] = max(slowest[0], elapsed)
            if elapsed > 1.0:
                tally["over one second"] += 1
        try:
            fuzz.assert_valid_contract(summary)
        except AssertionError:
            tally["outside the contract"] += 1

    started = time.monotonic()
    one()
    shutil.rmtree(folder, ignore_errors=True)
    return {"tally": tally, "slowest": slowest[0], "seconds": time.monotonic() - started, "pages": len(pages)}


def report(results: list[dict], fuzzed: dict) -> str:
    by_fault: dict[tuple[str, str], list[dict]] = {}
    for result in results:
        by_fault.setdefault((result["fault"], result["target"]), []).append(result)
    lines = [
        "# Reliability: faults tried, rows lost, false successes",
        "",
        f"Generated by `python benchmarks/bench_reliability.py` on {datetime.now(UTC):%Y-%m-%d}"
        " (part of `make bench`). The tests assert the same rules on every `make test`:",
        "`tests/test_host_faults.py`, `tests/test_archive_faults.py`, `tests/test_pipeline_faults.py`,",
        "`tests/test_listing_faults.py`, `tests/test_guards.py`, `tests/test_offsite_and_lock.py`,",
        "`tests/test_publishing.py` and `tests/test_extraction_fuzz.py`.",
        "",
        "## A host that misbehaves",
        "",
        "The sample blog behind `tests/faults/server.py`, which answers the requests of one target (post",
        "pages, REST listings, REST comments, or everything) with one fault; `(once)`: only the first",
        "request for each URL, as a host that recovers. Each case is one first crawl (an empty archive)",
        "and one full re-crawl of a good archive of the same blog, through `wparchive crawl`.",
        "",
        "- **rows lost**: rows of the good archive missing or changed after the re-crawl;",
        "- **rows wrong**: values written that the healthy blog does not have (a value left NULL, or a",
        "  date without its offset where only the page could be read, is less, not wrong);",
        "- **marked missing**: posts and comments marked missing (none of them is gone);",
        "- **false successes**: `complete` without the whole blog, or exit code 0 when not complete.",
        "",
        "| fault | target | status (first / re-crawl) | exit codes | rows lost | rows wrong | marked missing |"
        " false successes |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (fault, target), crawls in by_fault.items():
        lines.append(
            f"| {fault} | {target} | {' / '.join(c['status'] for c in crawls)} | "
            f"{' / '.join(str(c['code']) for c in crawls)} | {sum(c['lost'] for c in crawls)} | "
            f"{sum(c['wrong'] for c in crawls)} | {sum(c['missing'] for c in crawls)} | "
            f"{sum(c['false_success'] for c in crawls)} |"
        )
    totals = Counter()
    for result in results:
        totals["crawls"] += 1
        totals["lost"] += result["lost"]
        totals["wrong"] += result["wrong"]
        totals["missing"] += result["missing"]
        totals["false"] += result["false_success"]
    lines += [
        "",
        f"**{len(by_fault)} faults, {totals['crawls']} crawls: {totals['lost']} rows lost, {totals['wrong']} rows"
        f" wrong, {totals['missing']} marked missing, {totals['false']} false successes.** The crawls took"
        f" {sum(r['seconds'] for r in results):.0f} s in all.",
        "",
        "Faults of the archive file and of publishing, tested in `make test` rather than measured here:",
        "",
        "| fault | what happens | test |",
        "| --- | --- | --- |",
        "| the archive's last pages zeroed | exit 6, nothing written (`PRAGMA quick_check` first) |"
        " `tests/test_archive_faults.py` |",
        "| the archive on a read-only file system | exit 7 with the reason, nothing written |"
        " `tests/test_archive_faults.py` |",
        "| Ctrl-C during a crawl | exit 4, crawl and site `interrupted`, whole posts only |"
        " `tests/test_archive_faults.py`, `tests/test_interrupt.py` |",
        "| a full disk mid-crawl (a file-size limit) | the site partial, exit 5, the file sound; the next crawl"
        " archives the rest | `tests/test_archive_faults.py` |",
        "| a pipeline fails on a post (a bug) | the site partial, the post archived by the next"
        " crawl | `tests/test_pipeline_faults.py` |",
        "| ids past 2^63 | the number cleared, the post and its comments archived |"
        " `tests/test_pipeline_faults.py` |",
        "| a REST API that lists nothing (`200 []`) | nothing marked missing, not complete |"
        " `tests/test_listing_faults.py` |",
        "| `X-WP-TotalPages: 50000000`, endless comment pages | stopped at the guards, partial |"
        " `tests/test_guards.py` |",
        "| a post redirecting to another host | not archived, `skipped/offsite_redirect` |"
        " `tests/test_offsite_and_lock.py` |",
        "| two crawls through a symlink | the second refused (exit 3) | `tests/test_offsite_and_lock.py` |",
        "| hostile input on every Datasette route | no 500 | `tests/test_publishing.py` |",
        "",
        "## Extraction fuzz",
        "",
    ]
    tally = fuzzed["tally"]
    problems = {k: v for k, v in tally.items() if k != "cases"}
    exceptions = [f"{k.removeprefix('exception ')} {v}" for k, v in problems.items() if k.startswith("exception")]
    lines += [
        f"{tally['cases']:,} cases: real pages ({fuzzed['pages']} of `../shared/realpages`) mutated by hypothesis"
        " the ways of `tests/test_extraction_fuzz.py` (truncation, tags dropped or repeated, flipped bytes,"
        " wrong and mixed encodings, control characters, deep nesting, absurd ids; one to three at once),"
        " each through `extract_post` and checked against the `wparchive extract` contract.",
        "",
        "| outcome | cases |",
        "| --- | ---: |",
        f"| exceptions | {sum(v for k, v in problems.items() if k.startswith('exception'))} |",
        f"| outputs outside the contract | {tally['outside the contract']} |",
        f"| pages over one second | {tally['over one second']} |",
        "",
        f"The slowest case took {fuzzed['slowest'] * 1000:.0f} ms; the run {fuzzed['seconds']:.0f} s."
        + (f" Exceptions by class: {', '.join(exceptions)}." if exceptions else ""),
        "`make test` runs a sample of 200 cases (`tests/test_extraction_fuzz.py`).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="fuzz cases (default 10,000)")
    parser.add_argument("--no-write", action="store_true", help="print the report instead of writing it")
    args = parser.parse_args()
    results, _ = crawl_cases()
    fuzzed = fuzz_extraction(args.cases)
    text = report(results, fuzzed)
    if args.no_write:
        print(text)
    else:
        OUTPUT.write_text(text)
        print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
