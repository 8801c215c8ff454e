"""CSV import and export of a list's subscribers: plain functions for the admin and the CLI.

Import
    A header row, then one reader per row. Columns (case-insensitive, any order, extra ones
    ignored, all but ``email`` optional): ``email``, ``name``, ``language`` (en or ko),
    ``sections`` (section keys separated by commas or semicolons; empty means all) and
    ``status`` (confirmed, pending or unsubscribed; empty means confirmed: the admin who
    imports vouches for the consent). UTF-8 with or without BOM, or CP949/EUC-KR as Korean
    spreadsheets save it.

    Every row ends as exactly one of: created, updated, unchanged, skipped (a blocked reader,
    an unsubscribed subscription, an erased address: an import never brings them back) or
    rejected (a bad address, a duplicate, an unknown section, language or status). Skipped
    and rejected rows are reported with their line in the file (the header is line 1), the
    raw value at fault and the reason.

    The file is streamed and handled in batches: one query per batch finds the addresses
    already known, new rows are bulk-inserted, and the addresses seen earlier in the file are
    kept in a temporary on-disk index, so memory stays flat whatever the file's length. Every
    row is checked against the database as it was before the import (an address is handled
    once per file), so a dry run computes exactly the report of the real run and writes
    nothing.

Export
    Streams a list's subscriptions (erased readers left out) as CSV with the import's columns
    first, so an export imports back as the same people with the same sections. Cells that a
    spreadsheet would run as formulas are escaped (``csvsafe``); the import undoes that.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import FilteredRelation, Q
from django.db.models.functions import Lower
from django.utils import timezone

from . import csvsafe
from .addresses import InvalidAddress, address_hash, clean_address
from .hooks import section_choices
from .models import ConsentEvent, ErasedAddress, MailingList, Subscriber, Subscription

BATCH_SIZE = 1000
ENCODINGS = ("utf-8-sig", "cp949")
COLUMNS = ("email", "name", "language", "sections", "status")
EXPORT_COLUMNS = (
    *COLUMNS,
    "list",
    "subscriber_status",
    "source",
    "subscribed_at",
)
LANGUAGES = {
    "en": "en",
    "english": "en",
    "영어": "en",
    "ko": "ko",
    "korean": "ko",
    "한국어": "ko",
}
STATUSES = {s.value for s in Subscription.Status}
OUTCOMES = ("created", "updated", "unchanged", "skipped", "rejected")

SKIPPED_BLOCKED = "skipped: blocked"
SKIPPED_UNSUBSCRIBED = "skipped: unsubscribed"
SKIPPED_ERASED = "skipped: erased address"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (its encoding, its header); nothing was stored."""


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A row not imported: its line in the file (header = line 1), the raw value, why."""

    line: int
    value: str
    reason: str

    @property
    def skipped(self) -> bool:
        return self.reason.startswith("skipped")


@dataclass
class ImportReport:
    filename: str
    mailing_list: str
    source: str
    dry_run: bool
    encoding: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    # The first ``keep`` skipped and rejected rows; every one goes to ``on_problem``.
    problems: list[ReportRow] = field(default_factory=list)

    @property
    def problems_left_off(self) -> int:
        return self.skipped + self.rejected - len(self.problems)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in OUTCOMES}


# --- import ------------------------------------------------------------------------------


def import_csv(
    source: str | os.PathLike | IO[bytes] | Any,
    mailing_list: MailingList,
    *,
    user: str,
    dry_run: bool = False,
    filename: str | None = None,
    batch_size: int = BATCH_SIZE,
    keep: int = 1000,
    on_problem: Callable[[ReportRow], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a CSV file (a path, or a binary file such as an upload) into a list.

    ``user`` is who imports (an admin's username, the OS user for the CLI); the source
    recorded on new readers, subscriptions and consent events is ``import FILENAME by USER``.
    ``on_progress(lines_read, lines_in_file)`` is called after each batch. Raises
    ImportFileError, with nothing stored, when the file cannot be read as CSV at all.
    """
    binary, owned = _open_binary(source)
    try:
        name = os.path.basename(filename or str(getattr(source, "name", "") or "upload.csv"))
        how = f"import {name} by {user}"[:200]
        report = ImportReport(name, mailing_list.slug, how, dry_run)
        report.encoding, total_lines = _detect_encoding(binary, name)
        text = io.TextIOWrapper(binary, encoding=report.encoding, newline="")
        try:
            _import_rows(
                csv.reader(text), mailing_list, report,
                batch_size=batch_size, keep=keep, total_lines=total_lines,
                on_problem=on_problem, on_progress=on_progress,
            )  # fmt: skip
        finally:
            text.detach()  # leave the caller's file open
    finally:
        if owned:
            binary.close()
    return report


@dataclass(slots=True)
class _Row:
    line: int
    raw_email: str
    email: str = ""
    key: str = ""  # the address lower-cased: one reader per key
    name: str | None = None  # None: the file does not say
    language: str | None = None
    sections: list[str] | None = None
    status: str = Subscription.Status.CONFIRMED
    problems: list[tuple[str, str]] = field(default_factory=list)  # (raw value, reason)


@dataclass
class _Plan:
    """What one batch does to the database, computed before anything is written."""

    new_subscribers: list[tuple[Subscriber, Subscription, ConsentEvent]] = field(
        default_factory=list
    )
    new_subscriptions: list[Subscription] = field(default_factory=list)
    # The values to set (as sorted items, sections as a tuple) -> subscription ids.
    updates: dict[tuple, list[int]] = field(default_factory=dict)
    renamed: list[Subscriber] = field(default_factory=list)
    events: list[ConsentEvent] = field(default_factory=list)
    outcomes: list[tuple[int, str, ReportRow | None]] = field(default_factory=list)


class _Importer:
    def __init__(self, mailing_list: MailingList, report: ImportReport, keep: int, on_problem):
        self.mailing_list = mailing_list
        self.report = report
        self.keep = keep
        self.on_problem = on_problem
        choices = section_choices()
        self.section_keys = {c.key for c in choices}
        self.known_sections = ", ".join(c.key for c in choices) or "none"
        self.seen = _SeenAddresses()

    # -- reading ------------------------------------------------------------------------

    def parse(self, cells: list[str], line: int, columns: dict[str, int]) -> _Row:
        def raw(name: str) -> str:
            """The value as the file says it (our exports' formula escape undone)."""
            index = columns.get(name)
            if index is None or index >= len(cells):
                return ""
            return csvsafe.unescape(cells[index])

        def cell(name: str) -> str:
            return raw(name).strip()

        row = _Row(line=line, raw_email=cell("email"))
        try:
            row.email = clean_address(row.raw_email)
            row.key = row.email.lower()
        except InvalidAddress as exc:
            row.problems.append((row.raw_email, str(exc)))
        raw_status = cell("status")
        if raw_status:
            status = raw_status.lower()
            if status in STATUSES:
                row.status = status
            else:
                row.problems.append(
                    (
                        raw_status,
                        f"unknown status {raw_status!r} (confirmed, pending, unsubscribed)",
                    )
                )
        raw_language = cell("language")
        if raw_language:
            row.language = LANGUAGES.get(raw_language.lower())
            if row.language is None:
                row.problems.append((raw_language, f"unknown language {raw_language!r} (en, ko)"))
        raw_sections = cell("sections")
        if raw_sections:
            keys = list(dict.fromkeys(k.strip().lower() for k in re.split(r"[,;]", raw_sections)))
            keys = [k for k in keys if k]
            unknown = [k for k in keys if k not in self.section_keys]
            if unknown:
                words = ", ".join(repr(k) for k in unknown)
                row.problems.append(
                    (
                        raw_sections,
                        f"unknown section{'s' if len(unknown) > 1 else ''} {words} "
                        f"(known: {self.known_sections})",
                    )
                )
            row.sections = keys
        # A name is kept as the file gives it: stripping a leading tab would turn "\t=1+1"
        # into a formula (and the export escapes whatever it holds).
        name = raw("name")
        if name.strip():
            row.name = name[:200]
        return row

    @staticmethod
    def unreadable(line: int, error: str) -> _Row:
        return _Row(line=line, raw_email="", problems=[("", f"unreadable CSV row: {error}")])

    # -- one batch ------------------------------------------------------------------------

    def batch(self, rows: list[_Row]) -> None:
        self._mark_duplicates(rows)
        valid = [r for r in rows if not r.problems]
        for attempt in (1, 2):
            try:
                if self.report.dry_run:
                    plan = self._plan(valid)
                else:
                    # Read and write in one transaction (IMMEDIATE on SQLite): no signup
                    # can slip in between finding an address missing and inserting it.
                    with transaction.atomic():
                        plan = self._plan(valid)
                        self._apply(plan)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        outcomes = plan.outcomes + [
            (r.line, "rejected", ReportRow(r.line, r.problems[0][0], _reasons(r)))
            for r in rows
            if r.problems
        ]
        for _, outcome, problem in sorted(outcomes, key=lambda o: o[0]):
            self.count(outcome, problem)

    def count(self, outcome: str, problem: ReportRow | None = None) -> None:
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        if problem is not None:
            if len(self.report.problems) < self.keep:
                self.report.problems.append(problem)
            if self.on_problem:
                self.on_problem(problem)

    def _mark_duplicates(self, rows: list[_Row]) -> None:
        """First occurrence of an address wins; later ones are reported against its line."""
        keyed = [r for r in rows if r.key]
        earlier = self.seen.first_lines([r.key for r in keyed])
        new: dict[str, int] = {}
        for row in keyed:
            first = earlier.get(row.key) or new.get(row.key)
            if first is not None:
                row.problems = [(row.raw_email, f"duplicate of line {first}")]
            else:
                new[row.key] = row.line
        self.seen.add(new.items())

    def _plan(self, rows: list[_Row]) -> _Plan:
        plan = _Plan()
        if not rows:
            return plan
        mailing_list = self.mailing_list
        how = self.report.source
        now = timezone.now()
        hashes = [address_hash(r.email) for r in rows]
        erased = set(
            ErasedAddress.objects.filter(email_hash__in=hashes).values_list("email_hash", flat=True)
        )
        existing = self._existing(rows)
        for row, email_hash in zip(rows, hashes, strict=True):
            if email_hash in erased:
                plan.outcomes.append((row.line, "skipped", self._skip(row, SKIPPED_ERASED)))
                continue
            found = existing.get(row.key)
            if found is None:
                subscriber = Subscriber(
                    email=row.email,
                    name=row.name or "",
                    language=row.language or mailing_list.language,
                    source=how,
                )
                subscription = self._subscription(row, now)
                plan.new_subscribers.append((subscriber, subscription, self._event(row, now)))
                plan.outcomes.append((row.line, "created", None))
                continue
            pk, name, status, sub_pk, sub_status, sections = found
            if status == Subscriber.Status.BLOCKED:
                plan.outcomes.append((row.line, "skipped", self._skip(row, SKIPPED_BLOCKED)))
                continue
            renamed = row.name is not None and row.name != name
            if sub_pk is None:
                subscription = self._subscription(row, now)
                subscription.subscriber_id = pk
                plan.new_subscriptions.append(subscription)
                plan.events.append(self._event(row, now, subscriber_id=pk))
                if renamed:
                    plan.renamed.append(Subscriber(pk=pk, name=row.name, updated_at=now))
                plan.outcomes.append((row.line, "created", None))
                continue
            if sub_status == Subscription.Status.UNSUBSCRIBED:
                if row.status == Subscription.Status.UNSUBSCRIBED:
                    plan.outcomes.append((row.line, "unchanged", None))
                else:
                    plan.outcomes.append(
                        (row.line, "skipped", self._skip(row, SKIPPED_UNSUBSCRIBED))
                    )
                continue
            changes: list[str] = []
            update: dict[str, Any] = {}
            if row.status == Subscription.Status.UNSUBSCRIBED:
                update.update(status=row.status, unsubscribed_at=now)
                changes.append("status=unsubscribed")
            else:
                if row.status == Subscription.Status.CONFIRMED and sub_status != row.status:
                    update.update(status=row.status, confirmed_at=now, unsubscribed_at=None)
                    changes.append("status=confirmed")
                # A pending row never downgrades a confirmed subscription.
                if row.sections is not None and sorted(row.sections) != sorted(sections or []):
                    update["sections"] = tuple(row.sections)
                    changes.append(f"sections={','.join(row.sections) or 'all'}")
                if renamed:
                    changes.append("name")
                    plan.renamed.append(Subscriber(pk=pk, name=row.name, updated_at=now))
            if not changes:
                plan.outcomes.append((row.line, "unchanged", None))
                continue
            if update:
                # Grouped by the values set: a few UPDATE ... WHERE id IN (...) per batch.
                plan.updates.setdefault(tuple(sorted(update.items())), []).append(sub_pk)
            new_status = update.get("status", sub_status)
            new_sections = list(update.get("sections", sections or []))
            event = self._event(row, now, subscriber_id=pk)
            event.detail = {
                "line": row.line,
                "status": new_status,
                "sections": new_sections,
                "changes": changes,
            }
            plan.events.append(event)
            plan.outcomes.append((row.line, "updated", None))
        return plan

    def _existing(self, rows: list[_Row]) -> dict[str, tuple]:
        """The readers among these addresses, with their subscription to this list: one query.

        Matched on LOWER(email), the expression of the unique index. SQLite's LOWER() folds
        ASCII letters only, so the ASCII-folded spelling is asked for too.
        """
        keys = set()
        for row in rows:
            keys.add(row.key)
            keys.add(_ascii_lower(row.email))
        found = (
            Subscriber.objects.alias(
                email_lower=Lower("email"),
                this_list=FilteredRelation(
                    "subscriptions",
                    condition=Q(subscriptions__mailing_list=self.mailing_list),
                ),
            )
            .filter(email_lower__in=keys)
            .values_list(
                "email",
                "pk",
                "name",
                "status",
                "this_list__pk",
                "this_list__status",
                "this_list__sections",
            )
        )
        return {email.lower(): rest for email, *rest in found}

    def _subscription(self, row: _Row, now) -> Subscription:
        status = row.status
        return Subscription(
            mailing_list=self.mailing_list,
            status=status,
            sections=row.sections or [],
            source=self.report.source,
            created_at=now,
            confirmed_at=now if status == Subscription.Status.CONFIRMED else None,
            unsubscribed_at=now if status == Subscription.Status.UNSUBSCRIBED else None,
        )

    def _event(self, row: _Row, now, subscriber_id: int | None = None) -> ConsentEvent:
        return ConsentEvent(
            subscriber_id=subscriber_id,
            mailing_list=self.mailing_list,
            kind=ConsentEvent.Kind.IMPORT,
            how=self.report.source,
            at=now,
            detail={"line": row.line, "status": row.status, "sections": row.sections or []},
        )

    @staticmethod
    def _skip(row: _Row, reason: str) -> ReportRow:
        return ReportRow(row.line, row.raw_email, reason)

    @staticmethod
    def _apply(plan: _Plan) -> None:
        if plan.new_subscribers:
            created = Subscriber.objects.bulk_create([s for s, _, _ in plan.new_subscribers])
            for subscriber, (_, subscription, event) in zip(
                created, plan.new_subscribers, strict=True
            ):
                subscription.subscriber_id = subscriber.pk
                event.subscriber_id = subscriber.pk
                plan.new_subscriptions.append(subscription)
                plan.events.append(event)
        if plan.new_subscriptions:
            Subscription.objects.bulk_create(plan.new_subscriptions)
        for values, ids in plan.updates.items():
            fields = dict(values)
            if "sections" in fields:
                fields["sections"] = list(fields["sections"])
            Subscription.objects.filter(pk__in=ids).update(**fields)
        if plan.renamed:
            Subscriber.objects.bulk_update(plan.renamed, ["name", "updated_at"])
        if plan.events:
            ConsentEvent.objects.bulk_create(plan.events)


def _import_rows(
    reader, mailing_list, report, *, batch_size, keep, total_lines, on_problem, on_progress
) -> None:
    columns = _header(reader, report.filename)
    importer = _Importer(mailing_list, report, keep, on_problem)
    try:
        batch: list[_Row] = []
        last_line = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row = importer.unreadable(last_line + 1, str(exc))
            else:
                if not any(c.strip() for c in cells):
                    last_line = reader.line_num
                    continue
                row = importer.parse(cells, last_line + 1, columns)
            last_line = reader.line_num
            report.rows += 1
            batch.append(row)
            if len(batch) >= batch_size:
                importer.batch(batch)
                batch = []
                if on_progress:
                    on_progress(reader.line_num, total_lines)
        importer.batch(batch)
        if on_progress:
            on_progress(reader.line_num, max(total_lines, reader.line_num))
    finally:
        importer.seen.close()


def _header(reader, filename: str) -> dict[str, int]:
    """Column name -> index, from the first non-empty row; the email column is required."""
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                break
        else:
            raise ImportFileError(f"{filename}: the file is empty (a header row is required)")
    except csv.Error as exc:
        raise ImportFileError(f"{filename}: the header row cannot be read: {exc}") from None
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip().lstrip("\ufeff").lower()
        if name in COLUMNS and name not in columns:
            columns[name] = index
    if "email" not in columns:
        found = ", ".join(repr(c) for c in cells if c.strip())
        raise ImportFileError(
            f"{filename}: the first row must be a header with an 'email' column "
            f"(columns: {', '.join(COLUMNS)}); found {found}"
        )
    return columns


def _reasons(row: _Row) -> str:
    return "; ".join(reason for _, reason in row.problems)


def _ascii_lower(value: str) -> str:
    return value.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _open_binary(source) -> tuple[IO[bytes], bool]:
    """A seekable binary file for a path, an open file, or a Django UploadedFile."""
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), True  # closed by import_csv
    binary = source
    while not isinstance(binary, io.IOBase) and hasattr(binary, "file"):
        binary = binary.file  # UploadedFile -> BytesIO or the temporary file
    return binary, False


def _detect_encoding(binary: IO[bytes], filename: str) -> tuple[str, int]:
    """UTF-8 (BOM or not), else CP949 (a superset of EUC-KR); and the number of lines.

    Reads the file once in chunks (no more than a chunk in memory), then rewinds it.
    """
    failed_at: int | None = None
    for encoding in ENCODINGS:
        binary.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        try:
            while chunk := binary.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    lines += chunk[: max(exc.start, 0)].count(b"\n")
                    raise
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            if failed_at is None:
                failed_at = lines + 1
            continue
        binary.seek(0)
        return encoding, lines
    raise ImportFileError(
        f"{filename}: not UTF-8 or CP949/EUC-KR text (UTF-8 fails on line {failed_at}); "
        "save the spreadsheet as 'CSV UTF-8'"
    )


class _SeenAddresses:
    """The addresses read so far in this file, with the line of each first occurrence.

    A private temporary SQLite database: it lives in a small page cache and spills to disk,
    so a file of millions of rows needs no more memory than one of a thousand.
    """

    def __init__(self) -> None:
        self.db = sqlite3.connect("")
        self.db.execute("PRAGMA cache_size=-2048")
        self.db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def first_lines(self, keys: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                self.db.execute(f"SELECT key, line FROM seen WHERE key IN ({marks})", chunk)
            )
        return found

    def add(self, items: Iterable[tuple[str, int]]) -> None:
        self.db.executemany("INSERT INTO seen (key, line) VALUES (?, ?)", items)

    def close(self) -> None:
        self.db.close()


# --- export ------------------------------------------------------------------------------


def export_rows(mailing_lists: Iterable[MailingList], chunk_size: int = 2000) -> Iterator[list]:
    """The header, then one row per subscription of these lists, streamed from the database."""
    yield list(EXPORT_COLUMNS)
    for mailing_list in mailing_lists:
        rows = (
            Subscription.objects.filter(
                mailing_list=mailing_list, subscriber__erased_at__isnull=True
            )
            .order_by("subscriber_id")
            .values_list(
                "subscriber__email",
                "subscriber__name",
                "subscriber__language",
                "sections",
                "status",
                "subscriber__status",
                "source",
                "created_at",
            )
            .iterator(chunk_size=chunk_size)
        )
        for email, name, language, sections, status, subscriber_status, source, at in rows:
            yield [
                email,
                name,
                language,
                ",".join(sections or []),
                status,
                mailing_list.slug,
                subscriber_status,
                source,
                at.isoformat(timespec="seconds"),
            ]


def export_csv(mailing_list: MailingList, out: IO[str]) -> int:
    """Write a list's subscriptions to a text file; returns the number of subscriptions."""
    writer = csvsafe.writer(out)
    count = -1
    for row in export_rows([mailing_list]):
        writer.writerow(row)
        count += 1
    return count


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(mailing_lists: Iterable[MailingList]) -> Iterator[str]:
    """The export as CSV text, one line at a time (for a streaming HTTP response)."""
    writer = csvsafe.writer(_Echo())
    for row in export_rows(mailing_lists):
        yield writer.writerow(row)
