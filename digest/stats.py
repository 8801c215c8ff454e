"""History and stats of a list's editions, and a chart of them drawn as SVG on the server.

The numbers come from ``edition_stats`` (deliveries and provider events); the chart is plain
SVG text, so the page needs no script and no CDN.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.db.models import Count, Q

from subscribers.models import MailingList

from .events import UNSUBSCRIBE_KINDS
from .models import Delivery, Edition, Event

COLUMNS = (
    "recipients",
    "sent",
    "failed",
    "bounced",
    "complaints",
    "unsubscribes",
    "opens",
    "clicks",
)
CHARTED = (("sent", "#0b4f8a"), ("opens", "#2e7d32"), ("clicks", "#c8102e"), ("failed", "#8d6e00"))


@dataclass(frozen=True)
class EditionRow:
    edition: Edition
    stats: dict[str, int]

    def values(self) -> list[int]:
        return [self.stats.get(c, 0) for c in COLUMNS]


def history(mailing_list: MailingList, limit: int = 30) -> list[EditionRow]:
    """The list's last ``limit`` editions, newest first, with their numbers."""
    editions = Edition.objects.filter(mailing_list=mailing_list).order_by("-date")[:limit]
    return [EditionRow(e, edition_stats(e)) for e in editions]


def chart_svg(rows: list[EditionRow], width: int = 720, height: int = 260) -> str:
    """A line per charted figure over the editions, oldest on the left."""
    rows = list(reversed(rows))
    left, right, top, bottom = 48, 12, 16, 40
    inner_w, inner_h = width - left - right, height - top - bottom
    peak = max([r.stats.get(k, 0) for r in rows for k, _ in CHARTED] + [1])

    def x(i: int) -> float:
        return left + (inner_w * i / (len(rows) - 1) if len(rows) > 1 else inner_w / 2)

    def y(v: int) -> float:
        return top + inner_h - inner_h * v / peak

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-title">',
        '<title id="chart-title">Sent, opens, clicks and failures per edition</title>',
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - right}" y2="{top + inner_h}" '
        'stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 6}" y="{top + inner_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for key, colour in CHARTED:
        points = " ".join(f"{x(i):.1f},{y(r.stats.get(key, 0)):.1f}" for i, r in enumerate(rows))
        if points:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
                f"<title>{key}</title></polyline>"
            )
    step = max(1, len(rows) // 6)
    for i, row in enumerate(rows):
        if i % step == 0 or i == len(rows) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 20}" text-anchor="middle" font-size="11">'
                f"{escape(row.edition.date.strftime('%m-%d'))}</text>"
            )
    for n, (key, colour) in enumerate(CHARTED):
        parts.append(
            f'<text x="{left + n * 90}" y="{height - 4}" font-size="12" fill="{colour}">'
            f"■ {key}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def edition_stats(edition: Edition) -> dict[str, int]:
    """What happened to an edition, in two aggregate queries. Counts are of deliveries: a
    reader who opened five times counts once in ``opens``. ``delivered`` is accepted by the
    receiving server at some point (a later asynchronous bounce also counts in ``bounced``);
    ``complaints`` and ``unsubscribes`` come from matched events, so a stronger later verdict
    on the same delivery does not hide them."""
    stats = Delivery.objects.filter(edition=edition).aggregate(
        recipients=Count("pk", filter=~Q(state=Delivery.State.SKIPPED)),
        sent=Count("pk", filter=Q(state=Delivery.State.SENT)),
        failed=Count("pk", filter=Q(state=Delivery.State.FAILED)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        bounced=Count("pk", filter=Q(outcome="bounced")),
        dropped=Count("pk", filter=Q(outcome="dropped")),
        soft_bounced=Count("pk", filter=Q(outcome="blocked")),
        opens=Count("pk", filter=Q(opens__gt=0)),
        clicks=Count("pk", filter=Q(clicks__gt=0)),
    )
    stats |= Event.objects.filter(edition=edition, delivery__isnull=False).aggregate(
        complaints=Count("delivery", distinct=True, filter=Q(kind=Event.Kind.SPAMREPORT)),
        unsubscribes=Count("delivery", distinct=True, filter=Q(kind__in=UNSUBSCRIBE_KINDS)),
    )
    return stats
