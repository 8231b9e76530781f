"""An on-disk store's quads read while the engine writes them: Oxigraph's own writer runs in a thread of its own, with
Python's lock released, into a pipe whose lines the caller's thread reads meanwhile (the whole-KG JSON-LD export
compacts them: nquads_compaction.py).

Why: reading an on-disk store is the engine's work (RocksDB and the terms' strings), 1.3-1.5 s of CPU for the
20,000-practice KG whichever way Python asks for it (quads_for_pattern, a query, Store.dump); compacting its N-Quads
text costs 0.5 s (bench/README.md, "Export from the dump's text"). Run side by side, the whole-KG JSON-LD export
takes about as long as the engine's own dump instead of the sum of reading and writing (bench/README.md, "Export
regression").
"""

import fcntl
import os
import threading
from collections.abc import Callable, Iterator

_PIPE_BYTES = 1 << 20  # a larger pipe: fewer hand-overs between the two threads on a busy machine
_BATCH_CHARACTERS = 1 << 16  # lines handed over at a time: about 350 N-Quads lines of the KG
_SYNC_REFUSED = "(os error 22)"  # EINVAL: fsync of a pipe, which Oxigraph asks for once everything is written


class EngineDumpFailed(RuntimeError):
    """The engine stopped writing before the end: what was read is not the whole graph."""


def lines_while_written(write: Callable[[str], None]) -> Iterator[list[str]]:
    """The lines that `write(path)` writes to the file `path` as UTF-8 text (N-Triples, N-Quads), in lists of a few
    hundred as they come, every line whole with its "\\n": for nquads_compaction, which reads the text itself.
    Raises EngineDumpFailed when the writer failed, before a line it cut short is given. A consumer that stops early
    closes the pipe; the writer's next write then fails (EPIPE: Python ignores SIGPIPE) and its thread ends."""
    read_end, write_end = os.pipe()
    try:
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (AttributeError, OSError):  # not Linux, or above /proc/sys/fs/pipe-max-size: the default pipe is fine
        pass
    failures: list[BaseException] = []

    def produce() -> None:
        try:
            write(f"/dev/fd/{write_end}")  # the engine opens the pipe by name: it writes without Python's lock
        except OSError as error:
            if _SYNC_REFUSED not in str(error):
                failures.append(error)
        except BaseException as error:  # noqa: BLE001 - handed to the reader, which raises it
            failures.append(error)
        finally:
            os.close(write_end)  # the reader's end of file (the engine's own descriptor is closed already)

    thread = threading.Thread(target=produce, name="engine-dump", daemon=True)
    thread.start()
    try:
        yield from _line_batches(read_end)
    except _CutShort:  # by a writer that failed: its failure is the cause
        thread.join()
        if failures:
            raise EngineDumpFailed(f"the store could not be read to the end: {failures[0]}") from failures[0]
        raise EngineDumpFailed("the store's dump ended inside a line") from None
    finally:
        os.close(read_end)
        thread.join()
    if failures:
        raise EngineDumpFailed(f"the store could not be read to the end: {failures[0]}") from failures[0]


class _CutShort(Exception):
    """The pipe ended inside a line."""


def _line_batches(read_end: int) -> Iterator[list[str]]:
    with open(read_end, encoding="utf-8", newline="\n", closefd=False) as reader:
        while batch := reader.readlines(_BATCH_CHARACTERS):
            if not batch[-1].endswith("\n"):  # only the last batch can end inside a line: the writer stopped there
                raise _CutShort
            yield batch
