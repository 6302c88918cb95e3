"""Replay: the archived pages as they looked, offline, served by pywb from the crawls' WACZ files.

`replay_folder` keeps a pywb working folder beside the archive (`archive/archive.replay/` for
`archive/archive.db`) with one collection, `wparchive`, holding every WACZ of the capture folder
(each unpacked into it once, by pywb's own `wb-manager add --unpack-wacz`). `wayback_command` runs
pywb's `wayback` on it. A page is at `<server>/wparchive/<14-digit time>/<url>`; pywb rewrites its
links, images and scripts to the archived copies, so nothing is loaded from outside.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from archive.warc import capture_folder

COLLECTION = "wparchive"


def replay_folder_of(db_path: str | Path) -> Path:
    path = Path(db_path)
    return path.with_name(f"{path.stem}.replay")


def _tool(name: str) -> str:
    """A console script of pywb installed beside this Python (`wb-manager`, `wayback`)."""
    script = Path(sys.executable).parent / name
    if not script.exists():
        raise RuntimeError(f"pywb's {name} is not installed beside {sys.executable} (pip install pywb)")
    return str(script)


def replay_folder(db_path: str | Path, waczs: Path | None = None) -> Path:
    """The pywb folder for an archive, with every WACZ of its capture folder added (new ones are
    added on each call; one already added is not added again)."""
    folder = replay_folder_of(db_path)
    waczs = waczs or capture_folder(db_path)
    collection = folder / "collections" / COLLECTION
    folder.mkdir(parents=True, exist_ok=True)
    if not collection.exists():
        subprocess.run([_tool("wb-manager"), "init", COLLECTION], cwd=folder, check=True, capture_output=True)
    added_list = folder / "added.txt"
    added = set(added_list.read_text().split()) if added_list.exists() else set()
    for wacz in sorted(waczs.glob("*.wacz")):
        if wacz.name in added:
            continue
        subprocess.run(
            [_tool("wb-manager"), "add", "--unpack-wacz", COLLECTION, str(wacz.resolve())],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        with added_list.open("a") as handle:
            handle.write(wacz.name + "\n")
    return folder


def refresh_replay_folder(db_path: str | Path) -> None:
    """Make the replay folder's copies again from the WACZ files (after a takedown redacted them),
    in place: a `wayback` already serving the folder (its working folder) serves the new copies
    from its next request, with no restart. Nothing is done when there is no replay folder yet;
    when pywb cannot add the files, the folder is removed (the next `replay` or `serve` makes it
    again) rather than left with the old copies."""
    folder = replay_folder_of(db_path)
    if not folder.exists():
        return
    collection = folder / "collections" / COLLECTION
    for part in ("archive", "indexes"):
        shutil.rmtree(collection / part, ignore_errors=True)
        (collection / part).mkdir(parents=True, exist_ok=True)
    (folder / "added.txt").unlink(missing_ok=True)
    try:
        replay_folder(db_path)
    except (OSError, RuntimeError, subprocess.CalledProcessError):
        shutil.rmtree(folder, ignore_errors=True)
        raise


def wayback_command(host: str, port: int) -> list[str]:
    """pywb's server on `host:port` (run in the replay folder)."""
    return [_tool("wayback"), "--bind", host, "--port", str(port)]


def replay_url(server: str, captured_at: str, url: str) -> str:
    """Where pywb shows `url` as captured at `captured_at` (an ISO time or a WACZ name)."""
    digits = "".join(ch for ch in captured_at if ch.isdigit())[:14].ljust(14, "0")
    return f"{server.rstrip('/')}/{COLLECTION}/{digits}/{url}"
