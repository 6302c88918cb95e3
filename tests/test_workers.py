"""A crawl with workers (`wparchive crawl --workers N`): 20 blogs (the sample blog served 20 times)
crawled by 3 worker processes through a Redis server of the test's own, and by 3 workers one of
which is killed with SIGKILL in the middle of a blog, end with the archive that one process
crawling the same blogs makes, row by row.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import redis

from archive.db import open_db
from archive.warc import read_wacz, validate_wacz
from spiders.items import SiteCrawl
from spiders.workqueue import QueueBusy, WorkQueue, connect, decode, encode
from tests.archive_rows import differences, snapshot
from tests.conftest import ROOT, crawl_command, free_port, redis_server
from tests.sampleblog.server import serve_in_thread

pytestmark = pytest.mark.redis

BLOGS = 20
# The blogs are on one host (127.0.0.1): Scrapy's per-host limit would make them queue behind each
# other in one process; the tests measure the archive, not politeness.
FAST = ["-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


@pytest.fixture(scope="module")
def blogs() -> list[str]:
    servers = [serve_in_thread(port=0, prefix=f"/course{number:02d}") for number in range(BLOGS)]
    for server, _ in servers:
        server.handle_error = lambda *_: None  # the killed worker's connections reset: not news
    yield [base + "/" for _, base in servers]
    stopping = [threading.Thread(target=server.shutdown) for server, _ in servers]  # 0.5 s each, at once
    for thread in stopping:
        thread.start()
    for thread in stopping:
        thread.join()
    for server, _ in servers:
        server.server_close()


def workers_command(blogs: list[str], db: Path, redis_url: str, workers: int, *extra: str) -> list[str]:
    """`wparchive crawl --workers N` with the settings of `crawl_command` (fast, quiet, local)."""
    settings = crawl_command("x", db)[9:]  # its settings after -a url=... -s ARCHIVE_DB=...
    command = [sys.executable, "-m", "archive.cli", "crawl", *blogs, "--db", str(db)]
    return command + ["--workers", str(workers), "--redis", redis_url, *settings, *FAST, *extra]


@pytest.fixture(scope="module")
def one_process(blogs, tmp_path_factory) -> dict[str, Any]:
    """The same 20 blogs crawled by one process, without workers: what the workers must equal."""
    db = tmp_path_factory.mktemp("one") / "archive.db"
    started = time.monotonic()
    result = subprocess.run(
        crawl_command(",".join(blogs), db, *FAST), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {"db": db, "seconds": time.monotonic() - started}


@pytest.fixture(scope="module")
def three_workers(blogs, redis_url, tmp_path_factory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("three") / "archive.db"
    started = time.monotonic()
    result = subprocess.run(
        workers_command(blogs, db, redis_url, 3), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    return {"db": db, "result": result, "seconds": time.monotonic() - started}


def crawl_row(db: Path) -> dict[str, Any]:
    row = next(open_db(db).query("SELECT * FROM crawls ORDER BY id DESC LIMIT 1"))
    return {**row, "stats": json.loads(row["stats"]), "arguments": json.loads(row["arguments"])}


def test_three_workers_make_the_archive_one_process_makes(one_process, three_workers) -> None:
    result = three_workers["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    print(f"20 blogs: one process {one_process['seconds']:.1f} s, 3 workers {three_workers['seconds']:.1f} s")
    assert differences(snapshot(open_db(three_workers["db"])), snapshot(open_db(one_process["db"]))) == []


def test_the_writer_records_one_crawl_with_every_site_and_every_workers_wacz(three_workers) -> None:
    db = three_workers["db"]
    crawl = crawl_row(db)
    stats = crawl["stats"]
    assert crawl["status"] == "finished"
    assert crawl["arguments"]["workers"] == 3
    assert stats["wparchive/worker/blogs_taken"] == BLOGS  # each blog taken once: no worker died
    assert "wparchive/worker/died" not in stats
    assert crawl["sites_crawled"] == BLOGS and stats["wparchive/posts_saved"] == BLOGS * 16
    assert crawl["requests"] == stats["downloader/request_count"] > BLOGS * 20  # the workers' requests
    archive = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    statuses = archive.execute("SELECT status, count(*) FROM site_crawls GROUP BY status").fetchall()
    assert statuses == [("complete", BLOGS)]
    # Every worker that crawled kept its responses in a WACZ of its own beside the archive, and the
    # crawl names them; every post's capture is in one of them.
    waczs = stats["wparchive/capture_waczs"]
    folder = db.with_name("archive.wacz")
    assert 1 <= len(waczs) <= 3 and sorted(p.name for p in folder.glob("*.wacz")) == sorted(waczs)
    kept_in = {row[0] for row in archive.execute("SELECT DISTINCT wacz FROM captures")}
    assert kept_in <= set(waczs) and kept_in


def kill_a_worker_mid_blog(process: subprocess.Popen, db: Path, redis_url: str) -> tuple[str, str]:
    """SIGKILL the first worker seen holding a blog of which some posts are saved and whose report
    is not: it dies in the middle of that blog. Returns (worker, blog)."""
    server = redis.StrictRedis.from_url(redis_url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
        if not db.exists():
            continue
        try:
            archive = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            saved = dict(archive.execute("SELECT s.url, count(*) FROM posts JOIN sites s ON s.id = site_id GROUP BY 1"))
            reported = {row[0] for row in archive.execute("SELECT url FROM site_crawls")}
            archive.close()
        except sqlite3.OperationalError:
            continue  # the schema is not made yet
        for key in server.scan_iter(match="wparchive:taken:*"):
            worker = key.decode().split(":", 2)[2]
            for blog in (b.decode() for b in server.lrange(key, 0, -1)):
                if saved.get(blog, 0) >= 2 and blog not in reported:
                    os.kill(int(worker.split(":")[1]), signal.SIGKILL)
                    return worker, blog
    raise AssertionError("no worker was seen in the middle of a blog")


@pytest.fixture(scope="module")
def killed(blogs, redis_url, tmp_path_factory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("killed") / "archive.db"
    # A little slower (a 20 ms delay per worker), so that a blog takes long enough to be caught
    # half-crawled; the same archive all the same.
    command = workers_command(blogs, db, redis_url, 3, "-s", "DOWNLOAD_DELAY=0.02", "-s", "ARCHIVE_WORKER_BLOGS=2")
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        worker, blog = kill_a_worker_mid_blog(process, db, redis_url)
        _, stderr = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    return {"db": db, "code": process.returncode, "stderr": stderr, "worker": worker, "blog": blog,
            "seconds": time.monotonic() - started}


def test_a_worker_killed_mid_crawl_loses_nothing(one_process, killed) -> None:
    assert killed["code"] == 0, killed["stderr"][-3000:]
    print(f"20 blogs, a worker killed: {killed['seconds']:.1f} s")
    assert differences(snapshot(open_db(killed["db"])), snapshot(open_db(one_process["db"]))) == []


def test_the_killed_workers_blog_is_crawled_again_and_reported_once(killed) -> None:
    crawl = crawl_row(killed["db"])
    stats = crawl["stats"]
    assert crawl["status"] == "finished"
    assert stats["wparchive/worker/died"] == 1
    assert stats["wparchive/worker/blogs_requeued"] >= 1
    assert stats["wparchive/worker/restarted"] == 1
    assert f"{killed['blog']} goes back to the queue: its worker {killed['worker']} is gone" in killed["stderr"]
    archive = sqlite3.connect(f"file:{killed['db']}?mode=ro", uri=True)
    rows = archive.execute("SELECT url, status, mode FROM site_crawls").fetchall()
    assert len(rows) == BLOGS and {status for _, status, _ in rows} == {"complete"}
    # The blog was taken up again where the archive stood: what was saved is not fetched again.
    assert dict((url, mode) for url, _, mode in rows)[killed["blog"]] == "resume"


def test_what_the_killed_worker_captured_is_packed_and_every_capture_is_there(killed) -> None:
    stats = crawl_row(killed["db"])["stats"]
    assert stats["wparchive/worker/captures_salvaged"] == 1 and "wparchive/capture_failed" not in stats
    folder = killed["db"].with_name("archive.wacz")
    files = {path.name for path in folder.glob("*.wacz")}
    assert files == set(stats["wparchive/capture_waczs"]) and not list(folder.glob(".partial/*"))
    archive = sqlite3.connect(f"file:{killed['db']}?mode=ro", uri=True)
    named = {row[0] for row in archive.execute("SELECT wacz FROM captures UNION SELECT wacz FROM media")}
    assert named <= files  # the posts the dead worker sent name its file, which is there
    salvaged = [name for name in files if name.endswith(f"-{killed['worker'].split(':')[1]}.wacz")]
    assert len(salvaged) == 1 and validate_wacz(folder / salvaged[0])[0]
    responses = read_wacz(folder / salvaged[0])[1].values()
    kept = {recorded.captured.record_id for answers in responses for recorded in answers}
    from_dead = {row[0] for row in archive.execute("SELECT record_id FROM captures WHERE wacz = ?", [salvaged[0]])}
    assert len(from_dead) >= 2 and from_dead <= kept  # its posts' pages, whole in the salvaged file


# --- The queue itself ---------------------------------------------------------------------------


@pytest.fixture
def queue(redis_url, request) -> WorkQueue:
    return WorkQueue(connect(redis_url), f"unit-{request.node.name}")


def test_a_blog_is_released_only_with_its_report_and_only_by_its_worker(queue) -> None:
    run = queue.open_run(["http://a.example/", "http://b.example/"])
    assert queue.take_blog("w1") == "http://a.example/"  # first queued, first taken
    assert queue.take_blog("w2") == "http://b.example/"
    assert queue.take_blog("w2") is None
    site = SiteCrawl(site_url="http://a.example/", status="complete", mode="full")
    report = ("report", run, "w1", "http://a.example/", site)
    assert queue.release("w1", "http://a.example/", report)
    assert queue.release("w1", "http://a.example/", report) is False  # released once
    # w2 is taken for dead: its blog goes back, and its late report is refused.
    assert queue.requeue("w2", max_attempts=2) == (["http://b.example/"], [])
    assert queue.release("w2", "http://b.example/", report) is False
    messages = queue.next_messages()
    assert [m[0] for m in messages] == ["report"] and messages[0][4].status == "complete"
    assert queue.take_blog("w3") == "http://b.example/"


def test_a_blog_whose_workers_keep_dying_is_given_up_and_a_worker_leaving_is_not_a_death(queue) -> None:
    queue.open_run(["http://a.example/"])
    for attempt in range(2):
        assert queue.take_blog(f"w{attempt}") == "http://a.example/"
        assert queue.requeue(f"w{attempt}", max_attempts=2) == (["http://a.example/"], [])
    for _ in range(3):  # leaving (Ctrl-C on a worker) gives it back without counting
        assert queue.take_blog("quitter") == "http://a.example/"
        assert queue.leave("quitter") == ["http://a.example/"]
    assert queue.take_blog("w9") == "http://a.example/"
    assert queue.requeue("w9", max_attempts=2) == ([], ["http://a.example/"])
    assert queue.waiting_blogs() == 0


def test_workers_follow_the_run_and_messages_name_only_item_classes(queue) -> None:
    assert queue.run_options() is None
    run = queue.open_run([], full=True)
    assert queue.run_options() == {"run": run, "full": True}
    with pytest.raises(QueueBusy):
        queue.open_run(["http://a.example/"])  # one writer a queue
    assert queue.run_options() == {"run": run, "full": True} and queue.waiting_blogs() == 0
    assert queue.run_state(run) == "running"
    queue.close_run(run, done=True)
    assert queue.run_state(run) == "done"
    assert queue.run_state("an-older-run") == "stopped"

    class Evil:
        def __reduce__(self):
            return (os.system, ("true",))

    with pytest.raises(pickle.UnpicklingError):
        decode(pickle.dumps(("item", run, "w", Evil(), {})))
    site = SiteCrawl(site_url="x", status="partial", mode="full")
    assert decode(encode(("item", run, "w", site, {})))[3] == site


def test_wparchive_crawl_with_workers_exits_1_without_redis_and_3_when_the_queue_is_busy(redis_url, tmp_path) -> None:
    def wparchive(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "archive.cli", "crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "a.db")]
        return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)

    nobody = wparchive("--workers", "1", "--redis", f"redis://127.0.0.1:{free_port()}/0")
    assert nobody.returncode == 1 and "Redis at" in nobody.stderr
    WorkQueue(connect(redis_url), "busy").open_run([])
    busy = wparchive("--workers", "1", "--redis", redis_url, "--queue", "busy")
    assert busy.returncode == 3 and "uses the queue 'busy'" in busy.stderr
    assert not (tmp_path / "a.db").exists()  # nothing was crawled or written


def test_the_workers_waczs_rebuild_the_archive(one_process, three_workers, tmp_path) -> None:
    """Each worker's WACZ names the blogs it crawled: `wparchive rebuild` replays them all."""
    waczs = sorted(str(path) for path in three_workers["db"].with_name("archive.wacz").glob("*.wacz"))
    rebuilt = tmp_path / "rebuilt.db"
    command = [sys.executable, "-m", "archive.cli", "rebuild", *waczs, "--db", str(rebuilt), *FAST]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert differences(snapshot(open_db(rebuilt)), snapshot(open_db(one_process["db"]))) == []


def test_an_interrupted_crawl_with_workers_exits_4_and_leaves_no_worker(blogs, redis_url, tmp_path) -> None:
    db = tmp_path / "archive.db"
    command = workers_command(blogs[:2], db, redis_url, 1, "-s", "DOWNLOAD_DELAY=0.1", "--queue", "interrupted")
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        try:
            archive = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            saved = archive.execute("SELECT count(*) FROM posts").fetchone()[0]
            archive.close()
        except sqlite3.OperationalError:
            continue
        if saved:
            break
    process.send_signal(signal.SIGTERM)  # as systemd stops a service
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 4, stderr[-3000:]
    assert processes_naming(str(db)) == []  # the local worker was stopped with the writer
    assert crawl_row(db)["status"] == "interrupted"
    statuses = {row["status"] for row in open_db(db).query("SELECT status FROM site_crawls")}
    assert "interrupted" in statuses and statuses <= {"interrupted", "complete"}


def processes_naming(text: str) -> list[int]:
    """The pids of the processes whose command line names `text`."""
    pids = []
    for path in Path("/proc").glob("[0-9]*"):
        try:
            if text.encode() in (path / "cmdline").read_bytes():
                pids.append(int(path.name))
        except OSError:
            continue  # it ended meanwhile
    return pids


def test_a_blog_that_is_down_makes_a_crawl_with_workers_exit_1(blogs, redis_url, tmp_path) -> None:
    db = tmp_path / "archive.db"
    down = f"http://127.0.0.1:{free_port()}/nobody/"
    command = workers_command([blogs[0], down], db, redis_url, 1, "--queue", "down")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr[-3000:]
    rows = {row["url"]: row for row in open_db(db).query("SELECT url, status, error FROM site_crawls")}
    assert rows[blogs[0]]["status"] == "complete"
    assert rows[down]["status"] == "failed" and "ConnectionRefused" in rows[down]["error"]
    assert crawl_row(db)["sites_failed"] == 1


def test_a_worker_that_loses_an_item_reports_no_site_and_stops() -> None:
    """Redis failing under one post: that post is lost to this worker, so no report of its (that
    would say the site is complete) is handed in; the worker closes, its blogs go to others."""
    from types import SimpleNamespace

    from scrapy.exceptions import DropItem

    from pipelines.redis_queue import RedisQueuePipeline
    from spiders.items import Post

    sent, released, closed = [], [], []

    class Queue:
        def push(self, message):
            if not sent:
                sent.append("lost")
                raise redis.ConnectionError("the network went away")
            sent.append(message)

        def release(self, worker, blog, report):
            released.append(blog)
            return True

    spider = SimpleNamespace(queue=Queue(), run="r", worker_id="w", discovery={}, blog_done=lambda report: "blog")
    crawler = SimpleNamespace(spider=spider, signals=SimpleNamespace(connect=lambda *a, **k: None))
    pipeline = RedisQueuePipeline(crawler, None)
    pipeline.close_worker = closed.append  # the engine's close_spider_async, without a reactor
    post = Post(url="http://blog.example/a/", site_url="http://blog.example/")
    with pytest.raises(redis.ConnectionError):
        pipeline.process_item(post)
    assert closed == ["redis_failed"]
    with pytest.raises(DropItem):
        pipeline.process_item(Post(url="http://blog.example/b/", site_url="http://blog.example/"))
    with pytest.raises(DropItem):
        pipeline.process_item(SiteCrawl(site_url="http://blog.example/", status="complete", mode="full"))
    assert released == [] and sent == ["lost"]


def test_a_writer_that_no_worker_joins_gives_up_and_exits_1(blogs, redis_url, tmp_path) -> None:
    db = tmp_path / "archive.db"
    command = workers_command(blogs[:1], db, redis_url, 0, "--queue", "alone", "-s", "ARCHIVE_WORKER_WAIT=1")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr[-3000:]
    rows = list(open_db(db).query("SELECT status, error FROM site_crawls"))
    assert rows == [{"status": "failed", "error": "no worker came to crawl it in 1 s"}]


def test_redis_going_away_mid_run_stops_the_crawl_with_exit_1(blogs, tmp_path) -> None:
    db = tmp_path / "archive.db"
    folder = tmp_path / "redis"
    folder.mkdir()
    with redis_server(folder) as (url, server):
        command = workers_command(blogs[:4], db, url, 2, "-s", "DOWNLOAD_DELAY=0.1", "-s", "ARCHIVE_WORKER_BLOGS=1")
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        client = redis.StrictRedis.from_url(url)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not client.llen("wparchive:items") and not db.exists():
            time.sleep(0.05)
        time.sleep(1)  # in the middle of the blogs
        server.kill()  # the Redis server dies (kill -9)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr[-3000:]
    assert processes_naming(str(db)) == []
    crawl = crawl_row(db)
    assert crawl["status"] == "redis_failed"
    statuses = [row["status"] for row in open_db(db).query("SELECT status FROM site_crawls")]
    # Every blog has its record; those without a worker's report are interrupted, none failed.
    assert len(statuses) == 4 and "interrupted" in statuses and set(statuses) <= {"complete", "interrupted"}
