"""Double opt-in: a subscribe request, its confirmation email, the confirmation, and changes.

Plain functions over models; the views and the admin call them, so every path writes the
same consent log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from . import tokens
from .addresses import address_hash, clean_address
from .hooks import Mail, send_mail
from .models import ConsentEvent, ErasedAddress, MailingList, Subscriber, Subscription
from .suppression import unsubscribe

# The window of SUBSCRIBE_CONFIRMATIONS_PER_HOUR.
CONFIRMATION_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class SubscribeOutcome:
    """What happened, for the log; the reader is always told the same thing (no leaks)."""

    subscription: Subscription | None
    confirmation_sent: bool
    reason: str = ""


def subscribe(
    mailing_list: MailingList,
    email: str,
    *,
    name: str = "",
    sections: Sequence[str] = (),
    language: str = "",
    how: str = "form",
    ip: str | None = None,
) -> SubscribeOutcome:
    """Record a request and send the confirmation link; raises InvalidAddress for bad input.

    At most ``SUBSCRIBE_CONFIRMATIONS_PER_HOUR`` confirmation emails an hour go to one address
    (any lists, any clients); further requests are recorded and send nothing, so a form
    posted from many machines cannot fill one inbox. The caller answers every request alike.
    """
    address = clean_address(email)
    if ErasedAddress.objects.filter(email_hash=address_hash(address)).exists():
        return SubscribeOutcome(None, False, "erased address")
    with transaction.atomic():
        # Locked (and on SQLite the write transaction is exclusive), so concurrent requests
        # for one address count their requests one after another.
        subscriber = Subscriber.objects.select_for_update().filter(email__iexact=address).first()
        if subscriber is None:
            subscriber = Subscriber.objects.create(
                email=address,
                name=name.strip()[:200],
                language=language or mailing_list.language,
                source=how[:200],
            )
        if subscriber.status == Subscriber.Status.BLOCKED:
            return SubscribeOutcome(None, False, "blocked address")
        subscription, _ = Subscription.objects.get_or_create(
            subscriber=subscriber,
            mailing_list=mailing_list,
            defaults={"source": how[:200], "sections": list(sections)},
        )
        if subscription.status == Subscription.Status.CONFIRMED:
            return SubscribeOutcome(subscription, False, "already confirmed")
        subscription.status = Subscription.Status.PENDING
        subscription.sections = list(sections)
        subscription.save(update_fields=["status", "sections"])
        # The requests of the last hour that sent an email (the withheld ones say so).
        sent = (
            ConsentEvent.objects.filter(
                subscriber=subscriber,
                kind=ConsentEvent.Kind.SUBSCRIBE,
                at__gte=timezone.now() - CONFIRMATION_WINDOW,
            )
            .exclude(detail__has_key="confirmation")
            .count()
        )
        detail: dict = {"sections": list(sections)}
        withhold = sent >= settings.SUBSCRIBE_CONFIRMATIONS_PER_HOUR
        if withhold:
            detail["confirmation"] = f"not sent: {sent} confirmation emails in the last hour"
        ConsentEvent.objects.create(
            subscriber=subscriber,
            mailing_list=mailing_list,
            kind=ConsentEvent.Kind.SUBSCRIBE,
            how=how[:200],
            ip=ip,
            detail=detail,
        )
    if withhold:
        return SubscribeOutcome(subscription, False, "confirmation limit")
    send_confirmation(subscription, how=how)
    return SubscribeOutcome(subscription, True)


def send_confirmation(subscription: Subscription, how: str = "form") -> None:
    """Email the confirmation link (again); the subscription stays pending until it is used."""
    mailing_list = subscription.mailing_list
    subscriber = subscription.subscriber
    token = tokens.make_token(tokens.CONFIRM, subscriber.pk, mailing_list.pk)
    context = {
        "mailing_list": mailing_list,
        "subscriber": subscriber,
        "confirm_url": f"{settings.SITE_URL}/confirm/{token}/",
        "lang": mailing_list.language,
        "site_name": settings.DIGEST_SITE_NAME,
        "postal_address": settings.DIGEST_POSTAL_ADDRESS,
    }
    subject = (
        f"{mailing_list.name} 구독을 확인해 주세요"
        if mailing_list.language == "ko"
        else f"Please confirm your subscription to {mailing_list.name}"
    )
    send_mail(
        Mail(
            to=subscriber.email,
            from_addr=formataddr((mailing_list.from_name, mailing_list.from_email)),
            subject=subject,
            text=render_to_string("email/confirm.txt", context),
            html=render_to_string("email/confirm.html", context),
            kind="confirmation",
        )
    )
    Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=timezone.now())
    ConsentEvent.objects.create(
        subscriber=subscriber,
        mailing_list=mailing_list,
        kind=ConsentEvent.Kind.CONFIRMATION_SENT,
        how=how[:200],
    )


@transaction.atomic
def confirm(subscriber_id: int, list_id: int, how: str = "confirm page", ip: str | None = None):
    """Confirm a pending subscription; True if this changed anything."""
    subscription = (
        Subscription.objects.select_for_update()
        .filter(subscriber_id=subscriber_id, mailing_list_id=list_id)
        .first()
    )
    if subscription is None or subscription.status == Subscription.Status.CONFIRMED:
        return False
    subscription.status = Subscription.Status.CONFIRMED
    subscription.confirmed_at = timezone.now()
    subscription.unsubscribed_at = None
    subscription.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
    ConsentEvent.objects.create(
        subscriber_id=subscriber_id,
        mailing_list_id=list_id,
        kind=ConsentEvent.Kind.CONFIRM,
        how=how,
        ip=ip,
    )
    return True


@transaction.atomic
def update_preferences(
    subscriber: Subscriber,
    mailing_list: MailingList,
    *,
    sections: Sequence[str],
    language: str,
    lists: Sequence[int],
    ip: str | None = None,
) -> list[str]:
    """Apply the preferences form; returns what changed, in words, for the page and the log."""
    changes: list[str] = []
    if language and language != subscriber.language:
        subscriber.language = language
        subscriber.save(update_fields=["language", "updated_at"])
        changes.append(f"language={language}")
    current = Subscription.objects.filter(subscriber=subscriber, mailing_list=mailing_list).first()
    if current and sorted(current.sections) != sorted(sections):
        current.sections = list(sections)
        current.save(update_fields=["sections"])
        changes.append(f"sections={','.join(sections) or 'all'}")
    wanted = set(lists)
    for other in MailingList.objects.all():
        sub = Subscription.objects.filter(subscriber=subscriber, mailing_list=other).first()
        active = sub is not None and sub.status == Subscription.Status.CONFIRMED
        if other.pk in wanted and not active:
            # The signed link proves the address is the reader's: no second opt-in needed.
            sub = sub or Subscription(
                subscriber=subscriber, mailing_list=other, source="preferences page"
            )
            sub.status = Subscription.Status.CONFIRMED
            sub.confirmed_at = timezone.now()
            sub.unsubscribed_at = None
            sub.save()
            ConsentEvent.objects.create(
                subscriber=subscriber,
                mailing_list=other,
                kind=ConsentEvent.Kind.CONFIRM,
                how="preferences page",
                ip=ip,
            )
            changes.append(f"joined {other.slug}")
        elif other.pk not in wanted and active:
            unsubscribe(subscriber.pk, other.pk, how="preferences page", ip=ip)
            changes.append(f"left {other.slug}")
    if changes:
        ConsentEvent.objects.create(
            subscriber=subscriber,
            mailing_list=mailing_list,
            kind=ConsentEvent.Kind.PREFERENCES,
            how="preferences page",
            ip=ip,
            detail={"changes": changes},
        )
    return changes
