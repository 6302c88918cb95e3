"""The sample blog behind a host that misbehaves the ways real hosts do (fault-injection tests).

    server, base = serve_faulty(port, fault="reset", target="posts")

`fault` says how the matching requests are answered; `target` says which requests match (the
post and page views, the REST listings, the REST comments, or every request). Everything else is
the sample blog as it is. `once=True` misbehaves on the first request for each URL only (a host
that recovers), so that a retry gets the right answer.

Faults:
  500, 503           the status, with `Retry-After: 1` on the 503
  429                Too Many Requests, with `Retry-After: 3`
  reset              the connection is reset (TCP RST) before any answer
  slow               the body trickles, slower than the crawl's download timeout allows
  truncated          the body stops halfway through its Content-Length
  redirect_loop      a 302 to the same URL, every time
  gzip_bomb          `Content-Encoding: gzip` over 128 MiB of zeros (about 128 KB sent)
  wrong_type         the right body sent as `image/jpeg`
  login_wall         200 with a WordPress login page (`wp-login.php`, a security plugin)
  not_found_page     200 with a plain "Not found" page with none of WordPress's marks
"""

from __future__ import annotations

import gzip
import re
import socket
import struct
import threading
import time
from functools import cache
from typing import Any
from urllib.parse import unquote

from tests.sampleblog import data
from tests.sampleblog.core import Options, Response
from tests.sampleblog.server import BlogRequestHandler, SampleBlogServer

FAULTS = (
    "429",
    "500",
    "503",
    "reset",
    "slow",
    "truncated",
    "redirect_loop",
    "gzip_bomb",
    "wrong_type",
    "login_wall",
    "not_found_page",
)
TARGETS = ("posts", "rest_listing", "rest_comments", "rest_counts", "all")

LOGIN_PAGE = b"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8"><title>Log In &lsaquo; History 380 &#8212; WordPress</title>
<meta name='robots' content='noindex, nofollow' /></head>
<body class="login no-js login-action-login wp-core-ui locale-en-us">
<div id="login"><h1><a href="https://wordpress.org/">Powered by WordPress</a></h1>
<form name="loginform" id="loginform" action="/wp-login.php" method="post">
<p><label for="user_login">Username or Email Address</label>
<input type="text" name="log" id="user_login" class="input" value="" size="20" /></p>
<p class="submit"><input type="submit" name="wp-submit" id="wp-submit" value="Log In" /></p>
</form></div></body></html>
"""
NOT_FOUND_PAGE = b"""<!DOCTYPE html>
<html><head><title>Not found</title></head>
<body><h1>Not found</h1><p>Sorry, nothing here. <a href="/">Back to the start</a></p></body></html>
"""


@cache
def gzip_bomb() -> bytes:
    """128 MiB of zeros, gzipped (about 128 KB)."""
    return gzip.compress(b"\0" * (128 << 20), compresslevel=9)


def entry_paths(prefix: str = "") -> set[str]:
    """The paths of every post and page view of the sample blog."""
    paths = set()
    for entry in data.all_entries():
        if entry.type == "page":
            paths.add(f"{prefix}/{entry.slug}/")
        else:
            paths.add(f"{prefix}/{entry.date:%Y/%m/%d}/{entry.slug}/")
    return paths


class FaultyBlogServer(SampleBlogServer):
    """The sample blog, with one fault on the requests a target matches."""

    def __init__(self, port: int, fault: str, target: str, once: bool, options: Options) -> None:
        if fault not in FAULTS or target not in TARGETS:
            raise ValueError(f"unknown fault {fault!r} or target {target!r}")
        super().__init__("127.0.0.1", port, options, quiet=True)
        self.fault, self.target, self.once = fault, target, once
        self.faulted: list[str] = []
        self._seen: set[str] = set()
        self.arrivals: list[tuple[float, str]] = []  # (time.monotonic(), target) of every request
        self._entries = entry_paths(options.prefix)

    def matches(self, target: str) -> bool:
        """Whether this request gets the fault (and, with `once`, whether it is the first)."""
        path = target.partition("?")[0]
        plain = unquote(target)
        hit = {
            "posts": path in self._entries,
            "rest_listing": bool(re.search(r"/wp/v2/(posts|pages)\b", plain)),
            "rest_comments": bool(re.search(r"/wp/v2/comments\b", plain)),
            # A re-crawl's comment count of a batch of posts (one comment a page, `post=` ids).
            "rest_counts": bool(re.search(r"/wp/v2/comments\b.*[?&]per_page=1&.*[?&]post=", plain)),
            "all": not path.endswith("robots.txt"),
        }[self.target]
        if not hit:
            return False
        with self.log_lock:
            if self.once and target in self._seen:
                return False
            self._seen.add(target)
            self.faulted.append(target)
        return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A reset or a broken pipe is the point of some faults: not worth a traceback."""


class FaultyHandler(BlogRequestHandler):
    server: FaultyBlogServer

    def answer(self, method: str) -> None:
        with self.server.log_lock:
            self.server.arrivals.append((time.monotonic(), self.path))
        if not self.server.matches(self.path):
            return super().answer(method)
        self.server.record(method, self.path, 0)
        getattr(self, f"fault_{self.server.fault}")()

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=UTF-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _real(self) -> Response:
        return self.server.site.handle("GET", self.path)

    def fault_500(self) -> None:
        self._send(500, b"<html><body>Internal Server Error</body></html>")

    def fault_429(self) -> None:
        self._send(429, b"<html><body>Too Many Requests</body></html>", Retry_After="3")

    def fault_503(self) -> None:
        self._send(503, b"<html><body>Service Unavailable</body></html>", Retry_After="1")

    def fault_reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def fault_slow(self) -> None:
        body = self._real().body
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        deadline = time.monotonic() + 20
        for start in range(0, len(body), 64):
            if time.monotonic() > deadline:
                break
            self.wfile.write(body[start : start + 64])
            self.wfile.flush()
            time.sleep(0.5)
        self.close_connection = True

    def fault_truncated(self) -> None:
        real = self._real()
        self.send_response(200)
        self.send_header("Content-Type", real.content_type)
        self.send_header("Content-Length", str(len(real.body)))
        self.end_headers()
        self.wfile.write(real.body[: len(real.body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def fault_redirect_loop(self) -> None:
        self._send(302, b"", Location=self.path)

    def fault_gzip_bomb(self) -> None:
        self._send(200, gzip_bomb(), Content_Encoding="gzip")

    def fault_wrong_type(self) -> None:
        self._send(200, self._real().body, "image/jpeg")

    def fault_login_wall(self) -> None:
        self._send(200, LOGIN_PAGE)

    def fault_not_found_page(self) -> None:
        self._send(200, NOT_FOUND_PAGE)



def serve_faulty(
    port: int, fault: str, target: str, once: bool = False, **options: Any
) -> tuple[FaultyBlogServer, str]:
    """Start a faulty sample blog in a daemon thread on 127.0.0.1; return it and its base URL."""
    server = FaultyBlogServer(port, fault, target, once, Options(**options))
    server.RequestHandlerClass = FaultyHandler
    threading.Thread(target=server.serve_forever, name="faulty-blog", daemon=True).start()
    return server, server.base_url
