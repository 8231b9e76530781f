"""A progress bar on a terminal, for commands that take a while (`sikg validate` on a large file, `sikg load`).

It draws on standard error, only when that is a terminal: piped or redirected output stays exactly what it was. A
stage with a known size draws a bar (`advance` as the work is done), with its rate (MB/s, or quads/s for a stage
counted in quads) and, once it has run RATE_AFTER_SECONDS, the time it has left at that rate; one without (`working`)
shows the time it has taken so far, redrawn by a thread, since nothing inside it reports progress.
"""

import sys
import threading
import time

WIDTH = 30
REDRAW_SECONDS = 0.1
RATE_AFTER_SECONDS = 1.0  # before, a rate and what it predicts say little


class Progress:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty()
        self._drawn = 0.0
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._stage: tuple[str, float, int] | None = None  # the stage `advance` draws, when it began, done then

    def advance(self, stage: str, done: int, total: int, unit: str = "MB") -> None:
        """`done` of `total` (bytes, shown in MB, or `unit`s) of `stage`; redrawn at most ten times a second, and at
        the end."""
        now = time.monotonic()
        if self._stage is None or self._stage[0] != stage:
            self._stage = (stage, now, done)
        if not self.shown or (now - self._drawn < REDRAW_SECONDS and done < total):
            return
        self._end_ticker()  # (a stage that `working` was showing is over)
        self._drawn = now
        share = done / total if total else 1.0
        filled = round(share * WIDTH)
        amount = f"{done / 1e6:.1f} of {total / 1e6:.1f} {unit}" if unit == "MB" else f"{done:,} of {total:,} {unit}"
        self._draw(
            f"{stage} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%}  {amount}"
            + rate(done - self._stage[2], total - done, unit, now - self._stage[1])
        )

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


def rate(done: int, left: int, unit: str, seconds: float) -> str:
    """ "  12.3 MB/s  ETA 4 s" (or quads/s…): `done` in `seconds`, and `left` to do at that rate; nothing before
    RATE_AFTER_SECONDS."""
    if seconds < RATE_AFTER_SECONDS or done <= 0:
        return ""
    per_second = f"{done / 1e6 / seconds:.1f} MB/s" if unit == "MB" else f"{done / seconds:,.0f} {unit}/s"
    return f"  {per_second}" + (f"  ETA {seconds * left / done:.0f} s" if left > 0 else "")
