"""`make eval` (``python -m bench.eval``): sections and summaries measured on our own pages.

Builds a throwaway site (its own folder and SQLite database, removed at the end), collects
the corpus in ``bench/eval/pages/`` through the product's real sources, and prints one
``BENCH <name> <value> <unit>`` line per figure. ``--holdout`` runs the held-out set in
``bench/eval/holdout/`` instead (pages the rules were never tuned on) and prints its figures
with a ``holdout_`` prefix. ``--verbose`` lists, page by page, what went wrong;
``--only NAME,NAME`` runs a few pages of the chosen set (the tests do).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .corpus import HOLDOUT_LABELS_FILE, HOLDOUT_PAGES_DIR, LABELS_FILE, PAGES_DIR, load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval", description=__doc__)
    parser.add_argument("--verbose", "-v", action="store_true", help="what went wrong, per page")
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    parser.add_argument(
        "--holdout", action="store_true", help="the held-out set; figures named holdout_*"
    )
    parser.add_argument("--pages", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--labels", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    prefix = "holdout_" if args.holdout else ""
    pages = load(
        args.pages or (HOLDOUT_PAGES_DIR if args.holdout else PAGES_DIR),
        args.labels or (HOLDOUT_LABELS_FILE if args.holdout else LABELS_FILE),
    )
    if args.only:
        wanted = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = wanted - {page.name for page in pages}
        if unknown:
            parser.error(f"no labels for {', '.join(sorted(unknown))}")
        pages = [page for page in pages if page.name in wanted]

    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="digest-eval-"))
    try:
        outcomes = _run(pages, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    from .score import figures, page_report

    if args.verbose:
        for outcome in outcomes:
            problems = page_report(outcome)
            if problems:
                print(f"{outcome.page.name}:")
                print("\n".join(f"  {line}" for line in problems))
    for name, value, unit in figures(outcomes):
        print(f"BENCH {prefix}{name} {value:.3f} {unit}", flush=True)
    print(f"BENCH {prefix}eval_seconds {time.perf_counter() - started:.3f} s", flush=True)
    return 0


def _run(pages, workdir: Path):
    """Set up a site of its own in ``workdir`` (never the developer's), migrate, evaluate."""
    os.environ.update(
        DIGEST_HOME=str(workdir),
        DATABASE_URL=f"sqlite:///{workdir}/eval.sqlite3",
        DIGEST_OUTBOX_DIR=str(workdir / "outbox"),
        DJANGO_SETTINGS_MODULE="digest.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from .run import evaluate

    return evaluate(pages, workdir)


if __name__ == "__main__":
    sys.exit(main())
