"""The dispatch loop: claim a batch, re-check consent, personalize, send, record.

Per-edition work (the edition view, one render per variant) happens once; per-reader work is
signing two links and substituting them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.utils import timezone

from subscribers import tokens
from subscribers.audience import still_eligible

from ..compose import edition_view
from ..models import Delivery, Edition
from ..render import (
    EMAIL,
    PREFERENCES_URL,
    UNSUBSCRIBE_URL,
    EditionView,
    RenderedVariant,
    RenderError,
    render_variant,
)
from . import ledger
from .errors import FatalError
from .senders.base import Batch, OutgoingMessage, Recipient, Sender, SendResult


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
    uncertain: int = 0
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

    def variant(self, sections: tuple[str, ...]) -> RenderedVariant:
        if sections not in self.variants:
            self.variants[sections] = render_variant(self.view, sections, self.template_dir)
        return self.variants[sections]

    def batches(self, deliveries: list[Delivery]) -> list[Batch]:
        """One batch per variant among the deliveries, in the order they came."""
        groups: dict[tuple[str, ...], list[Recipient]] = {}
        for delivery in deliveries:
            groups.setdefault(tuple(delivery.sections), []).append(self.recipient(delivery))
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

    def recipient(self, delivery: Delivery) -> Recipient:
        list_id = self.edition.mailing_list_id
        unsubscribe = tokens.make_token(tokens.UNSUBSCRIBE, delivery.subscriber_id, list_id)
        preferences = tokens.make_token(tokens.PREFERENCES, delivery.subscriber_id, list_id)
        unsubscribe_url = f"{settings.SITE_URL}/unsubscribe/{unsubscribe}/"
        return Recipient(
            delivery_id=delivery.pk,
            to=delivery.email,
            values={
                UNSUBSCRIBE_URL: unsubscribe_url,
                PREFERENCES_URL: f"{settings.SITE_URL}/preferences/{preferences}/",
                EMAIL: delivery.email,
            },
            headers={
                "Date": format_datetime(timezone.now()),
                "Message-ID": make_msgid(f"{self.edition.pk}.{delivery.pk}", domain=self.domain),
                "List-Unsubscribe": (
                    f"<{unsubscribe_url}>, <mailto:{settings.DIGEST_UNSUBSCRIBE_EMAIL}"
                    f"?subject=unsubscribe%20{unsubscribe}>"
                ),
                "X-Digest-Delivery": str(delivery.pk),
            },
        )

    def message(self, delivery: Delivery) -> OutgoingMessage:
        """One reader's finished message (previews, benchmarks)."""
        (batch,) = self.batches([delivery])
        return next(batch.messages())


def send_edition(
    edition: Edition,
    sender: Sender,
    *,
    batch_size: int | None = None,
    template_dir: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> SendReport:
    """Send every due delivery of an edition once; safe to run again at any time."""
    started = time.monotonic()
    batch_size = batch_size or settings.DIGEST_BATCH_SIZE
    report = SendReport(str(edition), sender.name)
    if edition.status in (Edition.Status.CANCELLED, Edition.Status.PAUSED):
        raise DispatchError(
            f"edition {edition} is {edition.get_status_display().lower()}: it is not sent"
        )
    view = edition_view(edition)
    if not view.sections:
        raise DispatchError(f"edition {edition} has no items: compose it again")
    report.enqueued = ledger.enqueue(edition, view.section_keys, batch_size).created
    report.uncertain = ledger.uncertain(edition)
    if edition.status != Edition.Status.SENT:
        Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)
    personalizer = Personalizer(edition, view, template_dir or settings.DIGEST_TEMPLATE_DIR)
    total = Delivery.objects.filter(edition=edition).exclude(state=Delivery.State.SKIPPED).count()
    report.recipients = total
    done = Delivery.objects.filter(edition=edition, state=Delivery.State.SENT).count()
    # Render every variant before claiming anyone: a template error then stops the run
    # with nothing claimed, rather than leaving a batch in the air.
    variants = (
        Delivery.objects.filter(edition=edition, state=Delivery.State.PENDING)
        .values_list("sections", flat=True)
        .distinct()
    )
    try:
        for sections in variants:
            personalizer.variant(tuple(sections))
    except RenderError as exc:
        raise DispatchError(f"edition {edition} cannot be rendered: {exc}") from exc
    batch: list[Delivery] = []
    try:
        with sender:
            while batch := ledger.claim(edition, batch_size):
                allowed = still_eligible(edition.mailing_list_id, [d.subscriber_id for d in batch])
                gone = [d.pk for d in batch if d.subscriber_id not in allowed]
                if gone:
                    ledger.skip(gone, "unsubscribed or blocked after the edition was enqueued")
                    report.skipped += len(gone)
                batch = [d for d in batch if d.subscriber_id in allowed]
                for group in personalizer.batches(batch):
                    results = sender.send(group)
                    ledger.record(results)
                    _tally(report, results)
                    done += sum(1 for r in results if r.status == "sent")
                    if on_progress:
                        on_progress(done, total)
    except FatalError as exc:
        # Record what the provider answered before it failed; give back what it never saw.
        ledger.record(exc.partial)
        _tally(report, exc.partial)
        # Rows recorded are no longer "sending"; the rest of the claim goes back to pending.
        ledger.release([d.pk for d in batch])
        report.stopped = str(exc)
        Edition.objects.filter(pk=edition.pk).update(last_error=str(exc))
    report.previews = {k: v.html for k, v in personalizer.variants.items()}
    counts = ledger.counts(edition)
    if not report.stopped and counts["pending"] == 0 and counts["sending"] == 0:
        Edition.objects.filter(pk=edition.pk).exclude(status=Edition.Status.SENT).update(
            status=Edition.Status.SENT, finished_at=timezone.now()
        )
    report.elapsed = time.monotonic() - started
    return report


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
