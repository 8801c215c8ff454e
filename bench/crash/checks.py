"""What must hold after a scenario, whatever the kills hit; each broken rule is one sentence.

- No reader missing without having been reported: everyone got the edition, or is failed or
  skipped with a reason.
- Duplicates only among readers reported uncertain (in state uncertain before
  `digest resend-uncertain`, the operator's decision to resend them).
- Nothing left pending, sending (held) or uncertain once the runs end.
- SMTP: at most one uncertain reader per connection a kill cut, the one message in flight
  (one connection per process killed).
- A summary that prints how many uncertain readers it found agrees with the database.
- No run ends in an error (exit 1).
"""

from __future__ import annotations

from .run import Outcome

SHOWN = 3  # addresses quoted in a message


def given_up(outcome: Outcome) -> set[str]:
    """Readers the product reported it would not send to: failed or skipped, with a reason."""
    return {
        r.email
        for r in outcome.final.rows
        if r.state in ("failed", "skipped") and r.last_error.strip()
    }


def missing(outcome: Outcome) -> set[str]:
    """Readers who never got the edition and were not reported failed or skipped."""
    return outcome.audience - set(outcome.received) - given_up(outcome)


def violations(outcome: Outcome) -> list[str]:
    found: list[str] = []
    final = outcome.final
    missing_ones = missing(outcome)
    if missing_ones:
        by_state = states_of(final, missing_ones)
        how = ", ".join(f"{n} {state}" for state, n in sorted(by_state.items()))
        found.append(
            f"{len(missing_ones)} readers never got the edition and were not reported failed "
            f"or skipped ({how}; e.g. {_some(missing_ones)})"
        )
    twice = {email for email, n in outcome.received.items() if n > 1}
    unexpected = twice - outcome.reported_uncertain
    if unexpected:
        found.append(
            f"{len(unexpected)} readers got the edition twice without having been reported "
            f"uncertain (e.g. {_some(unexpected)})"
        )
    if outcome.left:
        found.append(f"readers left unsettled at the end: {outcome.left}")
    if outcome.scenario.sender == "smtp":
        bound = outcome.processes_killed
        if len(outcome.reported_uncertain) > bound:
            found.append(
                f"{len(outcome.reported_uncertain)} readers uncertain after "
                f"{len(outcome.kill_points)} kills of {bound} SMTP connections: at most one "
                "message per connection can have been in flight"
            )
    for n, step in enumerate(outcome.steps, 1):
        if step.printed_uncertain is not None:
            found_now = step.uncertain_after - step.uncertain_before
            if step.printed_uncertain not in (found_now, step.uncertain_after):
                found.append(
                    f"run {n} printed {step.printed_uncertain} uncertain, but the database "
                    f"shows {found_now} made uncertain by it ({step.uncertain_after} in all)"
                )
        if step.code == 1 or (step.code is not None and step.code < 0 and not step.killed):
            found.append(f"run {n} ({step.verb}) failed with exit {step.code}: {step.last_error}")
    return found


def states_of(final, emails: set[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in final.rows:
        if r.email in emails:
            counts[r.state] = counts.get(r.state, 0) + 1
    return counts


def _some(emails: set[str]) -> str:
    return ", ".join(sorted(emails)[:SHOWN])
