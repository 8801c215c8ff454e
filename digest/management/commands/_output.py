"""Shared terminal output for the CLI verbs: rich tables on a terminal, plain text elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from rich.console import Console
from rich.table import Table

from subscribers.models import MailingList

from ...delivery.dispatch import SendReport

if TYPE_CHECKING:  # the collector's libraries are not loaded by `digest send`
    from ...collect import CollectReport


def console_for(command) -> Console:
    out = command.stdout._out if hasattr(command.stdout, "_out") else command.stdout
    is_tty = hasattr(out, "isatty") and out.isatty()
    return Console(file=out, force_terminal=is_tty, width=None if is_tty else 110, highlight=False)


def add_edition_arguments(parser, sender: bool = True) -> None:
    """--list, --date (and --sender): how every verb names one list's edition."""
    parser.add_argument("--list", dest="slug", required=True, help="the list's slug")
    parser.add_argument("--date", help="YYYY-MM-DD (default today in the list's time zone)")
    if sender:
        parser.add_argument("--sender", help="outbox, smtp or sendgrid (default DIGEST_SENDER)")


def mailing_list(slug: str) -> MailingList:
    try:
        return MailingList.objects.get(slug=slug)
    except MailingList.DoesNotExist:
        known = ", ".join(MailingList.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(
            f"no list with the slug {slug!r} (known lists: {known}); add one in the admin "
            "or load the demo with `digest demo`"
        ) from None


def collect_table(report: CollectReport) -> Table:
    """Per source: fetched, new, updated, unchanged, errors, duplicates (the texts follow)."""
    table = Table(title="Collected", title_justify="left")
    columns = ("source", "fetched", "new", "updated", "unchanged", "errors", "duplicates")
    for column in columns:
        if column == "source":
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, justify="right")
    for s in report.sources:
        name = f"{s.name} (FAILED)" if s.failed else s.name
        table.add_row(
            name,
            *(str(n) for n in (s.fetched, s.new, s.updated, s.unchanged, s.errors, s.duplicates)),
        )
    return table


def print_problems(console: Console, report: CollectReport) -> None:
    for source in report.sources:
        for problem in source.problems:
            console.print(f"[yellow]skipped[/] {problem}", soft_wrap=True)


def send_table(report: SendReport) -> Table:
    table = Table(title=f"Sent {report.edition} via {report.sender}", title_justify="left")
    table.add_column("outcome")
    table.add_column("recipients", justify="right")
    table.add_row("recipients of this edition", str(report.recipients))
    table.add_row("sent now", str(report.sent))
    for reason, n in sorted(report.failed.items()):
        table.add_row(f"failed: {reason}", str(n))
    if not report.failed:
        table.add_row("failed", "0")
    table.add_row("deferred (retried by the next `digest send`)", str(report.retry_later))
    table.add_row("skipped (unsubscribed since enqueue)", str(report.skipped))
    table.add_row("uncertain (a run died holding them)", str(report.uncertain))
    if report.resent_uncertain:
        table.add_row(
            "  of which queued again (DIGEST_ON_UNCERTAIN=resend)", str(report.resent_uncertain)
        )
    if report.returned:
        table.add_row("back to waiting (a dead run claimed them, never sent)", str(report.returned))
    if report.workers > 1:
        table.add_row("sending processes", str(report.workers))
    rate = report.sent / report.elapsed if report.elapsed > 0 else 0.0
    table.add_row("elapsed", f"{report.elapsed:.1f} s ({rate:.0f}/s)")
    return table
