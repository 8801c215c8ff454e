"""`make bench`: what rendering and sending cost on this machine, in one run.

The parent builds a throwaway SQLite database (the demo articles and N synthetic readers with
five different section choices), then runs each measurement in a child process of its own so
that its peak memory is its own:

- ``render``: one variant through Jinja2 + MJML + premailer (per-edition work), against one
  reader's personalization (per-reader work);
- ``send``: the whole dispatch loop (enqueue, claim, re-check, personalize, encode, record)
  through a sender that encodes each message to bytes and discards it, against a baseline that
  only encodes prebuilt messages in a tight loop; and the peak RSS of each, to show memory
  stays flat as the list grows.

Then ``bench.importer`` (CSV import), ``bench.delivery`` (SendGrid and SMTP paths against
raw loops to the same local servers) and ``bench.collect`` (1,000 articles from a local web
server) run, each documented in its own module.

Figures print as ``BENCH <name> <value> <unit>``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

SIZES = [int(n) for n in os.environ.get("BENCH_RECIPIENTS", "2000,20000").split(",")]


def main() -> None:
    for size in SIZES:
        with tempfile.TemporaryDirectory(prefix=f"digest-bench-{size}-") as workdir:
            phases(size, workdir)
    # CSV import of 10,000 and 100,000 rows; then the delivery paths against raw loops.
    subprocess.run([sys.executable, "-m", "bench.importer"], check=True)
    subprocess.run([sys.executable, "-m", "bench.delivery"], check=True)
    subprocess.run([sys.executable, "-m", "bench.collect"], check=True)


def phases(size: int, workdir: str) -> None:
    """The rendering and outbox-style sending figures for one list size, in ``workdir``."""
    env = {
        **os.environ,
        "DIGEST_HOME": workdir,
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "DIGEST_OUTBOX_DIR": f"{workdir}/outbox",
        "DJANGO_SETTINGS_MODULE": "digest.settings",
    }
    for phase in ("setup", "render", "baseline", "send"):
        if phase == "render" and size != SIZES[0]:
            continue
        subprocess.run(
            [sys.executable, "-m", "bench.phases", phase, str(size)], env=env, check=True
        )


if __name__ == "__main__":
    main()
