"""Proofs for an editor: what readers of each section choice will see (the preview page, in
dark mode too) and a test send to the editor's own inbox.

Nothing here writes a Delivery: a test is a one-off message marked as one (a "[TEST]"
subject and an ``X-Digest-Test`` header), so it can never count as, or stand in for, a send.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from ..compose import edition_view
from ..delivery.transactional import list_from, send_one_off
from ..models import Edition, EditLog
from ..render import EMAIL, PREVIEW_VALUES, RenderedVariant, personalize, render_variant

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
    try:
        send_one_off(
            user.email,
            f"[TEST] {rendered.subject}",
            rendered.html,
            rendered.text,
            kind="test",
            from_addr=list_from(mailing_list),
            headers={"X-Digest-Test": "1", "X-Digest-Edition": str(edition.pk)},
            values={**PREVIEW_VALUES, EMAIL: user.email},
            edition_id=edition.pk,
            folder=f"_test/{mailing_list.slug}/{dt.date.today():%Y-%m-%d}",
        )
    except Exception as exc:  # any backend failure is the editor's to see, not a 500
        raise TestNotSent(f"the test could not be sent: {exc}") from exc
    EditLog.objects.create(
        edition=edition,
        user=user,
        action="test",
        after={"to": user.email, "sections": list(rendered.sections)},
    )
    return user.email
