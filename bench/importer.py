"""What a CSV import costs: 10,000 and 100,000 rows, time and peak memory.

``python -m bench.importer`` builds a throwaway SQLite database per size (the demo lists, a
few thousand readers already on the list, some blocked, unsubscribed or erased), writes a CSV
of that many rows (English and Korean names, a few bad addresses, unknown sections and
duplicates differing in case), then imports it through ``digest subscribers import`` in a child
process of its own, so that the peak RSS printed is the import's alone. Equal peaks for 10k
and 100k rows show that memory stays flat.

Figures print as ``BENCH <name> <value> <unit>``.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

SIZES = [int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "10000,100000").split(",")]
LIST = "morning-en"
EXISTING = 5000  # readers on the list before the import


def report(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.3f} {unit}", flush=True)


def label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def main() -> None:
    for size in SIZES:
        workdir = tempfile.mkdtemp(prefix=f"digest-bench-import-{size}-")
        env = {
            **os.environ,
            "DIGEST_HOME": workdir,
            "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
            "DIGEST_OUTBOX_DIR": f"{workdir}/outbox",
            "DJANGO_SETTINGS_MODULE": "digest.settings",
        }
        try:
            for phase in ("setup", "import", "reimport"):
                subprocess.run(
                    [sys.executable, "-m", "bench.importer", phase, str(size), workdir],
                    env=env,
                    check=True,
                )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def setup(size: int, workdir: str) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from digest.demo import load_demo
    from subscribers.addresses import address_hash
    from subscribers.models import ErasedAddress, MailingList, Subscriber, Subscription

    load_demo()
    english = MailingList.objects.get(slug=LIST)
    people = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{n}@example.com",
            name=f"Reader {n}",
            status="blocked" if n % 500 == 7 else "active",
        )
        for n in range(EXISTING)
    )
    Subscription.objects.bulk_create(
        Subscription(
            subscriber=person,
            mailing_list=english,
            status="unsubscribed" if n % 300 == 11 else "confirmed",
            sections=["trade"] if n % 2 else [],
        )
        for n, person in enumerate(people)
    )
    ErasedAddress.objects.bulk_create(
        ErasedAddress(email_hash=address_hash(f"reader{n}@example.com"))
        for n in range(EXISTING, EXISTING + 50)
    )
    write_csv(f"{workdir}/readers.csv", size)


def write_csv(path: str, size: int) -> None:
    """``size`` data rows: mostly good, ~0.3% bad addresses, ~0.3% unknown sections, ~0.5%
    duplicates of an earlier row in another case; a third of the names Korean."""
    rng = random.Random(size)
    surnames = ["김", "이", "박", "최", "정", "강", "조", "윤"]
    given = ["민지", "서연", "지훈", "하은", "도윤", "수빈", "예준", "지우"]
    choices = ["", "trade", "trade;diplomacy", "community,more", "diplomacy"]
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["Email", "Name", "Language", "Sections", "Status", "Member since"])
        for n in range(size):
            if n % 311 == 5:
                email = f"reader{n}@@example.com"
            elif n % 199 == 3 and n > 10:
                email = f"READER{n - 10}@Example.COM"
            else:
                email = f"reader{n}@example.com"
            korean = n % 3 == 0
            name = f"{rng.choice(surnames)}{rng.choice(given)}" if korean else f"Reader {n}"
            sections = "sports;trade" if n % 347 == 9 else choices[n % len(choices)]
            status = "pending" if n % 50 == 1 else ("unsubscribed" if n % 97 == 2 else "")
            writer.writerow([email, name, "ko" if korean else "en", sections, status, "2024"])


def run_import(size: int, workdir: str, phase: str) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command(
        "subscribers",
        "import",
        f"{workdir}/readers.csv",
        "--list",
        LIST,
        "--report",
        f"{workdir}/{phase}-report.csv",
        stdout=out,
    )
    elapsed = time.perf_counter() - started
    summary = {
        row.split("│")[1].strip(): row.split("│")[2].strip()
        for row in out.getvalue().splitlines()
        if row.count("│") == 3
    }
    name = "import" if phase == "import" else "reimport"
    size_label = label(size)
    report(f"{name}_{size_label}_seconds", elapsed, "s")
    report(f"{name}_{size_label}_rows_per_s", size / elapsed, "rows/s")
    report(f"{name}_{size_label}_peak_rss_mb", peak_rss_mb(), "MB")
    wanted = ("read", "created", "updated", "unchanged", "skipped", "rejected")
    counts = ", ".join(f"{k} {summary[k]}" for k in wanted if k in summary)
    print(f"# {name} {size_label}: {counts}", flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    if len(sys.argv) == 1:
        main()
    else:
        import django

        django.setup()
        phase, size, workdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        if phase == "setup":
            setup(size, workdir)
        else:
            run_import(size, workdir, phase)
