"""`digest backup PATH`: a consistent copy of the SQLite database, also while sending."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ... import backup
from ._output import console_for


class Command(BaseCommand):
    help = (
        "Copy the SQLite database to PATH (a file, or a folder for a dated file) through "
        "SQLite's online backup: consistent while the scheduler or a send writes. For "
        "PostgreSQL it prints the pg_dump command to use."
    )
    requires_system_checks = []  # a warning about the site must not stop a backup

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write, or a folder")

    def handle(self, *args, path: str, **options):
        console = console_for(self)
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            target = Path(path)
            if target.is_dir():
                target = target / f"digest-{timezone.now():%Y%m%d-%H%M%S}.dump"
            raise CommandError(
                f"the database is {database['ENGINE'].rsplit('.', 1)[-1]}: back it up with "
                f"pg_dump instead:\n  {backup.pg_dump_command(database, target)}\n"
                f"(restore: {backup.pg_restore_command(database, target)})"
            )
        try:
            target = backup.target_for(Path(path).expanduser().absolute(), timezone.now())
            with Progress(
                TextColumn("backing up"),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                disable=not console.is_terminal,
            ) as bar:
                task = bar.add_task("backup", total=None)

                def update(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                report = backup.backup_sqlite(Path(database["NAME"]), target, update)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        console.print(summary(Path(database["NAME"]), report))


def summary(source: Path, report: backup.BackupReport) -> Table:
    table = Table(title="Backup", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row("from", str(source))
    table.add_row("to", str(report.path))
    table.add_row("size", f"{report.size / 1e6:,.1f} MB ({report.pages:,} pages)")
    table.add_row("integrity", report.integrity)
    for label, count in report.counts.items():
        table.add_row(label, f"{count:,}")
    table.add_row("elapsed", f"{report.seconds:.1f} s")
    return table
