"""Django's error emails: ADMINS from DJANGO_ADMINS, sent through the product's own sender
(here a real SMTP server on 127.0.0.1) when a page fails or the scheduler logs an error."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from django.test import Client

from digest.errormail import parse_admins
from digest.testing.sites import ROOT, Site
from digest.testing.smtp_server import Handler, SmtpServer, free_port
from digest.testing.web_server import SECRET_KEY


def test_admins_are_read_from_names_and_addresses():
    assert parse_admins("Name <a@x>,b@y") == [("Name", "a@x"), ("b@y", "b@y")]
    assert parse_admins('"Kim, Grace" <grace@news.example.com> , ops@news.example.com') == [
        ("Kim, Grace", "grace@news.example.com"),
        ("ops@news.example.com", "ops@news.example.com"),
    ]
    assert parse_admins("") == parse_admins("  ") == []
    for bad in ("Grace grace@news.example.com", "a@x b@y", "ops", "<>", "a@"):
        with pytest.raises(ValueError, match=r"DJANGO_ADMINS: .* is not one email address"):
            parse_admins(bad)


def test_the_settings_take_admins_from_the_environment_and_refuse_a_typo(tmp_path):
    site = Site(
        tmp_path, DJANGO_SECRET_KEY=SECRET_KEY, DIGEST_FROM_EMAIL="morning@news.example.com"
    )
    show = "from django.conf import settings; print(settings.ADMINS, settings.SERVER_EMAIL)"
    good = site.run("shell", "-c", show, DJANGO_ADMINS="Ops Desk <ops@news.example.com>,b@y.org")
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip().splitlines()[-1] == (
        "[('Ops Desk', 'ops@news.example.com'), ('b@y.org', 'b@y.org')] morning@news.example.com"
    )
    bad = site.run("shell", "-c", show, DJANGO_ADMINS="Ops ops@news.example.com")
    assert bad.returncode != 0
    assert "DJANGO_ADMINS: 'Ops ops@news.example.com' is not one email address" in bad.stderr


@pytest.fixture
def smtp(settings):
    with SmtpServer(Handler()) as server:
        settings.DIGEST_SENDER = "smtp"
        settings.SMTP_URL = server.url
        settings.SMTP_TIMEOUT = 5
        settings.EMAIL_BACKEND = "digest.errormail.EmailBackend"  # pytest-django sets locmem
        settings.ADMINS = [("Ops", "ops@news.example.com"), ("Kim", "kim@news.example.com")]
        settings.SERVER_EMAIL = "morning@news.example.com"
        yield server.handler


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
def test_a_failing_page_is_emailed_to_the_admins_through_the_configured_sender(smtp):
    answer = Client(raise_request_exception=False).get("/boom/")
    assert answer.status_code == 500
    assert sorted(to for rcpt, _ in smtp.messages for to in rcpt) == [
        "kim@news.example.com",
        "ops@news.example.com",
    ]
    message = smtp.messages[0][1]
    assert message["From"] == "morning@news.example.com"
    assert message["Subject"].startswith("[digest] ERROR")
    assert "/boom/" in message["Subject"]
    assert "the desk fell over" in message.get_body(("plain",)).get_content()


def test_an_error_the_scheduler_logs_is_emailed_too(smtp):
    logging.getLogger("digest.schedule").error("the scheduler lock was taken over; stopping")
    assert [m["Subject"] for _, m in smtp.messages] == [
        "[digest] ERROR: the scheduler lock was taken over; stopping"
    ] * 2


def test_an_error_email_that_cannot_be_sent_is_printed_not_mailed_in_a_loop(settings):
    settings.EMAIL_BACKEND = "digest.errormail.EmailBackend"
    settings.ADMINS = [("Ops", "ops@news.example.com")]
    settings.DIGEST_SENDER = "smtp"
    settings.SMTP_URL = f"smtp://127.0.0.1:{free_port()}"  # nobody listens
    settings.SMTP_TIMEOUT = 2
    records: list[logging.LogRecord] = []
    collector = logging.Handler()
    collector.emit = records.append
    logging.getLogger("digest.errormail").addHandler(collector)
    try:
        logging.getLogger("digest.schedule").error("first failure")
    finally:
        logging.getLogger("digest.errormail").removeHandler(collector)
    assert [r.getMessage() for r in records] == ["error emails to ADMINS not sent"]
    assert "cannot connect to the SMTP server" in str(records[0].exc_info[1])


def test_the_error_email_module_imports_without_django_settings():
    """settings.py imports it: it must not reach for the settings while they load."""
    done = subprocess.run(
        [sys.executable, "-c", "import digest.errormail"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
