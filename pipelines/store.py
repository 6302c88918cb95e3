"""ArchivePipeline: save posts into the SQLite archive and record each crawl and each site."""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from archive.db import (
    ArchiveDamaged,
    ArchiveLock,
    ArchiveLocked,
    ArchiveUnwritable,
    WriteBatch,
    close_dead_crawls,
    finish_crawl,
    finish_site,
    open_db,
    read_archived_posts,
    read_site_state,
    save_media,
    save_post_result,
    save_site,
    start_crawl,
)
from archive.people import has_block_list, link_site_people
from archive.takedown import redact_crawl_capture
from archive.warc import capture_folder
from spiders.items import Media, Post, SiteCrawl
from spiders.urls import site_prefix

logger = logging.getLogger(__name__)


class ArchiveReader:
    """What the archive holds about a blog, handed to the spider as `spider.archive`: the spider
    decides what to fetch from it and never opens the database itself. Reads use read-only
    connections of their own."""

    def __init__(self, path: str) -> None:
        self.path = path

    def site_state(self, site_url: str):  # -> archive.db.SiteState | None
        return read_site_state(self.path, site_url)

    def archived_posts(self, site_url: str, wp_ids: set[int]) -> dict:
        return read_archived_posts(self.path, site_url, wp_ids)


class ArchivePipeline:
    """Writes each post with everything it carries in one transaction (`archive.db.save_post_result`),
    and each site's outcome (`archive.db.finish_site`). Holds the archive's lock for the whole crawl:
    a second crawl on the same archive is refused (`archive.db.ArchiveLocked`)."""

    def __init__(
        self,
        crawler: Crawler,
        path: str,
        lock_timeout: float = 0.0,
        capture_dir: str | None = None,
        commit_every: int = 50,
        commit_seconds: float = 1.0,
    ) -> None:
        self.crawler = crawler
        self.path = path
        self.capture_dir = Path(capture_dir) if capture_dir else capture_folder(path)
        self.blocked = 0  # items of forgotten people this crawl met (saved as tombstones)
        self.sites_reported: set[str] = set()  # every site this crawl finished, saved posts or not
        self.db = None
        self.crawl_id: int | None = None
        self.site_ids: dict[str, int] = {}
        # The name and way in this crawl last saved for each site: saved again only when they change.
        self.site_saved: dict[str, tuple[str | None, str | None]] = {}
        self.site_counts: dict[str, Counter[str]] = {}  # what each site's committed saves did
        # What the saves of the open batch did, by site, and their stats: counted only once the
        # batch is committed (a batch a full disk undid archived nothing).
        self.uncommitted: dict[str, Counter[str]] = {}
        self.uncommitted_stats: Counter[str] = Counter()
        self.lock = ArchiveLock(path) if path != ":memory:" else None
        if self.lock is not None:
            try:
                self.lock.acquire(lock_timeout)
            except ArchiveLocked as error:
                logger.error("Not crawling: %s", error)
                raise
            except OSError as error:  # the lock cannot be made beside a read-only archive
                unwritable = ArchiveUnwritable(path, error)
                logger.error("Not crawling: %s", unwritable)
                raise unwritable from error
        try:
            # Before the crawl starts: a damaged or read-only archive stops it here, untouched.
            self.db = open_db(path, check=True)
        except (ArchiveDamaged, sqlite3.OperationalError, OSError) as error:
            if not isinstance(error, ArchiveDamaged):
                error = ArchiveUnwritable(path, error)
            logger.error("Not crawling: %s", error)
            if self.lock is not None:
                self.lock.release()
            raise error
        self.failed_posts: Counter[str] = Counter()  # site -> posts that could not be archived
        # Posts are committed in batches (every ARCHIVE_COMMIT_EVERY posts or ARCHIVE_COMMIT_SECONDS),
        # and before a site's record and the crawl's end.
        self.batch = WriteBatch(self.db, commit_every, commit_seconds)
        self.ticker = task.LoopingCall(self._commit_if_due)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        if not crawler.settings.getbool("ARCHIVE_ENABLED", True):
            raise NotConfigured("ARCHIVE_ENABLED is off")
        return cls(
            crawler,
            crawler.settings.get("ARCHIVE_DB", "archive/archive.db"),
            crawler.settings.getfloat("ARCHIVE_LOCK_TIMEOUT", 0.0),
            crawler.settings.get("ARCHIVE_CAPTURE_DIR"),
            crawler.settings.getint("ARCHIVE_COMMIT_EVERY", 50),
            crawler.settings.getfloat("ARCHIVE_COMMIT_SECONDS", 1.0),
        )

    def spider_opened(self) -> None:
        dead = close_dead_crawls(self.db)
        if dead:
            logger.warning("Crawls %s never finished (the process died): marked killed", dead)
        spider = self.crawler.spider
        spider.archive = ArchiveReader(self.path)
        arguments = getattr(spider, "archive_arguments", {})
        self.crawl_id = start_crawl(self.db, arguments)
        logger.info("Archiving into %s (crawl %s)", self.path, self.crawl_id)
        self.ticker.start(max(self.batch.seconds, 0.1), now=False)

    def process_item(self, item: object) -> object:
        if isinstance(item, SiteCrawl):
            self._finish_site(item)
            return item
        if isinstance(item, Media):
            site_id = self.site_ids.get(item.site_url)
            if site_id is not None:  # its post was saved first
                self.batch.begin()
                save_media(self.db, site_id, asdict(item), self.crawl_id)
                self.uncommitted_stats["wparchive/media_saved"] += 1
            return item
        if not isinstance(item, Post):
            return item
        site_url = item.site_url or site_prefix(item.url)
        discovery = getattr(self.crawler.spider, "discovery", {}).get(site_url)
        site_id = self.site_ids.get(site_url)
        self.batch.begin()
        try:
            if site_id is None or (item.site_name and self.site_saved.get(site_url) != (item.site_name, discovery)):
                site_id = save_site(self.db, site_url, self.crawl_id, item.site_name, discovery)
                self.site_ids[site_url] = site_id
                self.site_saved[site_url] = (item.site_name, discovery)
            result = save_post_result(self.db, site_id, asdict(item), self.crawl_id)
        except BaseException:
            if self.batch.lost():  # the error undid the whole batch, not only this post
                self._commit()
            raise
        self.batch.saved(site_url)
        if result.blocked:
            self.blocked += len(result.blocked)
            self.crawler.stats.inc_value("wparchive/forgotten_not_archived", len(result.blocked))
        counts = result.counts()
        self.uncommitted.setdefault(site_url, Counter()).update(counts)
        self.uncommitted_stats.update(
            {"wparchive/posts_saved": 1, "wparchive/comments_saved": len(item.comments)}
            | {f"wparchive/{name}": value for name, value in counts.items()}
        )
        if self.batch.due():
            self._commit()
        return item

    def item_error(self, item: object, failure: object) -> None:
        """A post that a pipeline could not clean or save is lost to this crawl: its site's crawl
        is not complete (the next crawl starts from the last complete one and fetches it again)."""
        if isinstance(item, Post):
            site_url = item.site_url or site_prefix(item.url)
            self.failed_posts[site_url] += 1
            self.crawler.stats.inc_value("wparchive/posts_not_archived")
            logger.error("Not archived: %s (%s)", item.url, getattr(failure, "value", failure))

    def _commit_if_due(self) -> None:
        if self.db is not None and self.batch.due():
            self._commit()

    def _commit(self) -> None:
        """Commit the open batch; what its saves did counts only when it was committed."""
        lost = self.batch.commit()
        if not lost:
            for site_url, counts in self.uncommitted.items():
                self.site_counts.setdefault(site_url, Counter()).update(counts)
            for name, value in self.uncommitted_stats.items():
                self.crawler.stats.inc_value(name, value)
        self.uncommitted, self.uncommitted_stats = {}, Counter()
        self._count_lost(lost)

    def _count_lost(self, lost: Counter[str]) -> None:
        """Posts whose batch could not be committed (a full disk): not in the archive, and their
        sites' crawls are not complete."""
        if lost:
            self.site_saved.clear()  # the sites' rows as the lost batch left them: saved again
        for site_url, n in lost.items():
            self.failed_posts[site_url] += n
            self.crawler.stats.inc_value("wparchive/posts_not_archived", n)
        if lost:
            logger.error("Could not commit %d saved post(s) to the archive: they are not archived", sum(lost.values()))

    def _finish_site(self, report: SiteCrawl) -> None:
        self._commit()  # the site's posts are in the archive before its record
        self.sites_reported.add(report.site_url)
        failed = self.failed_posts.pop(report.site_url, 0)
        if failed and report.status == "complete":
            report.status = "partial"
            report.error = report.error or f"{failed} post(s) could not be archived (see the log)"
            report.proof = None
            report.validators = []
            self.crawler.stats.inc_value("wparchive/sites_partial")
        counts = self.site_counts.pop(report.site_url, Counter())
        try:
            added = finish_site(self.db, self.crawl_id, asdict(report), counts)
        except (sqlite3.Error, OSError) as error:
            # The disk is full (or the file went read-only): the site's record cannot be written,
            # so this crawl cannot become the base of the next; the exit code says so.
            self.crawler.stats.inc_value("wparchive/records_not_saved")
            logger.error("Could not record %s's crawl in the archive: %s", report.site_url, error)
            return
        try:
            people = link_site_people(self.db, report.site_url, getattr(self.crawler.spider, "instructors", ()))
        except (sqlite3.Error, OSError) as error:
            self.crawler.stats.inc_value("wparchive/records_not_saved")
            logger.error("Could not join %s's authors into people: %s", report.site_url, error)
        else:
            self.crawler.stats.inc_value("wparchive/people", people)
        for name, value in added.items():
            self.crawler.stats.inc_value(f"wparchive/{name}", value)
        total = counts + added
        logger.info(
            "%s: %s %s crawl, %d requests; posts %d new, %d changed, %d unchanged, %d missing; "
            "comments %d new, %d changed, %d unchanged, %d missing%s",
            report.site_url,
            report.status,
            report.mode,
            report.requests,
            *(total[f"posts_{k}"] for k in ("new", "changed", "unchanged", "missing")),
            *(total[f"comments_{k}"] for k in ("new", "changed", "unchanged", "missing")),
            f" ({report.error})" if report.error else "",
        )

    def spider_closed(self, reason: str) -> None:
        if self.ticker.running:
            self.ticker.stop()
        if self.db is None or self.crawl_id is None:
            self._release()
            return
        self._commit()
        spider = self.crawler.spider
        for site in getattr(spider, "unfinished_sites", list)():
            site.error = site.error or f"the crawl ended ({reason}) before this site was done"
            self._finish_site(spider.site_report(site, status="interrupted"))
        self._redact_capture()
        stats = self.crawler.stats.get_stats()
        if reason == "finished":
            # A site crawled in part (a page failed) is `partial` in site_crawls; the crawl finished.
            status = "failed" if stats.get("wparchive/sites_failed") else "finished"
        elif reason == "shutdown":
            status = "interrupted"
        else:
            status = reason
        try:
            finish_crawl(self.db, self.crawl_id, status, reason, stats)
        except (sqlite3.Error, OSError) as error:
            # The crawl row stays `running` and the next crawl marks it killed: nothing claims success.
            self.crawler.stats.inc_value("wparchive/records_not_saved")
            logger.error("Could not record the end of crawl %s in the archive: %s", self.crawl_id, error)
        finally:
            self.db.close()
            self.db = None
            self._release()

    def _redact_capture(self) -> None:
        """The crawl's own WACZ (packed by the capture middleware, whose spider_closed runs before
        this one), or its workers' (`wparchive/capture_waczs`), without the people its sites'
        block lists name."""
        stats = self.crawler.stats
        for name in stats.get_value("wparchive/capture_waczs") or [stats.get_value("wparchive/capture_wacz")]:
            self._redact_wacz(name)

    def _redact_wacz(self, name: str | None) -> None:
        sites = self.sites_reported | set(self.site_ids)
        if not name or not sites or not has_block_list(self.db):
            return
        path = self.capture_dir / name
        if not path.exists():
            self.crawler.stats.inc_value("wparchive/capture_failed")
            logger.error("Could not redact forgotten people from %s: the file is not there", path)
            return
        try:
            changed = redact_crawl_capture(self.db, path, sorted(sites))
        except (OSError, RuntimeError, ValueError, sqlite3.Error) as error:
            self.crawler.stats.inc_value("wparchive/capture_failed")
            logger.error("Could not redact forgotten people from %s: %s", path, error)
            return
        self.crawler.stats.set_value("wparchive/capture_redacted", changed)
        logger.info("Redacted %d captured responses of forgotten people in %s", changed, path)

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.release()
