"""A crawl with workers: blogs go out through Redis to worker processes, items come back to one
writer (`wparchive crawl --workers N`, `wparchive work`; the queue itself: `spiders/workqueue.py`).

- `WorkerSpider` is the `wordpress` spider fed from the queue: it takes whole blogs (a blog's
  crawl state lives in one process's memory), at most `ARCHIVE_WORKER_BLOGS` at a time, and its
  items go to the writer through `pipelines.redis_queue.RedisQueuePipeline` instead of the archive.
- `WriterSpider` fetches nothing: it queues the blogs and yields the items the workers send, so
  that the archive pipeline (`pipelines.store.ArchivePipeline`, the same as in a crawl without
  workers) saves them. It watches the workers: the blogs of one that died (its process ended, or
  its heartbeat stopped) go back to the queue, another worker crawls them again from the start,
  and a local worker that died is replaced (`LocalWorkers`: the processes of `--workers N`).
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import redis
import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from spiders.items import SiteCrawl
from spiders.urls import blog_urls, comma_list, normalise_url, site_prefix
from spiders.wordpress import WordPressSpider
from spiders.workqueue import HEARTBEAT_EVERY, HEARTBEAT_TTL, QueueBusy, WorkQueue, connect, new_worker_id

ARCHIVE_PIPELINE = "pipelines.store.ArchivePipeline"
QUEUE_PIPELINE = "pipelines.redis_queue.RedisQueuePipeline"


def work_queue(settings: BaseSettings) -> WorkQueue:
    """The queue that ARCHIVE_REDIS_URL and ARCHIVE_REDIS_QUEUE name."""
    return WorkQueue(connect(settings.get("ARCHIVE_REDIS_URL")), settings.get("ARCHIVE_REDIS_QUEUE"))


async def redis_guarded(spider: scrapy.Spider, outputs: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """A run's loop that stops the crawl (`redis_failed`, exit code 1) when Redis fails."""
    try:
        async for output in outputs:
            yield output
    except redis.RedisError as error:
        spider.logger.error("Redis at %s failed: %s", spider.settings.get("ARCHIVE_REDIS_URL"), error)
        raise CloseSpider("redis_failed") from error


class WorkerSpider(WordPressSpider):
    """Crawls the blogs it takes from the work queue until the writer says the run is done."""

    name = "wordpress-worker"
    needs_urls = False

    def __init__(self, run: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not run:
            raise ValueError("a worker joins a run: -a run=RUN (wparchive work finds it)")
        self.run = run
        self.worker_id = ""
        self.queue: WorkQueue | None = None
        self.max_blogs = 4
        self.active: set[str] = set()  # blogs taken and not reported yet
        self.failed_blogs: dict[str, list[str]] = {}  # blogs whose start failed, by the site URL reported

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        pipelines = dict(settings.getdict("ITEM_PIPELINES"))
        order = pipelines.pop(ARCHIVE_PIPELINE, 300)
        settings.set("ITEM_PIPELINES", {**pipelines, QUEUE_PIPELINE: order}, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.queue = work_queue(crawler.settings)
        spider.worker_id = new_worker_id()
        spider.max_blogs = max(1, crawler.settings.getint("ARCHIVE_WORKER_BLOGS", 4))
        crawler.signals.connect(spider.worker_closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.settings.get("ARCHIVE_CONTACT"):
            self.logger.warning("ARCHIVE_CONTACT is not set: site owners cannot reach you")
        self.archive_arguments["full"] = self.settings.getbool("ARCHIVE_FULL_RECRAWL")
        async for request in redis_guarded(self, self._take_blogs()):
            yield request

    async def _take_blogs(self) -> AsyncIterator[scrapy.Request]:
        self.queue.join(self.worker_id)
        self.logger.info("Worker %s joined run %s on %s", self.worker_id, self.run, self.queue.name)
        beat = 0.0
        while True:
            if time.monotonic() - beat >= HEARTBEAT_EVERY:
                self.queue.worker_beat(self.worker_id)
                beat = time.monotonic()
            state = self.queue.run_state(self.run)
            if state == "stopped":
                raise CloseSpider("writer_gone")
            if state == "done" and not self.active:
                return
            while state == "running" and len(self.active) < self.max_blogs:
                blog = self.queue.take_blog(self.worker_id)
                if blog is None:
                    break
                self.active.add(blog)
                self.start_urls.append(blog)
                self.count("worker/blogs_taken")
                self.logger.info("Took %s", blog)
                yield self.start_request(blog)
            await asyncio.sleep(0.2)

    # Which blog each site came from: the report names the site's home, the queue the blog URL.
    # A site is added to `self.sites` before its start callback yields anything, so the sites not
    # yet bound when that callback's first output comes are its own.

    def parse_start(self, response: Response, start_url: str) -> Iterator[Any]:
        for output in super().parse_start(response, start_url):
            self._bind(start_url, output)
            yield output
        self._bind(start_url, None)

    def start_failed(self, failure: Failure) -> Iterator[Any]:
        for output in super().start_failed(failure):
            self._bind(failure.request.cb_kwargs["start_url"], output)
            yield output

    def _bind(self, blog: str, output: object) -> None:
        for site in self.sites:
            if site.blog is None:
                site.blog = blog
        if isinstance(output, SiteCrawl) and output.status == "failed" and output.mode == "none":
            self.failed_blogs.setdefault(output.site_url, []).append(blog)  # it never became a site

    def blog_done(self, report: SiteCrawl) -> str | None:
        """The blog a site's report closes (None: a site this worker did not start from a blog).
        The finished site is dropped: a worker crawls blog after blog in flat memory."""
        for index, site in enumerate(self.sites):
            if site.finished and site.home == report.site_url and site.blog is not None:
                del self.sites[index]
                self.active.discard(site.blog)
                return site.blog
        blogs = self.failed_blogs.get(report.site_url)
        if not blogs:
            return None
        blog = blogs.pop(0)
        self.active.discard(blog)
        return blog

    def worker_closed(self, reason: str) -> None:
        """A worker that stops before the run is done gives its blogs back (another worker
        crawls them); one that finished has none left. Its counts and its WACZ file's name go
        to the writer, for the crawl's record."""
        if self.queue is None or not self.worker_id:
            return
        try:
            self._leave(reason)
        except redis.RedisError as error:
            self.logger.error("Could not leave the run (Redis: %s): the writer takes its blogs back", error)

    def _leave(self, reason: str) -> None:
        if self.queue.run_state(self.run) != "done":
            given_back = self.queue.leave(self.worker_id)
            if given_back:
                self.logger.warning("Stopped (%s): %d blogs given back to the queue", reason, len(given_back))
        stats = self.crawler.stats.get_stats()
        counts = {key: value for key, value in stats.items() if isinstance(value, int | float)}
        if stats.get("wparchive/captured"):
            counts["wparchive/capture_wacz"] = stats.get("wparchive/capture_wacz")
            if stats.get("wparchive/capture_waczs"):  # a big crawl's parts
                counts["wparchive/capture_waczs"] = stats.get("wparchive/capture_waczs")
        self.queue.push(("bye", self.run, self.worker_id, counts))
        self.queue.quit(self.worker_id)


@dataclass
class UnfinishedBlog:
    """A blog of the run without a report when the writer stops (reported interrupted)."""

    url: str
    error: str | None = None


class LocalWorkers:
    """The `wparchive work` processes that `wparchive crawl --workers N` runs on its machine. Each
    names itself in the queue `<host>:<pid>:<random>` (`workqueue.new_worker_id`)."""

    def __init__(
        self, count: int, command: Callable[[int], list[str]], salvage: Callable[[int], list[str]] | None = None
    ) -> None:
        self.count = count
        self.command = command  # (the worker's number) -> argv
        # (pid) -> the WACZ files packed from what a dead worker captured (its unfinished WARC)
        self.salvage = salvage
        self.processes: dict[int, subprocess.Popen] = {}  # by pid
        self.started = 0

    def spawn(self) -> int:
        self.started += 1
        process = subprocess.Popen(self.command(self.started))
        self.processes[process.pid] = process
        return process.pid

    def start(self) -> None:
        for _ in range(self.count):
            self.spawn()

    def exited(self) -> list[tuple[int, int]]:
        """(pid, exit code) of the workers whose process ended since the last call."""
        ended = [(pid, process.returncode) for pid, process in self.processes.items() if process.poll() is not None]
        for pid, _ in ended:
            del self.processes[pid]
        return ended

    def pid_of(self, worker: str) -> int | None:
        """The pid of a worker in the queue when it is one of these processes."""
        host, _, rest = worker.partition(":")
        pid = rest.partition(":")[0]
        return int(pid) if host == socket.gethostname() and pid.isdigit() and int(pid) in self.processes else None

    def names_in(self, workers: set[str], pid: int) -> list[str]:
        return [worker for worker in workers if worker.startswith(f"{socket.gethostname()}:{pid}:")]

    def kill(self, pid: int) -> None:
        """Kill a worker that hangs (its heartbeat stopped)."""
        process = self.processes.pop(pid)
        process.kill()
        process.wait()

    def running(self) -> int:
        return sum(1 for process in self.processes.values() if process.poll() is None)

    def stop(self, timeout: float) -> None:
        """Ask every worker to stop (SIGTERM: Scrapy's graceful shutdown), kill those still there."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class WriterSpider(scrapy.Spider):
    """Queues the run's blogs and yields the items the workers send back, for the archive pipeline.

    The run ends when every blog has its report. A worker that dies loses nothing: its blogs go
    back to the queue (at most `ARCHIVE_WORKER_RETRIES` times each, then the blog is reported
    failed), what it had sent is saved (saving is idempotent), and only a worker that finished a
    blog hands in its report.
    """

    name = "wordpress-writer"

    def __init__(
        self,
        url: str | None = None,
        urls_file: str | None = None,
        instructors: str | None = None,
        local_workers: LocalWorkers | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.instructors = comma_list(instructors)
        urls = blog_urls(url, urls_file)
        if not urls:
            raise ValueError("give a blog or post URL: -a url=URL[,URL2] or -a urls_file=FILE")
        self.blogs = list(dict.fromkeys(normalise_url(u) for u in urls))
        self.local = local_workers
        self.archive_arguments: dict[str, Any] = {"url": url, "urls_file": urls_file, "urls": self.blogs}
        if self.instructors:
            self.archive_arguments["instructors"] = self.instructors
        self.discovery: dict[str, str] = {}  # as the workers' spiders found it, for the archive pipeline
        self.reported: set[str] = set()
        self.finished_workers: set[str] = set()
        self.waczs: list[str] = []
        self.run: str | None = None
        self.queue: WorkQueue | None = None
        self.max_attempts = 2
        self.restarts_left = 0
        self.wait_for_workers = 600.0  # seconds the run waits with no worker at all, then gives up
        self.alone_since: float | None = None

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # The workers clean and check the items; the writer only saves them, and fetches nothing.
        pipelines = settings.getdict("ITEM_PIPELINES")
        settings.set("ITEM_PIPELINES", {ARCHIVE_PIPELINE: pipelines.get(ARCHIVE_PIPELINE, 300)}, priority="spider")
        settings.set("ARCHIVE_CAPTURE", False, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WriterSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.queue = work_queue(crawler.settings)
        spider.max_attempts = crawler.settings.getint("ARCHIVE_WORKER_RETRIES", 2)
        spider.wait_for_workers = crawler.settings.getfloat("ARCHIVE_WORKER_WAIT", 600)
        spider.restarts_left = (spider.local.count if spider.local else 0) * max(1, spider.max_attempts)
        spider.archive_arguments["workers"] = spider.local.count if spider.local else 0
        spider.archive_arguments["full"] = crawler.settings.getbool("ARCHIVE_FULL_RECRAWL")
        crawler.signals.connect(spider.writer_closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        async for item in redis_guarded(self, self._write()):
            yield item

    async def _write(self) -> AsyncIterator[Any]:
        try:
            self.run = self.queue.open_run(self.blogs, full=self.settings.getbool("ARCHIVE_FULL_RECRAWL"))
        except QueueBusy as error:
            self.logger.error("Not crawling: %s", error)
            raise CloseSpider("queue_busy") from error
        self.logger.info("Run %s: %d blogs queued on %s", self.run, len(self.blogs), self.queue.name)
        checked = 0.0
        while len(self.reported) < len(self.blogs):
            messages = self.queue.next_messages()
            for message in messages:
                for item in self._receive(message):
                    yield item
            if time.monotonic() - checked >= 1.0:
                checked = time.monotonic()
                self.queue.writer_beat(self.run)
                for item in self._watch_workers():
                    yield item
            if not messages:
                await asyncio.sleep(0.05)
        self.queue.close_run(self.run, done=True)
        self.logger.info("Run %s: every blog reported; waiting for the workers to leave", self.run)
        async for item in self._wait_for_workers():
            yield item

    def _receive(self, message: tuple) -> Iterator[Any]:
        kind, run, worker, *rest = message
        if run != self.run:
            self.crawler.stats.inc_value("wparchive/worker/stale_messages")
            return
        if kind == "item":
            item, discovery = rest
            self.discovery.update(discovery)
            yield item
        elif kind == "failed":
            item, reason = rest
            # The archive pipeline counts it against its site, as for an item that failed here.
            self.crawler.signals.send_catch_log(
                signals.item_error, item=item, response=None, spider=self, failure=Failure(RuntimeError(reason))
            )
        elif kind == "report":
            blog, report = rest
            if blog in self.reported:
                self.crawler.stats.inc_value("wparchive/worker/duplicate_reports")
                return
            yield from self._report(blog, report)
        elif kind == "bye":
            (stats,) = rest
            self._merge_stats(stats)
            self.finished_workers.add(worker)

    def _report(self, blog: str, report: SiteCrawl) -> Iterator[SiteCrawl]:
        self.reported.add(blog)
        stats = self.crawler.stats
        if report.status in ("complete", "partial"):
            stats.inc_value("wparchive/sites_crawled")
        if report.status != "complete":
            stats.inc_value(f"wparchive/sites_{report.status}")
        yield report

    def _merge_stats(self, stats: dict[str, Any]) -> None:
        """A worker's counts added to the run's (the site counts are the writer's own)."""
        for key, value in stats.items():
            if key == "wparchive/capture_wacz":
                self.waczs.extend(stats.get("wparchive/capture_waczs") or [value])
            elif key.startswith("wparchive/sites_") or not isinstance(value, int | float):
                continue
            elif key.startswith("memusage/"):
                self.crawler.stats.max_value(f"workers/{key}", value)
            elif key not in ("elapsed_time_seconds",):
                self.crawler.stats.inc_value(key, value)

    def _watch_workers(self) -> Iterator[SiteCrawl]:
        """Take back the blogs of workers that are gone; start local ones again while work is left."""
        gone: list[str] = []
        local_gone = 0
        workers = self.queue.workers()
        if self.local:
            for pid, code in self.local.exited():
                self.logger.warning("Worker process %d ended (exit code %s) before the run was done", pid, code)
                gone += self.local.names_in(workers, pid)
                local_gone += 1
                self._salvage_capture(pid)
        for worker in workers:
            if worker not in gone and not self.queue.is_alive(worker):
                self.logger.warning("Worker %s stopped its heartbeat (%d s): taken as gone", worker, HEARTBEAT_TTL)
                pid = self.local.pid_of(worker) if self.local else None
                if pid is not None:
                    self.local.kill(pid)
                    local_gone += 1
                gone.append(worker)
        for worker in gone:
            requeued, given_up = self.queue.requeue(worker, self.max_attempts)
            if requeued or given_up:
                self.crawler.stats.inc_value("wparchive/worker/died")
            for blog in requeued:
                self.crawler.stats.inc_value("wparchive/worker/blogs_requeued")
                self.logger.warning("%s goes back to the queue: its worker %s is gone", blog, worker)
            for blog in given_up:
                yield from self._give_up(blog, f"the workers crawling it died {self.max_attempts + 1} times")
        for _ in range(local_gone):
            if self.restarts_left > 0 and len(self.reported) < len(self.blogs):
                self.restarts_left -= 1
                self.crawler.stats.inc_value("wparchive/worker/restarted")
                self.logger.info("Started worker process %d in place of a worker that is gone", self.local.spawn())
        if self.queue.workers() or (self.local and self.local.running()):
            self.alone_since = None
        elif self.alone_since is None:
            self.alone_since = time.monotonic()
        if self.local and self.alone_since is not None and self.restarts_left <= 0:
            yield from self._give_up_all("no worker left to crawl it")
        elif self.alone_since is not None and time.monotonic() - self.alone_since > self.wait_for_workers:
            yield from self._give_up_all(f"no worker came to crawl it in {self.wait_for_workers:g} s")

    def _give_up_all(self, reason: str) -> Iterator[SiteCrawl]:
        for blog in self.blogs:
            if blog not in self.reported:
                yield from self._give_up(blog, reason)

    def _salvage_capture(self, pid: int) -> None:
        """What a dead local worker captured, packed into its WACZ: the posts it sent name it."""
        if self.local.salvage is None:
            return
        try:
            names = self.local.salvage(pid)
        except (OSError, RuntimeError, ValueError, zlib.error) as error:
            self.crawler.stats.inc_value("wparchive/capture_failed")
            self.logger.error("Could not pack what worker process %d captured: %s", pid, error)
            return
        for name in names:
            self.waczs.append(name)
            self.crawler.stats.inc_value("wparchive/worker/captures_salvaged")
            self.logger.info("Packed what worker process %d captured before it died into %s", pid, name)

    def _give_up(self, blog: str, reason: str) -> Iterator[SiteCrawl]:
        self.logger.error("Cannot archive %s: %s", blog, reason)
        report = SiteCrawl(site_url=site_prefix(blog), status="failed", mode="none", error=reason)
        yield from self._report(blog, report)

    async def _wait_for_workers(self) -> AsyncIterator[Any]:
        """Until every worker of the run said goodbye (its stats) or is gone."""
        deadline = time.monotonic() + HEARTBEAT_TTL + 10
        while time.monotonic() < deadline:
            for message in self.queue.next_messages():
                for item in self._receive(message):
                    yield item
            remote = {w for w in self.queue.workers() if w not in self.finished_workers and self.queue.is_alive(w)}
            if self.local:
                self.local.exited()
            if not remote and not (self.local and self.local.running()):
                break
            await asyncio.sleep(0.1)
        for message in self.queue.next_messages(10_000):
            for item in self._receive(message):
                yield item

    # What the archive pipeline asks the spider at the end of a crawl.

    def unfinished_sites(self) -> list[UnfinishedBlog]:
        return [UnfinishedBlog(blog) for blog in self.blogs if blog not in self.reported]

    def site_report(self, blog: UnfinishedBlog, status: str | None = None) -> SiteCrawl:
        self.crawler.stats.inc_value(f"wparchive/sites_{status or 'interrupted'}")
        return SiteCrawl(site_url=site_prefix(blog.url), status=status or "interrupted", mode="none", error=blog.error)

    def writer_closed(self, reason: str) -> None:
        """Before the archive pipeline records the end: the workers are told (the run stops, if it
        was not done), the local ones stopped, and their WACZ files named in the crawl's stats."""
        if self.run is not None:
            try:
                self.queue.close_run(self.run, done=len(self.reported) >= len(self.blogs))
            except redis.RedisError as error:
                self.logger.error("Could not close run %s (Redis: %s): its workers leave alone", self.run, error)
        if self.local:
            self.local.stop(timeout=30)
        if self.waczs:
            self.crawler.stats.set_value("wparchive/capture_waczs", sorted(self.waczs))
