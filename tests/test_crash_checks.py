"""The crash matrix's rules (bench/crash/checks.py) on made-up outcomes: each one trips
when it should and only then, so a scenario that passes has really been checked."""

from __future__ import annotations

from collections import Counter

from bench.crash import checks
from bench.crash.ledger import Ledger, Row
from bench.crash.run import Outcome, Step
from bench.crash.scenarios import Scenario


def outcome(
    rows: list[tuple[str, str, str]],
    received: dict[str, int],
    uncertain: set[str] = frozenset(),
    sender: str = "sendgrid",
    steps: list[Step] | None = None,
    left: str = "",
) -> Outcome:
    final = Ledger(tuple(Row(email, state, error, "", None) for email, state, error in rows))
    killed = Step("send", None, 1.0, 5, 0, 0, killed=[101], kill_point=5)
    return Outcome(
        scenario=Scenario(sender, 1, 100),
        readers=len(rows),
        shares=[0.5],
        steps=steps or [killed],
        received=Counter(received),
        audience={email for email, _, _ in rows},
        reported_uncertain=set(uncertain),
        final=final,
        left=left,
        seconds=1.0,
        processes_killed=1,
    )


def test_a_clean_outcome_passes():
    rows = [("a@x", "sent", ""), ("b@x", "sent", ""), ("c@x", "failed", "SendGrid 400: bad")]
    assert checks.violations(outcome(rows, {"a@x": 1, "b@x": 2}, uncertain={"b@x"})) == []


def test_a_reader_lost_without_a_word_is_caught():
    rows = [("a@x", "sent", ""), ("b@x", "sent", "")]
    (problem,) = checks.violations(outcome(rows, {"a@x": 1}))
    assert problem.startswith("1 readers never got the edition") and "b@x" in problem


def test_a_duplicate_nobody_was_told_about_is_caught():
    rows = [("a@x", "sent", ""), ("b@x", "sent", "")]
    (problem,) = checks.violations(outcome(rows, {"a@x": 2, "b@x": 2}, uncertain={"b@x"}))
    assert "1 readers got the edition twice" in problem and "a@x" in problem


def test_smtp_may_leave_one_uncertain_reader_per_connection_killed():
    rows = [(f"{n}@x", "sent", "") for n in range(3)]
    received = {f"{n}@x": 1 for n in range(3)}
    assert checks.violations(outcome(rows, received, {"0@x"}, sender="smtp")) == []
    (problem,) = checks.violations(outcome(rows, received, {"0@x", "1@x"}, sender="smtp"))
    assert "2 readers uncertain after 1 kills of 1 SMTP connections" in problem


def test_unsettled_readers_errors_and_wrong_summaries_are_caught():
    rows = [("a@x", "sent", "")]
    steps = [
        Step("send", 0, 1.0, 1, 0, 3, printed_uncertain=2),
        Step("send", 1, 1.0, 1, 3, 3, last_error="OperationalError: too large"),
    ]
    problems = checks.violations(outcome(rows, {"a@x": 1}, steps=steps, left="2 pending"))
    assert len(problems) == 3
    assert "left unsettled at the end: 2 pending" in problems[0]
    assert "run 1 printed 2 uncertain" in problems[1]
    assert "run 2 (send) failed with exit 1: OperationalError" in problems[2]
