"""Scrapy settings for wparchive. Every setting can be overridden with `-s NAME=VALUE`."""

BOT_NAME = "wparchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Where the archive lives, and whether to write it at all.
ARCHIVE_DB = "archive/archive.db"
ARCHIVE_ENABLED = True
# Who runs the crawl: an e-mail address or URL put in the User-Agent so site owners can write.
ARCHIVE_CONTACT = ""
# Follow the REST API, sitemaps, feeds and HTML archives in this order of preference.
ARCHIVE_DISCOVERY = ["rest", "sitemap", "feed", "html"]
# At most this many HTML listing pages are read per site (a guard against endless archives): the
# HTML way reads every home, category, tag, author, year and month page, about two per post on a
# blog with many tags. A site that reaches the guard is recorded partial.
ARCHIVE_MAX_LISTING_PAGES = 5000
# A full crawl streams: the next REST listing page is asked for only while fewer requests than
# this are outstanding for the blog, so memory stays flat however many posts it has.
ARCHIVE_LISTING_AHEAD = 200
# Saved posts are committed in batches: every ARCHIVE_COMMIT_EVERY posts or ARCHIVE_COMMIT_SECONDS,
# and before each site's record. A crawl killed in between loses only that batch (fetched again).
ARCHIVE_COMMIT_EVERY = 50
ARCHIVE_COMMIT_SECONDS = 1.0
# At most this many comment pages per post.
ARCHIVE_MAX_COMMENT_PAGES = 200
# Re-crawls fetch only what changed since the last complete crawl of a site; True fetches every
# page again (unconditionally), as on a first crawl.
ARCHIVE_FULL_RECRAWL = False
# Seconds of overlap when asking a site for what changed since its last complete crawl (clock
# skew, slow saves); what is already archived unchanged is not fetched again anyway.
ARCHIVE_RECRAWL_OVERLAP = 3600
# Re-crawls list the comments written this many days before the last complete crawl too, so that
# one held for moderation and approved since is listed by itself (older ones are found by the
# per-post-batch comment counts).
ARCHIVE_LATE_APPROVAL_DAYS = 30
# One crawl writes an archive at a time: a second one waits this many seconds, then refuses.
ARCHIVE_LOCK_TIMEOUT = 0
# A crawl with workers (`wparchive crawl --workers N`, `wparchive work`; spiders/workers.py): the
# Redis server that carries blogs to the workers and items to the one writer, and the name of the
# run's keys on it (two runs at once need two names).
ARCHIVE_REDIS_URL = "redis://127.0.0.1:6379/0"
ARCHIVE_REDIS_QUEUE = "wparchive"
# Blogs one worker crawls at a time, and how many times a blog is given to another worker after
# the one crawling it died (then it is recorded failed).
ARCHIVE_WORKER_BLOGS = 4
ARCHIVE_WORKER_RETRIES = 2
# Seconds a run waits while no worker is there (none started yet, or all gone), then records its
# blogs left failed.
ARCHIVE_WORKER_WAIT = 600

# Polite by default.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# No WordPress page or REST listing comes near this: a larger body (or one that inflates past it,
# a gzip bomb) is a failed fetch, not something to hold in memory.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPERROR_ALLOW_ALL = False
# A `<meta http-equiv="refresh">` page (a static copy's stub at an old URL) is read by the spider
# as a link, so that its target is fetched once, not again for every stub that points to it.
METAREFRESH_ENABLED = False

# Every response, with its request, into one WACZ per crawl (or its parts) beside the archive (ARCHIVE_CAPTURE,
# ARCHIVE_CAPTURE_DIR); a bigger crawl in parts of this many responses, each packed when full.
ARCHIVE_WACZ_PART_RESPONSES = 5_000
# A page that asks archivers not to keep it (robots meta `noarchive`, `X-Robots-Tag: noarchive`) is
# neither archived nor captured; False archives it all the same.
ARCHIVE_RESPECT_NOARCHIVE = True
# Files kept with the posts (spiders/media.py): images, featured images, attachments.
ARCHIVE_MEDIA = True
ARCHIVE_MEDIA_HOSTS = ""  # hosts beside the blog's and WordPress's CDNs; "*" for every host
ARCHIVE_MEDIA_CDNS = True  # WordPress's CDNs (i0.wp.com, *.files.wordpress.com); the tests turn it off
ARCHIVE_MEDIA_MAX_BYTES = 64 * 1024 * 1024
# `wparchive rebuild` answers every request from an archived crawl instead (ARCHIVE_REPLAY_FROM).
DOWNLOADER_MIDDLEWARES = {
    "spiders.politeness.RetryAfterMiddleware": 560,
    "pipelines.capture.CaptureMiddleware": 950,
    "pipelines.capture.ReplayMiddleware": 960,
}
# A 429 or 503 with `Retry-After` is asked again after that many seconds, at most this many.
ARCHIVE_RETRY_AFTER_MAX = 120

ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.store.ArchivePipeline": 300,
}

# Python's garbage collector set for a long crawl (spiders/garbage.py): start-up's objects frozen
# out of its way and its youngest generation collected after 10,000 allocations, not 700.
ARCHIVE_GC_TUNING = True
EXTENSIONS = {"spiders.garbage.GarbageCollection": 0}

# Items of one callback's output handled at once. Every pipeline here is synchronous (an item is
# done when process_item returns), so more buy nothing, and Scrapy starts this many tasks for every
# response's output (100 by default: a tenth of the CPU of a crawl on loopback).
CONCURRENT_ITEMS = 1

LOG_LEVEL = "INFO"
# Each response's and item's debug line is made only when the log shows debug lines
# (spiders/logformat.py).
LOG_FORMATTER = "spiders.logformat.QuietLogFormatter"
# Scrapy reads each callback's source (inspect, ast) to warn about a generator that returns a
# value: for every response, as its cache never holds a bound method for long.
WARN_ON_GENERATOR_RETURN_VALUE = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
