"""`python -m bench.crash` (`make crash-test`): the crash matrix on one database.

SQLite, or PostgreSQL when DIGEST_TEST_POSTGRES names a server (as for the tests). Prints a
table per scenario as it ends, the matrix, ``BENCH crash_*`` figures, and each violation
naming its scenario; exits 1 if there was any.

    python -m bench.crash                       # the full matrix, 10,000 readers
    python -m bench.crash --reduced --readers 2000
    python -m bench.crash --only sendgrid-w1-b100 --seed 7
    python -m bench.crash --list
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from . import checks, report
from .run import prepared_site, run_scenario
from .scenarios import FULL, REDUCED, Scenario, total_kills


def chosen(args: argparse.Namespace) -> list[Scenario]:
    scenarios = REDUCED if args.reduced else FULL
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        everything = {s.name: s for s in [*FULL, *REDUCED]}
        scenarios = [everything[w] for w in wanted if w in everything] or [
            s for s in scenarios if any(w in s.name for w in wanted)
        ]
    return scenarios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crash", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--readers", type=int, default=10_000, help="list size (default 10,000)")
    parser.add_argument("--seed", type=int, default=20261207, help="for the kill points")
    parser.add_argument("--reduced", action="store_true", help="the reduced matrix of `make test`")
    parser.add_argument("--only", help="scenario names, or parts of names, comma-separated")
    parser.add_argument("--list", action="store_true", help="print the scenarios and stop")
    parser.add_argument("--markdown", action="store_true", help="also print the matrix as Markdown")
    args = parser.parse_args(argv)
    scenarios = chosen(args)
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    if args.list or not scenarios:
        for s in scenarios:
            console.print(f"{s.name}  ({s.kills} kill{'s' if s.kills > 1 else ''})")
        console.print(f"{len(scenarios)} scenarios, {total_kills(scenarios)} kills")
        return 0 if scenarios else 2
    server = os.environ.get("DIGEST_TEST_POSTGRES", "")
    database = "postgresql" if server else "sqlite"
    started = time.monotonic()
    rows = []
    with tempfile.TemporaryDirectory(prefix="digest-crash-base-") as folder:
        console.print(f"preparing a site of {args.readers:,} readers on {database} ...")
        base = prepared_site(Path(folder), args.readers)
        try:
            for scenario in scenarios:
                outcome = run_scenario(base, scenario, args.readers, args.seed)
                problems = checks.violations(outcome)
                rows.append((outcome, problems))
                console.print(report.scenario_table(outcome, problems, database))
                for note in outcome.notes:
                    console.print(f"  note: {note}", soft_wrap=True)
                for problem in problems:
                    console.print(f"  [red]violation:[/] {problem}", soft_wrap=True)
        finally:
            base.drop()
    console.print(report.matrix_table(rows, database))
    if args.markdown:
        console.print(report.markdown(rows), soft_wrap=True, markup=False)
    seconds = time.monotonic() - started
    failed = [(o, p) for o, p in rows if p]
    kills = sum(len(o.kill_points) for o, _ in rows)
    print(f"BENCH crash_{database}_kills {kills} kills")
    print(f"BENCH crash_{database}_scenarios_failed {len(failed)} scenarios")
    print(f"BENCH crash_{database}_seconds {seconds:.1f} s")
    for outcome, problems in failed:
        for problem in problems:
            print(f"FAILED {outcome.scenario.name} ({database}): {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
