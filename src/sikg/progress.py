"""A progress bar on a terminal, for commands that take a while (`sikg validate` on a large file).

It draws on standard error, only when that is a terminal: piped or redirected output stays exactly what it was. A
stage with a known size draws a bar (`advance` as the work is done); one without (`working`) shows the time it has
taken so far, redrawn by a thread, since nothing inside it reports progress.
"""

import sys
import threading
import time

WIDTH = 30
REDRAW_SECONDS = 0.1


class Progress:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty()
        self._drawn = 0.0
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    def advance(self, stage: str, done: int, total: int, unit: str = "MB") -> None:
        """`done` of `total` (bytes, shown in MB) of `stage`; redrawn at most ten times a second, and at the end."""
        now = time.monotonic()
        if not self.shown or (now - self._drawn < REDRAW_SECONDS and done < total):
            return
        self._drawn = now
        share = done / total if total else 1.0
        filled = round(share * WIDTH)
        amount = f"{done / 1e6:.1f} of {total / 1e6:.1f} {unit}" if unit == "MB" else f"{done:,} of {total:,} {unit}"
        self._draw(f"{stage} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%}  {amount}")

    def working(self, stage: str) -> None:
        """A stage whose progress cannot be measured: its name and the seconds it has taken, until `done`."""
        self._end_ticker()
        if not self.shown:
            return
        started = time.monotonic()
        self._stop.clear()

        def tick():
            while not self._stop.wait(REDRAW_SECONDS):
                self._draw(f"{stage} … {time.monotonic() - started:.1f} s")
        self._draw(f"{stage} …")
        self._ticker = threading.Thread(target=tick, daemon=True)
        self._ticker.start()

    def done(self) -> None:
        """Clears the line: what the command prints next starts on a clean one."""
        self._end_ticker()
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _end_ticker(self) -> None:
        if self._ticker is not None:
            self._stop.set()
            self._ticker.join()
            self._ticker = None

    def _draw(self, line: str) -> None:
        self.stream.write("\r\033[K" + line)
        self.stream.flush()
