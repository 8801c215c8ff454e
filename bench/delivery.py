"""The delivery benchmark: our send loop against a raw loop to the same local server.

- SendGrid path: ``send_with_workers`` (what ``digest send --workers N`` runs) with the
  SendGrid sender (the official client) to a local Mail Send sink, against prebuilt request
  bodies posted in a tight loop (urllib, as the client uses) to the same sink.
- SMTP path: ``send_edition`` with the SMTP sender to a local aiosmtpd sink, against a bare
  smtplib loop of prebuilt messages.

The edition is approved in the set-up, as an editor approves it before the morning: approving
renders its variants and keeps them (digest/kept_renderings.py), so a measured send renders nothing,
as on a real morning (the raw loop's bodies are prebuilt too).

Each measured run is a process of its own, so its peak RSS is its own. The SendGrid path
sends with up to one process per core (BENCH_SEND_WORKERS overrides; a list too small to be
worth a helper, DIGEST_READERS_PER_WORKER, is sent by one): ``sendgrid_*_peak_rss_mb``
is the sum of every process's peak (what the machine needs), ``*_per_process_peak_rss_mb``
the first process's own. Sizes come from BENCH_SENDGRID_SIZES (default 10000,100000,1000000)
and BENCH_SMTP_SIZE (default 10000). At 100,000 (the size of the headline figures)
the SendGrid pair runs BENCH_REPEATS times (default 3), ours and the raw loop in turn; the
figures are the medians, with the lowest and highest pair ratio beside them.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

# Sending processes for the SendGrid path: one per core (DIGEST_SEND_WORKERS in production).
WORKERS = int(os.environ.get("BENCH_SEND_WORKERS", os.cpu_count() or 1))
HEADLINE = 100_000  # readers: sendgrid_recipients_per_s and sendgrid_ratio_vs_raw are for this
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))  # pairs of runs at the headline size


def report(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.3f} {unit}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sink(kind: str):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.sinks", kind, str(port)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield port
    finally:
        server.terminate()
        server.wait()


def child(phase: str, size: int, env: dict, port: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.delivery", phase, str(size), str(port)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {k: float(v) for k, v in (line.split("=") for line in out.split())}


def site(size: int, root: str) -> dict:
    """A site of ``size`` readers under ``root``, set up and its edition approved."""
    env = {
        **os.environ,
        **at(tempfile.mkdtemp(prefix="site-", dir=root)),
        "DJANGO_SETTINGS_MODULE": "digest.settings",
        "SENDGRID_API_KEY": "SG.bench",
        "DIGEST_BATCH_SIZE": "1000",
    }
    for phase in ("setup", "approve"):
        subprocess.run(
            [sys.executable, "-m", "bench.phases", phase, str(size)], env=env, check=True
        )
    # The set-up's writes reach the disk now, not during the measured send, whose first
    # checkpoint would otherwise wait for them.
    os.sync()
    return env


def fresh_copy(env: dict, root: str) -> dict:
    """The same site, its database copied as it was after the set-up: a repeat starts where
    the first run started (nobody enqueued yet)."""
    workdir = tempfile.mkdtemp(prefix="repeat-", dir=root)
    shutil.copy(Path(env["DIGEST_HOME"]) / "pristine.sqlite3", Path(workdir) / "bench.sqlite3")
    return {**env, **at(workdir)}


def at(workdir: str) -> dict[str, str]:
    """The settings that put a site in ``workdir``: its home, database and outbox."""
    return {
        "DIGEST_HOME": workdir,
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "DIGEST_OUTBOX_DIR": f"{workdir}/outbox",
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    sizes = [
        int(n) for n in os.environ.get("BENCH_SENDGRID_SIZES", "10000,100000,1000000").split(",")
    ]
    report("sendgrid_workers", WORKERS, "processes")
    with sink("http") as port:
        for size in sizes:
            # A size's databases (half a gigabyte at a million) go when its runs are done.
            with tempfile.TemporaryDirectory(prefix=f"digest-bench-send-{size}-") as root:
                headline = size == HEADLINE or (size == sizes[-1] and HEADLINE not in sizes)
                sendgrid_at(size, port, root, headline)
    size = int(os.environ.get("BENCH_SMTP_SIZE", "10000"))
    with sink("smtp") as port, tempfile.TemporaryDirectory(prefix="digest-bench-smtp-") as root:
        env = site(size, root)
        ours = child("smtp", size, env, port)
        raw = child("smtp-raw", size, env, port)
        report("smtp_recipients_per_s", ours["rate"], "recipients/s")
        report("smtp_raw_recipients_per_s", raw["rate"], "recipients/s")
        report("smtp_ratio_vs_raw", ours["rate"] / raw["rate"], "x")
        report("smtp_peak_rss_mb", ours["rss"], "MB")


def sendgrid_at(size: int, port: int, root: str, headline: bool) -> None:
    """The SendGrid path and its raw loop at one size (``headline``: the size of the
    ``sendgrid_recipients_per_s`` and ``sendgrid_ratio_vs_raw`` lines), the headline size in
    several pairs."""
    env = site(size, root)
    # The headline size runs REPEATS times, ours and the raw loop in turn: on a shared
    # machine one pair of runs can land seconds apart in very different weather.
    repeats = REPEATS if size == HEADLINE else 1
    if repeats > 1:
        home = Path(env["DIGEST_HOME"])
        shutil.copy(home / "bench.sqlite3", home / "pristine.sqlite3")
    ours_runs, raw_runs = [], []
    for n in range(repeats):
        ours_runs.append(child("sendgrid", size, env if n == 0 else fresh_copy(env, root), port))
        raw_runs.append(child("sendgrid-raw", size, env, port))
    ours, raw = median_of(ours_runs), median_of(raw_runs)
    tag = {1000000: "1m", 100000: "100k", 10000: "10k"}.get(size, str(size))
    report(f"sendgrid_{tag}_recipients_per_s", ours["rate"], "recipients/s")
    report(f"sendgrid_{tag}_raw_recipients_per_s", raw["rate"], "recipients/s")
    report(f"sendgrid_{tag}_ratio_vs_raw", ours["rate"] / raw["rate"], "x")
    if repeats > 1:
        ratios = [o["rate"] / r["rate"] for o, r in zip(ours_runs, raw_runs, strict=True)]
        report(f"sendgrid_{tag}_runs", repeats, "pairs")
        report(f"sendgrid_{tag}_ratio_lowest_pair", min(ratios), "x")
        report(f"sendgrid_{tag}_ratio_highest_pair", max(ratios), "x")
    report(f"sendgrid_{tag}_seconds", ours["seconds"], "s")
    report(f"sendgrid_{tag}_peak_rss_mb", ours["all_rss"], "MB")
    report(f"sendgrid_{tag}_per_process_peak_rss_mb", ours["rss"], "MB")
    if headline:
        report("sendgrid_recipients_per_s", ours["rate"], "recipients/s")
        report("sendgrid_ratio_vs_raw", ours["rate"] / raw["rate"], "x")


def measured(phase: str, size: int, port: int) -> None:
    import django

    django.setup()
    from bench.phases import edition_and_view, personalizer_and_sample
    from digest.delivery.dispatch import SendOptions, send_edition
    from digest.delivery.ledger import Claimed
    from digest.delivery.mime import to_bytes
    from digest.delivery.senders import SendGridSender, SmtpSender

    edition, _ = edition_and_view()
    options = SendOptions(batch_size=1000, breaker=0)
    helpers_rss = 0.0
    started = time.perf_counter()
    if phase == "sendgrid":
        from digest.delivery.workers import send_with_workers

        host = f"http://127.0.0.1:{port}"
        os.environ["SENDGRID_API_HOST"] = host  # the helpers read their settings from here
        sender = SendGridSender("SG.bench", host=host, timeout=30)
        result = send_with_workers(edition, sender, WORKERS, options=options)
        sent = result.sent
        helpers_rss = sum(result.helpers_peak_rss_mb)
    elif phase == "smtp":
        sent = send_edition(edition, SmtpSender(f"smtp://127.0.0.1:{port}"), options=options).sent
    elif phase == "sendgrid-raw":
        import json
        import urllib.request

        personalizer, sample = personalizer_and_sample()
        (batch,) = personalizer.batches([Claimed.of(sample)])
        sender = SendGridSender("SG.bench", host="http://unused")
        body = sender.body(batch, batch.recipients)
        one = body["personalizations"][0]
        # Up to 50 distinct bodies, posted in turn: a million readers' bodies would not fit
        # in memory at once, and the server does not remember addresses between requests.
        bodies = []
        for start in range(0, min(size, 50_000), 1000):
            count = min(1000, size - start)
            body["personalizations"] = [
                {**one, "to": [{"email": f"r{start + n}@example.com"}]} for n in range(count)
            ]
            bodies.append(json.dumps(body).encode())
        full, rest = divmod(size, 1000)
        requests = [bodies[n % len(bodies)] for n in range(full)]
        if rest:
            body["personalizations"] = body["personalizations"][:rest]
            requests.append(json.dumps(body).encode())
        started = time.perf_counter()
        for data in requests:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/v3/mail/send",
                data=data,
                method="POST",
                headers={"Authorization": "Bearer SG.bench", "Content-Type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=30).read()
        sent = size
    else:  # smtp-raw
        import smtplib

        personalizer, sample = personalizer_and_sample()
        message = to_bytes(personalizer.message(sample))
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as connection:
            for n in range(size):
                connection.sendmail("morning@example.com", [f"r{n}@example.com"], message)
        sent = size
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rate={sent / seconds} seconds={seconds} rss={rss} all_rss={rss + helpers_rss}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        measured(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
