"""`make demo`: serve the sample course blog on 127.0.0.1, crawl it with the real spider.

python -m tests.sampleblog.demo --db archive/demo.db [--port 8765]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from archive.warc import capture_folder
from tests.sampleblog.server import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]


def set_aside_if_damaged(path: Path) -> None:
    """The demo's own sample archive, if damaged, is moved aside and made again (a real archive is
    never touched this way: `wparchive crawl` refuses it with exit code 6)."""
    if not path.exists():
        return
    from archive.db import ArchiveDamaged, open_db

    try:
        open_db(path).conn.close()
    except ArchiveDamaged as error:
        aside = path.with_name(f"{path.stem}.damaged-{int(time.time())}{path.suffix}")  # *.db: ignored by git
        path.rename(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"{error}\nThe demo archive was moved to {aside}; crawling the sample blog into a new one.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="archive/demo.db", help="archive to write")
    parser.add_argument("--port", type=int, default=8765, help="port for the sample blog (0: any)")
    args = parser.parse_args()
    set_aside_if_damaged(Path(args.db))
    server, base = serve_in_thread(port=args.port)
    try:
        print(f"Sample course blog at {base}/ ; crawling it into {args.db}", flush=True)
        command = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "wordpress",
            "-a",
            f"url={base}/",
            "-s",
            f"ARCHIVE_DB={args.db}",
            "-s",
            "ARCHIVE_CONTACT=demo@localhost",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "LOG_LEVEL=WARNING",
        ]
        result = subprocess.run(command, cwd=ROOT)
    finally:
        server.shutdown()
        server.server_close()
    if result.returncode:
        return result.returncode
    with sqlite3.connect(args.db) as db:
        posts, comments = (db.execute(f"select count(*) from {t}").fetchone()[0] for t in ("posts", "comments"))
        crawl = db.execute("select id, status, requests, stats from crawls order by id desc limit 1").fetchone()
    print(
        f"Crawl {crawl[0]} {crawl[1]}: {crawl[2]} requests; archive holds {posts} posts and pages, {comments} comments"
    )
    wacz = json.loads(crawl[3] or "{}").get("wparchive/capture_wacz")
    if wacz:
        print(f"The pages themselves (every response, as WARC records): {capture_folder(args.db) / wacz}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
