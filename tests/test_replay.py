"""Replay (issue 14): `wparchive replay` serves the crawl's WACZ with pywb, and a real Chromium
opens an archived post with its image from the archive while the blog itself is gone; no request
leaves 127.0.0.1, and none goes to the blog's own (stopped) server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, run_crawl
from tests.sampleblog import data
from tests.sampleblog.server import serve_in_thread
from tests.test_browser import browser, open_page, outside_requests  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    """A crawl of the sample blog with capture on; the blog stopped; `wparchive replay` started."""
    folder = tmp_path_factory.mktemp("replay")
    db_path = folder / "archive.db"
    server, base = serve_in_thread(port=0)
    try:
        run_crawl(f"{base}/", db_path)
    finally:
        server.shutdown()
        server.server_close()
    port = free_port()
    log = (folder / "replay.log").open("w")
    command = [sys.executable, "-m", "archive.cli", "replay", str(db_path), "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, folder / "replay.log")
        yield {"replay": f"http://127.0.0.1:{port}", "blog": base, "db": db_path}
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def wait_for_port(port: int, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None, log.read_text()[-3000:]
        time.sleep(0.3)
    pytest.fail(f"nothing listened on {port} in 90 s")


def image_post() -> data.Post:
    return next(p for p in data.all_entries() if "tanks-on-the-boulevard" in p.content)


def assert_archived_page_with_its_image(page, post, replay: str, blog: str) -> None:
    """The page pywb shows is the post, its image drawn from the replay server, nothing from the
    blog's own (stopped) server."""
    page.wait_for_load_state("load")
    # pywb shows the archived page in a frame of its own (`.../<time>mp_/<url>`), under its banner.
    deadline = time.monotonic() + 30
    while not [f for f in page.frames if "mp_/" in f.url] and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    frame = next(f for f in page.frames if "mp_/" in f.url)
    frame.wait_for_load_state("load")
    assert post.title in frame.content()
    images = frame.eval_on_selector_all(
        "img", "els => els.map(e => ({src: e.currentSrc || e.src, width: e.naturalWidth}))"
    )
    tanks = [image for image in images if "tanks-on-the-boulevard" in image["src"]]
    assert tanks and all(image["width"] > 0 for image in tanks), images  # drawn: the bytes arrived
    assert not [r for r in page.requests if urlsplit(r).port == urlsplit(blog).port]  # never the blog itself
    fetched = [r for r in page.requests if "tanks-on-the-boulevard" in r]
    assert fetched and all(urlsplit(r).netloc == urlsplit(replay).netloc for r in fetched)


def test_an_archived_post_shows_with_its_image_from_the_archive(browser, replayed) -> None:  # noqa: F811
    post = image_post()
    url = f"{replayed['blog']}/{post.date:%Y/%m/%d}/{post.slug}/"
    context, page = open_page(browser, replayed["replay"])
    try:
        page.goto(f"{replayed['replay']}/wparchive/{url}")
        assert_archived_page_with_its_image(page, post, replayed["replay"], replayed["blog"])
    finally:
        context.close()
    assert outside_requests(page) == []


def serve_with_replay(db_path, log_name: str) -> tuple[subprocess.Popen, int, int]:
    """`wparchive serve` with its replay, in a session of its own, once both ports answer."""
    port, replay_port = free_port(), free_port()
    log_path = db_path.parent / log_name
    command = [sys.executable, "-m", "archive.cli", "serve", str(db_path), "--port", str(port)]
    command += ["--replay-port", str(replay_port)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, process, log_path)
        wait_for_port(replay_port, process, log_path)
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return process, port, replay_port


def test_wparchive_serve_links_each_post_to_its_page_as_archived(browser, replayed) -> None:  # noqa: F811
    """`wparchive serve` starts the replay beside Datasette; the post page's link opens it."""
    db_path = replayed["db"]
    process, port, replay_port = serve_with_replay(db_path, "serve.log")
    try:
        post = image_post()
        post_id = sqlite3.connect(db_path).execute("select id from posts where title = ?", [post.title]).fetchone()[0]
        context, page = open_page(browser, f"http://127.0.0.1:{port}")
        try:
            page.goto(f"/-/post/{post_id}")
            page.wait_for_load_state("load")
            # The post's own image, shown from the archive (its WACZ) on the archive's own origin.
            shown = page.eval_on_selector_all(
                ".post-content img", "els => els.map(e => ({src: e.getAttribute('src'), width: e.naturalWidth}))"
            )
            assert shown and all(i["src"].startswith("/-/media/") and i["width"] > 0 for i in shown), shown
            link = page.get_by_role("link", name="The page as archived")
            assert link.get_attribute("href").startswith(f"http://127.0.0.1:{replay_port}/wparchive/")
            link.click()
            assert_archived_page_with_its_image(page, post, f"http://127.0.0.1:{replay_port}", replayed["blog"])
        finally:
            context.close()
        assert outside_requests(page) == []
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_wparchive_serve_stopped_by_a_signal_stops_its_replay_too(replayed) -> None:
    """A service manager stops `wparchive serve` with SIGTERM to its own process, not to its
    process group: pywb, its child, must not outlive it on the replay port."""
    process, _, replay_port = serve_with_replay(replayed["db"], "serve-signal.log")
    try:
        process.send_signal(signal.SIGTERM)  # Datasette alone
        process.wait(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", replay_port)) != 0:
                    break
            time.sleep(0.2)
        else:
            raise AssertionError("pywb still answers on the replay port after wparchive serve ended")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
