"""The public archive: past editions as web pages, the target of every email's "view in
browser" link. An archived page is the full edition with no reader in it: no address, no
signed link (its footer points to the subscribe page instead)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from subscribers.models import MailingList

from .compose import edition_view
from .models import Edition
from .render import PLACEHOLDERS, render_variant, substitute

ARCHIVED = (Edition.Status.SENDING, Edition.Status.SENT)


def archive_url(slug: str, day: dt.date) -> str:
    return f"{settings.SITE_URL}/archive/{slug}/{day:%Y-%m-%d}/"


def archived_editions(mailing_list: MailingList):
    """Editions readers have been sent (or are being sent), newest first."""
    return Edition.objects.filter(mailing_list=mailing_list, status__in=ARCHIVED).order_by("-date")


def archived_page(edition: Edition) -> str:
    """The whole edition as a web page. Rendered in web mode (no reader's footer); any
    placeholder an override template still carries is emptied rather than left or filled."""
    view = edition_view(edition)
    rendered = render_variant(view, None, web=True)
    page, _ = substitute(rendered.html, rendered.text, dict.fromkeys(PLACEHOLDERS, ""))
    return page
