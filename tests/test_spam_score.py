"""The demo emails as sent score nothing with SpamAssassin's local rules (no network tests):
no hidden text in a colour close to its background, no other rule our template could trip.

Runs where Debian's ``spamassassin`` is installed (CI installs it); skipped elsewhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from digest.compose import compose
from digest.delivery.dispatch import send_edition
from digest.delivery.senders.outbox import OutboxSender
from digest.demo import DEMO_DAY
from subscribers.models import MailingList

pytestmark = pytest.mark.django_db

SPAMASSASSIN = shutil.which("spamassassin")


@pytest.mark.skipif(SPAMASSASSIN is None, reason="spamassassin is not installed")
@pytest.mark.parametrize("slug", ["morning-en", "morning-ko"])
def test_demo_messages_score_zero_with_local_rules(demo, slug, tmp_path, settings):
    settings.DIGEST_OUTBOX_DIR = tmp_path
    edition = compose(MailingList.objects.get(slug=slug), DEMO_DAY).edition
    send_edition(edition, OutboxSender.from_settings())
    messages = sorted(tmp_path.rglob("*.eml"))
    assert messages
    for path in messages:
        report = subprocess.run(
            [SPAMASSASSIN, "-L", "-t"],
            input=path.read_bytes(),
            capture_output=True,
            timeout=120,
            check=False,
        ).stdout.decode("utf-8", "replace")
        status = re.search(
            r"^X-Spam-Status: \w+, score=(-?[\d.]+)(.*?)(?=^\S)", report, re.M | re.S
        )
        assert status, report[:2000]
        score = float(status.group(1))
        tests = " ".join(status.group(2).split())
        assert score <= 0, f"{path.name}: {score} {tests}"
        assert "HTML_FONT_LOW_CONTRAST" not in tests
