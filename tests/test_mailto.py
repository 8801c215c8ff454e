"""Unsubscribe requests mailed to the List-Unsubscribe mailto: address, from a real Maildir."""

from __future__ import annotations

import io
import mailbox
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from subscribers import tokens
from subscribers.models import ConsentEvent, MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(db):
    lists = [
        MailingList.objects.create(
            name=name, slug=slug, from_name=name, from_email="morning@example.com"
        )
        for name, slug in (("Morning", "morning-en"), ("아침", "morning-ko"))
    ]
    people = {}
    for address in ("grace@example.com", "daniel@example.com", "minji@example.com"):
        person = Subscriber.objects.create(email=address)
        for mailing_list in lists:
            Subscription.objects.create(
                subscriber=person, mailing_list=mailing_list, status="confirmed"
            )
        people[address] = person
    return lists, people


def mail(sender: str, subject: str, body: str = "") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "unsubscribe@news.example.com"
    message["Subject"] = subject
    message.set_content(body or "sent from my phone")
    return message


def statuses(person) -> list[str]:
    return list(
        Subscription.objects.filter(subscriber=person)
        .order_by("mailing_list__slug")
        .values_list("status", flat=True)
    )


def test_maildir_requests_are_applied_once_and_filed(readers, tmp_path):
    (english, _), people = readers
    token = tokens.make_token(tokens.UNSUBSCRIBE, people["grace@example.com"].pk, english.pk)
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(mail("Grace <grace@example.com>", f"unsubscribe {token}"))
    box.add(mail("daniel@example.com", "Re: The Korea Daily Morning", "Please unsubscribe me."))
    box.add(mail("minji@example.com", "unsubscribe not:a:token"))
    box.add(mail("stranger@example.org", "Great newsletter", "Thanks for the coverage!"))
    out = io.StringIO()
    call_command("read_unsubscribe_mail", str(tmp_path / "Maildir"), stdout=out)

    assert statuses(people["grace@example.com"]) == ["unsubscribed", "confirmed"]
    assert statuses(people["daniel@example.com"]) == ["unsubscribed", "unsubscribed"]
    assert statuses(people["minji@example.com"]) == ["confirmed", "confirmed"]
    assert "4 message(s): 2 ignored, 2 unsubscribed" in out.getvalue()
    event = ConsentEvent.objects.get(subscriber=people["grace@example.com"])
    assert event.kind == "unsubscribe" and event.how == "mailto from grace@example.com"
    # Handled messages moved to cur/: a second run has nothing to do.
    assert not list((tmp_path / "Maildir" / "new").iterdir())
    again = io.StringIO()
    call_command("read_unsubscribe_mail", str(tmp_path / "Maildir"), stdout=again)
    assert "0 message(s): nothing to do" in again.getvalue()


def test_mbox_and_korean_wording(readers, tmp_path):
    _, people = readers
    box = mailbox.mbox(tmp_path / "requests.mbox")
    box.add(mail("minji@example.com", "수신 거부"))
    box.close()
    call_command("read_unsubscribe_mail", str(tmp_path / "requests.mbox"), stdout=io.StringIO())
    assert statuses(people["minji@example.com"]) == ["unsubscribed", "unsubscribed"]


def test_a_path_that_is_no_mailbox_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="neither a Maildir"):
        call_command("read_unsubscribe_mail", str(tmp_path / "nothing"))
