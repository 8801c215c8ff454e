"""What readers will see, for an editor: the preview page, dark mode, and a test send.

Nothing here writes a Delivery: a test is a one-off message marked as one (a "[TEST]"
subject and an ``X-Digest-Test`` header), so it can never count as, or stand in for, a send.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.conf import settings

from ..compose import edition_view
from ..delivery.senders import configured_sender
from ..delivery.senders.base import Batch, Recipient
from ..models import Edition, EditLog
from ..preview import PREVIEW_VALUES
from ..render import EMAIL, RenderedVariant, personalize, render_variant

DARK_QUERY = re.compile(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)")


class TestNotSent(Exception):
    """The test could not be sent; the message says why."""

    __test__ = False  # not a pytest class


def variant(edition: Edition, sections: Sequence[str] | None = None) -> RenderedVariant:
    """The edition as readers of ``sections`` get it (all sections when none or unknown)."""
    view = edition_view(edition)
    keys = tuple(k for k in (sections or ()) if k in view.section_keys) or None
    return render_variant(view, keys)


def preview_html(
    edition: Edition, sections: Sequence[str] | None = None, dark: bool = False
) -> str:
    """The HTML with stand-in links; ``dark`` turns the email's own dark-mode rules on
    unconditionally, so an editor sees them without switching their system theme."""
    html, _ = personalize(variant(edition, sections), PREVIEW_VALUES)
    return DARK_QUERY.sub("@media all", html) if dark else html


def send_test(edition: Edition, user, sections: Sequence[str] | None = None) -> str:
    """Send the edition to the editor's own address; returns the address."""
    if not user.email:
        raise TestNotSent("your account has no email address: ask an admin to add one")
    rendered = variant(edition, sections)
    mailing_list = edition.mailing_list
    from_email = mailing_list.from_email or settings.DIGEST_FROM_EMAIL
    batch = Batch(
        from_addr=f"{mailing_list.from_name} <{from_email}>",
        subject=f"[TEST] {rendered.subject}",
        html=rendered.html,
        text=rendered.text,
        recipients=[
            Recipient(
                delivery_id=0,
                to=user.email,
                values={**PREVIEW_VALUES, EMAIL: user.email},
                headers={"X-Digest-Test": "1", "X-Digest-Edition": str(edition.pk)},
            )
        ],
        edition_id=edition.pk,
        category="test",
        folder=f"_test/{mailing_list.slug}/{dt.date.today():%Y-%m-%d}",
    )
    try:
        with configured_sender() as sender:
            (result,) = sender.send(batch)
    except Exception as exc:  # any backend failure is the editor's to see, not a 500
        raise TestNotSent(f"the test could not be sent: {exc}") from exc
    if result.status != "sent":
        raise TestNotSent(f"the test could not be sent: {result.error}")
    EditLog.objects.create(
        edition=edition,
        user=user,
        action="test",
        after={"to": user.email, "sections": list(rendered.sections)},
    )
    return user.email
