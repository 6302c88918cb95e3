"""Datasette for the archive: metadata from the schema, safe rendering, the chart, and serving.

The pages themselves (post, search, activity, front page) are a Datasette plugin in
`archive/plugins/wparchive_pages.py` with templates in `archive/templates/`; the research SQL is in
`archive.research`. Everything that decides *what is safe to show* lives here, as plain functions
the plugin calls and the tests check directly.

Written for Datasette 0.65.x (metadata holds descriptions, facets and canned queries).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import nh3
from bs4 import BeautifulSoup, Tag
from markupsafe import Markup, escape

from archive import schema
from archive.research import CANNED_QUERIES, RESEARCH_SUMMARIES, RESEARCH_VIEWS, THREAD_SQL, ensure_research_shape
from archive.schema import FTS, TABLES, VIEWS

if TYPE_CHECKING:
    from datasette.app import Datasette

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
PLUGINS = HERE / "plugins"
STATIC = HERE / "static"
STATIC_MOUNT = "wparchive-static"
SETTINGS: dict[str, Any] = {
    "default_page_size": 50,
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 1000,
    "max_returned_rows": 5000,
}


# The activity page draws this many blogs' charts at a time (each is one indexed query).
CHARTS_PER_PAGE = 10


def content_security_policy(nonce: str) -> str:
    """The Content-Security-Policy of every response (the one definition of it).

    Nothing is loaded from outside the machine: no source names another host, images are the
    server's own or `data:` (Datasette's stylesheet draws an icon as a data: SVG). Only scripts that
    carry this response's nonce run, and only Datasette's templates write `<script` tags (see
    `add_script_nonces`). Styles may be inline: Datasette's templates use style attributes and
    `<style>` blocks, archived HTML carries no style (the sanitiser drops it), and a style can load
    nothing from outside under this policy. Forms submit only to the archive; nothing may frame it.
    """
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


_SCRIPT_TAG = re.compile(rb"<script(?=[\s>/])", re.IGNORECASE)


def add_script_nonces(html: bytes, nonce: str) -> bytes:
    """Every `<script` tag of a page Datasette rendered, with the response's nonce.

    Safe because no `<script` tag in the page can come from the archive: Datasette's templates
    (and ours) autoescape every value they render, so a title, name or comment that contains
    `<script>` arrives as `&lt;script&gt;`; the only markup rendered unescaped is archived HTML,
    which has passed the nh3 sanitiser (`sanitise_html`: no `<script>`, no handler, no
    `javascript:`), and our own cell links, which escape their values. So the tags found here are
    the templates' own (Datasette's menu, table and SQL-editor scripts).
    """
    return _SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode("ascii") + b'"', html)


def with_content_security_policy(app: Any) -> Any:
    """ASGI middleware: every HTTP response carries `content_security_policy` with a fresh nonce,
    which HTML responses give to their own `<script` tags (the page is held until complete, so
    its length is rewritten); anything else (JSON, CSV streams, static files) passes unchanged."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        policy = content_security_policy(nonce).encode("ascii")
        held: dict[str, Any] = {}
        body: list[bytes] = []

        async def send_with_policy(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers") or []
                    if name.lower() != b"content-security-policy"
                ]
                headers.append((b"content-security-policy", policy))
                # A link followed out of the archive does not tell the other host which page held it.
                headers = [(n, v) for n, v in headers if n.lower() != b"referrer-policy"]
                headers.append((b"referrer-policy", b"no-referrer"))
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if content_type.lower().startswith(b"text/html"):
                    held["start"] = {**message, "headers": headers}
                    return
                await send({**message, "headers": headers})
                return
            if message["type"] == "http.response.body" and "start" in held:
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = add_script_nonces(b"".join(body), nonce)
                start = held.pop("start")
                start["headers"] = [(n, v) for n, v in start["headers"] if n.lower() != b"content-length"]
                start["headers"].append((b"content-length", str(len(page)).encode("ascii")))
                await send(start)
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await app(scope, receive, send_with_policy)

    return wrapped


__all__ = [
    "CANNED_QUERIES",
    "THREAD_SQL",
    "activity_svg",
    "archived_media_url",
    "bidi_text",
    "build_metadata",
    "build_thread",
    "client_error",
    "content_security_policy",
    "datasette_instance",
    "isolated",
    "NAME_COLUMNS",
    "metadata_for",
    "prepare_archive",
    "rewrite_media",
    "safe_href",
    "sanitise_html",
    "serve_archive",
    "with_content_security_policy",
]

# Views of crawls and history (archive/schema.py), when this version of the schema has them.
HISTORY_VIEWS: dict[str, tuple[str, str]] = getattr(schema, "HISTORY_VIEWS", {})

FACETS: dict[str, list[Any]] = {
    "posts": ["site_id", "author", "type", "year"],
    "comments": ["type", "author", "depth"],
    "post_index": ["site", "author", "year", {"array": "categories"}, {"array": "tags"}],
    "comment_index": ["site", "type", "author", "year", "depth"],
    "post_terms_index": ["site", "taxonomy", "term", "year"],
    "terms": ["taxonomy", "site_id"],
    "share_links": ["service"],
    "crawls": ["status"],
}
# Columns of the research views, described like the tables' columns.
VIEW_COLUMNS: dict[str, dict[str, str]] = {
    "post_index": {
        "id": "The post (posts.id); its page is /-/post/<id>.",
        "site": "The blog's name.",
        "type": "post or page.",
        "title": "Title.",
        "author": "Author's display name.",
        "published": "Publication date, ISO 8601.",
        "year": "Year of publication.",
        "categories": "Category names as a JSON array.",
        "tags": "Tag names as a JSON array.",
        "comments": "Comments, pingbacks and trackbacks archived for the post.",
        "url": "The post's original URL.",
    },
    "integrity": {
        "post_id": "The post (posts.id).",
        "url": "The post's original URL.",
        "title": "Title.",
        "declared": "The count the page states.",
        "rest": "The count the REST API reports.",
        "captured": "Comments, pingbacks and trackbacks archived.",
        "missing_ids": "WordPress ids of comments that captured replies answer but that were not captured (JSON).",
        "external_comments": "disqus, facebook, ... when comments live elsewhere.",
        "comments_complete": "0 when some comment pages could not be fetched.",
    },
    "comment_index": {
        "id": "The comment (comments.id); shown at /-/post/<post_id>#comment-<id>.",
        "site": "The blog's name.",
        "post_id": "The post the comment belongs to.",
        "post_title": "That post's title.",
        "author": "Commenter's name; for pingbacks, the linking site.",
        "type": "comment, pingback or trackback.",
        "depth": "1 at the top level, 2 for a reply, and so on.",
        "published": "When it was posted, ISO 8601.",
        "year": "Year it was posted.",
        "content_text": "The comment as plain text.",
    },
    "instructor_replies": {
        "comment_id": "The instructor's comment (comments.id).",
        "site": "The blog's name.",
        "post_id": "The post it is on (posts.id).",
        "post_title": "That post's title.",
        "instructor": "The instructor (people.name).",
        "published": "When the comment was posted.",
        "answers": "comment (a reply) or post (a top-level comment).",
        "answered": "Whom it answers: the author of the comment replied to, or of the post.",
        "answered_role": "Their role (people.role).",
        "content_text": "The comment as plain text.",
    },
    "student_replies": {
        "comment_id": "The student's comment (comments.id).",
        "site": "The blog's name.",
        "post_id": "The post it is on (posts.id).",
        "post_title": "That post's title.",
        "student": "The student who wrote it (people.name).",
        "published": "When the comment was posted.",
        "answers": "comment (a reply) or post (a top-level comment).",
        "answered": "The other student it answers.",
        "content_text": "The comment as plain text.",
    },
    "response_times": {
        "post_id": "The student's post (posts.id).",
        "site": "The blog's name.",
        "title": "Its title.",
        "student": "Its author (people.name).",
        "published": "When it was published.",
        "first_response": "The first comment on it by someone else (UTC).",
        "hours_to_first_response": "Hours from publishing to that comment.",
        "first_instructor_response": "The first comment on it by an instructor (UTC).",
        "hours_to_instructor_response": "Hours from publishing to that comment.",
    },
    "post_terms_index": {
        "post_id": "The post (posts.id).",
        "site": "The blog's name.",
        "taxonomy": "category or post_tag.",
        "term": "The category's or tag's name.",
        "title": "The post's title.",
        "author": "The post's author.",
        "year": "Year the post was published.",
    },
}


# ---------------------------------------------------------------------------------------------
# Metadata


def archive_summary(db_path: str | Path) -> dict[str, Any]:
    """What the archive holds and when it was crawled, read from the sites and crawls tables."""
    summary: dict[str, Any] = {"sites": [], "crawls": 0, "first_crawl": None, "last_crawl": None}
    path = Path(db_path)
    if not path.exists():
        return summary
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        summary["sites"] = [
            {"id": row[0], "name": row[1], "url": row[2]}
            for row in conn.execute("SELECT id, name, url FROM sites ORDER BY id")
        ]
        count, first, last = conn.execute(
            "SELECT count(*), min(started), max(coalesce(finished, started)) FROM crawls"
        ).fetchone()
        summary.update(crawls=count, first_crawl=first, last_crawl=last)
    except sqlite3.Error:
        pass  # not an archive (yet): describe it without its provenance
    finally:
        conn.close()
    return summary


def provenance(summary: Mapping[str, Any]) -> str:
    """One sentence on where the archive comes from and when it was crawled."""
    sites = summary.get("sites") or []
    if not sites:
        return "No blog archived yet."
    names = ", ".join(bidi_text(f"{s['name'] or s['url']} ({s['url']})") for s in sites[:5])
    more = f" and {len(sites) - 5} more" if len(sites) > 5 else ""
    crawled = ""
    if summary.get("crawls"):
        crawled = (
            f" in {summary['crawls']} crawl{'s' if summary['crawls'] != 1 else ''} from "
            f"{str(summary['first_crawl'])[:10]} to {str(summary['last_crawl'])[:10]} (see the crawls table)"
        )
    return f"Archived from {len(sites)} WordPress blog{'s' if len(sites) != 1 else ''}: {names}{more}{crawled}."


def build_metadata(title: str = "wparchive", summary: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Datasette metadata: every table, view and column described, facets, search, canned queries."""
    summary = summary or {}
    crawled = ""
    if summary.get("crawls"):
        crawled = (
            f" Crawled {str(summary['first_crawl'])[:10]} to {str(summary['last_crawl'])[:10]}: each row's "
            "first_crawl and last_crawl point into the crawls table."
        )
    tables: dict[str, Any] = {}
    for table in TABLES:
        entry: dict[str, Any] = {
            "description": table.description + (crawled if "first_crawl" in {c.name for c in table.columns} else ""),
            "columns": {column.name: column.description for column in table.columns},
        }
        if table.name in FACETS:
            entry["facets"] = FACETS[table.name]
        if table.name in FTS:
            entry["fts_table"] = f"{table.name}_fts"
            entry["fts_pk"] = "id"
            entry["searchmode"] = "escaped"
        tables[table.name] = entry
    for table_name, columns in FTS.items():
        tables[f"{table_name}_fts"] = {
            "description": f"Full-text index (SQLite FTS5, porter stemming) of {table_name}: "
            + ", ".join(columns)
            + ". Search from /-/search or the search box of the table.",
            "hidden": True,
        }
    for name, (description, columns, _) in RESEARCH_SUMMARIES.items():
        tables[name] = {"description": description, "columns": columns, "hidden": True}
    for name, (description, _) in {**VIEWS, **HISTORY_VIEWS, **RESEARCH_VIEWS}.items():
        tables[name] = {"description": description, "columns": VIEW_COLUMNS.get(name, {})}
        if name in FACETS:
            tables[name]["facets"] = FACETS[name]
    source = provenance(summary)
    sites = summary.get("sites") or []
    metadata: dict[str, Any] = {
        "title": title,
        "description": "WordPress course blogs archived by wparchive: posts, breadcrumbs, share links "
        f"and threaded comments. {source}",
        "source": f"{len(sites)} WordPress blog{'s' if len(sites) != 1 else ''} (see the sites table)"
        if sites
        else "wparchive",
        "databases": {
            "*": {
                "description": source,
                "tables": tables,
                "queries": {name: dict(query) for name, query in CANNED_QUERIES.items()},
            }
        },
    }
    if len(sites) == 1:
        metadata["source_url"] = sites[0]["url"]
    return metadata


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives a database file: its stem."""
    return Path(db_path).stem


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    """Metadata with the database's own name as the key, and the archive's provenance."""
    metadata = build_metadata(summary=archive_summary(db_path))
    metadata["databases"] = {database_name(db_path): metadata["databases"]["*"]}
    return metadata


# ---------------------------------------------------------------------------------------------
# Safe rendering

_SAFE_SCHEMES = {"http", "https", "mailto"}
# Elements that load a file: the sanitiser keeps them so that `rewrite_media` can see them, and
# `rewrite_media` replaces every one of them.
MEDIA_TAGS = {"img", "picture", "video", "audio", "source", "track"}
_CLEANER = nh3.Cleaner(
    tags=set(nh3.ALLOWED_TAGS) | MEDIA_TAGS,
    attributes={
        **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
        "a": {"href", "hreflang", "title"},
        "img": {"alt", "height", "width", "src", "srcset", "title"},
        "source": {"src", "srcset", "type"},
        "video": {"src", "poster", "title"},
        "audio": {"src", "title"},
        "track": {"src"},
        "td": {"rowspan", "colspan"},
        "th": {"rowspan", "colspan", "scope"},
    },
    clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template", "frame"},
    url_schemes=_SAFE_SCHEMES,
    url_relative="deny",
    link_rel="noopener noreferrer nofollow ugc",
)
# Every attribute by which an element asks for a file; none is left on archived HTML's elements.
_LOADING_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc", "ping", "style")
# The placeholder shown where an archived picture, video or recording would load: a small framed
# picture drawn inline (a data: URI, which the Content-Security-Policy allows), never a request.
MEDIA_PLACEHOLDER = "data:image/svg+xml," + quote(
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 20 16'><rect x='.5' y='.5' width='19' height='15' "
    "rx='2' fill='#eef2f8' stroke='#8a94a6'/><path d='M3 13l4-5 3 3 3-4 4 6z' fill='#8a94a6'/></svg>",
    safe="/=':.-",
)
_MEDIA_KIND = {"img": "Image", "picture": "Image", "video": "Video", "audio": "Audio recording"}


def archived_media_url(original_url: str) -> str | None:
    """Where the archive serves its own copy of the file at `original_url`: by default nowhere (a
    placeholder links to the original). The post page passes its own look-up instead: the files
    the crawls kept, at `/-/media/<id>` (archive/plugins/wparchive_pages.py)."""
    return None


def _first_srcset_url(srcset: str | None) -> str | None:
    """The first candidate's URL of a `srcset` ("a.jpg 1x, b.jpg 2x" -> "a.jpg")."""
    for candidate in (srcset or "").split(","):
        words = candidate.split()
        if words:
            return words[0]
    return None


def _media_source(element: Tag) -> str | None:
    """The address an `<img>`, `<picture>`, `<video>` or `<audio>` would have loaded first."""
    if element.name == "picture":
        image = element.find("img")
        if isinstance(image, Tag) and (url := _media_source(image)):
            return url
    if element.get("src"):
        return str(element["src"])
    if element.name == "img" and (url := _first_srcset_url(str(element.get("srcset") or ""))):
        return url
    for source in element.find_all("source"):
        if url := str(source.get("src") or "") or _first_srcset_url(str(source.get("srcset") or "")):
            return url
    if element.name == "video" and element.get("poster"):
        return str(element["poster"])
    return None


def _media_label(element: Tag, url: str | None) -> str:
    """What the placeholder says: the kind of media and its alt text (or title, or file name)."""
    image = element.find("img") if element.name == "picture" else element
    text = ""
    if isinstance(image, Tag):
        text = str(image.get("alt") or image.get("title") or "").strip()
    if not text and url:
        try:
            text = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        except ValueError:
            text = ""
    kind = _MEDIA_KIND.get(element.name, "Media")
    return f"{kind}: {text}" if text else kind


def _placeholder(soup: BeautifulSoup, element: Tag, url: str | None, inside_link: bool) -> Tag:
    """A link out to the original (or, inside a link already, a marked span) with the placeholder
    picture and the alt text: nothing in it is loaded from anywhere."""
    href = safe_href(url)
    if href and not inside_link:
        box = soup.new_tag("a", attrs={"class": "archived-media", "href": href, "rel": "noopener noreferrer nofollow"})
        box["title"] = f"Not loaded from {urlsplit(href).hostname}: open the original"
    else:
        box = soup.new_tag("span", attrs={"class": "archived-media"})
        if href:
            box["title"] = f"Not loaded: {href}"
    box.append(soup.new_tag("img", attrs={"class": "media-placeholder", "src": MEDIA_PLACEHOLDER, "alt": ""}))
    label = soup.new_tag("span", attrs={"class": "media-label"})
    label.string = _media_label(element, url)
    box.append(label)
    return box


def rewrite_media(html: str, archived_copy: Callable[[str], str | None] = archived_media_url) -> str:
    """Sanitised HTML with nothing that loads from outside: each `<img>`, `<picture>`, `<video>`
    and `<audio>` becomes the archive's copy (`archived_copy`) or a placeholder that links to the
    original; stray `<source>`/`<track>` go, and no element keeps an attribute that loads a file."""
    if not any(f"<{tag}" in html for tag in MEDIA_TAGS):
        return html
    soup = BeautifulSoup(html, "html.parser")
    shown: list[Tag] = []  # the images this function puts in: the only ones that keep a src
    for element in soup.find_all(["picture", "video", "audio", "img"]):
        if element.find_parent(["picture", "video", "audio"]) or element.find_parent(class_="archived-media"):
            continue  # replaced with the element around it
        url = _media_source(element)
        copy = archived_copy(url) if url else None
        if copy and element.name in ("img", "picture"):
            image = element.find("img") if element.name == "picture" else element
            alt = str(image.get("alt") or "") if isinstance(image, Tag) else ""
            replacement = soup.new_tag("img", attrs={"class": "archived-copy", "src": copy, "alt": alt})
            shown.append(replacement)
        else:
            replacement = _placeholder(soup, element, url, inside_link=element.find_parent("a") is not None)
            shown.extend(replacement.find_all("img"))
        element.replace_with(replacement)
    for element in soup.find_all(["source", "track", "picture", "video", "audio"]):
        element.decompose()  # a <source> or <track> outside any media element loads nothing; drop it
    for element in soup.find_all(True):
        if any(element is image for image in shown):
            continue
        for attribute in _LOADING_ATTRIBUTES:
            element.attrs.pop(attribute, None)
    return str(soup)


def sanitise_html(
    html: str | None, text: str | None = None, archived_copy: Callable[[str], str | None] = archived_media_url
) -> Markup:
    """Archived HTML made harmless again at render time (defence in depth: it was cleaned when
    stored). No script, handler, style, frame or `javascript:` URL survives; broken markup is
    balanced so it cannot escape its container; pictures, videos and recordings load nothing from
    outside (`rewrite_media`). Falls back to `text` as escaped paragraphs."""
    if html:
        return Markup(rewrite_media(_CLEANER.clean(html), archived_copy))
    if text:
        return Markup("".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip()))
    return Markup("")


# Characters that reorder the text around them: embeddings and overrides (U+202A-U+202E) and
# isolates (U+2066-U+2069). "Alice\u202egnp.exe" shows as "Aliceexe.png", and one left open turns
# the rest of its line around. The marks U+200E, U+200F and U+061C are kept: they reorder nothing,
# only give neutral characters next to them a direction, and names in Arabic or Hebrew need them;
# inside the <bdi> that `isolated` puts around every name they cannot reach the page around it.
BIDI_CONTROLS = {
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
}
# Columns of the tables, views and research queries that hold a name or a title.
NAME_COLUMNS = {
    "title",
    "author",
    "name",
    "label",
    "site",
    "post_title",
    "term",
    "replier",
    "replied_to",
    "reply_by",
    "replying_to",
    "site_name",
}
_BIDI_CONTROL = re.compile("[" + "".join(BIDI_CONTROLS) + "]")


def bidi_text(value: Any) -> str:
    """A name or title as plain text to show, each bidi control replaced by a visible marker
    ("[U+202E]"); the archived value itself stays as crawled."""
    text = "" if value is None else str(value)
    return _BIDI_CONTROL.sub(lambda match: f"[U+{ord(match.group()):04X}]", text)


def isolated(value: Any) -> Markup:
    """A name or title as HTML: escaped, bidi controls shown as markers, inside `<bdi>` so that its
    direction (a name in Arabic, say) cannot reorder the text around it."""
    return Markup("<bdi>{}</bdi>").format(bidi_text(value))


def safe_href(url: str | None, schemes: Iterable[str] = ("http", "https")) -> str | None:
    """The URL when it may be a link (absolute, allowed scheme, no control characters), else None."""
    if not url:
        return None
    url = url.strip()
    if any(ord(ch) < 32 or ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in set(schemes):
        return None
    if parts.scheme.lower() in {"http", "https"} and not parts.netloc:
        return None
    return url


def format_date(value: str | None) -> str:
    """An ISO date as people read it ("Wed 12 Sep 2012, 09:15"), or the text as given."""
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return parsed.strftime("%a %d %b %Y")
    return parsed.strftime("%a %d %b %Y, %H:%M")


def client_error(exception: BaseException, args: Mapping[str, str]) -> str | None:
    """Why a request failed by its own fault, for exceptions Datasette 0.65 lets through as HTTP 500,
    or None for a real server error (which stays a 500).

    Found by sending odd input to every route (tests/test_publishing.py): a sort by a column that
    is not there, a NUL character anywhere in the query, a filter number past SQLite's 64-bit
    integers, and a facet given as a JSON object without a column.
    """
    message = str(exception)
    if type(exception).__name__ == "DatasetteError" and message.startswith("Cannot sort table by "):
        return f"there is no column {message.removeprefix('Cannot sort table by ')!r} to sort by"
    if isinstance(exception, ValueError | sqlite3.ProgrammingError) and "null character" in message:
        return "the request contains a NUL character"
    if isinstance(exception, OverflowError):
        return "a number in the request is larger than SQLite's integers"
    if isinstance(exception, KeyError) and any(
        name.startswith("_facet") and value.lstrip().startswith("{") for name, value in args.items()
    ):
        return 'a facet given as JSON must name its column, like {"simple": "author"}'
    return None


# ---------------------------------------------------------------------------------------------
# Threads


@dataclass
class ThreadNode:
    """A comment in its place in the reply tree."""

    comment: dict[str, Any]
    depth: int
    parent: dict[str, Any] | None = None
    children: list[ThreadNode] = field(default_factory=list)


def build_thread(comments: Sequence[Mapping[str, Any]]) -> list[ThreadNode]:
    """The reply tree of one post's comments, each level in page order (`position`).

    Comments whose parent is not among them are shown at the top level; a cycle in the parent links
    (corrupt data) cannot loop: every comment appears exactly once.
    """
    rows = sorted((dict(c) for c in comments), key=lambda c: (c.get("position") or 0, c["id"]))
    by_id = {row["id"]: row for row in rows}
    children: dict[Any, list[dict[str, Any]]] = {}
    roots: list[dict[str, Any]] = []
    for row in rows:
        parent_id = row.get("parent_id")
        if parent_id is not None and parent_id in by_id and parent_id != row["id"]:
            children.setdefault(parent_id, []).append(row)
        else:
            roots.append(row)
    placed: set[Any] = set()

    def grow(row: dict[str, Any], depth: int, parent: dict[str, Any] | None) -> ThreadNode:
        placed.add(row["id"])
        node = ThreadNode(row, depth, parent)
        for child in children.get(row["id"], []):
            if child["id"] not in placed:
                node.children.append(grow(child, depth + 1, row))
        return node

    tree = [grow(row, 1, None) for row in roots]
    tree += [grow(row, 1, None) for row in rows if row["id"] not in placed]  # only cycles remain
    return tree


def thread_depth(tree: Sequence[ThreadNode]) -> int:
    """The depth of the deepest reply."""
    return max((max(node.depth, thread_depth(node.children)) for node in tree), default=0)


# ---------------------------------------------------------------------------------------------
# The chart: posts and comments per week, drawn as inline SVG on the server


def _week_label(week: str) -> str:
    return date.fromisoformat(week).strftime("%d %b %Y")


def activity_svg(weeks: Sequence[Mapping[str, Any]], title: str, width: int = 760) -> Markup:
    """Two aligned bar charts for one site (posts per week above, comments per week below),
    one bar per week with activity, as inline SVG: no script, nothing loaded from anywhere.

    `weeks` are rows of the weekly_activity query (week, posts, comments), every week of the
    range included, in order.
    """
    weeks = list(weeks)
    left, right, panel, gap, top, bottom = 44, 12, 88, 26, 24, 30
    height = top + 2 * panel + gap + bottom
    if not weeks:
        return Markup(
            f'<svg class="activity-chart" role="img" width="{width}" height="40" viewBox="0 0 {width} 40">'
            f"<title>{escape(title)}: no dated activity</title>"
            '<text x="0" y="24">No dated posts or comments.</text></svg>'
        )
    step = min(36.0, (width - left - right) / len(weeks))
    width = max(260, int(left + right + step * len(weeks)))
    bar = max(1.0, step * 0.75)
    parts = [
        f'<svg class="activity-chart" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}: posts and comments per week</title>",
    ]
    for index, (series, label) in enumerate((("posts", "posts"), ("comments", "comments"))):
        y0 = top + index * (panel + gap)
        peak = max((int(w.get(series) or 0) for w in weeks), default=0)
        parts.append(
            f'<g class="panel panel-{series}">'
            f'<text class="panel-label" x="{left}" y="{y0 - 8}">{label} per week</text>'
            f'<text class="axis" x="{left - 6}" y="{y0 + 10}" text-anchor="end">{peak}</text>'
            f'<text class="axis" x="{left - 6}" y="{y0 + panel}" text-anchor="end">0</text>'
            f'<line class="baseline" x1="{left}" y1="{y0 + panel}" x2="{width - right}" y2="{y0 + panel}"/>'
        )
        for i, week in enumerate(weeks):
            count = int(week.get(series) or 0)
            if not count:
                continue
            h = panel * count / peak
            x = left + i * step + (step - bar) / 2
            unit = label if count != 1 else label[:-1]
            parts.append(
                f'<rect class="bar {series}" data-week="{escape(week["week"])}" data-count="{count}" '
                f'x="{x:.1f}" y="{y0 + panel - h:.1f}" width="{bar:.1f}" height="{h:.1f}">'
                f"<title>Week of {_week_label(week['week'])}: {count} {unit}</title></rect>"
            )
        parts.append("</g>")
    # Month labels under the lower panel, spaced so they never overlap.
    axis_y = top + 2 * panel + gap + 16
    last_x = -1e9
    last_month = None
    for i, week in enumerate(weeks):
        month = week["week"][:7]
        x = left + i * step
        if month != last_month and x - last_x >= 64:
            label = date.fromisoformat(week["week"]).strftime("%b %Y")
            parts.append(f'<text class="axis month" x="{x:.1f}" y="{axis_y}">{label}</text>')
            parts.append(f'<line class="tick" x1="{x:.1f}" y1="{axis_y - 14}" x2="{x:.1f}" y2="{axis_y - 10}"/>')
            last_x = x
        last_month = month
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------------------------------------
# Serving


def prepare_archive(db_path: str | Path) -> None:
    """Give an archive its full shape (tables, search, research views and indexes), refresh the
    query planner's statistics (ANALYZE: seconds on a million comments), and fold the write-ahead
    log into the file (it keeps the log short; Datasette reads the log as well, so a crawl may go on
    writing while the archive is served)."""
    from archive.db import open_db

    db = open_db(db_path, create_dirs=False)
    try:
        ensure_research_shape(db)
        db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def datasette_instance(db_path: str | Path) -> Datasette:
    """A configured, read-only Datasette for the archive (used by tests and by `serve`).

    The file is opened normally, not as immutable: Datasette reads it through read-only
    connections (`mode=ro`), and each query sees the archive as last committed (SQLite's WAL
    snapshots), so the pages stay correct while a crawl writes. Immutable mode would skip the
    write-ahead log and any change, and could return wrong rows from a file that changes.
    """
    from datasette.app import Datasette

    return Datasette(
        [str(db_path)],
        metadata=metadata_for(db_path),
        template_dir=str(TEMPLATES),
        plugins_dir=str(PLUGINS),
        static_mounts=[(STATIC_MOUNT, str(STATIC))],
        settings=dict(SETTINGS),
    )


def serve_args(db_path: str, metadata_path: str, host: str, port: int) -> list[str]:
    """The `datasette serve` command line that matches `datasette_instance`."""
    args = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        db_path,
        "--metadata",
        metadata_path,
        "--host",
        host,
        "--port",
        str(port),
        "--template-dir",
        str(TEMPLATES),
        "--plugins-dir",
        str(PLUGINS),
        "--static",
        f"{STATIC_MOUNT}:{STATIC}",
    ]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def _stop_with_parent() -> None:
    """In a child, before exec: SIGTERM when the parent ends (Linux's PR_SET_PDEATHSIG; elsewhere
    the child outlives a parent that is killed, as before)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def serve_archive(db_path: str, host: str = "127.0.0.1", port: int = 8001, replay_port: int | None = None) -> None:
    """Prepare the archive, then run Datasette on it, read-only (a crawl may write meanwhile), until
    interrupted. With `replay_port` and WACZ files beside the archive, pywb serves the pages as
    archived on that port too (archive/replay.py), and each post page links to its own."""
    try:
        prepare_archive(db_path)
    except sqlite3.OperationalError as error:  # a read-only file: serve what is there
        print(f"warning: could not prepare {db_path} ({error}); serving it as it is", file=sys.stderr)
    metadata = metadata_for(db_path)
    if replay_port:
        from archive.replay import replay_folder, wayback_command
        from archive.warc import capture_folder

        if any(capture_folder(db_path).glob("*.wacz")):
            folder = replay_folder(db_path)
            log = (folder / "wayback.log").open("a")
            # A child of this process group, so Ctrl-C in the terminal stops it with Datasette; and
            # told to stop when Datasette (this process, after exec) ends, however it ends.
            subprocess.Popen(
                wayback_command(host, replay_port),
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_stop_with_parent,
            )
            metadata.setdefault("plugins", {})["wparchive"] = {"replay": f"http://{host}:{replay_port}"}
            print(f"Pages as archived at http://{host}:{replay_port}/wparchive/", flush=True)
    handle, metadata_path = tempfile.mkstemp(prefix="wparchive-metadata-", suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(metadata, out)
    print(f"Serving {db_path} at http://{host}:{port}/", flush=True)
    os.execv(sys.executable, serve_args(db_path, metadata_path, host, port))
