"""The sender seam: one registry chooses a backend by alias or dotted path, every backend
states the contract's capabilities, and a run's helpers rebuild its backend and options."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.compose import compose
from digest.delivery.dispatch import SendOptions
from digest.delivery.errors import FatalError
from digest.delivery.senders import (
    SENDERS,
    MemorySender,
    OutboxSender,
    Sender,
    SmtpSender,
    configured_sender,
    sender_class,
    sender_path,
)
from digest.delivery.throttle import Quota
from digest.delivery.workers import helper_command
from digest.demo import DEMO_DAY
from subscribers.models import MailingList


def test_an_alias_or_a_dotted_path_chooses_the_backend(settings, tmp_path):
    settings.DIGEST_OUTBOX_DIR = tmp_path
    assert isinstance(configured_sender("outbox"), OutboxSender)
    settings.DIGEST_SENDER = "digest.delivery.senders.memory.MemorySender"
    assert isinstance(configured_sender(), MemorySender)
    assert configured_sender("memory").name == "memory"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("carrier-pigeon", "is not one of: outbox, smtp, sendgrid, memory"),
        ("digest.nowhere.Sender", "cannot be imported"),
        ("digest.delivery.dispatch.SendOptions", "is not a subclass of digest's Sender"),
    ],
)
def test_a_backend_that_cannot_be_chosen_is_named_with_the_reason(key, message):
    with pytest.raises(FatalError, match=message):
        configured_sender(key)


def test_every_registered_backend_keeps_the_contract():
    for alias, cls in SENDERS.items():
        assert issubclass(cls, Sender) and cls.name == alias
        assert sender_class(sender_path(cls.__new__(cls))) is cls
    # SMTP answers message by message: the loop records each answer before the next.
    assert SmtpSender.per_message and not SmtpSender.overlap
    assert not OutboxSender.per_message


def test_a_helper_gets_the_backend_and_the_run_options_whole(db, demo, settings, tmp_path):
    settings.DIGEST_OUTBOX_DIR = tmp_path
    edition = compose(MailingList.objects.get(slug="morning-en"), DEMO_DAY).edition
    options = SendOptions(
        batch_size=250,
        on_uncertain="resend",
        per_second=40.0,
        quota=Quota(5000, dt.timedelta(hours=1)),
        breaker=9,
    )
    command = helper_command(edition, OutboxSender(tmp_path), options)
    assert command[command.index("--sender") + 1] == ("digest.delivery.senders.outbox.OutboxSender")
    assert SendOptions.from_json(command[command.index("--options") + 1]) == options
    assert SendOptions.from_json(SendOptions().to_json()) == SendOptions()
