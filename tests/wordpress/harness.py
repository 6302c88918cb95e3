"""A real WordPress for tests: Debian's ``wordpress`` package served by ``php -S`` on 127.0.0.1.

The site is a Spring 2013 course blog seeded by ``seed.php`` (deterministic), with a private
MariaDB server (own datadir, unix socket, no TCP). Everything lives in one folder, by default
``/tmp/wparchive-wp`` (``WPARCHIVE_WP_DIR`` or ``root=`` to change it)::

    www/            a copy of /usr/share/wordpress with our wp-config.php and mu-plugin
    data/           the MariaDB datadir
    run/            mariadbd's socket, and the PID files of the processes the harness started
    logs/           mariadbd, php -S and PHP error logs
    router.php      the php -S router (copied from this folder)
    settings.json   the REST mode, read on every request by router.php and the mu-plugin
    state.json      port, installed/seeded flags, seed hash, theme

Use from Python::

    site = WordPressSite()
    started = site.start()          # idempotent: reuses a running, seeded site
    site.base_url                   # 'http://127.0.0.1:8089'
    site.set_theme("twentytwentythree")
    site.set_rest_mode("wp-json-blocked")
    truth = site.ground_truth()     # what WordPress's tables say an archive must contain
    if started:
        site.stop()

or by hand: ``python tests/wordpress/harness.py start|stop|status|truth``.

The packages come from ``tests/wordpress/install.sh``; ``missing_requirements()`` says what
is absent. Only the standard library is used, so the harness runs outside the project venv.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORDPRESS_SRC = Path("/usr/share/wordpress")
DEFAULT_ROOT = Path("/tmp/wparchive-wp")
DEFAULT_PORT = 8089
HOST = "127.0.0.1"
THEMES = ("twentytwentyone", "twentytwentythree")
DEFAULT_THEME = "twentytwentyone"
REST_MODES = ("open", "wp-json-blocked", "disabled", "legacy")
ADMIN_USER = "instructor"
ADMIN_PASSWORD = "wparchive-admin"
ADMIN_EMAIL = "instructor@example.edu"
DB_NAME = DB_USER = DB_PASSWORD = "wordpress"
PHP_WORKERS = 4
# Scripts whose content decides what the database holds: when one changes, the site is re-seeded.
SEED_FILES = ("seed.php", "_bootstrap.php")

REQUIRED_PATHS = {
    "wordpress": WORDPRESS_SRC / "wp-load.php",
    "wordpress-theme-twentytwentyone": WORDPRESS_SRC / "wp-content/themes/twentytwentyone/style.css",
    "wordpress-theme-twentytwentythree": WORDPRESS_SRC / "wp-content/themes/twentytwentythree/style.css",
}
REQUIRED_PROGRAMS = {
    "php-cli": "php",
    "mariadb-server": "mariadbd",
    "mariadb-server (mariadb-install-db)": "mariadb-install-db",
    "mariadb-client": "mariadb",
}
REQUIRED_PHP_MODULES = {"php-mysql": "mysqli", "php-xml": "xml", "php-mbstring": "mbstring"}


class HarnessError(RuntimeError):
    """The WordPress site could not be started or driven."""


class HarnessUnavailable(HarnessError):
    """The Debian packages the harness needs are not installed (run install.sh)."""


def missing_requirements() -> list[str]:
    """Names of the missing Debian packages (empty when the harness can run)."""
    missing = [pkg for pkg, path in REQUIRED_PATHS.items() if not path.exists()]
    missing += [pkg for pkg, prog in REQUIRED_PROGRAMS.items() if shutil.which(prog) is None]
    if shutil.which("php"):
        try:
            out = subprocess.run(["php", "-m"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        modules = {line.strip().lower() for line in out.splitlines()}
        missing += [pkg for pkg, mod in REQUIRED_PHP_MODULES.items() if mod not in modules]
    return missing


def _seed_hash(scale: int = 1) -> str:
    digest = hashlib.sha256()
    for name in SEED_FILES:
        digest.update((HERE / name).read_bytes())
    if scale != 1:
        digest.update(f"scale={scale}".encode())
    return digest.hexdigest()[:16]


def _http_opener() -> urllib.request.OpenerDirector:
    # No proxies, whatever the environment says: the site is on 127.0.0.1.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state follows the command name in parentheses; Z (zombie) and X (dead) are gone.
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class WordPressSite:
    """One private WordPress site: a folder, a mariadbd and a ``php -S`` on 127.0.0.1.

    ``root`` is the site's folder (default ``$WPARCHIVE_WP_DIR`` or ``/tmp/wparchive-wp``);
    ``port`` the HTTP port (default ``$WPARCHIVE_WP_PORT``, else the port the site had, else
    8089, else any free port when 8089 is taken by something else); ``scale`` how many times the
    default content to seed (default ``$WPARCHIVE_WP_SCALE`` or 1: 64 posts and 648 comments;
    6 gives 384 posts and 3,143 comments). A site seeded at another scale is re-seeded.
    """

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        port: int | None = None,
        scale: int | None = None,
    ):
        self.root = Path(root or os.environ.get("WPARCHIVE_WP_DIR") or DEFAULT_ROOT).absolute()
        self.scale = max(1, int(scale or os.environ.get("WPARCHIVE_WP_SCALE") or 1))
        env_port = os.environ.get("WPARCHIVE_WP_PORT")
        self._requested_port = port or (int(env_port) if env_port else None)
        self.www = self.root / "www"
        self.datadir = self.root / "data"
        self.rundir = self.root / "run"
        self.logdir = self.root / "logs"
        self.socket_path = self.rundir / "mysqld.sock"
        self.settings_path = self.root / "settings.json"
        self.state_path = self.root / "state.json"
        self.summary_path = self.root / "seed-summary.json"
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    # ------------------------------------------------------------------ public API

    @property
    def port(self) -> int:
        return int(self._state().get("port") or self._requested_port or DEFAULT_PORT)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{HOST}:{self.port}"

    @property
    def theme(self) -> str:
        return str(self._state().get("theme", DEFAULT_THEME))

    @property
    def rest_mode(self) -> str:
        try:
            return str(json.loads(self.settings_path.read_text()).get("rest_mode", "open"))
        except (OSError, ValueError):
            return "open"

    def is_running(self) -> bool:
        return self._running_pid("mariadbd") is not None and self._running_pid("php") is not None

    def start(self) -> bool:
        """Make the site answer at ``base_url``; copy, install and seed it first if needed.

        Returns True when this call started a process (so the caller may ``stop()`` it), False
        when everything was already running.
        """
        missing = missing_requirements()
        if missing:
            raise HarnessUnavailable(
                "missing Debian packages: " + ", ".join(missing) + " (run: bash tests/wordpress/install.sh)"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock():
            self._started_now: list[str] = []
            try:
                return self._start_locked()
            except BaseException:
                # A failed start-up stops what it started (and leaves running what was running).
                for name in reversed(self._started_now):
                    self._log(f"start-up failed: stopping the {name} it started")
                    self._stop_process(name, timeout=60)
                raise

    def stop(self) -> bool:
        """Stop the ``php -S`` and the mariadbd started by this harness in ``root``.

        Only the processes whose PID files the harness wrote are signalled. The files stay,
        so the next ``start()`` is quick. Returns True when something was stopped.
        """
        if not self.root.exists():
            return False
        with self._lock():
            stopped = self._stop_process("php", timeout=10)
            stopped = self._stop_process("mariadbd", timeout=60) or stopped
            return stopped

    def status(self) -> dict[str, Any]:
        state = self._state()
        return {
            "root": str(self.root),
            "base_url": self.base_url,
            "php_pid": self._running_pid("php"),
            "mariadbd_pid": self._running_pid("mariadbd"),
            "installed": bool(state.get("installed")),
            "seeded": bool(state.get("seeded")),
            "theme": self.theme,
            "rest_mode": self.rest_mode,
            "admin": {"login": ADMIN_USER, "password": ADMIN_PASSWORD},
            "missing_packages": missing_requirements(),
        }

    def set_theme(self, name: str) -> None:
        """Switch the active theme (``twentytwentyone`` or ``twentytwentythree``)."""
        if name not in THEMES:
            raise ValueError(f"theme must be one of {THEMES}, not {name!r}")
        self._require_running()
        with self._lock():
            self._php("tasks.php", "theme", name)
            self._update_state(theme=name)

    def set_rest_mode(self, mode: str) -> None:
        """Switch the REST API: ``open``, ``wp-json-blocked`` or ``disabled``.

        - ``open``: WordPress as shipped, at ``/wp-json/`` and ``/?rest_route=``.
        - ``wp-json-blocked``: ``/wp-json/...`` answers 403 (a rule in router.php, as a web
          server or security plugin would do) while ``/?rest_route=/...`` still works.
        - ``disabled``: no API (mu-plugin): both forms give the theme's 404 page and the
          ``https://api.w.org/`` discovery link is gone from pages and headers.
        - ``legacy``: an old blog behind a cache: no API, no core sitemaps (before 4.7 and 5.5),
          and every query string ignored (router.php), so ``/feed/?paged=2`` answers the first
          feed page and ``/?sitemap=index`` or ``/?rest_route=/`` the home page.

        Takes effect on the next request; no restart.
        """
        if mode not in REST_MODES:
            raise ValueError(f"REST mode must be one of {REST_MODES}, not {mode!r}")
        self.root.mkdir(parents=True, exist_ok=True)
        self._write_settings(rest_mode=mode)

    def ground_truth(self) -> dict[str, Any]:
        """What WordPress's own tables hold, as produced by ``dump_truth.php``.

        Keys: ``site``, ``counts``, ``posts`` (published posts and pages), ``comments``
        (approved, incl. pingbacks and trackbacks, with ``depth`` and ``page``), ``users``,
        ``terms``, ``excluded`` (``post_ids``/``comment_ids`` that must not be archived, and
        the same by reason).
        """
        self._require_running()
        return json.loads(self._php("dump_truth.php", timeout=120))

    def seed_summary(self) -> dict[str, Any]:
        """The figures seed.php reported when it seeded the site."""
        return json.loads(self.summary_path.read_text())

    def request_log_mark(self) -> int:
        """A mark in the request log (every request the site answers, see router.php)."""
        try:
            return (self.logdir / "requests.log").stat().st_size
        except OSError:
            return 0

    def requests_since(self, mark: int) -> list[tuple[int, str, str]]:
        """The requests answered since `mark`, as (status, method, path with query)."""
        try:
            with open(self.logdir / "requests.log", "rb") as handle:
                handle.seek(mark)
                lines = handle.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return []
        out = []
        for line in lines:
            parts = line.split(" ", 3)
            if len(parts) == 4 and parts[1].isdigit():
                out.append((int(parts[1]), parts[2], parts[3]))
        return out

    def reset(self) -> None:
        """Throw the content away and seed the site again (same ids, same content), in about 3 s.

        Also puts back the default theme, REST mode ``open``, no validators and no outage.
        """
        self._require_running()
        with self._lock():
            self._reset_database()
            self._install()
            self._seed()
        self._write_settings(rest_mode="open", validators=False, outage=0)

    def set_validators(self, on: bool) -> None:
        """Make post and page views send ``Last-Modified``/``ETag`` and answer 304, as a
        page-cache plugin does (off by default: WordPress sends validators only on feeds)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._write_settings(validators=bool(on))

    def set_outage(self, status: int | str) -> None:
        """Make every request fail with ``status`` (500 or 503) as a site with its database
        down does, or take 3 s (``"slow"``, for timeouts); 0 ends the outage."""
        if status not in (0, 500, 503, "slow"):
            raise ValueError("outage must be 0, 500, 503 or 'slow'")
        self.root.mkdir(parents=True, exist_ok=True)
        self._write_settings(outage=status)

    # Changes, made through WordPress's own functions (tasks.php), for the re-crawl tests.

    def add_post(self, title: str, content: str, author_id: int = 1) -> dict[str, Any]:
        """Publish a post now; returns ``{"id", "link"}``."""
        return self._task("add-post", title, content, str(author_id))

    def add_comment(
        self,
        post_id: int,
        author: str,
        text: str,
        parent: int = 0,
        type: str = "comment",
        author_url: str = "",
        days_ago: float = 0,
        approved: bool = True,
    ) -> dict[str, Any]:
        """Add a comment (or ``type="pingback"``) dated now, or ``days_ago`` days ago; approved,
        or pending moderation (``approved=False``); returns ``{"id", "link"}``."""
        return self._task(
            "add-comment", str(post_id), author, text, str(parent), type, author_url, str(days_ago), str(int(approved))
        )

    def approve_comment(self, comment_id: int) -> None:
        """Approve a comment pending moderation (its date stays what it was)."""
        self._task("approve-comment", str(comment_id))

    def edit_post(self, post_id: int, text: str) -> dict[str, Any]:
        """Append a paragraph to a post (its modification date becomes now)."""
        return self._task("edit-post", str(post_id), text)

    def delete_comment(self, comment_id: int, force: bool = False) -> None:
        """Move a comment to the trash (``force``: delete it for good)."""
        self._task("delete-comment", str(comment_id), *(["force"] if force else []))

    def restore_comment(self, comment_id: int) -> None:
        """Take a comment out of the trash."""
        self._task("restore-comment", str(comment_id))

    def trash_post(self, post_id: int) -> None:
        """Move a post to the trash."""
        self._task("trash-post", str(post_id))

    def restore_post(self, post_id: int) -> None:
        """Take a post out of the trash and publish it again."""
        self._task("restore-post", str(post_id))

    def _task(self, *args: str) -> dict[str, Any]:
        self._require_running()
        out = self._php("tasks.php", *args)
        return json.loads(out.strip().splitlines()[-1])

    def __enter__(self) -> WordPressSite:
        self._started_here = self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if getattr(self, "_started_here", False):
            self.stop()

    # ------------------------------------------------------------------ start-up

    def _start_locked(self) -> bool:
        started = False
        state = self._state()
        if state.get("seed_hash") not in (None, _seed_hash(self.scale)):
            # seed.php changed since this site was seeded: start over with a fresh database.
            self._log(f"seed changed, re-seeding {self.root}")
            self._stop_process("php", timeout=10)
            self._stop_process("mariadbd", timeout=60)
            shutil.rmtree(self.datadir, ignore_errors=True)
            self._update_state(installed=False, seeded=False, seed_hash=None)

        self._ensure_wordpress_copy()
        port = self._choose_port()
        old_base = self._state().get("base_url")
        self._update_state(port=port)
        self._write_wp_config()
        if not self.settings_path.exists():
            self._write_settings(rest_mode="open")

        if self._ensure_datadir():
            self._update_state(installed=False, seeded=False, seed_hash=None)
        if self._running_pid("mariadbd") is None:
            self._start_mariadbd()
            self._started_now.append("mariadbd")
            started = True
        self._ensure_database()

        state = self._state()
        if state.get("installed") and old_base and old_base != self.base_url:
            self._log(f"moving the site from {old_base} to {self.base_url}")
            self._php("tasks.php", "relocate", old_base, self.base_url)
        self._update_state(base_url=self.base_url)

        php_pid = self._running_pid("php")
        if php_pid is not None and f"{HOST}:{port}" not in _cmdline(php_pid):
            self._stop_process("php", timeout=10)
            php_pid = None
        if php_pid is None:
            self._start_php()
            self._started_now.append("php")
            started = True

        if not self._state().get("installed"):
            self._install()
        if not self._state().get("seeded"):
            self._seed()
        return started

    def _ensure_wordpress_copy(self) -> None:
        marker = self.www / ".wparchive-copy"
        version = (WORDPRESS_SRC / "wp-includes/version.php").read_bytes()
        stamp = hashlib.sha256(version).hexdigest()[:16]
        if marker.exists() and marker.read_text().strip() == stamp:
            self._install_site_files()
            return
        self._log(f"copying {WORDPRESS_SRC} to {self.www}")
        tmp = self.root / "www.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(
            WORDPRESS_SRC,
            tmp,
            symlinks=False,  # Debian links some files to /usr/share/javascript and /etc
            ignore=shutil.ignore_patterns(".htaccess", "wp-config.php"),
            ignore_dangling_symlinks=True,
        )
        (tmp / "wp-content/uploads").mkdir(exist_ok=True)
        (tmp / "wp-content/mu-plugins").mkdir(exist_ok=True)
        (tmp / ".wparchive-copy").write_text(stamp + "\n")
        shutil.rmtree(self.www, ignore_errors=True)
        tmp.rename(self.www)
        self._install_site_files()

    def _install_site_files(self) -> None:
        """Copy the router and the mu-plugin (every start, so edits to them take effect)."""
        (self.www / "wp-content/mu-plugins").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(HERE / "mu-plugin.php", self.www / "wp-content/mu-plugins/wparchive-harness.php")
        shutil.copyfile(HERE / "router.php", self.root / "router.php")

    def _choose_port(self) -> int:
        state = self._state()
        php_pid = self._running_pid("php")
        if self._requested_port:
            port = self._requested_port
            running_here = php_pid is not None and f"{HOST}:{port}" in _cmdline(php_pid)
            if not running_here and not _port_free(port):
                raise HarnessError(f"port {port} on {HOST} is taken by another program")
            return port
        if php_pid is not None and state.get("port"):
            return int(state["port"])
        port = int(state.get("port") or DEFAULT_PORT)
        if not _port_free(port):
            port = _free_port()
        return port

    def _write_wp_config(self) -> None:
        base = self.base_url
        config = f"""<?php
// Written by tests/wordpress/harness.py on every start; edits are lost.
define('DB_NAME', '{DB_NAME}');
define('DB_USER', '{DB_USER}');
define('DB_PASSWORD', '{DB_PASSWORD}');
define('DB_HOST', 'localhost:{self.socket_path}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';

// Fixed keys: a throw-away local test site.
define('AUTH_KEY', 'wparchive-auth-key');
define('SECURE_AUTH_KEY', 'wparchive-secure-auth-key');
define('LOGGED_IN_KEY', 'wparchive-logged-in-key');
define('NONCE_KEY', 'wparchive-nonce-key');
define('AUTH_SALT', 'wparchive-auth-salt');
define('SECURE_AUTH_SALT', 'wparchive-secure-auth-salt');
define('LOGGED_IN_SALT', 'wparchive-logged-in-salt');
define('NONCE_SALT', 'wparchive-nonce-salt');

define('WP_HOME', '{base}');
define('WP_SITEURL', '{base}');
define('WP_HTTP_BLOCK_EXTERNAL', true);   // no HTTP request leaves the machine
define('DISABLE_WP_CRON', true);
define('WP_ENVIRONMENT_TYPE', 'local');   // application passwords over plain http
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_DEBUG', false);
define('FS_METHOD', 'direct');
define('WPARCHIVE_HARNESS_SETTINGS', '{self.settings_path}');

if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""
        path = self.www / "wp-config.php"
        if not path.exists() or path.read_text() != config:
            path.write_text(config)

    def _ensure_datadir(self) -> bool:
        """Initialise the MariaDB datadir if there is none; True when it was created."""
        if (self.datadir / "mysql").is_dir():
            return False
        self._log("initialising MariaDB datadir")
        tmp = self.root / "data.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        self.logdir.mkdir(parents=True, exist_ok=True)
        cmd = [
            "mariadb-install-db",
            "--no-defaults",
            f"--datadir={tmp}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--innodb-log-file-size=16M",
        ]
        if os.geteuid() == 0:
            cmd.append("--user=root")
        with open(self.logdir / "mariadb-install-db.log", "ab") as log:
            result = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, timeout=300)
        if result.returncode != 0:
            raise HarnessError(f"mariadb-install-db failed; see {self.logdir / 'mariadb-install-db.log'}")
        shutil.rmtree(self.datadir, ignore_errors=True)
        tmp.rename(self.datadir)
        return True

    def _start_mariadbd(self) -> None:
        self.rundir.mkdir(parents=True, exist_ok=True)
        self.logdir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        cmd = [
            "mariadbd",
            "--no-defaults",
            f"--datadir={self.datadir}",
            f"--socket={self.socket_path}",
            f"--pid-file={self.rundir / 'mariadbd.server.pid'}",
            f"--log-error={self.logdir / 'mariadb.err'}",
            f"--tmpdir={self.rundir}",
            "--skip-networking",
            "--skip-name-resolve",
            "--skip-log-bin",
            "--performance-schema=OFF",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            "--innodb-buffer-pool-size=64M",
            "--innodb-log-file-size=16M",
            "--innodb-flush-log-at-trx-commit=2",
            "--max-connections=50",
        ]
        if os.geteuid() == 0:
            cmd.append("--user=root")
        self._spawn("mariadbd", cmd, cwd=self.root)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._running_pid("mariadbd") is None:
                raise HarnessError(f"mariadbd exited; see {self.logdir / 'mariadb.err'}\n{self._tail('mariadb.err')}")
            if self._socket_answers():
                return
            time.sleep(0.1)
        raise HarnessError(f"mariadbd did not open {self.socket_path} in 60 s\n{self._tail('mariadb.err')}")

    def _socket_answers(self) -> bool:
        if not self.socket_path.exists():
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            try:
                sock.connect(str(self.socket_path))
                return len(sock.recv(4)) > 0  # the server's handshake packet
            except OSError:
                return False

    def _sql(self, statements: str) -> None:
        result = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket_path}", "--user=root", "--batch"],
            input=statements,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            raise HarnessError(f"SQL failed: {result.stderr.strip()}")

    def _ensure_database(self) -> None:
        self._sql(
            f"CREATE DATABASE IF NOT EXISTS {DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n"
            f"CREATE USER IF NOT EXISTS '{DB_USER}'@'localhost' IDENTIFIED BY '{DB_PASSWORD}';\n"
            f"GRANT ALL PRIVILEGES ON {DB_NAME}.* TO '{DB_USER}'@'localhost';\n"
        )

    def _reset_database(self) -> None:
        self._sql(f"DROP DATABASE IF EXISTS {DB_NAME};\n")
        self._ensure_database()
        self._update_state(installed=False, seeded=False, seed_hash=None)

    def _start_php(self) -> None:
        self.logdir.mkdir(parents=True, exist_ok=True)
        cmd = [
            "php",
            "-d", "display_errors=0",
            "-d", "log_errors=1",
            "-d", f"error_log={self.logdir / 'php-errors.log'}",
            "-d", "memory_limit=256M",
            "-d", "opcache.enable_cli=1",
            "-S", f"{HOST}:{self.port}",
            "-t", str(self.www),
            str(self.root / "router.php"),
        ]  # fmt: skip
        env = dict(os.environ, PHP_CLI_SERVER_WORKERS=str(PHP_WORKERS))
        self._spawn("php", cmd, cwd=self.www, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._running_pid("php") is None:
                raise HarnessError(f"php -S exited\n{self._tail('php.log')}")
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                if sock.connect_ex((HOST, self.port)) == 0:
                    return
            time.sleep(0.1)
        raise HarnessError(f"php -S did not listen on {HOST}:{self.port} in 30 s\n{self._tail('php.log')}")

    def _install(self) -> None:
        self._log("running the WordPress installer")
        form = urllib.parse.urlencode(
            {
                "weblog_title": "HIST 210",
                "user_name": ADMIN_USER,
                "admin_password": ADMIN_PASSWORD,
                "admin_password2": ADMIN_PASSWORD,
                "pw_weak": "on",
                "admin_email": ADMIN_EMAIL,
                "blog_public": "1",
                "language": "",
                "Submit": "Install WordPress",
            }
        ).encode()
        request = urllib.request.Request(f"{self.base_url}/wp-admin/install.php?step=2", data=form, method="POST")
        try:
            with _http_opener().open(request, timeout=300) as response:
                body = response.read().decode("utf-8", "replace")
        except urllib.error.URLError as exc:
            raise HarnessError(f"the WordPress installer failed: {exc}") from exc
        if "Success!" not in body and "Already Installed" not in body:
            raise HarnessError(f"the WordPress installer did not succeed:\n{body[-2000:]}")
        self._update_state(installed=True)

    def _seed(self) -> None:
        self._log("seeding content (seed.php)")
        try:
            out = self._php("seed.php", timeout=900)
        except HarnessError:
            # A half-seeded database cannot be seeded again: throw it away.
            self._reset_database()
            raise
        summary = json.loads(out.strip().splitlines()[-1])
        self.summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        self._update_state(seeded=True, seed_hash=_seed_hash(self.scale), theme=DEFAULT_THEME)

    # ------------------------------------------------------------------ processes

    def _pidfile(self, name: str) -> Path:
        return self.rundir / f"{name}.pid"

    def _spawn(self, name: str, cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.rundir.mkdir(parents=True, exist_ok=True)
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives this Python process; its own process group
            )
        finally:
            log.close()
        self._children[proc.pid] = proc
        self._pidfile(name).write_text(f"{proc.pid}\n")

    def _running_pid(self, name: str) -> int | None:
        """The PID in the PID file, if that process is alive and is ours (same root)."""
        try:
            pid = int(self._pidfile(name).read_text().strip())
        except (OSError, ValueError):
            return None
        self._reap(pid)
        if not _pid_alive(pid):
            return None
        cmd = _cmdline(pid)
        # A recycled PID belongs to some other program: never treat it as ours.
        if not cmd or not Path(cmd[0]).name.startswith(name):
            return None
        if not any(str(self.root) in part for part in cmd):
            return None
        return pid

    def _reap(self, pid: int) -> None:
        proc = self._children.get(pid)
        if proc is not None and proc.poll() is not None:
            del self._children[pid]

    def _stop_process(self, name: str, timeout: float) -> bool:
        pid = self._running_pid(name)
        pidfile = self._pidfile(name)
        if pid is None:
            with contextlib.suppress(FileNotFoundError):
                pidfile.unlink()
            return False
        # The process leads its own process group (start_new_session): php -S workers go too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._reap(pid)
            if not _pid_alive(pid):
                break
            time.sleep(0.1)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            time.sleep(0.2)
            self._reap(pid)
        with contextlib.suppress(FileNotFoundError):
            pidfile.unlink()
        return True

    def _require_running(self) -> None:
        if not self.is_running():
            raise HarnessError(f"the site in {self.root} is not running: call start() first")

    def _php(self, script: str, *args: str, timeout: float = 120) -> str:
        php = ["php", "-d", "display_errors=stderr", "-d", "memory_limit=512M"]
        cmd = [*php, str(HERE / script), str(self.www), *args]
        env = dict(os.environ, WPARCHIVE_WP_HOST=f"{HOST}:{self.port}", WPARCHIVE_WP_SCALE=str(self.scale))
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as exc:
            raise HarnessError(f"{script} took more than {timeout} s") from exc
        if result.returncode != 0:
            raise HarnessError(f"{script} {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
        return result.stdout

    # ------------------------------------------------------------------ files

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        if getattr(self, "_locked", False):  # re-entrant within one object
            yield
            return
        with open(self.root / "lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._locked = True
            try:
                yield
            finally:
                self._locked = False
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _state(self) -> dict[str, Any]:
        try:
            return json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return {}

    def _update_state(self, **changes: Any) -> None:
        state = self._state()
        state.update(changes)
        self._write_json(self.state_path, state)

    def _write_settings(self, **changes: Any) -> None:
        try:
            settings = json.loads(self.settings_path.read_text())
        except (OSError, ValueError):
            settings = {}
        settings.update(changes)
        self._write_json(self.settings_path, settings)

    @staticmethod
    def _write_json(path: Path, data: dict[str, Any]) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        os.replace(tmp, path)

    def _tail(self, log: str, lines: int = 20) -> str:
        try:
            return "\n".join((self.logdir / log).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    @staticmethod
    def _log(message: str) -> None:
        print(f"[wordpress harness] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run the real-WordPress test site (see tests/wordpress/README.md).",
        epilog="example: python tests/wordpress/harness.py start --theme twentytwentythree",
    )
    parser.add_argument("command", choices=["start", "stop", "status", "truth", "theme", "rest-mode", "reset"])
    parser.add_argument("value", nargs="?", help="theme name for 'theme', mode for 'rest-mode'")
    parser.add_argument("--dir", help=f"site folder (default $WPARCHIVE_WP_DIR or {DEFAULT_ROOT})")
    parser.add_argument("--port", type=int, help=f"HTTP port (default $WPARCHIVE_WP_PORT or {DEFAULT_PORT})")
    parser.add_argument("--theme", choices=THEMES, help="with start: switch to this theme")
    parser.add_argument("--rest-mode", choices=REST_MODES, help="with start: switch to this REST mode")
    parser.add_argument("--scale", type=int, help="seed N times the default content (default $WPARCHIVE_WP_SCALE or 1)")
    args = parser.parse_args(argv)
    site = WordPressSite(args.dir, args.port, args.scale)

    try:
        if args.command == "start":
            began = time.monotonic()
            started = site.start()
            if args.theme:
                site.set_theme(args.theme)
            if args.rest_mode:
                site.set_rest_mode(args.rest_mode)
            took = time.monotonic() - began
            print(f"{'started' if started else 'already running'} in {took:.1f} s: {site.base_url}/")
            print(f"admin: {site.base_url}/wp-admin/  login {ADMIN_USER} / {ADMIN_PASSWORD}")
            print(f"theme {site.theme}, REST mode {site.rest_mode}; files in {site.root}")
        elif args.command == "stop":
            print("stopped" if site.stop() else "was not running")
        elif args.command == "status":
            print(json.dumps(site.status(), indent=2, ensure_ascii=False))
        elif args.command == "truth":
            print(json.dumps(site.ground_truth(), indent=2, ensure_ascii=False))
        elif args.command == "theme":
            site.set_theme(args.value or "")
            print(f"theme {site.theme}")
        elif args.command == "rest-mode":
            site.set_rest_mode(args.value or "")
            print(f"REST mode {site.rest_mode}")
        elif args.command == "reset":
            site.reset()
            print(f"re-seeded {site.base_url}/")
    except (HarnessError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `truth | head`: the reader left; exit quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
