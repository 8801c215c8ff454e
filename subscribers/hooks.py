"""What this app needs from the newsletter, reached through settings, never through imports.

``SUBSCRIBERS_SECTIONS`` names a function returning the sections a reader can choose;
``SUBSCRIBERS_MAILER`` names a function that sends one transactional email (a confirmation)
through the configured delivery backend. ``digest`` provides both; another project could too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SectionChoice:
    key: str
    name_en: str
    name_ko: str

    def name(self, language: str) -> str:
        return self.name_ko if language == "ko" else self.name_en


@dataclass(frozen=True)
class Mail:
    """One transactional email, finished: the mailer only delivers it."""

    to: str
    from_addr: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "transactional"


class MailNotSent(Exception):
    """The backend could not take the email now; the message says why."""


def section_choices() -> list[SectionChoice]:
    return [SectionChoice(*row) for row in import_string(settings.SUBSCRIBERS_SECTIONS)()]


def send_mail(mail: Mail) -> None:
    """Deliver now; raises MailNotSent when the backend cannot (the caller tells the reader)."""
    import_string(settings.SUBSCRIBERS_MAILER)(mail)
