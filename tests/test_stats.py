"""History and stats of a list: numbers per edition and a server-drawn SVG chart."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from digest import stats
from digest.delivery.dispatch import send_edition
from digest.delivery.senders import MemorySender
from digest.models import Delivery, Edition

from .newsroom import build

pytestmark = pytest.mark.django_db


def test_history_counts_what_happened_to_each_edition():
    world = build(approval="auto")
    send_edition(Edition.objects.get(pk=world.edition.pk), MemorySender())
    Delivery.objects.filter(email="ana@example.com").update(opens=2, clicks=1)
    Delivery.objects.filter(email="bo@example.com").update(outcome="bounced")
    (row,) = stats.history(world.mailing_list)
    assert row.stats["recipients"] == 3 and row.stats["sent"] == 3
    assert (row.stats["opens"], row.stats["clicks"], row.stats["bounced"]) == (1, 1, 1)
    assert row.values()[: len(stats.COLUMNS)] == [row.stats[c] for c in stats.COLUMNS]


def test_the_chart_is_valid_svg_over_at_most_thirty_editions():
    world = build(approval="auto")
    first = world.edition
    for n in range(1, 35):
        Edition.objects.create(
            mailing_list=world.mailing_list,
            date=first.date - dt.timedelta(days=n),
            subject=f"Day {n}",
        )
    rows = stats.history(world.mailing_list)
    assert len(rows) == 30 and rows[0].edition.pk == first.pk
    svg = stats.chart_svg(rows)
    root = ET.fromstring(svg)
    polylines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(polylines) == len(stats.CHARTED)
    assert all(len(p.get("points").split()) == 30 for p in polylines)
    assert stats.chart_svg(rows[:1]).startswith("<svg")  # one edition: no division by zero
