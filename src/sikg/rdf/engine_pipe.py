"""Triples read while the engine writes them: Oxigraph's own writer runs in a thread of its own, with Python's lock
released, into a pipe that the caller's thread reads: Oxigraph's parser, or for the whole-KG JSON-LD export the text's
own lines (nquads_compaction.py).

Why: reading an on-disk store is the engine's work (RocksDB and the terms' strings), 1.3-1.5 s of CPU for the
20,000-practice KG whichever way Python asks for it (quads_for_pattern, a query, Store.dump); parsing the same quads
back from N-Triples costs 0.4 s. Run side by side, the whole-KG JSON-LD export takes about as long as the engine's own
dump instead of the sum of reading and writing (bench/README.md, "Export regression").
"""

import fcntl
import os
import threading
from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox

_PIPE_BYTES = 1 << 20  # a larger pipe: fewer hand-overs between the two threads on a busy machine
_BATCH_CHARACTERS = 1 << 16  # lines handed over at a time: about 350 N-Quads lines of the KG
_SYNC_REFUSED = "(os error 22)"  # EINVAL: fsync of a pipe, which Oxigraph asks for once everything is written


class EngineDumpFailed(RuntimeError):
    """The engine stopped writing before the end: what was read is not the whole graph."""


def read_while_written(write: Callable[[str], None], rdf_format: ox.RdfFormat) -> Iterator:
    """The triples (or quads) that `write(path)` writes in `rdf_format` to the file `path`, parsed as they come.
    Raises EngineDumpFailed when the writer failed. A consumer that stops early closes the pipe; the writer's
    next write then fails (EPIPE: Python ignores SIGPIPE) and its thread ends."""
    return _while_written(write, lambda read_end: ox.parse(open(read_end, "rb", closefd=False), format=rdf_format))


def lines_while_written(write: Callable[[str], None]) -> Iterator[list[str]]:
    """The lines that `write(path)` writes to the file `path` as UTF-8 text (N-Triples, N-Quads), in lists of a few
    hundred as they come, every line whole with its "\\n": for nquads_compaction, which reads the text itself.
    Raises EngineDumpFailed when the writer failed, before a line it cut short is given. Stopping early as above."""
    return _while_written(write, _line_batches)


def _line_batches(read_end: int) -> Iterator[list[str]]:
    with open(read_end, encoding="utf-8", newline="\n", closefd=False) as reader:
        while batch := reader.readlines(_BATCH_CHARACTERS):
            if not batch[-1].endswith("\n"):  # only the last batch can end inside a line: the writer stopped there
                raise SyntaxError("the dump ends inside a line")
            yield batch


def _while_written(write: Callable[[str], None], read: Callable[[int], Iterable]) -> Iterator:
    """What `read(fd)` makes of the pipe's read end while `write` writes into the pipe from a thread of its own."""
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
        yield from read(read_end)
    except SyntaxError:  # a line cut short by a writer that failed: its failure is the cause
        thread.join()
        if failures:
            raise EngineDumpFailed(f"the store could not be read to the end: {failures[0]}") from failures[0]
        raise
    finally:
        os.close(read_end)
        thread.join()
    if failures:
        raise EngineDumpFailed(f"the store could not be read to the end: {failures[0]}") from failures[0]
