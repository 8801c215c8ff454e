"""Shared terminal output for the CLI verbs: rich tables on a terminal, plain text elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from rich.console import Console
from rich.table import Table

from subscribers.models import MailingList

from ...delivery.dispatch import SendReport
from ...models import Edition

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
        parser.add_argument(
            "--sender",
            help="outbox, smtp, sendgrid or a Sender's dotted path (default DIGEST_SENDER)",
        )


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


# `digest send` and `digest run` end with one of these (README, "Delivery"): 0 the edition
# is done, 1 an error, 2 stopped (paused, cancelled, quota), 3 readers remain open.
EXIT_STOPPED = 2
EXIT_OPEN = 3


def print_ending(console: Console, report: SendReport, edition: Edition) -> int:
    """What the run leaves: the stop and the state it left the edition in, else one line per
    open group with the command that finishes it. Returns the exit code."""
    ref = f"{edition.mailing_list.slug}/{edition.date:%Y-%m-%d}"
    edition = Edition.objects.select_related("mailing_list").get(pk=edition.pk)  # as it is now
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)
    if report.stopped:
        console.print(f"[red]stopped:[/] {report.stopped}", soft_wrap=True)
        return EXIT_STOPPED
    left = report.open
    for line in open_lines(left, ref):
        console.print(f"[yellow]open:[/] {line}", soft_wrap=True)
    console.print(f"Edition {ref}: {edition.status_label.lower()}", soft_wrap=True)
    return EXIT_OPEN if left else 0


def open_lines(left, ref: str) -> list[str]:
    """One line per group of readers a run left open, each with the command that goes on."""
    lines = []
    if left.waiting:
        lines.append(f"{left.waiting:,} waiting, not yet sent: `digest send --edition {ref}`")
    if left.deferred:
        at = f"{left.deferred_until:%H:%M:%S} UTC" if left.deferred_until else "their time"
        lines.append(
            f"{left.deferred:,} deferred (the provider asked to try later): "
            f"`digest send --edition {ref}` after {at}"
        )
    if left.uncertain:
        lines.append(
            f"{left.uncertain:,} uncertain (a run died after handing them to the provider): "
            f"decide with `digest resend-uncertain {ref}` (send again; some may get two) "
            f"or `digest accept-uncertain {ref}` (count them as sent)"
        )
    for holder in left.held:
        lines.append(
            f"{holder.readers:,} held by {holder.worker} until {holder.until:%H:%M:%S} UTC "
            f"(a run still sending, or one this machine cannot check): after that, "
            f"`digest send --edition {ref}` settles them"
        )
    return lines


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
