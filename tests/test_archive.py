"""The public archive and the "view in browser" link every email carries."""

from __future__ import annotations

import pytest

from digest.delivery.dispatch import send_edition
from digest.delivery.senders import MemorySender
from digest.models import Edition

from .newsroom import build

pytestmark = pytest.mark.django_db

ARCHIVED = "https://news.example.com/archive/morning-en/2026-11-24/"


@pytest.fixture
def sent():
    world = build(approval="auto")
    sender = MemorySender()
    send_edition(Edition.objects.get(pk=world.edition.pk), sender)
    return world, sender


def test_every_email_links_to_its_archived_page(sent):
    _, sender = sent
    message = sender.sent[0]
    assert f'href="{ARCHIVED}"' in message.html and "View in your browser" in message.html
    assert f"View in your browser: {ARCHIVED}" in message.text


def test_the_archived_page_has_the_edition_and_no_reader_in_it(sent, client):
    world, sender = sent
    index = client.get("/archive/morning-en/").content.decode()
    assert "/archive/morning-en/2026-11-24/" in index and world.edition.subject in index
    response = client.get("/archive/morning-en/2026-11-24/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tariff talks resume in Seoul" in page and "Koreatown food bank" in page
    for personal in ("/unsubscribe/", "/preferences/", "%%", "@example.com", "View in your"):
        assert personal not in page, personal
    assert "https://news.example.com/subscribe/morning-en/" in page
    # What a reader got had their own links; the archive has none of them.
    assert "/unsubscribe/" in sender.sent[0].html


def test_unsent_editions_and_bad_dates_are_not_in_the_archive(client):
    world = build()
    assert world.edition.status == "draft"
    assert client.get("/archive/morning-en/2026-11-24/").status_code == 404
    assert "2026-11-24" not in client.get("/archive/morning-en/").content.decode()
    assert client.get("/archive/morning-en/yesterday/").status_code == 404
    assert client.get("/archive/no-such-list/").status_code == 404
