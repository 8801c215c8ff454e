"""The benchmark's phases, each run in its own process by ``bench/__main__.py``."""

from __future__ import annotations

import resource
import sys
import time

import django


def report(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.3f} {unit}", flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(size: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from digest.collect import collect
    from digest.compose import compose
    from digest.demo import ARTICLES_DIR, DEMO_DAY, load_demo
    from digest.sources import FolderSource
    from subscribers.models import MailingList, Subscriber, Subscription

    load_demo()
    collect([("demo", FolderSource(ARTICLES_DIR), None)])
    english = MailingList.objects.get(slug="morning-en")
    choices = [[], ["trade"], ["trade", "diplomacy"], ["community", "more"], ["diplomacy"]]
    for start in range(0, size, 5000):
        people = Subscriber.objects.bulk_create(
            Subscriber(email=f"reader{n}@example.com", name=f"Reader {n}")
            for n in range(start, min(size, start + 5000))
        )
        Subscription.objects.bulk_create(
            Subscription(
                subscriber=person,
                mailing_list=english,
                status="confirmed",
                sections=choices[n % len(choices)],
            )
            for n, person in enumerate(people)
        )
    compose(english, DEMO_DAY)


def approve(size: int) -> None:
    """An editor approves the edition, as before any morning send; approving renders its
    variants and keeps them (digest/kept_renderings.py), so the send itself renders nothing."""
    from django.contrib.auth.models import User

    from digest.desk.edits import approve

    edition, _ = edition_and_view()
    approve(edition, User.objects.create_user("bench-editor"))


def edition_and_view():
    from digest.compose import edition_view
    from digest.models import Edition

    edition = Edition.objects.select_related("mailing_list").get(mailing_list__slug="morning-en")
    return edition, edition_view(edition)


def personalizer_and_sample():
    """A personalizer for the edition and an unsaved delivery of the full variant."""
    from digest.delivery.dispatch import Personalizer
    from digest.models import Delivery

    edition, view = edition_and_view()
    sample = Delivery(
        pk=1,
        edition=edition,
        subscriber_id=1,
        email="x@example.com",
        sections=list(view.section_keys),
    )
    return Personalizer(edition, view), sample


def render(size: int) -> None:
    from digest.render import render_variant

    _, view = edition_and_view()
    render_variant(view)
    runs = 10
    started = time.perf_counter()
    for _ in range(runs):
        render_variant(view)
    render_ms = (time.perf_counter() - started) / runs * 1000
    personalizer, sample = personalizer_and_sample()
    personalizer.message(sample)
    n = 5000
    started = time.perf_counter()
    for _ in range(n):
        personalizer.message(sample)
    personalize_us = (time.perf_counter() - started) / n * 1e6
    report("render_variant_ms", render_ms, "ms")
    report("personalize_reader_us", personalize_us, "us")
    report("render_per_personalize_ratio", render_ms * 1000 / personalize_us, "x")


def baseline(size: int) -> None:
    """Encode prebuilt messages to bytes, nothing else: the floor for any send loop."""
    from digest.delivery.mime import to_bytes

    personalizer, sample = personalizer_and_sample()
    prebuilt = [personalizer.message(sample) for _ in range(2000)]
    started = time.perf_counter()
    for message in prebuilt:
        to_bytes(message)
    rate = len(prebuilt) / (time.perf_counter() - started)
    report(f"encode_baseline_recipients_per_s_{size}", rate, "recipients/s")
    with open(f"{django.conf.settings.HOME}/baseline_rate", "w") as f:
        f.write(str(rate))


def encode_and_discard():
    """A backend that MIME-encodes each message and throws it away: what the send loop costs
    with no provider behind it. A ``Sender`` like any other, so it keeps the contract."""
    from digest.delivery.mime import to_bytes
    from digest.delivery.senders.base import Sender, SendResult

    class EncodeAndDiscard(Sender):
        name = "discard"

        def send(self, batch):
            results = []
            for message in batch.messages():
                to_bytes(message)
                results.append(SendResult(message.delivery_id, "sent", provider_id="bench"))
            return results

    return EncodeAndDiscard()


def send(size: int) -> None:
    from digest.delivery.dispatch import send_edition

    edition, _ = edition_and_view()
    started = time.perf_counter()
    result = send_edition(edition, encode_and_discard(), batch_size=500)
    elapsed = time.perf_counter() - started
    rate = result.sent / elapsed
    with open(f"{django.conf.settings.HOME}/baseline_rate") as f:
        baseline_rate = float(f.read())
    report(f"send_recipients_{size}", result.sent, "recipients")
    report(f"send_recipients_per_s_{size}", rate, "recipients/s")
    report(f"send_ratio_vs_encode_baseline_{size}", rate / baseline_rate, "x")
    report(f"send_variants_rendered_{size}", len(result.previews), "variants")
    report(f"send_peak_rss_mb_{size}", peak_rss_mb(), "MB")


if __name__ == "__main__":
    django.setup()
    phase, size = sys.argv[1], int(sys.argv[2])
    phases = {"setup": setup, "approve": approve, "render": render, "baseline": baseline}
    {**phases, "send": send}[phase](size)
