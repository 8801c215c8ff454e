"""A progress bar on a terminal, a log line every few seconds elsewhere: recipients sent of
the total, the rate and the time left, both ways."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

LOG_EVERY = 5.0  # seconds between log lines when the output is not a terminal


class _RateColumn(ProgressColumn):
    """Recipients a second, as the bar measures them."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("–/s" if speed is None else f"{speed:,.0f}/s")


@contextlib.contextmanager
def progress_reporter(
    console: Console, clock: Callable[[], float] = time.monotonic
) -> Iterator[Callable[[int, int], None]]:
    if console.is_terminal:
        with Progress(
            TextColumn("sending"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            get_time=clock,
        ) as bar:
            task = bar.add_task("send", total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield update
        return
    first: list[tuple[float, int]] = []  # when this run's first figure came, and what it was
    last = [float("-inf")]

    def log(done: int, total: int) -> None:
        now = clock()
        first[:] = first or [(now, done)]
        if now - last[0] >= LOG_EVERY or done == total:
            last[0] = now
            console.print(_log_line(done, total, now - first[0][0], done - first[0][1]))

    yield log


def _log_line(done: int, total: int, seconds: float, sent_meanwhile: int) -> str:
    """``sent 500/1,000 (50/s, about 10 s left)``: the rate over this run so far."""
    line = f"sent {done:,}/{total:,}"
    if seconds <= 0 or sent_meanwhile <= 0:
        return line
    rate = sent_meanwhile / seconds
    left = f", about {(total - done) / rate:,.0f} s left" if done < total else ""
    return f"{line} ({rate:,.0f}/s{left})"
