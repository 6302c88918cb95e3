"""The `wparchive` command: check extraction on a page, serve an archive in Datasette."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import click

from spiders.extraction.page import extract_post
from spiders.extraction.text import decode_html

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from spiders.workers import LocalWorkers

DEFAULT_DB = "archive/archive.db"


@click.group()
@click.version_option(package_name="wparchive")
def main() -> None:
    """Archive WordPress course blogs into SQLite and publish them with Datasette.

    Crawl with `wparchive crawl URL` (exit codes for schedulers) or Scrapy's own
    `scrapy crawl wordpress -a url=https://blog.example.edu/`.
    """


def load_page(source: str, timeout: float = 30.0) -> tuple[str, str]:
    """(HTML text, URL) of a saved file or a live URL, decoded as a browser would."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"User-Agent": "wparchive-extract/0.1"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
            return decode_html(body, response.headers.get("Content-Type")), response.geturl()
    path = Path(source)
    body = path.read_bytes()
    content_type = None
    headers = path.parent / "headers.json"
    if headers.exists():
        content_type = json.loads(headers.read_text()).get("Content-Type")
    return decode_html(body, content_type), path.resolve().as_uri()


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--url", help="The page's real URL (for saved files): resolves links and ids.")
@click.option("--html", "with_html", is_flag=True, help="Include content and comment HTML.")
def extract(sources: tuple[str, ...], url: str | None, with_html: bool) -> None:
    """Print what is extracted from saved pages or live URLs, as JSON.

    \b
    Examples:
      wparchive extract saved-post.html --url https://blog.example.edu/2013/04/07/post/
      wparchive extract https://blog.example.edu/2013/04/07/post/
      wparchive extract pages/*.html          # one JSON object a line, each with its file
    """
    failed = False
    for source in sources:
        try:
            text, found_url = load_page(source)
        except (OSError, ValueError) as error:
            click.echo(f"error: {source}: {error}", err=True)
            failed = True
            continue
        post = extract_post(text, url or found_url)
        data = post.summary()
        if with_html:
            data["content_html"] = post.content_html
            for comment, full in zip(data["comments"], post.comments, strict=True):
                comment["content_html"] = full.content_html
        if len(sources) == 1:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            click.echo(json.dumps({"file": source, **data}, ensure_ascii=False))
    if failed:
        sys.exit(1)


@main.command("eval")
@click.argument("directory", default="tests/fixtures/extract", type=click.Path(file_okay=False, exists=True))
@click.option(
    "--output", type=click.Path(dir_okay=False), help="Write the Markdown report here (e.g. docs/extraction.md)."
)
@click.option("--trafilatura/--no-trafilatura", default=True, show_default=True, help="Score trafilatura too.")
def evaluate_command(directory: str, output: str | None, trafilatura: bool) -> None:
    """Score the extractor over pages with expected JSON, beside trafilatura.

    \b
    Examples:
      wparchive eval tests/fixtures/extract
      wparchive eval tests/fixtures/extract --output docs/extraction.md
    """
    from spiders.evaluation import evaluate, report

    if trafilatura:
        try:
            import trafilatura as _  # noqa: F401
        except ImportError as error:
            raise click.ClickException("trafilatura is not installed: pip install -e '.[bench]'") from error
    text = report(evaluate(Path(directory), with_trafilatura=trafilatura), Path(directory))
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text)


@main.command("eval-real")
@click.argument("pages", type=click.Path(exists=True))
@click.option("--labels", default="tests/realpages", show_default=True, type=click.Path(file_okay=False, exists=True))
@click.option("--output", type=click.Path(dir_okay=False), help="Write the Markdown report here.")
@click.option("--others/--no-others", default=True, show_default=True, help="Score trafilatura and htmldate too.")
def evaluate_real_command(pages: str, labels: str, output: str | None, others: bool) -> None:
    """Score the extractor on real saved pages against hand-written labels, beside trafilatura.

    PAGES is the folder of saved pages or the corpus archive (`pages.tar.xz`, unpacked to a
    temporary folder).

    \b
    Examples:
      wparchive eval-real ../shared/realpages/pages.tar.xz --output docs/extraction-real.md
    """
    import tempfile

    from spiders import evaluation_real as real

    if others:
        try:
            import htmldate as _  # noqa: F401
            import trafilatura as _  # noqa: F401, F811
        except ImportError as error:
            raise click.ClickException("trafilatura is not installed: pip install -e '.[bench]'") from error
    labelled = real.load_labels(Path(labels))
    known_path = Path(labels) / "known_failures.json"
    known = json.loads(known_path.read_text(encoding="utf-8")) if known_path.exists() else {}
    with tempfile.TemporaryDirectory(prefix="wparchive-realpages-") as scratch:
        folder = Path(pages)
        if folder.is_file():
            folder = real.unpack_pages(folder, Path(scratch))
        missing = [name for name in labelled if not (folder / name).exists()]
        if missing:
            raise click.ClickException(f"{len(missing)} labelled pages are not in {pages}: {', '.join(missing[:5])}")
        text = real.report(real.evaluate(folder, labelled, others=others), labelled, known)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text)


@main.command()
@click.argument("db", default=DEFAULT_DB, type=click.Path(dir_okay=False))
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--replay-port", type=int, default=None, help="Port of the pages as archived (pywb) [default: PORT+1; 0: none]."
)
def serve(db: str, port: int, host: str, replay_port: int | None) -> None:
    """Browse an archive in Datasette (read-only), with search, facets and threads; the pages as
    archived (the crawls' WACZ files, by pywb) on the next port, linked from each post's page.

    \b
    Example:
      wparchive serve archive/archive.db --port 8001
    """
    from archive.datasette import serve_archive

    if not Path(db).exists():
        raise click.ClickException(f"no archive at {db}: crawl a blog first (see README)")
    serve_archive(db, host=host, port=port, replay_port=port + 1 if replay_port is None else replay_port)


@main.command()
@click.argument("db", default=DEFAULT_DB, type=click.Path(dir_okay=False))
@click.option("--port", default=8002, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
def replay(db: str, port: int, host: str) -> None:
    """Show the archived pages as they looked, offline: pywb serves every WACZ the crawls of this
    archive wrote (images and all from the archive; nothing is loaded from outside).

    \b
    Example:
      wparchive replay archive/archive.db --port 8002
      # then open http://127.0.0.1:8002/wparchive/*/https://blogs.example.edu/hist380/*
    """
    import os

    from archive.replay import COLLECTION, replay_folder, wayback_command
    from archive.warc import capture_folder

    if not any(capture_folder(db).glob("*.wacz")):
        raise click.ClickException(f"no WACZ files in {capture_folder(db)}: crawl with capture on first")
    folder = replay_folder(db)
    click.echo(f"Replaying {capture_folder(db)} at http://{host}:{port}/{COLLECTION}/ (Ctrl-C stops)", err=True)
    os.chdir(folder)
    command = wayback_command(host, port)
    os.execv(command[0], command)  # pywb itself from here on: signals reach it


@main.command()
@click.argument("who", required=False)
@click.option("--db", default=DEFAULT_DB, show_default=True, help="The archive.")
@click.option("--site", help="Only this site (its id, name or home URL).")
@click.option(
    "--set-role",
    type=click.Choice(["instructor", "student", "guest", "external"]),
    help="Give WHO (a name as shown, a user slug or a person number) this role; later crawls keep it.",
)
def people(who: str | None, db: str, site: str | None, set_role: str | None) -> None:
    """List the people of an archive with their roles, or set a role by hand.

    \b
    Examples:
      wparchive people --db archive/archive.db
      wparchive people --db archive/archive.db --set-role instructor "Eleanor Whitby"
      wparchive people --db archive/archive.db --set-role student 12
    """
    from archive import people as people_module
    from archive.db import open_db

    if not Path(db).exists():
        raise click.ClickException(f"no archive at {db}")
    archive = open_db(db)
    people_module.link_all_people(archive)
    if set_role:
        if not who:
            raise click.UsageError("--set-role needs WHO: a name, a user slug or a person number")
        found = people_module.find_people(archive, who, site)
        if not found:
            raise click.ClickException(f"nobody called {who!r} in {db}" + (f" on {site}" if site else ""))
        people_module.set_role(archive, [person["id"] for person in found], set_role)
        for person in found:
            click.echo(f"{person['id']}\t{person['name']}\t{set_role} (was {person['role']})")
        return
    rows = (
        people_module.find_people(archive, who, site)
        if who
        else archive.query(
            "SELECT p.* FROM people p JOIN sites s ON s.id = p.site_id"
            " WHERE :site IS NULL OR s.id = :site OR s.name = :site OR s.url = :site ORDER BY p.site_id, p.id",
            {"site": site},
        )
    )
    click.echo("id\tsite\trole\tposts\tcomments\tname\trole from")
    for person in rows:
        click.echo(
            f"{person['id']}\t{person['site_id']}\t{person['role'] or '(not known)'}"
            f"\t{person['posts']}\t{person['comments']}"
            f"\t{person['name'] or '(forgotten)'}\t{person['role_source']}"
        )


@main.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--db", default=DEFAULT_DB, show_default=True, help="The archive to export.")
@click.option("--pseudonymise", is_flag=True, help="Replace people by pseudonyms and mask them in texts.")
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False),
    help="The pseudonyms' secret key (made if missing; keep it apart from the export).",
)
@click.option("--shift-dates", is_flag=True, help="Move each site's dates by a number of days made from the key.")
def export(out: str, db: str, pseudonymise: bool, key_file: str | None, shift_dates: bool) -> None:
    """Write a copy of the archive to OUT (a new file) for sharing; with --pseudonymise, one an
    ethics board can accept: stable pseudonyms (HMAC under the key), names masked in texts, no
    author URLs, e-mail addresses or avatars. `wparchive serve OUT` publishes it with the same
    canned queries. What masking cannot catch: docs/people.md.

    \b
    Example:
      wparchive export --db archive/archive.db --pseudonymise --key-file ~/hist380.key hist380-research.db
    """
    from archive.export import export_archive, read_key

    if not Path(db).exists():
        raise click.ClickException(f"no archive at {db}")
    if Path(out).exists():
        raise click.UsageError(f"{out} exists: export into a new file")
    if (pseudonymise or shift_dates) and not key_file:
        raise click.UsageError("--pseudonymise and --shift-dates need --key-file")
    if shift_dates and not pseudonymise:
        raise click.UsageError("--shift-dates goes with --pseudonymise")
    key = None
    if pseudonymise:
        made = not Path(key_file).exists()
        try:
            key = read_key(key_file)
        except (OSError, ValueError) as error:
            raise click.ClickException(str(error)) from error
        if made:
            click.echo(f"Made a new key in {key_file}: keep it to give the same pseudonyms next time.", err=True)
    counts = export_archive(db, out, key=key, shift_dates=shift_dates)
    if pseudonymise:
        click.echo(
            f"Exported {db} to {out}: {counts['people']} people pseudonymised, {counts['rows_masked']} rows masked"
        )
    else:
        click.echo(f"Exported {db} to {out} (not pseudonymised)")


@main.command()
@click.argument("who")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="The archive.")
@click.option("--reason", required=True, help="Why (kept in the takedowns table; do not write the name here).")
@click.option("--site", help="Only on this site (its id, name or home URL); every site by default.")
@click.option("--dry-run", is_flag=True, help="Show whom it would forget, change nothing.")
def forget(who: str, db: str, reason: str, site: str | None, dry_run: bool) -> None:
    """Remove a person (WHO: a name as shown, a user slug or a person number) everywhere in the
    archive, for good: their posts and comments become tombstones (threads keep their shape),
    their name is masked in others' texts, their versions, files and full-text entries go, the
    crawls' WACZ files are rewritten without them, and later crawls never archive them again.

    \b
    Example:
      wparchive forget "Emily Chen" --db archive/archive.db --reason "former student's request, 2026-12-06"
    """
    from archive.db import ArchiveLock, ArchiveLocked, open_db
    from archive.people import find_people, link_all_people
    from archive.takedown import forget as forget_person
    from archive.takedown import forgotten_summary

    if not Path(db).exists():
        raise click.ClickException(f"no archive at {db}")
    if dry_run:
        archive = open_db(db)
        link_all_people(archive)
        found = find_people(archive, who, site)
        if not found:
            raise click.ClickException(f"nobody called {who!r} in {db}")
        for person in found:
            click.echo(
                f"would forget person {person['id']} on site {person['site_id']} ({person['role']}): "
                f"{person['posts']} posts, {person['comments']} comments"
            )
        return
    lock = ArchiveLock(db)
    try:
        lock.acquire(0)
    except ArchiveLocked as error:
        raise click.ClickException(f"{error}: forget when no crawl runs") from error
    try:
        rows = forget_person(db, who, reason, site)
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    finally:
        lock.release()
    click.echo(f"Forgot {who!r}: {forgotten_summary(rows)}")


# Exit codes of `wparchive crawl`, for cron, systemd and other schedulers.
EXIT_OK = 0  # every site crawled completely
EXIT_SITE_FAILED = 1  # a site could not be crawled at all (down, refusing, 5xx, timeouts)
EXIT_USAGE = 2  # bad arguments
EXIT_LOCKED = 3  # another crawl is writing this archive
EXIT_INTERRUPTED = 4  # stopped by Ctrl-C or a signal before the end
EXIT_PARTIAL = 5  # every site answered, but some pages or listings failed (the next run retries)
EXIT_DAMAGED = 6  # the archive file cannot be read (damaged): nothing was crawled
EXIT_UNWRITABLE = 7  # the archive cannot be written (read-only file or folder): nothing was crawled


@main.command()
@click.argument("urls", nargs=-1)
@click.option("--urls-file", type=click.Path(dir_okay=False, exists=True), help="One blog URL a line (# comments).")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="The archive (ARCHIVE_DB).")
@click.option("--contact", envvar="WPARCHIVE_CONTACT", help="Your e-mail or URL for the User-Agent (ARCHIVE_CONTACT).")
@click.option("--full", is_flag=True, help="Fetch every page again, not only what changed (ARCHIVE_FULL_RECRAWL).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the log here instead of stderr (LOG_FILE).")
@click.option(
    "--instructors",
    metavar="NAME,...",
    help="The instructors' display names or user slugs (-a instructors=...): their role is kept by later crawls.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    metavar="N",
    help="Crawl in N worker processes fed through Redis, this process writing the archive "
    "(0: only workers on other machines, `wparchive work`).",
)
@click.option(
    "--redis",
    "redis_url",
    envvar="WPARCHIVE_REDIS",
    help="The Redis server of --workers (ARCHIVE_REDIS_URL) [default: redis://127.0.0.1:6379/0].",
)
@click.option("--queue", help="The run's name on the Redis server (ARCHIVE_REDIS_QUEUE) [default: wparchive].")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Any Scrapy or ARCHIVE_ setting.")
def crawl(
    urls: tuple[str, ...],
    urls_file: str | None,
    db: str,
    contact: str | None,
    full: bool,
    log_file: str | None,
    instructors: str | None,
    workers: int | None,
    redis_url: str | None,
    queue: str | None,
    overrides: tuple[str, ...],
) -> None:
    """Crawl blogs into the archive (only what changed, when they are archived already) and exit
    with a code a scheduler can act on: 0 every site complete, 1 a site failed (down, refusing,
    5xx), 3 another crawl holds the archive, 4 interrupted, 5 some pages failed (retried next
    run), 6 the archive is damaged, 7 the archive cannot be written, 2 bad arguments. It runs
    `scrapy crawl wordpress`, whose exit code does not say that.

    \b
    Examples:
      wparchive crawl https://blogs.example.edu/hist380/ --contact you@example.edu
      wparchive crawl --urls-file blogs.txt --db /srv/wparchive/archive.db --log-file logs/crawl.log
      wparchive crawl https://blogs.example.edu/hist380/ --full -s DOWNLOAD_DELAY=2
      wparchive crawl https://blogs.example.edu/hist380/ --instructors "Eleanor Whitby,jdoe"
      wparchive crawl --urls-file blogs.txt --workers 3 --redis redis://127.0.0.1:6379/0
    """
    import os

    from archive.db import ArchiveLock, ArchiveLocked, ArchiveUnwritable

    if not urls and not urls_file:
        raise click.UsageError("give blog URLs or --urls-file")
    settings_pairs: dict[str, str] = {"ARCHIVE_DB": db}
    if contact:
        settings_pairs["ARCHIVE_CONTACT"] = contact
    if full:
        settings_pairs["ARCHIVE_FULL_RECRAWL"] = "True"
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        settings_pairs["LOG_FILE"] = log_file
    if redis_url:
        settings_pairs["ARCHIVE_REDIS_URL"] = redis_url
    if queue:
        settings_pairs["ARCHIVE_REDIS_QUEUE"] = queue
    settings_pairs.update(parse_overrides(overrides))
    lock = ArchiveLock(settings_pairs["ARCHIVE_DB"])
    try:
        lock.acquire(float(settings_pairs.get("ARCHIVE_LOCK_TIMEOUT", 0)))
    except ArchiveLocked as error:
        click.echo(f"wparchive crawl: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    except OSError as error:
        click.echo(f"wparchive crawl: {ArchiveUnwritable(settings_pairs['ARCHIVE_DB'], error)}", err=True)
        sys.exit(EXIT_UNWRITABLE)
    lock.release()  # the crawl's pipeline takes it again for the whole crawl

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "spiders.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from spiders.wordpress import WordPressSpider

    settings = get_project_settings()
    for name, value in settings_pairs.items():
        settings.set(name, value, priority="cmdline")
    spider_class: type = WordPressSpider
    arguments: dict = {"url": ",".join(urls) or None, "urls_file": urls_file, "instructors": instructors}
    local = None
    if workers is not None:
        spider_class, local = writer_with_workers(settings, settings_pairs, workers, log_file)
        arguments["local_workers"] = local
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_class)
    failures: list[BaseException] = []
    deferred = process.crawl(crawler, **arguments)
    deferred.addErrback(lambda failure: failures.append(failure.value))
    if local is not None:
        local.start()  # they start up while the writer does, and wait for its run
    try:
        process.start()
    finally:
        if local is not None:
            local.stop(timeout=30)
    sys.exit(crawl_exit_code(crawler.stats.get_stats() if crawler.stats else {}, failures))


def parse_overrides(overrides: tuple[str, ...]) -> dict[str, str]:
    """`-s NAME=VALUE` options as a dict."""
    pairs = {}
    for pair in overrides:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.UsageError(f"-s wants NAME=VALUE, not {pair!r}")
        pairs[name] = value
    return pairs


def writer_with_workers(
    settings: Settings, settings_pairs: dict[str, str], workers: int, log_file: str | None
) -> tuple[type, LocalWorkers | None]:
    """The writer's spider class and the local workers of `wparchive crawl --workers N`; exits
    when the Redis server cannot be reached (1) or another writer uses the queue (3)."""
    import redis

    from spiders.workers import LocalWorkers, WriterSpider, work_queue

    queue = work_queue(settings)
    try:
        writer = queue.live_writer()
    except redis.RedisError as error:
        click.echo(f"wparchive crawl: Redis at {settings.get('ARCHIVE_REDIS_URL')}: {error}", err=True)
        sys.exit(EXIT_SITE_FAILED)
    if writer:
        click.echo(f"wparchive crawl: another run ({writer}) uses the queue {queue.name!r}: use --queue", err=True)
        sys.exit(EXIT_LOCKED)
    passed = {name: value for name, value in settings_pairs.items() if name not in ("ARCHIVE_DB", "LOG_FILE")}

    def command(number: int) -> list[str]:
        argv = [sys.executable, "-m", "archive.cli", "work", "--db", settings_pairs["ARCHIVE_DB"]]
        if log_file:
            path = Path(log_file)
            argv += ["--log-file", str(path.with_name(f"{path.stem}.worker{number}{path.suffix}"))]
        for name, value in passed.items():
            argv += ["-s", f"{name}={value}"]
        return argv

    def salvage(pid: int) -> list[str]:
        """Pack the WARC a dead local worker left unfinished (its name ends with its pid)."""
        from archive.warc import capture_folder, salvage_warc

        folder = Path(settings.get("ARCHIVE_CAPTURE_DIR") or capture_folder(settings_pairs["ARCHIVE_DB"]))
        partial = folder / ".partial"
        left = sorted([*partial.glob(f"*-{pid}.warc.gz"), *partial.glob(f"*-{pid}-part*.warc.gz")])
        return [salvage_warc(path, folder).name for path in left]

    return WriterSpider, (LocalWorkers(workers, command, salvage) if workers else None)


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="The archive, or a read-only copy of it.")
@click.option("--redis", "redis_url", envvar="WPARCHIVE_REDIS", help="The writer's Redis server (ARCHIVE_REDIS_URL).")
@click.option("--queue", help="The run's name on the Redis server (ARCHIVE_REDIS_QUEUE) [default: wparchive].")
@click.option("--contact", envvar="WPARCHIVE_CONTACT", help="Your e-mail or URL for the User-Agent (ARCHIVE_CONTACT).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the log here instead of stderr (LOG_FILE).")
@click.option("--wait", default=600.0, show_default=True, help="Seconds to wait for a writer to start a run.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Any Scrapy or ARCHIVE_ setting.")
def work(
    db: str,
    redis_url: str | None,
    queue: str | None,
    contact: str | None,
    log_file: str | None,
    wait: float,
    overrides: tuple[str, ...],
) -> None:
    """Crawl blogs for a `wparchive crawl --workers` run, on this machine or another: waits for
    the run's writer, takes blogs from its Redis queue until every blog is done, and sends what it
    crawls back to the writer. Never writes the archive; reads what it holds from --db (the file
    itself on the writer's machine, a copy elsewhere) and keeps its WACZ file beside it.

    \b
    Examples:
      wparchive work --redis redis://127.0.0.1:6379/0 --db /srv/wparchive/archive.db     # the writer's machine
      wparchive work --redis redis://:PASSWORD@10.0.0.1:6379/0 --db /srv/wparchive/copy.db --contact you@example.edu
    """
    import os
    import time

    import redis

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "spiders.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from spiders.workers import WorkerSpider, work_queue

    settings = get_project_settings()
    pairs = {"ARCHIVE_DB": db, **parse_overrides(overrides)}
    for name, value in (
        ("ARCHIVE_REDIS_URL", redis_url),
        ("ARCHIVE_REDIS_QUEUE", queue),
        ("ARCHIVE_CONTACT", contact),
        ("LOG_FILE", log_file),
    ):
        if value:
            pairs[name] = value
    for name, value in pairs.items():
        settings.set(name, value, priority="cmdline")
    work_on = work_queue(settings)
    deadline = time.monotonic() + wait
    options = None
    while options is None:
        try:
            options = work_on.run_options()
        except redis.RedisError as error:
            click.echo(f"wparchive work: Redis at {settings.get('ARCHIVE_REDIS_URL')}: {error}", err=True)
            sys.exit(EXIT_SITE_FAILED)
        if options is None:
            if time.monotonic() > deadline:
                click.echo(f"wparchive work: no writer started a run on {work_on.name!r} in {wait:g} s", err=True)
                sys.exit(EXIT_SITE_FAILED)
            time.sleep(0.2)
    settings.set("ARCHIVE_FULL_RECRAWL", bool(options.get("full")), priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(WorkerSpider)
    process.crawl(crawler, run=options["run"])
    process.start()
    reason = (crawler.stats.get_stats() if crawler.stats else {}).get("finish_reason")
    sys.exit(EXIT_OK if reason == "finished" else EXIT_INTERRUPTED if reason == "shutdown" else EXIT_SITE_FAILED)


def crawl_exit_code(stats: dict, failures: list[BaseException]) -> int:
    """The exit code of `wparchive crawl` from the crawl's stats and bootstrap failures."""
    from archive.db import ArchiveDamaged, ArchiveLocked, ArchiveUnwritable

    if any(isinstance(f, ArchiveLocked) for f in failures):
        return EXIT_LOCKED
    if any(isinstance(f, ArchiveDamaged) for f in failures):
        return EXIT_DAMAGED
    if any(isinstance(f, ArchiveUnwritable) for f in failures):
        return EXIT_UNWRITABLE
    if failures or stats.get("finish_reason") not in ("finished", None):
        return EXIT_INTERRUPTED if stats.get("finish_reason") == "shutdown" else EXIT_SITE_FAILED
    if stats.get("wparchive/sites_failed"):
        return EXIT_SITE_FAILED
    if stats.get("wparchive/sites_partial") or stats.get("wparchive/sites_interrupted"):
        return EXIT_PARTIAL
    if any(stats.get(f"wparchive/{key}") for key in ("posts_not_archived", "records_not_saved", "capture_failed")):
        return EXIT_PARTIAL  # a save or the capture failed (a full disk): whatever the site's record says
    if not stats:
        return EXIT_SITE_FAILED
    return EXIT_OK


@main.command()
@click.argument("waczs", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--db", required=True, help="The archive to build (a new file).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Any Scrapy or ARCHIVE_ setting.")
def rebuild(waczs: tuple[str, ...], db: str, overrides: tuple[str, ...]) -> None:
    """Build an archive again from archived crawls, without the network: each crawl's WACZ (in the
    order given: the order they were crawled; a big crawl's parts, `-part2` and on, together) is
    crawled again with every request answered from it, by today's extractor. The database equals
    the one the crawls made, row by row (crawl ids, times and stats aside). Exits with the worst of
    the crawls' exit codes.

    \b
    Example:
      wparchive rebuild archive/archive.wacz/*.wacz --db rebuilt.db
    """
    import subprocess
    import tempfile

    from archive.warc import crawl_parts, index_wacz

    if Path(db).exists():
        raise click.UsageError(f"{db} exists: rebuild into a new file")
    worst = EXIT_OK
    for parts in crawl_parts([Path(path) for path in waczs]):
        with tempfile.TemporaryDirectory() as folder:
            crawl_args, _ = index_wacz(parts[-1], Path(folder))  # the last part names a worker's blogs
        path = ", ".join(str(part) for part in parts)
        urls = crawl_args.get("urls") or []
        if not urls:
            click.echo(f"wparchive rebuild: {path} names no start URL (made before rebuilds were possible)", err=True)
            sys.exit(EXIT_USAGE)
        settings = {
            "ARCHIVE_REPLAY_FROM": os.pathsep.join(str(part.resolve()) for part in parts),
            "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_ENABLED": "False",
            "ARCHIVE_CONTACT": "rebuild",
        }
        command = [sys.executable, "-m", "archive.cli", "crawl", *urls, "--db", db]
        command += ["--full"] if crawl_args.get("full") else []
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        for pair in overrides:
            command += ["-s", pair]
        click.echo(f"Rebuilding from {path}", err=True)
        code = subprocess.run(command).returncode
        worst = max(worst, code)
    sys.exit(worst)


if __name__ == "__main__":
    main()
