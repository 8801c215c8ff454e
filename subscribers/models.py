"""Audience and consent: who gets which list, with which sections, and since when.

This app never imports ``digest``: the newsletter depends on its audience, not the reverse.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import URLValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    KOREAN = "ko", "한국어"


class Subscriber(models.Model):
    """One person, identified by an email address (unique regardless of case)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        # Blocked everywhere: a hard bounce, a spam complaint or an admin's decision.
        BLOCKED = "blocked", "Blocked"

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="How the reader came: form, import, admin."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the reader's personal data was erased."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["source"])]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)


def normalize_email(address: str) -> str:
    """Trim and lower-case the domain; the local part keeps its case (RFC 5321)."""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else address


class MailingList(models.Model):
    """A newsletter: its language, its sender identity and its morning send time."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    description = models.TextField(blank=True, help_text="Shown on the subscribe page.")
    from_name = models.CharField(max_length=200)
    from_email = models.EmailField()
    reply_to = models.EmailField(blank=True)

    class Approval(models.TextChoices):
        REQUIRE = "require", "Editors must approve (waits until the deadline)"
        AUTO = "auto", "Send as composed"
        AUTO_AFTER = "auto-after", "Send unapproved at the send time if nobody acted"

    class SummaryLength(models.TextChoices):
        SHORT = "short", "Short (about 45 words; 130 characters in Korean)"
        STANDARD = "standard", "Standard (two or three sentences)"

    summary_length = models.CharField(
        max_length=10,
        choices=SummaryLength.choices,
        default=SummaryLength.SHORT,
        help_text="How long each story's summary runs in this list's editions; always whole "
        "sentences. Editors' own summaries are kept as written.",
    )
    compose_time = models.TimeField(default=dt.time(5, 0))
    send_time = models.TimeField(default=dt.time(6, 0))
    send_deadline = models.TimeField(
        default=dt.time(9, 0),
        help_text="An edition not started by then is not sent by itself (it is stale).",
    )
    time_zone = models.CharField(max_length=64, default="America/Los_Angeles")
    approval = models.CharField(max_length=12, choices=Approval.choices, default=Approval.AUTO)
    created_at = models.DateTimeField(default=timezone.now)
    # How the email presents the list (the template reads them through the edition's view).
    logo_url = models.CharField(  # not URLField: its form field guesses a scheme
        "logo URL",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["https"])],
        help_text="A hosted image at an https address (PNG on a white background, about "
        "480×96 px), shown at the top of the email; linked, never embedded. Its alt text is "
        "the list's name, which also stands in where images are off. Empty: the name in large "
        "type.",
    )
    publisher_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The site's name as the list's own language says it (코리아데일리 for a Korean "
        "list), for the footer's sentences. Empty: DIGEST_SITE_NAME.",
    )
    other_language = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The same newsletter in the other language: each email links to its edition "
        "of the day.",
    )
    utm_params = models.CharField(
        "UTM tags",
        max_length=300,
        blank=True,
        help_text="Added to every story link, e.g. "
        "utm_source=newsletter&utm_medium=email&utm_campaign=morning. Empty: links as they are.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A subscriber on a list, the sections they chose (empty: all) and the state of consent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscriptions"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    sections = models.JSONField(
        default=list, blank=True, help_text="Section keys the reader chose; empty means all."
    )
    source = models.CharField(max_length=200, blank=True, help_text="How the subscription came.")
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "mailing_list"], name="subscription_unique"
            ),
        ]
        indexes = [models.Index(fields=["mailing_list", "status", "subscriber"])]

    def __str__(self) -> str:
        return f"{self.subscriber} on {self.mailing_list}"


class ConsentEvent(models.Model):
    """The proof of consent: every subscribe, confirm, change, unsubscribe, block and import."""

    class Kind(models.TextChoices):
        SUBSCRIBE = "subscribe", "Subscribed (waiting for confirmation)"
        CONFIRM = "confirm", "Confirmed"
        PREFERENCES = "preferences", "Changed preferences"
        UNSUBSCRIBE = "unsubscribe", "Unsubscribed"
        BLOCK = "block", "Blocked"
        UNBLOCK = "unblock", "Unblocked"
        IMPORT = "import", "Imported"
        CONFIRMATION_SENT = "confirmation_sent", "Confirmation email sent"
        ERASE = "erase", "Personal data erased"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="consent_events"
    )
    mailing_list = models.ForeignKey(
        MailingList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    how = models.CharField(max_length=200, help_text="form, one-click, import FILE by USER, ...")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} ({self.how})"


class ErasedAddress(models.Model):
    """The hash of an erased address: keeps it from being imported again, identifies no one."""

    email_hash = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "erased addresses"

    def __str__(self) -> str:
        return self.email_hash[:12]
