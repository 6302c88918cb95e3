"""The pages themselves: every response of a crawl as WARC records (ISO 28500, written by
warcio), packed per crawl as a WACZ (by py-wacz: CDXJ index, pages.jsonl, datapackage).

`WarcFile` writes one crawl's records as they arrive; `pack_wacz` turns the finished WARC into
`<folder>/<name>.wacz`; `validate_wacz` runs py-wacz's validator. A record is named by its
`WARC-Record-ID` and its `WARC-Payload-Digest`, which the archive keeps beside each fetched URL.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# Headers that described the transfer, not the body kept (the downloader has de-chunked it, and
# the length is written again). Content-Encoding stays: the body is kept as sent, gzip and all.
_WIRE_HEADERS = {b"transfer-encoding", b"content-length"}


CRAWL_FIELD = "wparchive-crawl"
# Bodies this large or larger are kept once a crawl: a second response with the same bytes is a
# revisit record (identical payload digest) that points to the first.
DEDUPE_MIN_BYTES = 512


@dataclass(frozen=True)
class Captured:
    """Where one response is kept: the WACZ file's name, the record's id and payload digest."""

    wacz: str
    record_id: str
    digest: str


def part_name(crawl_name: str, part: int) -> str:
    """The name of a crawl's n-th capture part: the crawl's own for the first, `-part<n>` after."""
    return crawl_name if part == 1 else f"{crawl_name}-part{part}"


def crawl_parts(paths: list[Path]) -> list[list[Path]]:
    """WACZ files grouped by the crawl that made them (`<name>.wacz`, `<name>-part2.wacz`, ...), each
    crawl's parts in their order, the crawls in the order first named."""
    groups: dict[str, list[tuple[int, Path]]] = {}
    for path in paths:
        m = _PART.match(path.name)
        crawl, part = (m.group(1), int(m.group(2) or 1)) if m else (path.name, 1)
        groups.setdefault(crawl, []).append((part, path))
    return [[path for _, path in sorted(parts)] for parts in groups.values()]


_PART = re.compile(r"^(.+?)(?:-part(\d+))?\.wacz$")


def capture_folder(db_path: str | Path) -> Path:
    """Where a crawl's WACZ files go by default: beside the archive (`archive/archive.wacz/` for
    `archive/archive.db`)."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}.wacz")


class WarcFile:
    """One crawl's WARC file, written record by record (gzip, one member a record)."""

    def __init__(self, path: Path, wacz_name: str, software: str, crawl: dict | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.wacz_name = wacz_name
        self.records = 0
        self._handle: IO[bytes] = path.open("wb")
        self._writer = WARCWriter(self._handle, gzip=True)
        # What the crawl was asked (its start URLs, whether it fetched everything again): what a
        # rebuild from this file asks again.
        fields = {"software": software, "format": "WARC File Format 1.1", CRAWL_FIELD: json.dumps(crawl or {})}
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, fields))
        self.pages: list[dict[str, str]] = []
        self._payloads: dict[str, tuple[str, str, str]] = {}  # payload digest -> record id, URL, date

    def write_exchange(
        self,
        url: str,
        method: str,
        request_headers: list[tuple[bytes, bytes]],
        request_body: bytes,
        status: int,
        response_headers: list[tuple[bytes, bytes]],
        body: bytes,
        fetched: datetime | None = None,
    ) -> Captured:
        """A response record and its request record (concurrent to it); returns where it is kept."""
        when = (fetched or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in response_headers
            if name.lower() not in _WIRE_HEADERS
        ]
        headers.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status} {_reason(status)}", headers, protocol="HTTP/1.1")
        digest = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")
        first = self._payloads.get(digest) if status == 200 and len(body) >= DEDUPE_MIN_BYTES else None
        if first is not None:
            # The same bytes as a response already kept (one file at two URLs, a page copied):
            # a revisit record that points to it, not the bytes again.
            response = self._writer.create_revisit_record(
                url,
                digest,
                first[1],
                first[2],
                http_headers=http,
                warc_headers_dict={"WARC-Date": when, "WARC-Refers-To": first[0]},
            )
        else:
            response = self._writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": when},
            )
        self._writer.write_record(response)
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        if first is None and status == 200 and len(body) >= DEDUPE_MIN_BYTES:
            self._payloads[digest] = (record_id, url, when)
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        request_http = StatusAndHeaders(
            f"{method} /{path} HTTP/1.1",
            [(n.decode("latin-1"), v.decode("latin-1")) for n, v in request_headers],
            is_http_request=True,
        )
        request = self._writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(request_body),
            length=len(request_body),
            http_headers=request_http,
            warc_headers_dict={"WARC-Date": when, "WARC-Concurrent-To": record_id},
        )
        self._writer.write_record(request)
        # On disk before anyone hears of it: a crawl killed later leaves every record it named
        # whole in its WARC (`salvage_warc`).
        self._handle.flush()
        self.records += 1
        return Captured(self.wacz_name, record_id, digest)

    def add_crawl_info(self, crawl: dict) -> None:
        """What the crawl was asked, told again (a worker learns its blogs as it takes them): the
        last warcinfo is the one `read_wacz` reads."""
        fields = {CRAWL_FIELD: json.dumps(crawl)}
        self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, fields))

    def add_page(self, url: str, fetched: datetime | None = None) -> None:
        """An HTML page a reader would open, for pages.jsonl."""
        when = (fetched or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.pages.append({"url": url, "ts": when})

    def close(self) -> None:
        self._handle.close()


def pack_wacz(warc: WarcFile, folder: Path, own_process: bool = False) -> Path:
    """Pack a finished WARC into `<folder>/<name>.wacz` with py-wacz (CDXJ index, pages.jsonl,
    datapackage); the WARC is then removed (it is inside the WACZ). `own_process` runs py-wacz in
    a Python process of its own: what it holds (the whole index, sorted in memory) is given back
    to the system when it ends, and it runs beside the crawl on another core."""
    warc.close()
    return _pack(warc.path, warc.wacz_name, warc.pages, folder, own_process)


# py-wacz's command line, with its exit code (its `python -m wacz` drops it). `wacz.main` imports
# frictionless for `wacz validate` even to create a file (12 MB of the packer's 41 MB before it
# reads a record): the packing process gets a stand-in that fails loudly if `create` ever uses it.
_WACZ_COMMAND = """
import sys, types
stand_in = types.ModuleType("frictionless")
def validate(*args, **kwargs):
    raise RuntimeError("frictionless is not loaded in wparchive's WACZ-packing process")
stand_in.validate = validate
sys.modules["frictionless"] = stand_in
from wacz.main import main
sys.exit(main(sys.argv[1:]))
"""


def _pack(
    warc_path: Path, wacz_name: str, pages_seen: list[dict[str, str]], folder: Path, own_process: bool = False
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / wacz_name
    pages = warc_path.with_suffix(".pages.jsonl")
    header = {"format": "json-pages-1.0", "id": "pages", "title": "Pages"}
    with pages.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(header) + "\n")
        for page in pages_seen:
            handle.write(json.dumps(page, ensure_ascii=False) + "\n")
    arguments = ["create", "-o", str(output), str(warc_path), "-p", str(pages)]
    if own_process:
        done = subprocess.run([sys.executable, "-c", _WACZ_COMMAND, *arguments], capture_output=True, text=True)
        code, said = done.returncode, done.stdout + done.stderr
    else:
        from wacz.main import main as wacz_main

        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = wacz_main(arguments)
        said = out.getvalue()
    if code not in (0, None) or not output.exists():
        raise RuntimeError(f"py-wacz could not pack {warc_path}: {said[-2000:]}")
    warc_path.unlink()
    pages.unlink()
    with contextlib.suppress(OSError):
        warc_path.parent.rmdir()  # the folder of unfinished WARCs, when no other crawl writes one
    return output


def salvage_warc(warc_path: Path, folder: Path) -> Path:
    """Pack the WARC of a crawl that was killed (a dead worker's) into its WACZ, as its end would
    have: the records after the last whole one (cut off by the kill) are dropped first. Every
    record the crawl named to anyone is whole (`WarcFile` flushes each exchange)."""
    from warcio.archiveiterator import ArchiveIterator

    with warc_path.open("r+b") as handle:
        handle.truncate(_whole_members_length(handle))
    pages = []
    with warc_path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            http = record.http_headers
            if (
                record.rec_type == "response"
                and http is not None
                and http.get_statuscode() == "200"
                and "html" in (http.get_header("Content-Type") or "")
            ):
                date = record.rec_headers.get_header("WARC-Date")
                pages.append({"url": record.rec_headers.get_header("WARC-Target-URI"), "ts": date})
    name = warc_path.name.removesuffix(".warc.gz") + ".wacz"
    return _pack(warc_path, name, pages, folder)


def _whole_members_length(handle: IO[bytes]) -> int:
    """Bytes up to the end of the last whole gzip member (a record) of a WARC."""
    whole = consumed = 0
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = b""
    while True:
        chunk = pending or handle.read(1 << 20)
        pending = b""
        if not chunk:
            return whole
        try:
            inflate.decompress(chunk)
        except zlib.error:
            return whole
        if inflate.eof:
            consumed += len(chunk) - len(inflate.unused_data)
            whole = consumed
            pending = inflate.unused_data
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            consumed += len(chunk)


def validate_wacz(path: Path) -> tuple[bool, str]:
    """py-wacz's validator on one file: whether it passed, and what it said."""
    from wacz.main import main as wacz_main

    with contextlib.redirect_stdout(io.StringIO()) as said:
        code = wacz_main(["validate", "-f", str(path)])
    return code == 0, said.getvalue()


@dataclass
class Recorded:
    """One archived response, as `read_wacz` gives it back."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    captured: Captured


@dataclass(frozen=True, slots=True)
class RecordedAt:
    """Where one archived response is, in a WARC taken out of its WACZ: read when asked for, so
    that a crawl of any size is replayed without its bodies in memory."""

    warc: Path
    offset: int
    body_offset: int | None  # the record holding its bytes (itself, or a revisit's first record)
    captured: Captured

    def read(self) -> Recorded:
        from warcio.archiveiterator import ArchiveIterator

        with self.warc.open("rb") as handle:
            handle.seek(self.offset)
            record = next(iter(ArchiveIterator(handle)))
            status = int(record.http_headers.get_statuscode())
            headers = list(record.http_headers.headers)
            if self.body_offset == self.offset:
                body = record.raw_stream.read()  # as sent: Scrapy inflates it again
            elif self.body_offset is None:
                body = b""  # a revisit whose first record is not in this file
            else:
                handle.seek(self.body_offset)
                body = next(iter(ArchiveIterator(handle))).raw_stream.read()
        return Recorded(status, headers, body, self.captured)


def index_wacz(path: Path, folder: Path) -> tuple[dict, dict[tuple[str, str], list[RecordedAt]]]:
    """A WACZ's crawl (its last warcinfo: start URLs, full or not) and where each of its responses
    is, by (method, URL), in the order they were received. Its WARCs are copied out into
    `folder` (on disk, not in memory), where the responses are then read one at a time."""
    from warcio.archiveiterator import ArchiveIterator

    crawl: dict = {}
    methods: dict[str, str] = {}
    responses: list[tuple[str, str, RecordedAt]] = []
    with zipfile.ZipFile(path) as wacz:
        for n, name in enumerate(_warc_names(wacz)):
            warc = folder / f"{path.stem}-{n}.warc.gz"
            with wacz.open(name) as source, warc.open("wb") as copy:
                shutil.copyfileobj(source, copy)
            first_of: dict[str, int] = {}  # payload digest -> the response record holding the bytes
            with warc.open("rb") as stream:
                records = ArchiveIterator(stream)
                for record in records:
                    if record.rec_type == "warcinfo":
                        text = record.content_stream().read().decode("utf-8", "replace")
                        for line in text.splitlines():
                            key, _, value = line.partition(":")
                            if key.strip() == CRAWL_FIELD:
                                crawl = json.loads(value.strip() or "{}")
                    elif record.rec_type == "request":
                        methods[record.rec_headers.get_header("WARC-Concurrent-To")] = record.http_headers.protocol
                    elif record.rec_type in ("response", "revisit"):
                        record_id = record.rec_headers.get_header("WARC-Record-ID")
                        digest = record.rec_headers.get_header("WARC-Payload-Digest")
                        offset = records.get_record_offset()
                        if record.rec_type == "response":
                            first_of.setdefault(digest, offset)
                            body_offset: int | None = offset
                        else:
                            body_offset = first_of.get(digest)  # the same bytes, kept once
                        at = RecordedAt(warc, offset, body_offset, Captured(path.name, record_id, digest))
                        responses.append((record_id, record.rec_headers.get_header("WARC-Target-URI"), at))
    by_key: dict[tuple[str, str], list[RecordedAt]] = {}
    for record_id, url, at in responses:
        by_key.setdefault((methods.get(record_id, "GET"), url), []).append(at)
    return crawl, by_key


def read_wacz(path: Path) -> tuple[dict, dict[tuple[str, str], list[Recorded]]]:
    """A WACZ's crawl and its responses by (method, URL), read whole (a small crawl's)."""
    with tempfile.TemporaryDirectory() as folder:
        crawl, index = index_wacz(path, Path(folder))
        return crawl, {key: [at.read() for at in answers] for key, answers in index.items()}


def record_body(wacz_path: Path, record_id: str) -> tuple[str | None, bytes] | None:
    """A kept response's content type and body (inflated, as a reader gets it), by its record id;
    a revisit gives the bytes of the record it points to. None when the file has no such record."""
    with zipfile.ZipFile(wacz_path) as wacz:
        found = _find_record(wacz, record_id)
        if found is not None and found[1] is not None:  # a revisit: the bytes are the first record's
            target = _find_record(wacz, found[1])
            found = (found[0], None, target[2]) if target is not None else None
    return (found[0], found[2]) if found is not None else None


def _warc_names(wacz: zipfile.ZipFile) -> list[str]:
    """The WARC files inside a WACZ, in order."""
    return sorted(n for n in wacz.namelist() if n.startswith("archive/") and n.endswith((".warc", ".warc.gz")))


def _find_record(wacz: zipfile.ZipFile, record_id: str) -> tuple[str | None, str | None, bytes] | None:
    """A record's content type, the record it refers to (a revisit's), and its inflated body."""
    from warcio.archiveiterator import ArchiveIterator

    for name in _warc_names(wacz):
        with wacz.open(name) as stream:
            for record in ArchiveIterator(stream):
                if record.rec_headers.get_header("WARC-Record-ID") != record_id:
                    continue
                content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
                if record.rec_type == "revisit":
                    return content_type, record.rec_headers.get_header("WARC-Refers-To"), b""
                return content_type, None, record.content_stream().read()
    return None


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
