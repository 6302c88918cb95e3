"""Serve the sample course blog over HTTP on 127.0.0.1.

Command line::

    python -m tests.sampleblog.server --port 8765 [--host 127.0.0.1] [--prefix /hist380]
        [--no-rest] [--block-wp-json] [--no-sitemap] [--no-feeds] [--plain-permalinks] [--quiet]

In tests::

    server, base_url = serve_in_thread(port=0, rest=False)
    ...  # fetch base_url + "/feed/"; inspect server.request_log
    server.shutdown(); server.server_close()
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .core import Options
from .site import Site

LogEntry = tuple[str, str, int]


class SampleBlogServer(ThreadingHTTPServer):
    """A threaded HTTP server that answers with a ``Site`` and records every request.

    ``request_log`` holds ``(method, path_with_query, status)`` tuples in arrival order;
    ``base_url`` is the blog's home URL (no trailing slash).
    """

    daemon_threads = True

    def __init__(self, host: str, port: int, options: Options, quiet: bool = False) -> None:
        super().__init__((host, port), BlogRequestHandler)
        self.options = options
        self.quiet = quiet
        self.request_log: list[LogEntry] = []
        self.log_lock = threading.Lock()
        self.base_url = f"http://{host}:{self.server_port}{options.prefix}"
        self.site = Site(self.base_url, options)

    def record(self, method: str, target: str, status: int) -> None:
        """Append one request to ``request_log`` (thread-safe)."""
        with self.log_lock:
            self.request_log.append((method, target, status))

    def requests(self) -> list[LogEntry]:
        """A snapshot of the request log."""
        with self.log_lock:
            return list(self.request_log)

    def hits(self) -> Counter[str]:
        """How many requests each path (with its query string) received."""
        return Counter(target for _, target, _ in self.requests())

    def reset_log(self) -> None:
        """Forget the requests recorded so far."""
        with self.log_lock:
            self.request_log.clear()


class BlogRequestHandler(BaseHTTPRequestHandler):
    """Hands each request to the server's ``Site`` and writes its response."""

    server: SampleBlogServer
    server_version = "Apache"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def answer(self, method: str) -> None:
        """Build the response for this request and send it."""
        response = self.server.site.handle(method, self.path)
        self.server.record(method, self.path, response.status)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(response.body)

    def do_GET(self) -> None:
        """Answer a GET."""
        self.answer("GET")

    def do_HEAD(self) -> None:
        """Answer a HEAD (headers of the GET, no body)."""
        self.answer("HEAD")

    def do_POST(self) -> None:
        """Refuse a POST (the sample blog is read-only), after reading its body."""
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.answer("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Log to stderr unless the server is quiet."""
        if not self.server.quiet:
            super().log_message(format, *args)


def make_server(host: str = "127.0.0.1", port: int = 0, quiet: bool = False,
                **options: Any) -> SampleBlogServer:
    """Bind a server (port 0 picks a free port); ``options`` are ``Options`` fields."""
    return SampleBlogServer(host, port, Options(**options), quiet)


def serve_in_thread(port: int = 0, host: str = "127.0.0.1", quiet: bool = True,
                    **options: Any) -> tuple[SampleBlogServer, str]:
    """Start a server in a daemon thread; return it and the blog's base URL.

    ``options``: ``rest``, ``block_wp_json``, ``sitemap``, ``feeds``, ``plain_permalinks``
    (booleans) and ``prefix``.
    Stop it with ``server.shutdown(); server.server_close()``.
    """
    server = make_server(host, port, quiet, **options)
    threading.Thread(target=server.serve_forever, name="sampleblog", daemon=True).start()
    return server, server.base_url


def main(argv: list[str] | None = None) -> int:
    """Run the server until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.sampleblog.server",
                                     description="Serve the sample WordPress course blog.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--prefix", default="", help='serve the blog under a path, e.g. "/hist380"')
    parser.add_argument("--no-rest", action="store_true", help="no REST API (pre-4.7 WordPress)")
    parser.add_argument("--block-wp-json", action="store_true",
                        help="answer 403 under /wp-json/ (?rest_route= still works)")
    parser.add_argument("--no-sitemap", action="store_true", help="no /wp-sitemap.xml")
    parser.add_argument("--no-feeds", action="store_true", help="no RSS feeds")
    parser.add_argument("--plain-permalinks", action="store_true",
                        help="plain permalinks: /?p=N, /?paged=2, /?feed=rss2, ?rest_route= only")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, args.quiet, rest=not args.no_rest,
                         block_wp_json=args.block_wp_json, sitemap=not args.no_sitemap,
                         feeds=not args.no_feeds, plain_permalinks=args.plain_permalinks,
                         prefix=args.prefix)
    print(server.base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
