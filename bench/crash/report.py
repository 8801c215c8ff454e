"""The crash matrix's tables: one per scenario as it ends (its runs), one for the matrix."""

from __future__ import annotations

from rich.table import Table

from . import checks
from .run import Outcome


def _n(value: int) -> str:
    return f"{value:,}"


def scenario_table(outcome: Outcome, problems: list[str], database: str) -> Table:
    """A scenario's runs: what each was, its exit, the provider's count, uncertain found."""
    s = outcome.scenario
    verdict = "[green]ok[/]" if not problems else f"[red]{len(problems)} violations[/]"
    table = Table(
        title=f"{s.name} on {database}: {_n(outcome.readers)} readers, {verdict}",
        title_justify="left",
    )
    for column in ("run", "verb", "exit", "accepted (at kill)", "uncertain found", "printed"):
        table.add_column(column, justify="left" if column == "verb" else "right")
    table.add_column("seconds", justify="right")
    for n, step in enumerate(outcome.steps, 1):
        accepted = _n(step.accepted_at_end)
        if step.kill_point is not None:
            accepted += f" ({_n(step.kill_point)})"
        table.add_row(
            str(n),
            step.verb + (f" (killed {len(step.killed)})" if step.killed else ""),
            step.label,
            accepted,
            _n(step.uncertain_after - step.uncertain_before),
            "" if step.printed_uncertain is None else _n(step.printed_uncertain),
            f"{step.seconds:.1f}",
        )
    return table


COLUMNS = (
    "scenario",
    "kills",
    "kill points",
    "sent",
    "uncertain reported",
    "duplicates",
    "missing",
    "failed/skipped",
    "exit codes",
    "seconds",
    "result",
)


def matrix_table(rows: list[tuple[Outcome, list[str]]], database: str) -> Table:
    table = Table(title=f"Crash matrix on {database}", title_justify="left")
    for column in COLUMNS:
        table.add_column(column, justify="left" if column in ("scenario", "result") else "right")
    for outcome, problems in rows:
        table.add_row(*matrix_row(outcome, problems))
    return table


def matrix_row(outcome: Outcome, problems: list[str]) -> list[str]:
    """One scenario in the matrix: kills done of planned, where (recipients accepted), the
    provider's count, what the product reported, the damage, exits in order, time."""
    duplicates = sum(1 for n in outcome.received.values() if n > 1)
    kills = len(outcome.kill_points)
    return [
        outcome.scenario.name,
        f"{kills}/{outcome.scenario.kills}",
        ", ".join(_n(p) for p in outcome.kill_points) or "-",
        _n(sum(outcome.received.values())),
        _n(len(outcome.reported_uncertain)),
        _n(duplicates),
        _n(len(checks.missing(outcome))),
        _n(len(checks.given_up(outcome))),
        " ".join(step.label for step in outcome.steps),
        f"{outcome.seconds:.0f}",
        "ok" if not problems else f"FAIL ({len(problems)})",
    ]


def markdown(rows: list[tuple[Outcome, list[str]]]) -> str:
    """The matrix as a Markdown table (for the README)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    for outcome, problems in rows:
        cells = [c.replace("|", "/") for c in matrix_row(outcome, problems)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
