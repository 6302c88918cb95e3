"""The `wparchive` command: check extraction on a page, serve an archive in Datasette."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

import click

from spiders.extraction.page import extract_post
from spiders.extraction.text import decode_html

DEFAULT_DB = "archive/archive.db"


@click.group()
@click.version_option(package_name="wparchive")
def main() -> None:
    """Archive WordPress course blogs into SQLite and publish them with Datasette.

    Crawling is Scrapy's job: scrapy crawl wordpress -a url=https://blog.example.edu/
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


@main.command()
@click.argument("db", default=DEFAULT_DB, type=click.Path(dir_okay=False))
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
def serve(db: str, port: int, host: str) -> None:
    """Browse an archive in Datasette (read-only), with search, facets and threads.

    \b
    Example:
      wparchive serve archive/archive.db --port 8001
    """
    from archive.datasette import serve_archive

    if not Path(db).exists():
        raise click.ClickException(f"no archive at {db}: crawl a blog first (see README)")
    serve_archive(db, host=host, port=port)


if __name__ == "__main__":
    main()
