"""The SendGrid sender, with the real ``sendgrid`` client, against a local Mail Send API."""

from __future__ import annotations

import json
import re

import pytest

from digest.compose import compose
from digest.delivery.dispatch import send_edition
from digest.delivery.senders import SendGridSender, configured_sender
from digest.delivery.senders.base import Batch, Recipient
from digest.delivery.senders.sendgrid import requests_for
from digest.demo import DEMO_DAY
from digest.desk.proofs import send_test
from digest.models import Delivery, Edition
from digest.notices import email_editors
from digest.testing.sendgrid_api import Answer, SendGridAPI, contract_errors
from subscribers.models import MailingList

pytestmark = pytest.mark.django_db

KEY = "SG.test-key"


class Sleeps(list):
    """Records every pause instead of taking it: tests never sleep."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def sender(api: SendGridAPI, sleeps: Sleeps | None = None, **options) -> SendGridSender:
    return SendGridSender(
        KEY, host=api.url, timeout=5, sleep=sleeps if sleeps is not None else Sleeps(), **options
    )


def edition(slug: str = "morning-en") -> Edition:
    return compose(MailingList.objects.get(slug=slug), DEMO_DAY).edition


def test_an_edition_goes_out_as_valid_requests_with_everything_per_reader(demo):
    target = edition()
    with SendGridAPI(KEY) as api:
        report = send_edition(target, sender(api))
    assert report.sent == 4 and not api.rejected
    assert sorted(api.recipients()) == sorted(
        Delivery.objects.filter(edition=target).values_list("email", flat=True)
    )
    for request in api.accepted():
        body = request.body
        assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
        assert body["categories"] == ["morning-en"]
        assert body["tracking_settings"] == {"subscription_tracking": {"enable": False}}
        # Headers every reader shares go once per request; SendGrid merges them in.
        assert body["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert body["headers"]["List-Id"] == "The Korea Daily Morning <morning-en.koreadailyus.com>"
        assert body["from"] == {
            "email": "morning@koreadailyus.com",
            "name": "The Korea Daily Morning",
        }
        assert body["reply_to"] == {"email": "newsroom@koreadailyus.com"}
        assert "%%UNSUBSCRIBE_URL%%" in body["content"][1]["value"]
        for p in body["personalizations"]:
            delivery = Delivery.objects.get(pk=int(p["custom_args"]["delivery_id"]))
            assert p["custom_args"] == {
                "edition_id": str(target.pk),
                "delivery_id": str(delivery.pk),
            }
            assert p["to"] == [{"email": delivery.email}]
            unsubscribe = p["substitutions"]["%%UNSUBSCRIBE_URL%%"]
            assert unsubscribe.startswith("https://news.example.com/unsubscribe/")
            assert p["headers"]["List-Unsubscribe"].startswith(f"<{unsubscribe}>, <mailto:")
            assert "List-Unsubscribe-Post" not in p["headers"]
            assert p["substitutions"]["%%EMAIL%%"] == delivery.email
            assert delivery.state == "sent" and delivery.provider_id == request.message_id


def test_readers_of_one_variant_share_one_request(demo):
    target = edition("morning-ko")
    with SendGridAPI(KEY) as api:
        send_edition(target, sender(api))
    # Three Korean readers, three different section choices: three variants, three requests.
    assert len(api.accepted()) == 3
    subjects = {r.body["subject"] for r in api.accepted()}
    assert len(subjects) == 3


def test_sandbox_mode_is_sent_and_answered_200(demo):
    with SendGridAPI(KEY) as api:
        report = send_edition(edition(), sender(api, sandbox=True))
    assert report.sent == 4
    assert all(r.answer.status == 200 for r in api.requests)
    assert all(r.body["mail_settings"] == {"sandbox_mode": {"enable": True}} for r in api.requests)


def test_429_waits_until_the_reset_time_then_sends(demo):
    answers = {
        1: Answer(
            429,
            {
                "X-RateLimit-Limit": "600",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "1000042",
            },
        )
    }
    sleeps = Sleeps()
    with SendGridAPI(KEY, script=lambda n, body: answers.get(n)) as api:
        report = send_edition(edition(), sender(api, sleeps, now=lambda: 1000000.0))
    assert report.sent == 4
    assert sleeps[0] == 42.0
    assert api.recipients().count("grace.kim@example.com") == 1


def test_server_errors_back_off_with_jitter_then_succeed(demo):
    sleeps = Sleeps()
    script = lambda n, body: Answer(500, body={"errors": [{"message": "oops"}]}) if n <= 3 else None  # noqa: E731
    with SendGridAPI(KEY, script=script) as api:
        report = send_edition(edition(), sender(api, sleeps))
    assert report.sent == 4
    assert len(sleeps) == 3
    assert all(0 <= s <= 2**n for n, s in enumerate(sleeps, start=1))
    assert sorted(api.recipients()) == sorted(set(api.recipients()))


def test_a_provider_outage_leaves_everyone_pending_for_the_next_run(demo):
    target = edition()
    sleeps = Sleeps()
    with SendGridAPI(KEY, script=lambda n, body: Answer(503)) as api:
        report = send_edition(target, sender(api, sleeps, max_retries=2))
    assert report.sent == 0 and report.retry_later == 4
    assert set(Delivery.objects.filter(edition=target).values_list("state", flat=True)) == {
        "pending"
    }
    assert "SendGrid 503" in Delivery.objects.filter(edition=target).first().last_error


def test_a_rejected_request_fails_its_readers_with_sendgrids_words_and_the_rest_go(demo):
    target = edition()
    bad = {"errors": [{"message": "The from email does not contain a valid address."}]}
    with SendGridAPI(KEY, script=lambda n, body: Answer(400, body=bad) if n == 1 else None) as api:
        report = send_edition(target, sender(api))
    failed = Delivery.objects.filter(edition=target, state="failed")
    assert failed.count() == len(api.requests[0].body["personalizations"])
    assert report.sent == 4 - failed.count() > 0
    assert failed.first().last_error == (
        "SendGrid 400: The from email does not contain a valid address."
    )


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "refused the API key (401)"), (403, "Mail Send permission")],
)
def test_bad_credentials_stop_the_edition_and_say_why(demo, status, words):
    target = edition()
    with SendGridAPI(
        KEY, script=lambda n, body: Answer(status, body={"errors": [{"message": "denied"}]})
    ) as api:
        report = send_edition(target, sender(api))
    assert words in report.stopped and len(api.requests) == 1
    assert set(Delivery.objects.filter(edition=target).values_list("state", flat=True)) == {
        "pending"
    }


def test_a_wrong_key_is_refused_by_the_server_too(demo):
    with SendGridAPI("SG.the-real-key") as api:
        report = send_edition(edition(), sender(api))
    assert "refused the API key" in report.stopped


def test_a_hanging_server_times_out_and_is_retried(demo):
    sleeps = Sleeps()
    script = lambda n, body: Answer(delay=1.5) if n == 1 else None  # noqa: E731
    with SendGridAPI(KEY, script=script) as api:
        report = send_edition(
            edition(), SendGridSender(KEY, host=api.url, timeout=0.5, sleep=sleeps)
        )
    assert report.sent == 4 and len(sleeps) == 1


def test_requests_hold_at_most_1000_readers_each_address_once():
    readers = [Recipient(n, f"reader{n % 1800}@example.com") for n in range(2500)]
    chunks = list(requests_for(readers))
    assert [len(c) for c in chunks] == [1000, 1000, 500]
    for chunk in chunks:
        assert len({r.to.lower() for r in chunk}) == len(chunk)
    assert sorted(r.delivery_id for c in chunks for r in c) == list(range(2500))


def test_prepared_requests_are_the_documented_body_as_json():
    # The request text is written directly for speed; it must say exactly what the dict does,
    # quotes, backslashes, control characters and Korean included.
    readers = [
        Recipient(
            n,
            f"reader{n}@example.com" if n % 2 else f"독자{n}@예시.한국",
            values={"%unsub%": f'https://ex.com/u/{n}"\\x/', "%email%": f"r{n}\t\n@x"},
            headers={"List-Unsubscribe": f"<https://ex.com/u/{n}>", "X-Digest-Delivery": "x"},
        )
        for n in range(1, 1202)
    ]
    batch = Batch(
        from_addr='"Morning, \\LA" <morning@example.com>',
        subject='아침 "digest"',
        html="<p>%unsub%</p>",
        text="%unsub%",
        recipients=readers,
        headers={"List-Id": "Morning <m.example.com>", "Reply-To": "desk@example.com"},
        edition_id=7,
        category="morning-en",
    )
    sender = SendGridSender(KEY, host="http://127.0.0.1:9", sandbox=True)
    requests = sender.prepare(batch)
    assert [len(r.recipients) for r in requests] == [1000, 201]
    for request in requests:
        assert json.loads(request.data) == sender.body(batch, request.recipients)
        assert contract_errors(json.loads(request.data)) == []


def test_the_client_logs_a_request_body_by_its_size_and_sends_all_of_it(demo, caplog):
    # python_http_client formats each payload into a debug line, even with debug logging
    # off; a body of a thousand readers is half a megabyte.
    target = edition()
    with SendGridAPI(KEY) as api, caplog.at_level("DEBUG", logger="python_http_client"):
        report = send_edition(target, sender(api))
    assert report.sent == 4 and len(api.accepted()) >= 1
    payloads = [r.getMessage() for r in caplog.records if r.getMessage().startswith("PAYLOAD")]
    assert len(payloads) == len(api.requests) + len(api.rejected)
    for line in payloads:
        assert re.fullmatch(r"PAYLOAD: <[\d,]+ bytes>", line), line[:200]
    sizes = [int(line.split("<")[1].split()[0].replace(",", "")) for line in payloads]
    assert all(size > 20_000 for size in sizes)  # the whole rendered email went


def test_the_contract_check_catches_what_sendgrid_rejects():
    good = {
        "personalizations": [{"to": [{"email": "a@example.com"}], "custom_args": {"d": "1"}}],
        "from": {"email": "f@example.com"},
        "subject": "s",
        "content": [{"type": "text/plain", "value": "t"}, {"type": "text/html", "value": "h"}],
    }
    assert contract_errors(good) == []
    numeric = {
        **good,
        "personalizations": [{"to": [{"email": "a@example.com"}], "custom_args": {"d": 1}}],
    }
    assert contract_errors(numeric)
    html_first = {**good, "content": list(reversed(good["content"]))}
    assert contract_errors(html_first) == ["text/plain must be the first content"]
    twice = {**good, "personalizations": good["personalizations"] * 2}
    assert "only once" in contract_errors(twice)[0]


def test_configured_sender_reads_the_settings(settings):
    settings.DIGEST_SENDER = "sendgrid"
    settings.SENDGRID_API_KEY = KEY
    settings.SENDGRID_API_HOST = "http://127.0.0.1:4010"
    settings.SENDGRID_TIMEOUT = 7
    settings.DIGEST_SENDGRID_SANDBOX = True
    backend = configured_sender()
    assert isinstance(backend, SendGridSender) and backend.sandbox
    assert backend.client.client.host == "http://127.0.0.1:4010"
    assert backend.client.client.timeout == 7


def _through_sendgrid(settings, api: SendGridAPI) -> None:
    settings.DIGEST_SENDER = "sendgrid"
    settings.SENDGRID_API_KEY = KEY
    settings.SENDGRID_API_HOST = api.url
    settings.SENDGRID_TIMEOUT = 5


def test_a_desk_test_send_keeps_its_own_headers(demo, settings, django_user_model):
    editor = django_user_model.objects.create_user("ed", "ed@example.com", "pw")
    with SendGridAPI(KEY) as api:
        _through_sendgrid(settings, api)
        send_test(edition(), editor)
    (request,) = api.accepted()
    (reader,) = request.body["personalizations"]
    headers = {**request.body.get("headers", {}), **reader["headers"]}
    assert headers["X-Digest-Test"] == "1"
    assert headers["X-Digest-Edition"] == str(edition().pk)
    assert contract_errors(request.body) == []


def test_an_editors_notice_keeps_its_own_header(demo, settings, django_user_model):
    django_user_model.objects.create_superuser("chief", "chief@example.com", "pw")
    with SendGridAPI(KEY) as api:
        _through_sendgrid(settings, api)
        assert email_editors("Edition waiting", "Please look.") == 1
    (request,) = api.accepted()
    assert request.body["personalizations"][0]["headers"]["X-Digest-Notice"] == "editors"


def test_only_the_documented_headers_pass():
    reader = Recipient(
        5,
        "r@example.com",
        headers={"List-Unsubscribe": "<https://x/u>", "X-Digest-Delivery": "x", "X-Other": "no"},
    )
    batch = Batch(
        from_addr="m@example.com",
        subject="s",
        html="h",
        text="t",
        recipients=[reader],
        headers={"List-Id": "M <m.example.com>", "X-Digest-Edition": "3", "Precedence": "bulk"},
    )
    body = SendGridSender(KEY, host="http://127.0.0.1:9").body(batch, [reader])
    assert body["headers"] == {"List-Id": "M <m.example.com>", "X-Digest-Edition": "3"}
    assert body["personalizations"][0]["headers"] == {
        "List-Unsubscribe": "<https://x/u>",
        "X-Digest-Delivery": "5",
    }
