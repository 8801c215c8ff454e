"""The dispatch loop: claim a batch, re-check consent, personalize, send, record.

Per-edition work (the edition view, one render per variant) happens once; per-reader work is
signing two links and substituting them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formataddr

from django.conf import settings

from subscribers import tokens
from subscribers.audience import still_eligible
from subscribers.models import MailingList

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
    uncertain: int = 0  # found at the start: claimed by a run that died
    resent_uncertain: int = 0
    stopped: str = ""  # why the run stopped early, if it did
    elapsed: float = 0.0
    previews: dict[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())


class Personalizer:
    """Turns claimed deliveries into batches of the variant rendered once for the edition."""

    def __init__(self, edition: Edition, view: EditionView, template_dir: str | None = None):
        self.edition = edition
        self.view = view
        self.template_dir = template_dir
        self.variants: dict[tuple[str, ...], RenderedVariant] = {}
        mailing_list = edition.mailing_list
        from_email = mailing_list.from_email or settings.DIGEST_FROM_EMAIL
        self.from_addr = formataddr((mailing_list.from_name, from_email))
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

    def variant(self, sections: tuple[str, ...]) -> RenderedVariant:
        if sections not in self.variants:
            self.variants[sections] = render_variant(self.view, sections, self.template_dir)
        return self.variants[sections]

    def batches(self, deliveries: list) -> list[Batch]:
        """One batch per variant among the claimed deliveries, in the order they came.

        A delivery carries the reader's choice; their variant is that choice among today's
        sections (readers with none of theirs today are not in any batch).
        """
        groups: dict[tuple[str, ...], list[Recipient]] = {}
        for delivery in deliveries:
            sections = variant_for(delivery.sections, self.view.section_keys)
            if sections:
                groups.setdefault(sections, []).append(self.recipient(delivery))
        return [
            Batch(
                from_addr=self.from_addr,
                subject=self.variant(sections).subject,
                html=self.variant(sections).html,
                text=self.variant(sections).text,
                recipients=recipients,
                headers=self.shared_headers,
                edition_id=self.edition.pk,
                category=self.edition.mailing_list.slug,
                folder=self.folder,
            )
            for sections, recipients in groups.items()
        ]

    def recipient(self, delivery) -> Recipient:
        list_id = self.edition.mailing_list_id
        unsubscribe = tokens.make_token(tokens.UNSUBSCRIBE, delivery.subscriber_id, list_id)
        preferences = tokens.make_token(tokens.PREFERENCES, delivery.subscriber_id, list_id)
        unsubscribe_url = f"{self.site}/unsubscribe/{unsubscribe}/"
        return Recipient(
            delivery_id=delivery.id,
            to=delivery.email,
            values={
                UNSUBSCRIBE_URL: unsubscribe_url,
                PREFERENCES_URL: f"{self.site}/preferences/{preferences}/",
                EMAIL: delivery.email,
            },
            headers={
                "List-Unsubscribe": (
                    f"<{unsubscribe_url}>, <mailto:{self.unsubscribe_address}"
                    f"?subject=unsubscribe%20{unsubscribe}>"
                ),
                "X-Digest-Delivery": str(delivery.id),
            },
        )

    def message(self, delivery: Delivery) -> OutgoingMessage:
        """One reader's finished message (previews, benchmarks)."""
        (batch,) = self.batches([delivery])
        return next(batch.messages())


@dataclass(frozen=True)
class SendOptions:
    """How a run behaves; ``from_settings()`` reads the operator's configuration."""

    batch_size: int = 500
    on_uncertain: str = "skip"  # "skip": leave them for an operator; "resend": send again
    per_second: float = 0  # recipients per second; 0: as fast as the provider takes them
    quota: Quota | None = None
    breaker: int = 5  # this many failed batches in a row pause the edition
    template_dir: str | None = None

    @classmethod
    def from_settings(cls, **overrides) -> SendOptions:
        values = {
            "batch_size": settings.DIGEST_BATCH_SIZE,
            "on_uncertain": settings.DIGEST_ON_UNCERTAIN,
            "per_second": settings.DIGEST_RATE_PER_SECOND,
            "quota": Quota.parse(settings.DIGEST_QUOTA),
            "breaker": settings.DIGEST_BREAKER_BATCHES,
            "template_dir": settings.DIGEST_TEMPLATE_DIR or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def send_edition(
    edition: Edition,
    sender: Sender,
    *,
    options: SendOptions | None = None,
    clock: Clock | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int | None = None,
) -> SendReport:
    """Send every due delivery of an edition once; safe to run again at any time, and in
    several processes at once (each claims its own batches)."""
    options = options or SendOptions.from_settings(batch_size=batch_size)
    clock = clock or SystemClock()
    started = clock.monotonic()
    report = SendReport(str(edition), sender.name)
    check_startable(edition, clock.now())
    view = edition_view(edition)
    if not view.sections:
        raise DispatchError(f"edition {edition} has no items: compose it again")
    report.enqueued = ledger.enqueue(edition).created
    report.uncertain = ledger.uncertain(edition, clock.now())
    if report.uncertain and options.on_uncertain == "resend":
        report.resent_uncertain = ledger.requeue_uncertain(edition)
    Edition.objects.filter(pk=edition.pk).exclude(status=Edition.Status.SENT).update(
        status=Edition.Status.SENDING
    )
    personalizer = Personalizer(edition, view, options.template_dir)
    total = Delivery.objects.filter(edition=edition).exclude(state=Delivery.State.SKIPPED).count()
    report.recipients = total
    done = Delivery.objects.filter(edition=edition, state=Delivery.State.SENT).count()
    limiter = RateLimiter(clock, options.per_second, options.quota)
    failed_batches = 0
    batch: list[Delivery] = []
    try:
        with sender:
            while True:
                if (stop := _interrupted(edition)) is not None:
                    report.stopped = stop
                    break
                chosen = ledger.next_choice(edition, clock.now())
                if chosen is None:
                    break
                # Render this choice's variant before claiming anyone: a template error then
                # stops the run with nothing in the air. Each variant renders once.
                if variant := variant_for(chosen, view.section_keys):
                    try:
                        personalizer.variant(variant)
                    except RenderError as exc:
                        report.stopped = pause(edition, f"the email cannot be rendered: {exc}")
                        break
                # (Another worker may have just taken that choice: then take whatever is due.)
                batch = ledger.claim(
                    edition, options.batch_size, clock.now(), chosen
                ) or ledger.claim(edition, options.batch_size, clock.now())
                if not batch:
                    continue
                allowed = still_eligible(edition.mailing_list_id, [d.subscriber_id for d in batch])
                gone = [d.id for d in batch if d.subscriber_id not in allowed]
                if gone:
                    ledger.skip(gone, "unsubscribed or blocked after the edition was enqueued")
                    report.skipped += len(gone)
                keys = view.section_keys
                nothing = [d.id for d in batch if not variant_for(d.sections, keys)]
                if nothing:
                    ledger.skip(nothing, ledger.NO_SECTIONS)
                    report.skipped += len(nothing)
                batch = [d for d in batch if d.subscriber_id in allowed]
                for group in personalizer.batches(batch):
                    limiter.acquire(len(group.recipients))
                    results = sender.send(group)
                    ledger.record(results, clock.now())
                    apply_send_failures(results)
                    _tally(report, results)
                    done += sum(1 for r in results if r.status == "sent")
                    failed_batches = (
                        0 if any(r.status == "sent" for r in results) else (failed_batches + 1)
                    )
                    if on_progress:
                        on_progress(done, total)
                if options.breaker and failed_batches >= options.breaker:
                    report.stopped = pause(
                        edition,
                        f"{failed_batches} batches in a row failed (last: "
                        f"{results[-1].error if results else 'no answer'}); paused: fix the "
                        "cause, then `digest resume`",
                    )
                    break
    except (FatalError, QuotaReached) as exc:
        partial = getattr(exc, "partial", [])
        # Record what the provider answered before it failed; give back what it never saw.
        ledger.record(partial, clock.now())
        apply_send_failures(partial)
        _tally(report, partial)
        ledger.release([d.id for d in batch])
        report.stopped = pause(edition, str(exc)) if isinstance(exc, FatalError) else str(exc)
    report.previews = {k: v.html for k, v in personalizer.variants.items()}
    counts = ledger.counts(edition)
    if not report.stopped and counts["pending"] == 0 and counts["sending"] == 0:
        Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING).update(
            status=Edition.Status.SENT, finished_at=clock.now()
        )
    report.elapsed = clock.monotonic() - started
    return report


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
    started = (
        Delivery.objects.filter(edition=edition)
        .exclude(state__in=[Delivery.State.PENDING, Delivery.State.SKIPPED])
        .exists()
    )
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


def _interrupted(edition: Edition) -> str | None:
    """An operator paused or cancelled the edition while this run was sending."""
    status = Edition.objects.filter(pk=edition.pk).values_list("status", flat=True).first()
    if status == Edition.Status.PAUSED:
        return "paused by an operator"
    if status == Edition.Status.CANCELLED:
        return "cancelled by an operator"
    return None


def _tally(report: SendReport, results: list[SendResult]) -> None:
    for result in results:
        if result.status == "sent":
            report.sent += 1
        elif result.status == "retry":
            report.retry_later += 1
        else:
            report.failed[_reason(result.error)] += 1


def _reason(error: str) -> str:
    """Group failures for the summary: 'SMTP 550' rather than each server's full sentence."""
    words = error.split()
    return " ".join(words[:2]) if words[:1] == ["SMTP"] else (error[:60] or "unknown")
