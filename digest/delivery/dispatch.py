"""The dispatch loop: claim a batch, re-check consent, personalize, send, record.

Per-edition work (the edition view, one render per variant) happens once; per-reader work is
signing two links and substituting them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from subscribers import tokens
from subscribers.audience import still_eligible
from subscribers.models import MailingList

from .. import kept_renderings
from ..clock import Clock, SystemClock
from ..compose import edition_view
from ..events import apply_send_failures
from ..models import Delivery, Edition
from ..render import (
    EMAIL,
    PREFERENCES_URL,
    UNSUBSCRIBE_URL,
    EditionView,
    RenderedVariant,
    RenderError,
    render_variant,
    variant_for,
)
from . import ledger
from .control import pause
from .errors import FatalError
from .senders.base import Batch, OutgoingMessage, Recipient, Sender, SendResult
from .throttle import Quota, QuotaReached, RateLimiter
from .transactional import list_from


class DispatchError(Exception):
    """The edition cannot be sent now; the message says why and what to do."""


@dataclass
class SendReport:
    edition: str
    sender: str
    enqueued: int = 0
    recipients: int = 0  # readers this edition is for (the frozen audience, less skipped)
    sent: int = 0
    failed: Counter = field(default_factory=Counter)
    retry_later: int = 0
    skipped: int = 0
    uncertain: int = 0  # found at the start: handed to the provider by a run that died
    returned: int = 0  # found at the start: claimed by a run that died, never handed over
    resent_uncertain: int = 0
    stopped: str = ""  # why the run stopped early, and what goes on, if it did
    open: ledger.Unfinished = field(default_factory=ledger.Unfinished)  # left when it ended
    warnings: list[str] = field(default_factory=list)  # worth saying, though the run went on
    elapsed: float = 0.0
    previews: dict[tuple[str, ...], str] = field(default_factory=dict)
    workers: int = 1  # processes that sent this edition in this run (delivery/workers.py)
    helpers_peak_rss_mb: list[float] = field(default_factory=list)


class Personalizer:
    """Turns claimed deliveries into batches of the variant rendered once for the edition."""

    def __init__(
        self,
        edition: Edition,
        view: EditionView,
        rendered: Mapping[tuple[str, ...], RenderedVariant] | None = None,
    ):
        self.edition = edition
        self.view = view
        # The kept renderings (digest/kept_renderings.py) or those the first process holds.
        self.variants: dict[tuple[str, ...], RenderedVariant] = dict(rendered or {})
        self.choices: dict[tuple[str, ...], tuple[str, ...]] = {}
        mailing_list = edition.mailing_list
        from_email = mailing_list.from_email or settings.DIGEST_FROM_EMAIL
        self.from_addr = list_from(mailing_list)
        self.domain = from_email.rpartition("@")[2]
        self.shared_headers = {
            "List-Id": f"{mailing_list.name} <{mailing_list.slug}.{self.domain}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Digest-Edition": str(edition.pk),
        }
        if mailing_list.reply_to:
            self.shared_headers["Reply-To"] = mailing_list.reply_to
        self.folder = f"{mailing_list.slug}/{edition.date:%Y-%m-%d}"
        self.site = settings.SITE_URL
        self.unsubscribe_address = settings.DIGEST_UNSUBSCRIBE_EMAIL

    def variant_of(self, choice: tuple[str, ...]) -> tuple[str, ...]:
        """A reader's variant: their choice among today's sections (empty: none of them)."""
        if choice not in self.choices:
            self.choices[choice] = variant_for(choice, self.view.section_keys)
        return self.choices[choice]

    def variant(self, sections: tuple[str, ...]) -> RenderedVariant:
        if sections not in self.variants:
            self.variants[sections] = render_variant(self.view, sections)
        return self.variants[sections]

    def batches(self, deliveries: list[ledger.Claimed]) -> list[Batch]:
        """One batch per variant among the claimed deliveries, in the order they came.

        A delivery carries the reader's choice; their variant is that choice among today's
        sections (readers with none of theirs today are not in any batch).
        """
        groups: dict[tuple[str, ...], list[Recipient]] = {}
        list_id = self.edition.mailing_list_id
        unsubscribe = tokens.token_maker(tokens.UNSUBSCRIBE, list_id)
        preferences = tokens.token_maker(tokens.PREFERENCES, list_id)
        site, mailbox = self.site, self.unsubscribe_address
        variant_of = self.variant_of
        for delivery in deliveries:
            sections = variant_of(delivery.sections)
            if not sections:
                continue
            token = unsubscribe(delivery.subscriber_id)
            unsubscribe_url = f"{site}/unsubscribe/{token}/"
            group = groups.get(sections)
            if group is None:
                group = groups[sections] = []
            group.append(
                Recipient(  # positional: this runs once per reader
                    delivery.id,
                    delivery.email,
                    {
                        UNSUBSCRIBE_URL: unsubscribe_url,
                        PREFERENCES_URL: f"{site}/preferences/"
                        f"{preferences(delivery.subscriber_id)}/",
                        EMAIL: delivery.email,
                    },
                    {
                        "List-Unsubscribe": (
                            f"<{unsubscribe_url}>, <mailto:{mailbox}?subject=unsubscribe%20{token}>"
                        ),
                        "X-Digest-Delivery": str(delivery.id),
                    },
                )
            )
        return [
            self._batch(self.variant(sections), recipients)
            for sections, recipients in groups.items()
        ]

    def _batch(self, variant: RenderedVariant, recipients: list[Recipient]) -> Batch:
        return Batch(
            from_addr=self.from_addr,
            subject=variant.subject,
            html=variant.html,
            text=variant.text,
            recipients=recipients,
            headers=self.shared_headers,
            edition_id=self.edition.pk,
            category=self.edition.mailing_list.slug,
            folder=self.folder,
        )

    def message(self, delivery: Delivery) -> OutgoingMessage:
        """One reader's finished message (previews, benchmarks)."""
        (batch,) = self.batches([ledger.Claimed.of(delivery)])
        return next(batch.messages())


@dataclass(frozen=True)
class SendOptions:
    """How a run behaves; ``from_settings()`` reads the operator's configuration."""

    batch_size: int = 500
    on_uncertain: str = "skip"  # "skip": leave them for an operator; "resend": send again
    per_second: float = 0  # recipients per second; 0: as fast as the provider takes them
    quota: Quota | None = None
    breaker: int = 5  # this many failed batches in a row pause the edition

    @classmethod
    def from_settings(cls, **overrides) -> SendOptions:
        values = {
            "batch_size": settings.DIGEST_BATCH_SIZE,
            "on_uncertain": settings.DIGEST_ON_UNCERTAIN,
            "per_second": settings.DIGEST_RATE_PER_SECOND,
            "quota": Quota.parse(settings.DIGEST_QUOTA),
            "breaker": settings.DIGEST_BREAKER_BATCHES,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_json(self) -> str:
        """The options whole, for a helper process of the same run (``from_json``)."""
        values = dataclasses.asdict(self)
        values["quota"] = self.quota and [self.quota.limit, self.quota.window.total_seconds()]
        return json.dumps(values)

    @classmethod
    def from_json(cls, text: str) -> SendOptions:
        values = json.loads(text)
        if values.get("quota"):
            limit, seconds = values["quota"]
            values["quota"] = Quota(int(limit), dt.timedelta(seconds=seconds))
        return cls(**values)


def send_edition(
    edition: Edition,
    sender: Sender,
    *,
    options: SendOptions | None = None,
    clock: Clock | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int | None = None,
    rendered: Mapping[tuple[str, ...], RenderedVariant] | None = None,
) -> SendReport:
    """Send every due delivery of an edition once; safe to run again at any time, and in
    several processes at once (each claims its own batches). ``rendered``: the edition's
    variants as the caller holds them; by default the kept ones (``digest.kept_renderings``), and a
    variant nobody kept is rendered here and kept for the next run."""
    options = options or SendOptions.from_settings(batch_size=batch_size)
    clock = clock or SystemClock()
    started = clock.monotonic()
    report = SendReport(str(edition), sender.name)
    check_startable(edition, clock.now())
    view = sendable_view(edition)
    report.enqueued = ledger.enqueue(edition).created
    recovered = ledger.recover(edition, clock.now())
    report.uncertain, report.returned = recovered.uncertain, recovered.returned
    if report.uncertain and options.on_uncertain == "resend":
        report.resent_uncertain = ledger.requeue_uncertain(edition)
    Edition.objects.filter(pk=edition.pk).exclude(status=Edition.Status.SENT).update(
        status=Edition.Status.SENDING
    )
    key = kept_renderings.fingerprint(view)
    if rendered is None:
        rendered = kept_renderings.kept(edition, key)
    personalizer = Personalizer(edition, view, rendered)
    run = _Run(edition, sender, personalizer, options, clock, report, on_progress)
    with _long_lived_frozen():
        run.loop()
    if len(personalizer.variants) > len(rendered):
        kept_renderings.keep_if_possible(edition, key, personalizer.variants)
    report.previews = {k: v.html for k, v in personalizer.variants.items()}
    conclude(edition, report, clock.now())
    report.elapsed = clock.monotonic() - started
    return report


def conclude(edition: Edition, report: SendReport, now: dt.datetime) -> None:
    """End a run truthfully: note what it leaves open (deferred, uncertain, held readers),
    and mark the edition sent once nobody waits for a send. Uncertain readers wait for an
    operator, not for a run: the edition is sent, with them shown as needing a decision."""
    counts = ledger.counts(edition)
    if not report.stopped and counts["pending"] == 0 and counts["sending"] == 0:
        Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING).update(
            status=Edition.Status.SENT, finished_at=now
        )
    report.open = ledger.unfinished(edition, now)


@dataclass
class _Job:
    """One claim: the deliveries it took, their batches, and what the sender is handed:
    the batches, or the requests a sender that can (SendGrid) has built from them."""

    claimed_at: dt.datetime
    ids: list[int]
    groups: list[Batch]
    payloads: list

    @property
    def size(self) -> int:
        return sum(len(group.recipients) for group in self.groups)


class _Run:
    """The loop of one ``send_edition`` call.

    The next batch is claimed, re-checked, personalized and built into the sender's
    requests (``Sender.prepare``) while the provider has the current one; then the current
    one's answers are recorded and the next is handed over.
    A sender that allows it (``overlap = True``: it only talks to its provider) sends in a
    second thread, so our database work and the provider's answer overlap; the database is
    used from this thread only. At most one batch is with the provider at a time. A
    per-message sender (``per_message = True``) is called message by message from this
    thread, each answer recorded before the next message (``send_each``).
    """

    def __init__(self, edition, sender, personalizer, options, clock, report, on_progress):
        self.edition = edition
        self.sender = sender
        self.personalizer = personalizer
        self.options = options
        self.clock = clock
        self.report = report
        self.on_progress = on_progress
        self.limiter = RateLimiter(clock, options.per_second, options.quota)
        counts = ledger.counts(edition)
        self.total = sum(counts.values()) - counts[Delivery.State.SKIPPED]
        report.recipients = self.total
        self.done = counts[Delivery.State.SENT]
        self.failed_batches = 0
        self.last_error = ""
        self.render_error = ""
        self.choice: tuple[str, ...] | None = None
        self.full = False  # the last claim of self.choice was a full batch: more may wait
        self.per_message = sender.per_message

    def loop(self) -> None:
        overlap = self.sender.overlap and not self.per_message
        pool = ThreadPoolExecutor(1, "digest-send") if overlap else None
        flight: tuple[_Job, Future] | None = None  # with the provider
        job: _Job | None = None  # prepared, not handed over
        try:
            with self.sender:
                while True:
                    job = self.prepare()
                    if flight:
                        self.finish(*flight)
                        flight = None
                    stop = self.render_error or self.tripped()
                    if not stop and job is not None:
                        stop = _interrupted(self.edition)
                    if stop:
                        self.report.stopped = stop
                        break
                    if job is None:
                        break
                    self.limiter.acquire(job.size)
                    if self.per_message:
                        flight, job = (job, self.send_each(job)), None
                    else:
                        ledger.hand_over(self.edition, job.claimed_at)
                        flight, job = (job, self.transmit(job, pool)), None
        except (FatalError, QuotaReached) as exc:
            partial = getattr(exc, "partial", [])
            # Record what the provider answered before it failed; give back what it never saw.
            self.record(partial)
            if flight:
                ledger.release(flight[0].ids)
                flight = None
            if isinstance(exc, FatalError):
                pause(self.edition, str(exc))
                self.report.stopped = _paused_message(self.edition, str(exc))
            else:
                self.report.stopped = str(exc)
        finally:
            if flight:  # interrupted (Ctrl-C) while the provider had a batch: keep its answers
                with suppress(Exception):
                    self.finish(*flight)
            if pool:
                pool.shutdown(wait=True)
            if job is not None:
                ledger.release(job.ids)  # prepared, never handed over

    def prepare(self) -> _Job | None:
        """Claim the next batch, re-check its readers and personalize it; None when nothing
        is due. A template that fails to render stops the run before anyone is claimed."""
        personalizer = self.personalizer
        while True:
            now = self.clock.now()
            chosen = self.choice if self.full else ledger.next_choice(self.edition, now)
            if chosen is None:
                return None
            if variant := personalizer.variant_of(chosen):
                try:
                    personalizer.variant(variant)
                except RenderError as exc:
                    reason = pause(self.edition, f"the email cannot be rendered: {exc}")
                    self.render_error = _paused_message(self.edition, reason)
                    return None
            size = self.options.batch_size
            batch = ledger.claim(self.edition, size, now, chosen)
            self.choice, self.full = chosen, len(batch) == size
            if not batch:
                # Another worker took that choice: take whatever is due, or look again.
                batch = ledger.claim(self.edition, size, now)
                if not batch:
                    continue
            allowed = still_eligible(self.edition.mailing_list_id, [d.subscriber_id for d in batch])
            kept, gone, nothing = [], [], []
            for d in batch:
                if d.subscriber_id not in allowed:
                    gone.append(d.id)
                elif not personalizer.variant_of(d.sections):
                    nothing.append(d.id)
                else:
                    kept.append(d)
            for ids, reason in (
                (gone, "unsubscribed or blocked after the edition was enqueued"),
                (nothing, ledger.NO_SECTIONS),
            ):
                if ids:
                    ledger.skip(ids, reason)
                    self.report.skipped += len(ids)
            groups = personalizer.batches(kept)
            if groups:
                # A sender that can (SendGrid) builds its requests now, in this thread and
                # while the provider has the batch before: the sending thread then only
                # waits on the network, and the step between two batches stays short.
                payloads = [] if self.per_message else [self.sender.prepare(g) for g in groups]
                return _Job(now, [d.id for d in batch], groups, payloads)

    def transmit(self, job: _Job, pool: ThreadPoolExecutor | None) -> Future:
        send = self.sender.send_prepared
        if pool:
            return pool.submit(self._send, send, job.payloads)
        future: Future = Future()
        try:
            future.set_result(self._send(send, job.payloads))
        except Exception as exc:  # finish() raises it, after the next batch is prepared
            future.set_exception(exc)
        return future

    def send_each(self, job: _Job) -> Future:
        """Send a job one message at a time, recording each answer (and naming the next
        message as the one in flight) before the next message goes. The database is used
        from this thread, as for every other sender."""
        pairs = [(group, recipient) for group in job.groups for recipient in group.recipients]
        handoff = ledger.hand_over(self.edition, job.claimed_at, in_flight=pairs[0][1].delivery_id)
        answered: list[SendResult] = []
        current = None
        try:
            for n, (group, recipient) in enumerate(pairs):
                current = recipient.delivery_id
                result = self.sender.send_message(group.message(recipient))
                following = pairs[n + 1][1].delivery_id if n + 1 < len(pairs) else None
                ledger.record_one(result, handoff, following, self.clock.now())
                current = None
                if result.status == "failed":
                    apply_send_failures([result])
                answered.append(result)
        except FatalError:
            # The relay took nothing (unreachable, refused the login or the sender): what it
            # answered is recorded; the rest goes back to waiting when the loop releases it.
            self.count(answered)
            raise
        except BaseException:
            # Interrupted during a message: the relay may have it. Say so for that one; the
            # rest of the job never left and is released.
            if current is not None:
                with suppress(Exception):
                    ledger.mark_uncertain([current])
            self.count(answered)
            raise
        future: Future = Future()
        future.set_result([answered])
        return future

    def _send(self, send: Callable, payloads: list) -> list[list[SendResult]]:
        answered: list[list[SendResult]] = []
        for payload in payloads:
            try:
                answered.append(send(payload))
            except FatalError as exc:
                exc.partial = [r for results in answered for r in results] + list(
                    getattr(exc, "partial", [])
                )
                raise
        return answered

    def finish(self, job: _Job, future: Future) -> None:
        """Wait for the provider's answers to a batch and record them (a per-message
        sender's answers are recorded already: they are counted)."""
        for results in future.result():
            if self.per_message:
                self.count(results)
            else:
                self.record(results)
            self.failed_batches = (
                0 if any(r.status == "sent" for r in results) else self.failed_batches + 1
            )
            if results and self.failed_batches:
                self.last_error = results[-1].error
            if self.on_progress:
                self.on_progress(self.done, self.total)

    def record(self, results: list[SendResult]) -> None:
        if not results:
            return
        ledger.record(results, self.clock.now())
        apply_send_failures(results)
        self.count(results)

    def count(self, results: list[SendResult]) -> None:
        _tally(self.report, results)
        self.done += sum(1 for r in results if r.status == "sent")

    def tripped(self) -> str:
        """The circuit breaker: this many failed batches in a row pause the edition."""
        if not (self.options.breaker and self.failed_batches >= self.options.breaker):
            return ""
        reason = f"{self.failed_batches} batches in a row failed (last: "
        reason += f"{self.last_error or 'no answer'})"
        pause(self.edition, reason)
        return _paused_message(self.edition, reason)


@contextmanager
def _long_lived_frozen() -> Iterator[None]:
    """Leave what exists before the loop (Django, the models, the rendered variants) out of
    the garbage collector's full passes during it.

    Each batch's few thousand objects live across several young collections and so count
    towards a full one, which then walks every object of the process: on a 100,000-reader
    send that was about 0.3 s of CPU. Objects made during the loop are collected as usual.
    A process that froze its heap itself (a pre-forking server) keeps it frozen.
    """
    frozen_already = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_already:
            gc.unfreeze()


def sendable_view(edition: Edition) -> EditionView:
    """The edition as the templates see it; an edition with no items is refused before
    anyone is enqueued."""
    view = edition_view(edition)
    if not view.sections:
        raise DispatchError(f"edition {edition} has no items: compose it again")
    return view


def check_startable(edition: Edition, now) -> None:
    """Refuse an edition that is cancelled, paused, unapproved where the list requires
    approval, or too late to start on its own."""
    edition.refresh_from_db(fields=["status", "send_before", "last_error"])
    if edition.status == Edition.Status.CANCELLED:
        raise DispatchError(f"edition {edition} is cancelled: it is not sent")
    if edition.status == Edition.Status.PAUSED:
        raise DispatchError(
            f"edition {edition} is paused ({edition.last_error or 'by an operator'}): "
            f"`digest resume {edition.mailing_list.slug}/{edition.date}` to go on"
        )
    started = ledger.sending_started(edition)
    if (
        edition.status == Edition.Status.DRAFT
        and edition.mailing_list.approval == MailingList.Approval.REQUIRE
        and not started
    ):
        raise DispatchError(
            f"edition {edition} is not approved and {edition.mailing_list.slug} requires "
            "approval: an editor approves it on the desk first"
        )
    if edition.send_before and now > edition.send_before and not started:
        reason = (
            f"too late: sending had not started by {edition.send_before:%Y-%m-%d %H:%M} UTC; "
            "an editor decides (`digest resume` sends it anyway, `digest cancel` drops it)"
        )
        pause(edition, reason)
        raise DispatchError(f"edition {edition} is {reason}")


def _paused_message(edition: Edition, reason: str) -> str:
    """A stop that paused the edition: why, the state it is in now, and what goes on."""
    ref = f"{edition.mailing_list.slug}/{edition.date:%Y-%m-%d}"
    return (
        f"{reason}. Edition {ref} is paused: nothing more is sent until you fix that and run "
        f"`digest resume {ref} --send`"
    )


def _interrupted(edition: Edition) -> str | None:
    """An operator paused or cancelled the edition while this run was sending.

    Plain SQL: it runs between every two batches, where the run has nothing with the
    provider, and building the query through the ORM cost ten times the lookup."""
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT status FROM {quote(Edition._meta.db_table)} WHERE id = %s", [edition.pk]
        )
        row = cursor.fetchone()
    status = row[0] if row else None
    ref = f"{edition.mailing_list.slug}/{edition.date:%Y-%m-%d}"
    if status == Edition.Status.PAUSED:
        return (
            f"paused by an operator. Edition {ref} is paused: `digest resume {ref} --send` goes on"
        )
    if status == Edition.Status.CANCELLED:
        return f"cancelled by an operator. Edition {ref} is cancelled: nothing more is sent"
    return None


def _tally(report: SendReport, results: list[SendResult]) -> None:
    for result in results:
        if result.status == "sent":
            report.sent += 1
        elif result.status == "retry":
            report.retry_later += 1
        else:
            # Grouped by the answer's code ("SMTP 550") rather than each server's sentence.
            report.failed[result.code or result.error[:60] or "unknown"] += 1
