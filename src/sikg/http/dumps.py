"""Dumps as HTTP answers: streamed while they are written, and kept as files per store state so that the next
request for the same dump is a file (with ETag, 304 and byte ranges) instead of seconds of writing.

What a dump holds and how it is written is rdf/exports.py's; this module only moves its bytes.
"""

import atexit
import hashlib
import logging
import os
import queue
import re
import shutil
import tempfile
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import Response
from werkzeug.http import parse_range_header
from werkzeug.wsgi import wrap_file

from ..rdf.exports import ExportRequest, export
from .responses import with_charset

log = logging.getLogger(__name__)
DUMP_NAME = re.compile(r"[0-9a-f]{16}-[a-z]+-[a-z]+\Z")  # what DumpFiles.etag names a kept dump


class ExportFailed(RuntimeError):
    """A dump could not be written to the end (the response was cut short)."""


class QueueWriter:
    """A file object whose writes become chunks in a bounded queue, for streaming a writer that pushes; `keep` (a
    DumpKeeper) gets a copy of every byte."""

    def __init__(self, chunks, chunk_bytes: int, keep: "DumpKeeper | None" = None):
        self.chunks, self.chunk_bytes, self.keep = chunks, chunk_bytes, keep
        self.buffer, self.closed_by_reader = bytearray(), False

    def write(self, data) -> int:
        if self.closed_by_reader:
            raise BrokenPipeError("the client went away")
        if self.keep is not None:
            self.keep.write(data)
        self.buffer += data
        if len(self.buffer) >= self.chunk_bytes:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.chunks.put(bytes(self.buffer))
            self.buffer.clear()


def stream(write_to, chunk_bytes: int = 256 * 1024, keep=None) -> Iterator[bytes]:
    """Runs `write_to(file)` in a thread and yields what it writes as it comes: an HTTP response body that starts at
    once and holds at most a few chunks in memory, whatever the size of the dump. `keep` (a DumpFiles.keeper) gets
    a copy, committed only if the whole dump was written."""
    chunks: queue.Queue = queue.Queue(maxsize=8)
    writer, done, failure = QueueWriter(chunks, chunk_bytes, keep), object(), []

    def work():
        try:
            write_to(writer)
            writer.flush()
            if keep:
                keep.commit()
        except BrokenPipeError:
            pass
        except Exception as error:  # reported to the reader, which cuts the response short
            # As text: the exception's frames hold the export's Oxigraph iterators, which must not be dropped on
            # another thread (pyo3 refuses, and leaks them).
            log.error("export failed:\n%s", traceback.format_exc())
            failure.append(ExportFailed(f"{type(error).__name__}: {error}"))
        finally:
            if keep:
                keep.discard()  # after a commit, a no-op
            chunks.put(done)

    threading.Thread(target=work, daemon=True, name="sikg-export").start()
    try:
        while (chunk := chunks.get()) is not done:
            yield chunk
        if failure:
            raise failure[0]
    finally:
        writer.closed_by_reader = True
        while not chunks.empty():  # unblock the writer if it is waiting on a full queue
            chunks.get_nowait()


# -- dumps kept per store state --------------------------------------------------------------------------------------

class DumpFiles:
    """Exports kept as files, one set per store state, so that a dump is written once and then sent as a file
    (mirrors and crawlers fetch the same dump again and again; writing it costs seconds on a large KG: bench/README.md,
    "Export"). A dump's name is its ETag: the store's state token (hashed), the format and the view. A write starts a
    new set, and the first dump of a new state removes the files of older ones (a response still sending one keeps
    its open file). A dump being written is sent to its client at the same time and kept only if it was written
    whole. `directory` None keeps nothing."""

    def __init__(self, directory: Path | None):
        self.directory = directory

    @staticmethod
    def etag(state_token: str, request: ExportRequest) -> str:
        state = hashlib.sha256(state_token.encode()).hexdigest()[:16]
        return f"{state}-{request.format.name}-{request.view or 'kg'}".replace(".", "")

    @classmethod
    def from_setting(cls, setting: str) -> "DumpFiles":
        """SIKG_EXPORT_CACHE: a directory, "off", or unset for a temporary directory removed when the process ends."""
        if setting == "off":
            return cls(None)
        if setting:
            return cls(Path(setting))
        directory = Path(tempfile.mkdtemp(prefix="sikg-exports-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        return cls(directory)

    @staticmethod
    def validator(etag: str, request: ExportRequest, media_type: str | None) -> str:
        """The ETag sent for a dump labelled `media_type`: the kept file's name for the format's own media type, that
        name with the label added for another (JSON-LD sent as application/json). The bytes are the same, and so is
        the kept file, but each representation has its own validator (RFC 9110 §8.8.3)."""
        if media_type is None or media_type == request.media_type:
            return etag
        return f"{etag}-as-{re.sub(r'[^a-z0-9]+', '-', media_type.lower())}"

    def answer(self, store, request: ExportRequest, if_none_match, wrap_file,
               media_type: str | None = None) -> tuple[int, object, dict]:
        """(status, body, headers) for GET /export: 304 for a dump the client has, the kept file, or a dump written
        now (and kept). `wrap_file` is the server's file wrapper (sendfile where it has one); `media_type` is what
        the response is labelled with, when not the format's own."""
        etag = self.etag(store.state_token, request)
        validator = self.validator(etag, request, media_type)
        headers = {**request.headers, "ETag": f'"{validator}"', "Cache-Control": "no-cache"}
        if if_none_match is not None and if_none_match.contains_weak(validator):
            return 304, b"", headers
        kept = self.open(etag)
        if kept is not None:
            return 200, wrap_file(kept), {**headers, "Content-Length": str(os.fstat(kept.fileno()).st_size)}
        body = stream(lambda output: export(store, request, output), keep=self.keeper(etag))
        return 200, body, headers

    def response(self, store, wanted: ExportRequest, media_type: str, http_request) -> Response:
        """GET /export's answer for `wanted`, labelled `media_type`: a kept file also answers byte ranges, so that a
        download can be resumed."""
        status, body, headers = self.answer(store, wanted, http_request.if_none_match,
                                            lambda file: wrap_file(http_request.environ, file), media_type)
        response = Response(body, status, content_type=with_charset(media_type), headers=headers,
                            direct_passthrough=True)
        if status == 200 and "Content-Length" in headers:
            length = int(headers["Content-Length"])
            response.make_conditional(honoured_range(http_request.environ, length), accept_ranges=True,
                                      complete_length=length)
        return response

    def open(self, etag: str) -> BinaryIO | None:
        if self.directory is None:
            return None
        try:
            return (self.directory / etag).open("rb")
        except OSError:  # not kept (yet), or the directory went away: the dump is written again
            return None

    def keeper(self, etag: str) -> "DumpKeeper | None":
        """Where a dump being written is copied; None when nothing is kept. Keeping is a saving, never a condition:
        a directory that cannot be written (full, read-only, gone) only means the dump is not kept."""
        if self.directory is None:
            return None
        state = etag.split("-")[0]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for old in self.directory.iterdir():  # only dumps of older states: the directory may hold other files
                if DUMP_NAME.match(old.name) and not old.name.startswith(state):
                    old.unlink(missing_ok=True)
            return DumpKeeper(self.directory / etag)
        except OSError as error:
            log.warning("export dumps are not kept in %s: %s", self.directory, str(error))
            return None


def honoured_range(environ: dict, length: int) -> dict:
    """The request environ with the Range header to act on for a kept dump of `length` bytes: one byte range, a suffix
    longer than the dump meaning all of it. Anything else (another unit, several ranges, bad syntax) is dropped, so
    the whole dump is sent with 200, as RFC 9110 asks of a server that does not support such a range."""
    header = environ.get("HTTP_RANGE")
    if header is None:
        return environ
    parsed = parse_range_header(header)
    environ = {k: v for k, v in environ.items() if k != "HTTP_RANGE"}
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return environ
    start, _ = parsed.ranges[0]
    if start < 0 and -start > length:
        header = "bytes=0-"  # a suffix longer than the representation: all of it
    return {**environ, "HTTP_RANGE": header}


class DumpKeeper:
    """A dump being written beside its response: renamed into place only when written whole. A failed write (a full
    disk) stops the keeping, not the response. (Errors are logged as text, as in stream().)"""

    def __init__(self, target: Path):
        self.target = target
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        self.temporary, self.file, self.failed = Path(temporary), open(handle, "wb"), False

    def write(self, data) -> None:
        if self.failed:
            return
        try:
            self.file.write(data)
        except OSError as error:
            log.warning("export dump %s is not kept: %s", self.target.name, str(error))
            self.failed = True

    def commit(self) -> None:
        if self.failed:
            return
        try:
            self.file.close()
            self.temporary.replace(self.target)
        except OSError as error:
            log.warning("export dump %s is not kept: %s", self.target.name, str(error))

    def discard(self) -> None:
        try:
            self.file.close()
        except OSError:
            pass
        self.temporary.unlink(missing_ok=True)
