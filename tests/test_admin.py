"""The admin, through the real admin client: pages, filters, history, bulk actions, CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from subscribers.addresses import address_hash
from subscribers.hooks import MailNotSent
from subscribers.models import ConsentEvent, ErasedAddress, MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db

SUBSCRIBERS = "/admin/subscribers/subscriber/"
LISTS = "/admin/subscribers/mailinglist/"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/digest/section/",
        "/admin/digest/source/",
        "/admin/digest/article/",
        "/admin/digest/edition/",
        "/admin/digest/delivery/",
        "/admin/subscribers/mailinglist/",
        "/admin/subscribers/subscriber/",
    ],
)
def test_admin_changelists_open_for_staff_and_not_for_anonymous(demo, admin_client, client, path):
    assert admin_client.get(path).status_code == 200
    assert client.get(path).status_code == 302


def test_list_changelist_counts_subscribers_by_status(demo, admin_client):
    page = admin_client.get("/admin/subscribers/mailinglist/").content.decode()
    assert "The Korea Daily Morning" in page
    # morning-en: 5 confirmed (one of them blocked), 0 pending, 1 unsubscribed.
    assert '<td class="field-confirmed">5</td>' in page
    assert '<td class="field-left">1</td>' in page


def test_list_counts_cost_the_same_queries_for_two_lists_or_twelve(demo, admin_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(LISTS).status_code == 200
        return len(ctx.captured_queries)

    two = queries()
    for n in range(10):
        extra = MailingList.objects.create(
            name=f"Extra {n}", slug=f"extra-{n}", from_name="x", from_email="x@example.com"
        )
        Subscription.objects.create(
            subscriber=Subscriber.objects.get(email="grace.kim@example.com"),
            mailing_list=extra,
            status="pending",
        )
    assert queries() == two


# --- helpers -----------------------------------------------------------------------------


def reader(email: str) -> Subscriber:
    return Subscriber.objects.get(email__iexact=email)


def status_on(email: str, slug: str) -> str:
    return Subscription.objects.get(subscriber__email__iexact=email, mailing_list__slug=slug).status


def act(admin_client, action: str, emails: list[str], **fields):
    """POST an action from the changelist, as the action bar does (or its next page)."""
    data = {
        "action": action,
        ACTION_CHECKBOX_NAME: [str(reader(e).pk) for e in emails],
        **fields,
    }
    if not fields:
        data["index"] = "0"  # the changelist's own action bar
    return admin_client.post(SUBSCRIBERS, data)


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the subscriber pages ------------------------------------------------------------------


def test_search_and_filters(demo, admin_client):
    english = MailingList.objects.get(slug="morning-en")
    page = admin_client.get(SUBSCRIBERS, {"q": "박민지"}).content.decode()
    assert "minji.park@example.com" in page and "grace.kim@example.com" not in page
    page = admin_client.get(SUBSCRIBERS, {"q": "GRACE.KIM"}).content.decode()
    assert "grace.kim@example.com" in page and "minji.park@example.com" not in page

    left = admin_client.get(
        SUBSCRIBERS, {"mailing_list": english.pk, "subscription_status": "unsubscribed"}
    ).content.decode()
    assert "james.yoon@example.com" in left
    assert "grace.kim@example.com" not in left
    # Pending on some list, but not on morning-en: nobody.
    pending_en = admin_client.get(
        SUBSCRIBERS, {"mailing_list": english.pk, "subscription_status": "pending"}
    ).content.decode()
    assert "hana.choi@example.org" not in pending_en
    pending = admin_client.get(SUBSCRIBERS, {"subscription_status": "pending"}).content.decode()
    assert "hana.choi@example.org" in pending

    blocked = admin_client.get(SUBSCRIBERS, {"status__exact": "blocked"}).content.decode()
    assert "bounced.reader@example.com" in blocked and "grace.kim@example.com" not in blocked
    korean = admin_client.get(SUBSCRIBERS, {"language__exact": "ko"}).content.decode()
    assert "sujin.lee@example.net" in korean and "grace.kim@example.com" not in korean
    Subscriber.objects.filter(email="grace.kim@example.com").update(source="import a.csv by bo")
    imported = admin_client.get(SUBSCRIBERS, {"source": "import a.csv by bo"}).content.decode()
    assert "grace.kim@example.com" in imported and "sujin.lee@example.net" not in imported
    # "Show counts" (facets) works with the list and subscription-status filters too.
    counted = admin_client.get(SUBSCRIBERS, {"_facets": "True", "mailing_list": english.pk})
    assert counted.status_code == 200
    assert "Confirmed (5)" in counted.content.decode()


def test_change_page_shows_subscriptions_consent_deliveries_and_provider_events(demo, admin_client):
    from digest.compose import compose
    from digest.delivery.dispatch import send_edition
    from digest.delivery.senders import MemorySender
    from digest.demo import DEMO_DAY
    from digest.models import Delivery, Event
    from subscribers import suppression

    english = MailingList.objects.get(slug="morning-en")
    edition = compose(english, DEMO_DAY).edition
    send_edition(edition, MemorySender())
    grace = reader("grace.kim@example.com")
    delivery = Delivery.objects.get(edition=edition, subscriber=grace)
    assert delivery.state == "sent"
    Delivery.objects.filter(pk=delivery.pk).update(outcome="bounce")
    Event.objects.create(
        provider_event_id="ev-1",
        kind="delivered",
        delivery=delivery,
        edition=edition,
        email=grace.email,
        at=timezone.now(),
        payload={"response": "250 2.0.0 OK queued"},
    )
    Event.objects.create(
        provider_event_id="ev-2",
        kind="bounce",
        delivery=delivery,
        edition=edition,
        email=grace.email,
        at=timezone.now(),
        payload={"reason": "550 5.1.1 mailbox gone"},
    )
    ConsentEvent.objects.create(subscriber=grace, kind="confirm", how="old confirm page")
    suppression.block(grace.pk, "bounced", how="the newest event")

    page = admin_client.get(f"{SUBSCRIBERS}{grace.pk}/change/").content.decode()
    assert "The Korea Daily Morning" in page  # the subscription inline
    assert "Consent log (newest first)" in page
    assert page.index("the newest event") < page.index("old confirm page")
    assert "Deliveries (newest first, the latest 100)" in page
    assert f"morning-en {DEMO_DAY:%Y-%m-%d}" in page
    assert "250 2.0.0 OK queued" in page
    assert "550 5.1.1 mailbox gone" in page
    assert "bounce" in page
    # Read-only: no form fields for the history, and nothing to delete.
    assert 'name="deliveries-0-state"' not in page
    assert 'name="consent_events-0-how"' not in page
    assert 'name="subscriptions-0-status"' not in page


# --- bulk actions ------------------------------------------------------------------------


def test_unsubscribe_from_a_list_asks_which_list_then_unsubscribes(demo, admin_client):
    english = MailingList.objects.get(slug="morning-en")
    people = ["grace.kim@example.com", "minji.park@example.com"]
    page = act(admin_client, "unsubscribe_from_list", people)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Unsubscribe from a list" in html and 'name="mailing_list"' in html
    assert "grace.kim@example.com" in html
    assert status_on("grace.kim@example.com", "morning-en") == "confirmed"  # not yet

    done = act(
        admin_client, "unsubscribe_from_list", people, apply="Unsubscribe",
        mailing_list=str(english.pk),
    )  # fmt: skip
    assert done.status_code == 302
    assert status_on("grace.kim@example.com", "morning-en") == "unsubscribed"
    assert status_on("minji.park@example.com", "morning-en") == "unsubscribed"
    assert status_on("minji.park@example.com", "morning-ko") == "confirmed"
    event = ConsentEvent.objects.get(subscriber=reader("grace.kim@example.com"), kind="unsubscribe")
    assert (event.how, event.mailing_list) == ("admin admin", english)
    assert "2 unsubscribed from The Korea Daily Morning." in flash(done)


def test_block_needs_a_reason_and_unblock_records_one(demo, admin_client):
    people = ["grace.kim@example.com"]
    empty = act(admin_client, "block", people, apply="Block", reason="")
    assert empty.status_code == 200  # the page again, with the error
    assert "This field is required." in empty.content.decode()
    assert reader("grace.kim@example.com").status == "active"

    assert act(admin_client, "block", people).status_code == 200
    done = act(admin_client, "block", people, apply="Block", reason="asked by phone")
    assert done.status_code == 302
    grace = reader("grace.kim@example.com")
    assert (grace.status, grace.status_reason) == ("blocked", "asked by phone")
    event = ConsentEvent.objects.get(subscriber=grace, kind="block")
    assert (event.how, event.detail["reason"]) == ("admin admin", "asked by phone")

    unblocked = act(
        admin_client, "unblock", ["grace.kim@example.com", "bounced.reader@example.com"],
        apply="Unblock", reason="confirmed the address",
    )  # fmt: skip
    assert unblocked.status_code == 302
    assert reader("bounced.reader@example.com").status == "active"
    assert reader("grace.kim@example.com").status == "active"
    assert ConsentEvent.objects.filter(kind="unblock", how="admin admin").count() == 2
    assert "2 unblocked." in flash(unblocked)


def test_select_all_across_pages_acts_on_the_filtered_changelist(demo, admin_client):
    """ "Select all N" posts one ticked id and select_across; the intermediate page keeps both."""
    korean_url = f"{SUBSCRIBERS}?language__exact=ko"
    one = str(reader("minji.park@example.com").pk)
    base = {"action": "block", "select_across": "1", ACTION_CHECKBOX_NAME: [one]}
    page = admin_client.post(korean_url, {**base, "index": "0"})
    html = page.content.decode()
    assert 'name="select_across" value="1"' in html
    assert "hana.choi@example.org" in html and "grace.kim@example.com" not in html

    done = admin_client.post(korean_url, {**base, "apply": "Block", "reason": "test"})
    assert done.status_code == 302
    blocked = set(Subscriber.objects.filter(status="blocked").values_list("email", flat=True))
    assert blocked == {
        "minji.park@example.com",
        "sujin.lee@example.net",
        "jaehoon.jung@example.net",
        "hana.choi@example.org",
        "bounced.reader@example.com",  # blocked in the demo already
    }


def test_resend_confirmation_sends_to_pending_subscriptions_only(demo, admin_client, settings):
    response = act(
        admin_client, "resend_confirmation", ["hana.choi@example.org", "grace.kim@example.com"]
    )
    assert response.status_code == 302
    assert "1 confirmation email sent." in flash(response)
    hana = reader("hana.choi@example.org")
    event = ConsentEvent.objects.get(subscriber=hana, kind="confirmation_sent")
    assert event.how == "admin admin"
    assert Subscription.objects.get(subscriber=hana).confirmation_sent_at is not None
    sent = list(settings.DIGEST_OUTBOX_DIR.glob("_confirmation/*/*hana.choi@example.org*"))
    assert len(sent) == 1
    assert not ConsentEvent.objects.filter(
        subscriber=reader("grace.kim@example.com"), kind="confirmation_sent"
    ).exists()


def refusing_mailer(mail) -> None:
    raise MailNotSent(f"554 relay refused {mail.to}")


def test_resend_confirmation_reports_failures_with_the_reason(demo, admin_client, settings):
    settings.SUBSCRIBERS_MAILER = "tests.test_admin.refusing_mailer"
    response = act(admin_client, "resend_confirmation", ["hana.choi@example.org"])
    messages = flash(response)
    assert any(
        "1 could not be sent: hana.choi@example.org (코리아데일리 아침 브리핑): "
        "554 relay refused hana.choi@example.org" in m
        for m in messages
    ), messages
    assert not ConsentEvent.objects.filter(kind="confirmation_sent").exists()

    nobody = act(admin_client, "resend_confirmation", ["grace.kim@example.com"])
    assert "None of these readers has a subscription waiting for confirmation." in flash(nobody)


def test_export_personal_data_one_reader_or_several(demo, admin_client):
    one = act(admin_client, "export_personal_data", ["minji.park@example.com"])
    assert one["Content-Type"].startswith("application/json")
    assert "attachment" in one["Content-Disposition"]
    data = json.loads(one.content)
    assert data["email"] == "minji.park@example.com"
    assert data["name"] == "박민지"
    assert sorted(s["list"] for s in data["subscriptions"]) == ["morning-en", "morning-ko"]
    from django.contrib.admin.models import LogEntry

    entry = LogEntry.objects.get(object_id=str(reader("minji.park@example.com").pk))
    assert entry.get_change_message() == "Exported personal data (JSON)."

    several = act(
        admin_client, "export_personal_data", ["minji.park@example.com", "grace.kim@example.com"]
    )
    records = json.loads(several.content)
    assert isinstance(records, list)
    assert sorted(r["email"] for r in records) == [
        "grace.kim@example.com",
        "minji.park@example.com",
    ]


def test_erase_asks_for_confirmation_then_erases(demo, admin_client):
    people = ["sujin.lee@example.net"]
    page = act(admin_client, "erase_personal_data", people)
    assert page.status_code == 200
    assert "This cannot be undone." in page.content.decode()
    assert reader("sujin.lee@example.net").erased_at is None  # not yet

    pk = reader("sujin.lee@example.net").pk
    done = act(admin_client, "erase_personal_data", people, apply="Yes, erase")
    assert done.status_code == 302
    sujin = Subscriber.objects.get(pk=pk)
    assert sujin.erased_at is not None
    assert sujin.email == f"{address_hash('sujin.lee@example.net')}@erased.invalid"
    assert (sujin.name, sujin.status) == ("", "blocked")
    assert ErasedAddress.objects.filter(email_hash=address_hash("sujin.lee@example.net")).exists()
    event = ConsentEvent.objects.get(subscriber=sujin, kind="erase")
    assert event.how == "admin admin"
    assert Subscription.objects.get(subscriber=sujin).status == "unsubscribed"


def test_subscribers_cannot_be_deleted_only_erased(demo, admin_client):
    grace = reader("grace.kim@example.com")
    assert admin_client.get(f"{SUBSCRIBERS}{grace.pk}/delete/").status_code == 403
    page = admin_client.get(SUBSCRIBERS).content.decode()
    assert 'value="delete_selected"' not in page
    assert 'value="erase_personal_data"' in page


# --- CSV import and export of a list -------------------------------------------------------

CSV = (
    "email,name,sections\r\n"
    "new.person@example.com,새 독자,trade\r\n"
    "NEW.PERSON@example.com,dup,\r\n"
    "bounced.reader@example.com,,\r\n"
)


def upload(content: str = CSV, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8-sig"), content_type="text/csv")


def test_import_page_dry_run_then_import(demo, admin_client, client, settings):
    english = MailingList.objects.get(slug="morning-en")
    url = f"{LISTS}{english.pk}/import/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    change = admin_client.get(f"{LISTS}{english.pk}/change/").content.decode()
    assert f'href="{url}"' in change and f'href="{LISTS}{english.pk}/export/"' in change
    assert admin_client.get(url).status_code == 200

    dry = admin_client.post(url, {"file": upload(), "dry_run": "on"}).content.decode()
    assert "Dry run of people.csv" in dry
    assert '<td class="count-created">1</td>' in dry
    assert '<td class="count-skipped">1</td>' in dry
    assert '<td class="count-rejected">1</td>' in dry
    assert "duplicate of line 2" in dry and "skipped: blocked" in dry
    assert not Subscriber.objects.filter(email="new.person@example.com").exists()

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # a large upload: a temporary file on disk
    real = admin_client.post(url, {"file": upload()}).content.decode()
    assert "Imported people.csv into The Korea Daily Morning" in real
    new = Subscription.objects.get(subscriber__email="new.person@example.com")
    assert (new.mailing_list, new.status, new.sections) == (english, "confirmed", ["trade"])
    assert new.source == "import people.csv by admin"
    assert ConsentEvent.objects.get(subscriber=new.subscriber).kind == "import"


def test_import_page_shows_why_a_file_cannot_be_read(demo, admin_client):
    english = MailingList.objects.get(slug="morning-en")
    page = admin_client.post(
        f"{LISTS}{english.pk}/import/", {"file": upload("name\r\nGrace\r\n", "names.csv")}
    ).content.decode()
    assert "names.csv: the first row must be a header with an &#x27;email&#x27; column" in page


def read_stream(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_csv_from_the_change_page_and_the_action(demo, admin_client, client):
    korean = MailingList.objects.get(slug="morning-ko")
    url = f"{LISTS}{korean.pk}/export/"
    assert client.get(url).status_code == 302
    response = admin_client.get(url)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_stream(response)
    assert [(r["email"], r["name"], r["sections"], r["status"]) for r in rows] == [
        ("minji.park@example.com", "박민지", "community", "confirmed"),
        ("sujin.lee@example.net", "이수진", "", "confirmed"),
        ("jaehoon.jung@example.net", "정재훈", "trade,more", "confirmed"),
        ("hana.choi@example.org", "최하나", "", "pending"),
    ]

    english = MailingList.objects.get(slug="morning-en")
    action = admin_client.post(
        LISTS,
        {"action": "export_csv", "index": "0", ACTION_CHECKBOX_NAME: [korean.pk, english.pk]},
    )
    rows = read_stream(action)
    assert {r["list"] for r in rows} == {"morning-en", "morning-ko"}
    assert len(rows) == 10  # 6 on morning-en, 4 on morning-ko
