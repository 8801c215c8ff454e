"""A small newsroom for the desk, archive, stats, permission and browser tests.

One list, three readers, a composed edition, an editor, a user who is not one, an admin; built
directly (no collecting), so the tests that use it depend only on the desk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User

from digest.compose import compose
from digest.models import Article, Edition, Section
from subscribers.models import MailingList, Subscriber, Subscription

DAY = dt.date(2026, 11, 24)
PASSWORD = "correct horse battery staple"


@dataclass
class World:
    mailing_list: MailingList
    edition: Edition
    editor: User
    outsider: User
    admin: User


def build(approval: str = MailingList.Approval.REQUIRE) -> World:
    mailing_list = MailingList.objects.create(
        name="The Korea Daily Morning",
        slug="morning-en",
        from_name="The Korea Daily Morning",
        from_email="morning@news.example.com",
        approval=approval,
    )
    for address in ("ana@example.com", "bo@example.com", "cy@example.com"):
        reader = Subscriber.objects.create(email=address, name=address.split("@")[0])
        Subscription.objects.create(
            subscriber=reader, mailing_list=mailing_list, status=Subscription.Status.CONFIRMED
        )
    la = ZoneInfo("America/Los_Angeles")
    stories = [
        ("trade", "Tariff talks resume in Seoul", "Negotiators met again on Monday."),
        ("trade", "Port of LA sees record Korean imports", "Containers piled up at the port."),
        ("diplomacy", "Foreign ministers meet in Washington", "The talks covered security."),
        ("community", "Koreatown food bank expands hours", "Volunteers will open on Sundays."),
    ]
    for n, (key, title, summary) in enumerate(stories):
        Article.objects.create(
            url=f"https://news.example.com/story-{n}",
            title=title,
            byline="Staff",
            published_at=dt.datetime.combine(DAY, dt.time(3, n), tzinfo=la),
            language="en",
            body=summary,
            content_hash=str(n),
            section=Section.objects.get(key=key),
            summary=summary,
        )
    edition = compose(mailing_list, DAY).edition
    editor = User.objects.create_user("editor", "editor@news.example.com", PASSWORD)
    editor.groups.add(Group.objects.get_or_create(name="editors")[0])
    outsider = User.objects.create_user("outsider", "outsider@news.example.com", PASSWORD)
    admin = User.objects.create_superuser("admin", "admin@news.example.com", PASSWORD)
    return World(mailing_list, edition, editor, outsider, admin)
