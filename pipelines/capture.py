"""CaptureMiddleware: every response of a crawl, with its request, into the crawl's WACZ files.

On by default (`ARCHIVE_CAPTURE`); the files go beside the archive (`archive/archive.wacz/` for
`archive/archive.db`) or in `ARCHIVE_CAPTURE_DIR`. A downloader middleware next to the downloader
(order 950): it sees each response as it came off the wire, redirects and compressed bodies
included, before Scrapy follows or inflates them. Where the response is kept is put in the
request's meta (`capture`: WACZ name, record id, payload digest; a redirect's target carries its
own), so that the spider can hand it on with the post it reads. At the end the WARC is packed into
`<started>-<pid>.wacz` (archive/warc.py). A big crawl is kept in parts of at most
`ARCHIVE_WACZ_PART_RESPONSES` responses: when a part is full its WARC is packed, in a thread while the
crawl goes on, by py-wacz in a process of its own, into `<started>-<pid>-part<n>.wacz` (the first
part keeps the plain name), so that what packing holds in memory (py-wacz sorts the index in
memory, and py-wacz's own modules take about 40 MB) neither grows with the crawl nor stays in the
crawl's process. The last part is packed at the end, in a process of its own too when there were
parts before it; a crawl of one part (a blog of a few thousand posts) packs it in the crawl's process,
paying no second Python start.
"""

from __future__ import annotations

import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from twisted.internet.error import ConnectionRefusedError

from archive.warc import RecordedAt, WarcFile, capture_folder, index_wacz, pack_wacz, part_name
from spiders.extraction.robots import asks_not_to_archive

logger = logging.getLogger(__name__)


class CaptureMiddleware:
    def __init__(self, crawler: Crawler, folder: Path) -> None:
        self.crawler = crawler
        self.folder = folder
        self.respect_noarchive = crawler.settings.getbool("ARCHIVE_RESPECT_NOARCHIVE", True)
        started = datetime.now(UTC)
        name = f"{started:%Y%m%dT%H%M%SZ}-{os.getpid()}"
        spider = crawler.spider
        crawl = {
            "urls": list(getattr(spider, "start_urls", [])),
            "full": crawler.settings.getbool("ARCHIVE_FULL_RECRAWL"),
        }
        self.crawl = crawl
        self.name = name
        self.part_responses = max(1, crawler.settings.getint("ARCHIVE_WACZ_PART_RESPONSES", 5_000))
        self.parts: list[str] = []  # every part's WACZ name, in order
        self._packer: ThreadPoolExecutor | None = None
        self.warc = self._open_part()
        crawler.stats.set_value("wparchive/capture_wacz", self.warc.wacz_name)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def _open_part(self) -> WarcFile:
        name = part_name(self.name, len(self.parts) + 1)
        self.parts.append(f"{name}.wacz")
        if len(self.parts) > 1:
            self.crawler.stats.set_value("wparchive/capture_waczs", list(self.parts))
        return WarcFile(
            self.folder / ".partial" / f"{name}.warc.gz",
            f"{name}.wacz",
            self.crawler.settings.get("USER_AGENT"),
            {**self.crawl, "part": len(self.parts)},
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        settings = crawler.settings
        if settings.get("ARCHIVE_REPLAY_FROM"):
            raise NotConfigured("a rebuild replays an archived crawl: nothing new to capture")
        if not settings.getbool("ARCHIVE_CAPTURE", True) or not settings.getbool("ARCHIVE_ENABLED", True):
            raise NotConfigured("ARCHIVE_CAPTURE is off")
        folder = settings.get("ARCHIVE_CAPTURE_DIR") or capture_folder(settings.get("ARCHIVE_DB", "archive/archive.db"))
        return cls(crawler, Path(folder))

    def process_response(self, request: Request, response: Response) -> Response:
        if self.respect_noarchive and asks_not_to_archive(
            [value.decode("latin-1") for value in response.headers.getlist("X-Robots-Tag")],
            response.body,
            (response.headers.get("Content-Type") or b"").decode("latin-1"),
        ):
            self.crawler.stats.inc_value("wparchive/capture_noarchive")
            return response  # the page asks not to be archived: not kept (ARCHIVE_RESPECT_NOARCHIVE)
        headers = [(name, value) for name, values in response.headers.items() for value in values]
        request_headers = [(name, value) for name, values in request.headers.items() for value in values]
        # One instant for the record and its page entry: py-wacz lists a page only where the page's
        # time and its record's WARC-Date are the same second.
        fetched = datetime.now(UTC)
        try:
            captured = self.warc.write_exchange(
                response.url,
                request.method,
                request_headers,
                request.body or b"",
                response.status,
                headers,
                response.body,
                fetched,
            )
        except OSError as error:  # a full disk: the crawl goes on, and says the capture is short
            self.crawler.stats.inc_value("wparchive/capture_failed")
            logger.error("Could not capture %s: %s", response.url, error)
            return response
        request.meta["capture"] = asdict(captured)
        self.crawler.stats.inc_value("wparchive/captured")
        if response.status == 200 and b"html" in (response.headers.get("Content-Type") or b""):
            self.warc.add_page(response.url, fetched)
        if self.warc.records >= self.part_responses:
            self._next_part()
        return response

    def _next_part(self) -> None:
        """The part is full: packed in a thread of its own while the crawl writes the next one."""
        full = self.warc
        try:
            self.warc = self._open_part()
        except OSError as error:  # no room for a new file: this part goes on growing
            self._forget_last_part()
            logger.error("Could not start a new part of the crawl's capture: %s", error)
            return
        if self._packer is None:
            self._packer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wacz")
        self._packer.submit(self._pack, full, True)

    def _forget_last_part(self) -> None:
        self.parts.pop()
        if self.crawler.stats.get_value("wparchive/capture_waczs") is not None:
            self.crawler.stats.set_value("wparchive/capture_waczs", list(self.parts))

    def _pack(self, warc: WarcFile, own_process: bool = False) -> Path | None:
        try:
            path = pack_wacz(warc, self.folder, own_process)
        except (OSError, RuntimeError) as error:
            self.crawler.stats.inc_value("wparchive/capture_failed")
            logger.error("Could not pack the crawl's WACZ (the WARC stays at %s): %s", warc.path, error)
            return None
        logger.info("Captured %d responses in %s", warc.records, path)
        return path

    def spider_closed(self) -> None:
        if self._packer is not None:
            self._packer.shutdown(wait=True)  # the full parts packed before the last one
        urls = list(getattr(self.crawler.spider, "start_urls", []))
        if not self.warc.records and (len(self.parts) == 1 or urls == self.crawl["urls"]):
            self.warc.close()  # nothing in it (the last part was opened just as the crawl ended)
            self.warc.path.unlink(missing_ok=True)
            self._forget_last_part()
            return
        if urls != self.crawl["urls"]:  # a worker's blogs, taken from the queue as it went
            try:
                self.warc.add_crawl_info({**self.crawl, "urls": urls, "part": len(self.parts)})
            except OSError as error:
                self.crawler.stats.inc_value("wparchive/capture_failed")
                logger.error("Could not name the crawl's blogs in its WARC: %s", error)
        self._pack(self.warc, own_process=len(self.parts) > 1)


class ReplayMiddleware:
    """Answers every request from one archived crawl's WACZ (`ARCHIVE_REPLAY_FROM`: the file, or its
    parts joined by the path separator), never from
    the network: what `wparchive rebuild` runs the spider on. A URL asked for more than once gets
    its answers in the order the crawl got them; a request the crawl never got an answer to fails
    as a refused connection did. Each answer carries where it is kept, as a captured one does."""

    def __init__(self, crawler: Crawler, paths: list[Path]) -> None:
        self.crawler = crawler
        self.crawl: dict = {}
        self.responses: dict[tuple[str, str], list[RecordedAt]] = {}
        # The WARCs, copied out of their WACZ files for the crawl: each answer is read from there
        # when it is asked for (a big crawl's bodies do not fit in memory).
        self.folder = tempfile.TemporaryDirectory(prefix="wparchive-replay-")
        for path in paths:  # a crawl's parts, in order: its answers in the order they came
            crawl, responses = index_wacz(path, Path(self.folder.name))
            self.crawl = crawl or self.crawl
            for key, answers in responses.items():
                self.responses.setdefault(key, []).extend(answers)
        crawler.signals.connect(self.folder.cleanup, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        path = crawler.settings.get("ARCHIVE_REPLAY_FROM")
        if not path:
            raise NotConfigured("no ARCHIVE_REPLAY_FROM")
        return cls(crawler, [Path(part) for part in path.split(os.pathsep)])

    def process_request(self, request: Request) -> Response:
        answers = self.responses.get((request.method, request.url))
        if not answers:
            self.crawler.stats.inc_value("wparchive/replay_missing")
            raise ConnectionRefusedError(f"{request.url} has no answer in the archived crawl")
        recorded = (answers.pop(0) if len(answers) > 1 else answers[0]).read()
        headers = Headers()
        for name, value in recorded.headers:
            headers.appendlist(name, value)
        response_class = responsetypes.from_args(headers=headers, url=request.url, body=recorded.body)
        request.meta["capture"] = asdict(recorded.captured)
        self.crawler.stats.inc_value("wparchive/replayed")
        return response_class(
            url=request.url, status=recorded.status, headers=headers, body=recorded.body, request=request
        )
