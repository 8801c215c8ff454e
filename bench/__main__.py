"""Render once per variant, personalize per reader: how much each costs, on this machine.

Builds a throwaway SQLite database with the demo articles and N synthetic readers, then
measures, in one run:
- rendering a variant (Jinja2 + MJML + premailer), the per-edition cost;
- personalizing a copy (signing two links, three substitutions), the per-reader cost;
- the whole send loop (enqueue, claim, re-check, personalize, MIME-encode, record) through a
  sender that encodes each message and throws it away, against a baseline that only
  MIME-encodes prebuilt messages in a tight loop: the ratio is the ledger's overhead.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time

RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "20000"))


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="digest-bench-")
    os.environ["DIGEST_HOME"] = workdir
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DIGEST_OUTBOX_DIR"] = f"{workdir}/outbox"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digest.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from digest.collect import collect
    from digest.compose import compose, edition_view
    from digest.delivery.dispatch import Personalizer, send_edition
    from digest.delivery.mime import to_mime
    from digest.demo import ARTICLES_DIR, DEMO_DAY, load_demo
    from digest.models import Delivery
    from digest.render import render_variant
    from digest.sources import FolderSource
    from subscribers.models import MailingList, Subscriber, Subscription

    load_demo()
    collect([("demo", FolderSource(ARTICLES_DIR), None)])
    english = MailingList.objects.get(slug="morning-en")
    choices = [[], ["trade"], ["trade", "diplomacy"], ["community", "more"], ["diplomacy"]]
    batch = [Subscriber(email=f"reader{n}@example.com", name=f"Reader {n}") for n in range(RECIPIENTS)]
    Subscriber.objects.bulk_create(batch, batch_size=2000)
    ids = Subscriber.objects.filter(email__startswith="reader").values_list("id", flat=True)
    Subscription.objects.bulk_create(
        [
            Subscription(
                subscriber_id=pk, mailing_list=english, status="confirmed",
                sections=choices[n % len(choices)],
            )
            for n, pk in enumerate(ids)
        ],
        batch_size=2000,
    )
    edition = compose(english, DEMO_DAY).edition
    view = edition_view(edition)

    runs = 5
    started = time.perf_counter()
    for _ in range(runs):
        render_variant(view)
    render_ms = (time.perf_counter() - started) / runs * 1000
    report("render_variant_ms", render_ms, "ms")

    personalizer = Personalizer(edition, view)
    sample = Delivery(pk=1, edition=edition, subscriber_id=1, email="x@example.com",
                      sections=list(view.section_keys))
    personalizer.message(sample)  # warm the variant cache
    n = 2000
    started = time.perf_counter()
    for _ in range(n):
        personalizer.message(sample)
    personalize_us = (time.perf_counter() - started) / n * 1e6
    report("personalize_us", personalize_us, "us")
    report("render_vs_personalize_ratio", render_ms * 1000 / personalize_us, "x")

    # Baseline: MIME-encode prebuilt messages, nothing else.
    prebuilt = [personalizer.message(sample) for _ in range(2000)]
    started = time.perf_counter()
    for message in prebuilt:
        to_mime(message).as_bytes()
    raw_rate = len(prebuilt) / (time.perf_counter() - started)
    report("mime_baseline_recipients_per_s", raw_rate, "recipients/s")

    class EncodeAndDiscard:
        name = "discard"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def send(self, messages):
            from digest.delivery.senders.base import SendResult

            out = []
            for message in messages:
                to_mime(message).as_bytes()
                out.append(SendResult(message.delivery_id, "sent", provider_id="bench"))
            return out

    started = time.perf_counter()
    result = send_edition(edition, EncodeAndDiscard(), batch_size=500)
    elapsed = time.perf_counter() - started
    rate = result.sent / elapsed
    report("send_loop_recipients", result.sent, "recipients")
    report("send_loop_recipients_per_s", rate, "recipients/s")
    report("send_loop_ratio_vs_mime_baseline", rate / raw_rate, "x")
    report("send_loop_variants_rendered", len(result.previews), "variants")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report("peak_rss_mb", peak, "MB")


def report(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.3f} {unit}" if isinstance(value, float) else
          f"BENCH {name} {value} {unit}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
