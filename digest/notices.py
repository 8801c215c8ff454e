"""Telling the editors what needs them (a draft ready, an edition too late or not
composed), once per edition and kind, by email through ``send_one_off``."""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from .delivery.transactional import send_one_off
from .desk.access import EDITORS_GROUP
from .models import Edition, EditLog, Lock

log = logging.getLogger(__name__)

Notify = Callable[[Edition | None, str, str, str], None]  # edition, kind, subject, text


def desk_url(edition: Edition) -> str:
    return f"{settings.SITE_URL}/desk/editions/{edition.pk}/"


def _editor_addresses() -> list[str]:
    """Editors and admins with an address: they are the ones who can act on the desk."""
    users = get_user_model().objects.filter(
        Q(groups__name=EDITORS_GROUP) | Q(is_superuser=True), is_active=True
    )
    return sorted({u.email for u in users.exclude(email="")})


def email_editors(subject: str, text: str) -> int:
    """Send a notice to every editor through the configured sender; returns how many."""
    addresses = _editor_addresses()
    if not addresses:
        log.warning("no editor has an email address; not told: %s", subject)
        return 0
    send_one_off(
        addresses,
        subject,
        f"<pre>{html.escape(text)}</pre>",
        text,
        kind="editors",
        headers={"X-Digest-Notice": "editors"},
    )
    return len(addresses)


def notify_once(edition: Edition, kind: str, subject: str, text: str, notify: Notify) -> bool:
    """Tell the editors once per edition and kind; the EditLog row is the memory of it, so
    a restarted scheduler does not mail them again."""
    with transaction.atomic():
        if EditLog.objects.filter(edition=edition, action=f"notified {kind}").exists():
            return False
        EditLog.objects.create(
            edition=edition, action=f"notified {kind}", after={"subject": subject}
        )
    notify(edition, kind, subject, text)
    return True


def told_once(key: str, now: dt.datetime) -> bool:
    """True the first time ``key`` is seen (across processes and restarts). With no edition
    to hang an EditLog row on, a ``Lock`` row named ``told:...`` is the memory; it lapses a
    few days later."""
    Lock.objects.filter(name__startswith="told:", expires_at__lt=now).delete()
    _, created = Lock.objects.get_or_create(
        name=key[:100], defaults={"holder": "notice", "expires_at": now + dt.timedelta(days=3)}
    )
    return created


def default_notify(edition: Edition | None, kind: str, subject: str, text: str) -> None:
    try:
        email_editors(subject, text)
    except Exception:  # a notice that cannot go out must not stop the morning's send
        log.exception("could not email the editors: %s", subject)
