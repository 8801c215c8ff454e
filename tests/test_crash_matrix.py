"""The crash matrix, reduced (``bench/crash``; ``make crash-test`` runs the whole of it).

Eight SIGKILLs of real `digest send` processes on a 2,000-reader list: SendGrid and SMTP,
one process and `--workers 2`, batch sizes 100 to 1000 (half the list), a storm each and two
kills in a row. After each scenario the local provider's counts must agree with what the
product reported: nobody missing unreported, duplicates only among readers reported
uncertain, nothing left unsettled, and for SMTP at most the messages in flight uncertain.

On SQLite, and on PostgreSQL when DIGEST_TEST_POSTGRES is set (``make test-postgres``).
"""

from __future__ import annotations

import pytest

from bench.crash import checks
from bench.crash.run import prepared_site, run_scenario
from bench.crash.scenarios import REDUCED

READERS = 2000
SEED = 20261207  # the kill points; `python -m bench.crash --seed N` tries others


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """One prepared site for every scenario: each runs on its own copy."""
    site = prepared_site(tmp_path_factory.mktemp("crash-base"), READERS)
    yield site
    site.drop()


@pytest.mark.parametrize("scenario", REDUCED, ids=lambda s: s.name)
def test_kills_leave_nobody_missing_or_sent_twice_unreported(base, scenario):
    outcome = run_scenario(base, scenario, READERS, SEED)
    problems = checks.violations(outcome)
    assert not problems, f"crash scenario {scenario.name}: " + "; ".join(problems)
