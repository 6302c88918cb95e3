"""The Redis work queue of a crawl with workers (`wparchive crawl --workers N`, `wparchive work`).

Whole blogs are the unit of work: the spider keeps a blog's state (its listings, pending requests,
what the archive holds) in one process's memory, so each blog is crawled from start to end by one
worker, and only start URLs go through Redis. Items go back through Redis to the one process that
writes the archive (SQLite stays single-writer).

Keys, under a queue name (`ARCHIVE_REDIS_QUEUE`, default `wparchive`):

- `<q>:writer`: the run id, while the writer lives (a heartbeat with a time to live);
- `<q>:done`: the run id, once every blog of the run has its report;
- `<q>:blogs`: start URLs waiting for a worker;
- `<q>:taken:<worker>`: the blogs a worker is crawling (taken with RPOPLPUSH: the reliable-queue
  pattern; a blog leaves this list only in the same step that hands in its report);
- `<q>:attempts`: how many times each blog was taken back from a worker that died;
- `<q>:workers` and `<q>:alive:<worker>`: the workers of the run and their heartbeats;
- `<q>:items`: messages to the writer (items, failed items, blog reports, workers' stats), in the
  order each worker sent them.

Messages are pickled tuples; the writer unpickles only the item classes of `spiders.items`, so a
message cannot name any other code. Redis must still be reachable only by the crawl's machines.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import socket
import uuid
from dataclasses import dataclass
from typing import Any

import redis

# A worker or writer whose heartbeat is this old is gone (killed, its machine down, or hung):
# long enough for a slow save or a large page to pass. A local worker that dies is seen at once.
HEARTBEAT_TTL = 60
HEARTBEAT_EVERY = 2.0

_RELEASE = """
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  return 1
end
return 0
"""

# ARGV[1]: how many times a blog may be taken back from a dead worker; -1: a worker leaving.
_REQUEUE = """
local requeued, given_up = {}, {}
while true do
  local blog = redis.call('RPOP', KEYS[1])
  if not blog then break end
  local times = 0
  if ARGV[1] ~= '-1' then times = redis.call('HINCRBY', KEYS[3], blog, 1) end
  if ARGV[1] == '-1' or times <= tonumber(ARGV[1]) then
    redis.call('RPUSH', KEYS[2], blog)
    table.insert(requeued, blog)
  else
    table.insert(given_up, blog)
  end
end
return {requeued, given_up}
"""


def connect(url: str) -> redis.StrictRedis:
    """A client for `url` (`redis://host:port/db`)."""
    return redis.StrictRedis.from_url(url, socket_timeout=30, socket_connect_timeout=10)


def new_worker_id() -> str:
    """A worker's name: its machine, its process and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class _ItemUnpickler(pickle.Unpickler):
    """Unpickles the crawl's own item classes and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "spiders.items" and not name.startswith("_"):
            import spiders.items

            return getattr(spiders.items, name)
        if module == "builtins" and name in ("set", "frozenset"):
            return {"set": set, "frozenset": frozenset}[name]
        raise pickle.UnpicklingError(f"a queue message may not name {module}.{name}")


def encode(message: tuple) -> bytes:
    return pickle.dumps(message, protocol=5)


def decode(data: bytes) -> tuple:
    return _ItemUnpickler(io.BytesIO(data)).load()


class QueueBusy(RuntimeError):
    """Another writer's run holds the queue name."""


@dataclass
class WorkQueue:
    """One queue name on one Redis server: what the writer and the workers do to it."""

    server: redis.StrictRedis
    name: str = "wparchive"

    def key(self, *parts: str) -> str:
        return ":".join([self.name, *parts])

    # --- The writer ------------------------------------------------------------------------------

    def live_writer(self) -> str | None:
        """The run id of a writer that is alive on this queue, if any."""
        return _text(self.server.get(self.key("writer")))

    def open_run(self, blogs: list[str], full: bool = False) -> str:
        """Start a run: claim the queue (`QueueBusy` when a live writer has it), forget what a
        previous run left, then queue the blogs in order. `full`: the workers fetch every page
        again (ARCHIVE_FULL_RECRAWL)."""
        run = uuid.uuid4().hex[:12]
        if not self.server.set(self.key("writer"), run, ex=HEARTBEAT_TTL, nx=True):
            raise QueueBusy(f"another run ({self.live_writer()}) uses the queue {self.name!r}")
        for key in list(self.server.scan_iter(match=f"{self.name}:*")):
            if _text(key) != self.key("writer"):
                self.server.delete(key)
        self.server.set(self.key("options"), json.dumps({"run": run, "full": full}))
        if blogs:
            self.server.lpush(self.key("blogs"), *blogs)  # workers take from the right: first first
        return run

    def writer_beat(self, run: str) -> None:
        self.server.set(self.key("writer"), run, ex=HEARTBEAT_TTL)

    def close_run(self, run: str, done: bool) -> None:
        """`done`: every blog is reported (workers finish); otherwise the run stops (they leave)."""
        if done:
            self.server.set(self.key("done"), run)
        self.server.delete(self.key("writer"))

    def next_messages(self, limit: int = 100) -> list[tuple]:
        pipe = self.server.pipeline()
        pipe.lrange(self.key("items"), 0, limit - 1)
        pipe.ltrim(self.key("items"), limit, -1)
        data, _ = pipe.execute()
        return [decode(entry) for entry in data]

    def workers(self) -> set[str]:
        return {_text(worker) for worker in self.server.smembers(self.key("workers"))}

    def is_alive(self, worker: str) -> bool:
        return bool(self.server.exists(self.key("alive", worker)))

    def requeue(self, worker: str, max_attempts: int) -> tuple[list[str], list[str]]:
        """A worker is gone: its blogs go back to the queue, except those taken back more than
        `max_attempts` times (returned second: given up). Returns (requeued, given up)."""
        script = self.server.register_script(_REQUEUE)
        keys = [self.key("taken", worker), self.key("blogs"), self.key("attempts")]
        requeued, given_up = script(keys=keys, args=[max_attempts])
        self.quit(worker)
        return [_text(blog) for blog in requeued], [_text(blog) for blog in given_up]

    def waiting_blogs(self) -> int:
        return int(self.server.llen(self.key("blogs")))

    def run_options(self) -> dict[str, Any] | None:
        """The live writer's run: its id and options (None while no writer is there)."""
        run = self.live_writer()
        options = json.loads(_text(self.server.get(self.key("options"))) or "{}")
        return options if run and options.get("run") == run else None

    # --- A worker ------------------------------------------------------------------------------------

    def join(self, worker: str) -> None:
        self.server.sadd(self.key("workers"), worker)
        self.worker_beat(worker)

    def worker_beat(self, worker: str) -> None:
        self.server.set(self.key("alive", worker), "1", ex=HEARTBEAT_TTL)

    def run_state(self, run: str) -> str:
        """`running`, `done` (every blog reported: finish) or `stopped` (the writer is gone)."""
        pipe = self.server.pipeline()
        pipe.get(self.key("done"))
        pipe.get(self.key("writer"))
        done, writer = (_text(value) for value in pipe.execute())
        if done == run:
            return "done"
        return "running" if writer == run else "stopped"

    def quit(self, worker: str) -> None:
        self.server.srem(self.key("workers"), worker)
        self.server.delete(self.key("alive", worker))

    def take_blog(self, worker: str) -> str | None:
        return _text(self.server.rpoplpush(self.key("blogs"), self.key("taken", worker)))

    def push(self, message: tuple) -> None:
        self.server.rpush(self.key("items"), encode(message))

    def release(self, worker: str, blog: str, report: tuple) -> bool:
        """Hand in a blog's report and release the blog in one step; False when the blog is no
        longer this worker's (it was taken back: another worker reports it)."""
        script = self.server.register_script(_RELEASE)
        keys = [self.key("taken", worker), self.key("items")]
        return bool(script(keys=keys, args=[blog, encode(report)]))

    def leave(self, worker: str) -> list[str]:
        """A worker that stops before the run is done gives its blogs back to the queue (not
        counted as attempts: it did not die on them)."""
        requeued, _ = self.requeue(worker, -1)
        return requeued
