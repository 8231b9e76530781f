"""Writing a file so that readers only ever see the old content or the whole new one, and the new one survives a
crash once written: the content goes to a new file beside it, is flushed to disk, and is renamed over the old one,
whose directory entry is then flushed too. The tokens' file, the store's published checkpoint and `sikg export -o`
are written so."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written_atomically(path: Path, mode: int = 0o666) -> Iterator:
    """A binary file to write the new content of `path` into (created with `mode`, less the umask). On leaving
    without an error it replaces `path`, durably; after an error `path` is as it was and the new file is gone."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as output:
            yield output
            output.flush()
            os.fsync(output.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself
    finally:
        os.close(directory)
