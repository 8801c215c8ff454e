"""What `digest send` shows while it works: sent of total, the rate and the time left, on a
terminal (a rich bar) and elsewhere (a log line every few seconds)."""

from __future__ import annotations

import io

from rich.console import Console

from digest.management.commands._progress import progress_reporter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_log_lines_say_sent_of_total_the_rate_and_the_time_left():
    out, clock = io.StringIO(), Clock()
    console = Console(file=out, force_terminal=False, width=120)
    with progress_reporter(console, clock) as update:
        update(0, 1000)
        clock.now = 2.0
        update(100, 1000)  # under five seconds since the last line: not printed
        clock.now = 10.0
        update(500, 1000)
        clock.now = 11.0
        update(1000, 1000)  # the last figure is always printed
    assert out.getvalue().splitlines() == [
        "sent 0/1,000",
        "sent 500/1,000 (50/s, about 10 s left)",
        "sent 1,000/1,000 (91/s)",
    ]


def test_the_terminal_bar_shows_sent_of_total_and_the_rate():
    out, clock = io.StringIO(), Clock()
    console = Console(file=out, force_terminal=True, width=120)
    with progress_reporter(console, clock) as update:
        update(0, 1000)
        for second in range(1, 11):
            clock.now = float(second)
            update(50 * second, 1000)
    shown = out.getvalue()
    assert "500/1000" in shown and "50/s" in shown
