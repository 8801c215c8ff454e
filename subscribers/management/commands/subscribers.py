"""``digest subscribers import FILE --list SLUG`` and ``digest subscribers export --list SLUG``.

Thin over ``subscribers.importer``: a progress bar on a terminal, a summary table, and the
skipped and rejected rows (line, value, reason) printed and, with ``--report``, written as CSV.
"""

from __future__ import annotations

import contextlib
import csv
import getpass
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ... import csvsafe
from ...importer import ImportFileError, ImportReport, export_csv, import_csv
from ...models import MailingList


class Command(BaseCommand):
    help = "Import a list's subscribers from CSV, or export them as CSV."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="{import,export}")
        imp = verbs.add_parser(
            "import",
            help="add or update a list's subscribers from a CSV file",
            description=(
                "Columns: email (required), name, language (en|ko), sections (keys separated "
                "by commas or semicolons; empty = all), status (confirmed|pending|unsubscribed; "
                "default confirmed). UTF-8 (with or without BOM) or CP949/EUC-KR."
            ),
        )
        imp.add_argument("file", help="the CSV file; the first row is the header")
        imp.add_argument("--list", dest="slug", required=True, help="the list's slug")
        imp.add_argument(
            "--dry-run", action="store_true", help="report what would happen; store nothing"
        )
        imp.add_argument(
            "--report", metavar="FILE", help="write the skipped and rejected rows to this CSV file"
        )
        exp = verbs.add_parser("export", help="write a list's subscribers as CSV")
        exp.add_argument("--list", dest="slug", required=True, help="the list's slug")
        exp.add_argument(
            "--out", metavar="FILE", help="the file to write (default: standard output)"
        )

    def handle(self, *args, verb, slug, **options):
        mailing_list = _mailing_list(slug)
        if verb == "import":
            self.import_(mailing_list, options["file"], options["dry_run"], options["report"])
        else:
            self.export(mailing_list, options["out"])

    def import_(self, mailing_list: MailingList, file: str, dry_run: bool, report_path) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        console = _console(self)
        with _report_file(report_path) as sink:
            writer = csvsafe.writer(sink)
            writer.writerow(["line", "value", "reason"])
            with _progress(console) as progress:
                try:
                    report = import_csv(
                        path,
                        mailing_list,
                        user=_os_user(),
                        dry_run=dry_run,
                        keep=0,  # every row goes to the sink; memory stays flat
                        on_problem=lambda r: writer.writerow([r.line, r.value, r.reason]),
                        on_progress=progress,
                    )
                except ImportFileError as exc:
                    raise CommandError(str(exc)) from None
            _print_summary(console, report)
            if report.skipped or report.rejected:
                console.print("Skipped and rejected rows (line, value, reason):")
                sink.seek(0)
                rows = csv.reader(sink)
                next(rows)
                for line, value, reason in rows:
                    console.print(
                        f"  line {line}: {csvsafe.unescape(value)!r}: {csvsafe.unescape(reason)}",
                        markup=False,
                        highlight=False,
                        soft_wrap=True,
                    )
            if report_path:
                console.print(f"Report: {report_path}", markup=False, highlight=False)
        if dry_run:
            console.print("Dry run: nothing was stored.")

    def export(self, mailing_list: MailingList, out: str | None) -> None:
        if out is None:
            export_csv(mailing_list, _Raw(self.stdout))
            return
        try:
            with open(out, "w", newline="", encoding="utf-8-sig") as f:
                count = export_csv(mailing_list, f)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from None
        self.stderr.write(f"{count} subscription(s) of {mailing_list.slug} written to {out}")


def _mailing_list(slug: str) -> MailingList:
    try:
        return MailingList.objects.get(slug=slug)
    except MailingList.DoesNotExist:
        known = ", ".join(MailingList.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"no list with the slug {slug!r} (known lists: {known})") from None


@contextlib.contextmanager
def _report_file(path: str | None) -> Iterator[IO[str]]:
    """The --report file, or a temporary one: the rows are printed from it at the end."""
    if path is None:
        with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as f:
            yield f
        return
    try:
        f = open(path, "w+", newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        raise CommandError(f"cannot write the report {path}: {exc.strerror}") from None
    with f:
        yield f


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown user"


class _Raw:
    """The command's stdout without its automatic line endings (the CSV writer has its own)."""

    def __init__(self, wrapper) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")


def _console(command: BaseCommand) -> Console:
    out = getattr(command.stdout, "_out", command.stdout)
    is_tty = hasattr(out, "isatty") and out.isatty()
    return Console(file=out, force_terminal=is_tty, width=None if is_tty else 110, highlight=False)


@contextlib.contextmanager
def _progress(console: Console) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal; elsewhere a line every few seconds (by lines read)."""
    if console.is_terminal:
        with Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("lines"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("import", total=None)
            yield lambda done, total: bar.update(task, completed=done, total=total)
        return
    last = [time.monotonic()]

    def log(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 5:
            last[0] = now
            console.print(f"read {done}/{total} lines")

    yield log


def _print_summary(console: Console, report: ImportReport) -> None:
    title = (
        f"Dry run of {report.filename} into {report.mailing_list}"
        if report.dry_run
        else f"Imported {report.filename} into {report.mailing_list}"
    )
    console.print(Text(title, style="bold"))
    table = Table()
    table.add_column("rows")
    table.add_column("", justify="right")
    table.add_row("read", str(report.rows))
    for outcome, n in report.counts().items():
        table.add_row(outcome, str(n))
    console.print(table)
    console.print(Text(f"Read as {report.encoding}; recorded as {report.source!r}."))
