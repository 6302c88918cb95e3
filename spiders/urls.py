"""URL rules: what belongs to a blog, what is a crawl trap, and one canonical form per URL."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

# Query parameters that make one URL per comment, share button, like or calendar month.
TRAP_PARAMS = frozenset(
    [
        "replytocom",
        "share",
        "like_comment",
        "nb",
        "m",
        "s",
        "action",
        "amp",
        "preview",
        "attachment_id",
        "unapproved",
        "moderation-hash",
        "redirect_to",
        "doing_wp_cron",
        "ver",
    ]
)
_TRAP_PATH = re.compile(
    r"(/wp-login\.php|/wp-admin/|/wp-json/|/jetpack-comment/|/embed/?$|/amp/?$|/trackback/?$"
    r"|/xmlrpc\.php|/wp-content/|/wp-includes/|/attachment/|/feed/?$|/comments/feed/?$)",
    re.IGNORECASE,
)
_FILE_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|pdf|docx?|pptx?|xlsx?|zip|mp3|mp4|mov|avi|css|js|ico|xml)$",
    re.IGNORECASE,
)
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED_ESCAPE = re.compile(r"%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])")
_COMMENT_PAGE_PATH = re.compile(r"/comment-page-(\d+)/?$")
_COMMENT_PAGE_PARAM = re.compile(r"(?:^|&)cpage=(\d+)")


def normalise_url(url: str) -> str:
    """A safe, canonical absolute URL: percent-encoded, fragment dropped, query kept in order."""
    url = safe_url_string(url.strip())
    if "%" in url:  # RFC 3986 6.2.2: an escaped letter, digit or -._~ is that character; hex upper
        url = _UNRESERVED_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), url)
        url = _ESCAPE.sub(lambda m: m.group(0).upper(), url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    if scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    if scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def dedupe_key(url: str) -> str:
    """A key under which two spellings of one URL compare equal (sorted query, no fragment)."""
    return canonicalize_url(url)


def url_digest(url: str) -> bytes:
    """`dedupe_key` as 16 bytes (BLAKE2b): what a crawl remembers of each URL it queued or found,
    a third of the URL's own size (a blog of 100,000 posts holds two such sets)."""
    return hashlib.blake2b(dedupe_key(url).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def site_prefix(url: str) -> str:
    """The blog's home: scheme, host and the path up to its last slash."""
    parts = urlsplit(normalise_url(url))
    path = parts.path
    if not path.endswith("/"):
        path = path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def in_scope(url: str, prefix: str) -> bool:
    """Same host and under the blog's path prefix (http and https count as one)."""
    a, b = urlsplit(url), urlsplit(prefix)
    if a.scheme not in ("http", "https") or a.netloc.lower() != b.netloc.lower():
        return False
    return (a.path or "/").startswith(b.path or "/")


def trap_reason(url: str) -> str | None:
    """Why a URL must not be followed (a name for the crawl stats), or None when it is fine."""
    parts = urlsplit(url)
    params = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    hit = params & TRAP_PARAMS
    if hit:
        return f"param_{sorted(hit)[0]}"
    if "rest_route" in params:
        return "rest_route"
    if "p" in params or "page_id" in params or "cpage" in params or "paged" in params:
        pass
    elif parts.query and not params <= {"lang"}:
        return "query"
    if _TRAP_PATH.search(parts.path):
        return "path"
    if pathological(parts.path):
        return "repeated_path"
    if _FILE_EXTENSIONS.search(parts.path):
        return "file"
    if re.search(r"/\d{4}/(\d{2}/)?(\d{2}/)?(page/\d+/)?$", parts.path):
        return "date_archive"
    return None


def pathological(path: str) -> bool:
    """A path that relative links on a page served at the wrong depth grow without end
    (`/2009/04/x/2009/04/y/`): too many segments, or a run of two or more segments repeated."""
    if path.count("/") > 20:
        return True
    return bool(_REPEATED_RUN.search(path))


_REPEATED_RUN = re.compile(r"(/[^/]+/[^/]+)(?:/.*)?\1(?:/|$)")


def comment_page_number(url: str) -> int | None:
    """The comment page a URL names (`/comment-page-2/` or `?cpage=2`), or None."""
    parts = urlsplit(url)
    match = _COMMENT_PAGE_PATH.search(parts.path) or _COMMENT_PAGE_PARAM.search(parts.query)
    return int(match.group(1)) if match else None


def post_url_of_comment_page(url: str) -> str:
    """The post URL that a comment page URL belongs to."""
    parts = urlsplit(url)
    path = re.sub(r"comment-page-\d+/?$", "", parts.path)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "cpage"])
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def comma_list(value: str | None) -> list[str]:
    """The items of a comma-separated spider argument (`-a url=A,B`, `-a instructors=X,Y`)."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def blog_urls(url: str | None, urls_file: str | None) -> list[str]:
    """The blogs a crawl was given: `-a url=URL1,URL2` and the lines of `-a urls_file=FILE` (`#`
    starts a comment), in order."""
    urls = comma_list(url)
    if urls_file:
        for line in Path(urls_file).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                urls.append(line)
    return urls
