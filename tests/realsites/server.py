"""Serve a real blog saved as a static site, on 127.0.0.1, as a static host would.

The sites are test data in ``../shared/realsites`` (see its README). A static host:

- answers ``/path/`` with ``path/index.html`` and a file's path with the file;
- answers ``/path`` (a folder, no slash) with a 301 to ``/path/``;
- ignores query strings: ``/?p=12`` and ``/feed/?paged=2`` answer what ``/`` and ``/feed/`` answer;
- answers 404 for anything else;
- sends `ETag` and `Last-Modified` and answers a conditional request for an unchanged file 304,
  as GitHub Pages, nginx and Apache do.

The site's links name its original hosts; they are rewritten to this server's address in every
text response, so a crawl never leaves 127.0.0.1. ``mode`` imitates a host gone wrong:
``"home"`` answers every URL with the home page, ``"503"`` answers every URL with 503.

Command line::

    python -m tests.realsites.server SITE_DIR --hosts http://a.org,http://www.a.org [--port 0]
"""

from __future__ import annotations

import argparse
import csv
import mimetypes
import posixpath
import re
import tarfile
import threading
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SHARED = Path(__file__).resolve().parents[3] / "shared" / "realsites"
TEXT_TYPES = ("text/", "application/xml", "application/rss+xml", "application/atom+xml", "application/json")


def site_table(shared: Path = SHARED) -> dict[str, dict[str, str]]:
    """`sites.tsv`, one row per site name."""
    with (shared / "sites.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["site"]: row for row in csv.DictReader(handle, delimiter="\t")}


def gold(site: str, shared: Path = SHARED) -> dict[str, int]:
    """The site's posts and pages (path -> distinct comments its files hold), from `gold/<site>.tsv`."""
    with (shared / "gold" / f"{site}.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["path"]: int(row["comments"]) for row in csv.DictReader(handle, delimiter="\t")}


def unpack(site: str, into: Path, shared: Path = SHARED) -> Path:
    """Unpack `<site>.tar.xz` under `into` and return the site's folder."""
    with tarfile.open(shared / f"{site}.tar.xz") as archive:
        archive.extractall(into, filter="data")
    return into / site


class StaticSiteServer(ThreadingHTTPServer):
    """A threaded static host for one saved site; ``request_log`` holds (method, target, status)."""

    daemon_threads = True

    def __init__(self, root: Path, hosts: list[str], port: int = 0, mode: str = "static") -> None:
        super().__init__(("127.0.0.1", port), StaticSiteHandler)
        self.root = root.resolve()
        self.mode = mode
        self.base_url = f"http://127.0.0.1:{self.server_port}"
        self.request_log: list[tuple[str, str, int]] = []
        self.log_lock = threading.Lock()
        self.rewrite = _host_rewriter(hosts, self.base_url)

    def record(self, method: str, target: str, status: int) -> None:
        with self.log_lock:
            self.request_log.append((method, target, status))

    def hits(self) -> Counter[str]:
        """How many requests each target (path with query) received."""
        with self.log_lock:
            return Counter(target for _, target, _ in self.request_log)

    def reset_log(self) -> None:
        with self.log_lock:
            self.request_log.clear()

    def resolve(self, target: str) -> tuple[int, Path | str | None]:
        """(status, file) for a request target; for a 301, the location instead of the file."""
        path = unquote(urlsplit(target).path) or "/"
        clean = posixpath.normpath(path)
        if clean.startswith("..") or "\x00" in clean:
            return 404, None
        local = self.root / clean.lstrip("/")
        if not local.resolve().is_relative_to(self.root):
            return 404, None
        if local.is_dir():
            if not path.endswith("/"):
                return 301, path + "/"
            local = local / "index.html"
        return (200, local) if local.is_file() else (404, None)


class StaticSiteHandler(BaseHTTPRequestHandler):
    server: StaticSiteServer
    server_version = "static"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def answer(self, head: bool) -> None:
        server = self.server
        if server.mode == "503":
            status, found = 503, None
        elif server.mode == "home":
            status, found = 200, server.root / "index.html"
        else:
            status, found = server.resolve(self.path)
        if status == 301:
            server.record(self.command, self.path, 301)
            self.send_response(301)
            self.send_header("Location", f"{server.base_url}{found}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if status != 200 or not isinstance(found, Path):
            server.record(self.command, self.path, status)
            body = b"<html><body><h1>404 Not Found</h1></body></html>" if status == 404 else b"busy"
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        stat = found.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        last_modified = formatdate(stat.st_mtime, usegmt=True)
        asked_etag = self.headers.get("If-None-Match")
        if asked_etag == etag or (not asked_etag and self.headers.get("If-Modified-Since") == last_modified):
            server.record(self.command, self.path, 304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        server.record(self.command, self.path, 200)
        content_type = mimetypes.guess_type(found.name)[0] or "text/html"
        body = found.read_bytes()
        if content_type.startswith(TEXT_TYPES):
            body = server.rewrite(body)
        if content_type.startswith("text/html"):
            content_type += "; charset=utf-8"
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self.answer(head=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _host_rewriter(hosts: list[str], base_url: str):
    """A function that rewrites every link to the site's original hosts (http or https, plain or
    JSON-escaped, or protocol-relative) to `base_url`."""
    names = sorted({urlsplit(host).netloc for host in hosts}, key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in names)
    pattern = re.compile(rb"(?:https?:)?(?:\\?/\\?/)(?:" + alternatives.encode() + rb")(?![\w.-])")
    local = base_url.encode()
    escaped = local.replace(b"/", b"\\/")

    def rewrite(body: bytes) -> bytes:
        return pattern.sub(lambda match: escaped if b"\\/" in match.group(0) else local, body)

    return rewrite


def serve_in_thread(root: Path, hosts: list[str], mode: str = "static") -> StaticSiteServer:
    server = StaticSiteServer(root, hosts, mode=mode)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--hosts", required=True, help="the site's original hosts, comma-separated")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=["static", "home", "503"], default="static")
    arguments = parser.parse_args()
    server = StaticSiteServer(arguments.root, arguments.hosts.split(","), arguments.port, arguments.mode)
    print(server.base_url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
