"""One scenario of the crash matrix, driven through the CLI as an operator would.

1. A copy of the prepared site; a local provider that counts what it accepts.
2. `digest send` is started and SIGKILLed once the provider has accepted a random number of
   recipients (watched, not timed): 5% to 95% of the list for a first run, of the readers
   still waiting for a run after a kill; as many times in a row as the scenario says.
3. `digest send` again until it exits 0, or only uncertain readers are left, or the tries run
   out. Exit 3 means "again later": readers wait DIGEST_RETRY_AFTER_SECONDS (1 here) or are
   held by another live process; the harness waits for that, within a bound.
4. The readers in state ``uncertain`` then are what the product reported;
   `digest resend-uncertain`, and `digest send` again as in 3.

Every run's exit code and summary are kept for the checks (``checks.py``).
"""

from __future__ import annotations

import random
import re
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from digest.testing.sites import DIGEST, ROOT, Site

from . import ledger, processes, servers
from .scenarios import Scenario

RETRY_AFTER_SECONDS = 1  # DIGEST_RETRY_AFTER_SECONDS: a deferred reader's wait
TRIES = 6  # `digest send` runs to settle an edition, after the kills and after the resend
WAIT_BOUND = 20.0  # seconds the harness waits for deferred or held readers before a run
RUN_TIMEOUT = 600.0
SUMMARY_UNCERTAIN = re.compile(r"uncertain \(a run died holding them\)\s*│\s*([\d,]+)")


@dataclass
class Step:
    """One CLI process of a scenario."""

    verb: str  # "send", "resend-uncertain"
    code: int | None  # exit code; None when the harness killed it
    seconds: float
    accepted_at_end: int  # recipients the provider had accepted when it ended
    uncertain_before: int  # rows in state uncertain when it started (from the database)
    uncertain_after: int
    printed_uncertain: int | None = None  # what its summary said it found, if it said
    killed: list[int] = field(default_factory=list)  # its pids the harness SIGKILLed
    kill_point: int | None = None  # recipients the provider had accepted at the kill
    last_error: str = ""  # last line of standard error, when it failed

    @property
    def label(self) -> str:
        """ "K" for a run killed whole, "K2" for one whose helper was killed and that ended
        with exit 2, "r0" for resend-uncertain's exit 0, "3" for a send's exit 3."""
        code = "" if self.code is None else str(self.code)
        return ("K" if self.killed else "r" if self.verb == "resend-uncertain" else "") + code


@dataclass
class Outcome:
    scenario: Scenario
    readers: int
    shares: list[float]  # planned kill points: shares of what each killed run could send
    steps: list[Step]
    received: Counter  # address -> times the provider accepted it
    audience: set[str]  # every reader of the edition's frozen audience
    reported_uncertain: set[str]  # in state uncertain before resend-uncertain
    final: ledger.Ledger
    left: str  # the readers left unsettled, in words ("" when none)
    seconds: float
    processes_killed: int = 0  # sum over kills of the processes each one hit
    notes: list[str] = field(default_factory=list)

    @property
    def kill_points(self) -> list[int]:
        return [s.kill_point for s in self.steps if s.kill_point is not None]


def environment(scenario: Scenario, readers: int, provider_env: dict[str, str]) -> dict:
    return {
        **provider_env,
        "DIGEST_BATCH_SIZE": str(scenario.batch),
        "DIGEST_RETRY_AFTER_SECONDS": str(RETRY_AFTER_SECONDS),
        # Low enough that `--workers 2` really starts a helper on this list.
        "DIGEST_READERS_PER_WORKER": str(max(1, readers // 4)),
        "SENDGRID_TIMEOUT": "30",
        "SMTP_TIMEOUT": "30",
    }


def kill_shares(scenario: Scenario, seed: int) -> list[float]:
    """Where each kill comes: a share, 5% to 95%, of what the run it hits can send."""
    rng = random.Random(f"{seed}/{scenario.name}/kills")
    return [rng.uniform(0.05, 0.95) for _ in range(scenario.kills)]


def prepared_site(folder: Path, readers: int) -> Site:
    """The site every scenario copies: the demo, ``readers`` synthetic readers of five
    section choices, the edition composed and approved (its variants rendered and kept, as
    on a real morning)."""
    site = Site(folder)
    site.prepare(readers)
    site.phase("approve", readers)
    return site


def run_scenario(base: Site, scenario: Scenario, readers: int, seed: int) -> Outcome:
    """Run one scenario on a copy of ``base`` (a prepared site of ``readers`` readers)."""
    started = time.monotonic()
    shares = kill_shares(scenario, seed)
    weather = random.Random(f"{seed}/{scenario.name}/weather")
    with (
        tempfile.TemporaryDirectory(prefix=f"digest-crash-{scenario.name}-") as folder,
        servers.provider(
            scenario.sender, scenario.storm, weather, slow=scenario.target == "helper"
        ) as (provider_env, tally),
        processes.reaping_orphans() as orphans,
    ):
        site = base.clone(Path(folder), **environment(scenario, readers, provider_env))
        try:
            driver = _Driver(site, ledger.edition_id(site), scenario, tally, Path(folder), readers)
            for share in shares:
                driver.send_and_kill(share, orphans)
            driver.settle()
            reported = ledger.read(site, driver.edition).emails("uncertain")
            driver.step("resend-uncertain")
            driver.settle()
            final = ledger.read(site, driver.edition)
            left = final.describe_left()  # now: a holder may be a zombie until the end
        finally:
            site.drop()
    return Outcome(
        scenario=scenario,
        readers=readers,
        shares=shares,
        steps=driver.steps,
        received=Counter(tally.received),
        audience={r.email for r in final.rows},
        reported_uncertain=reported,
        final=final,
        left=left,
        seconds=time.monotonic() - started,
        processes_killed=sum(len(s.killed) for s in driver.steps),
        notes=driver.notes,
    )


class _Driver:
    """Starts, watches, kills and re-runs `digest` processes of one scenario."""

    def __init__(
        self,
        site: Site,
        edition: int,
        scenario: Scenario,
        tally: servers.Tally,
        folder: Path,
        readers: int,
    ):
        self.site = site
        self.readers = readers
        self.edition = edition
        self.scenario = scenario
        self.tally = tally
        self.folder = folder
        self.steps: list[Step] = []
        self.notes: list[str] = []

    def start(self, verb: str) -> tuple[subprocess.Popen, Path]:
        if verb == "send":
            args = ["send", "--edition", str(self.edition), "--workers", str(self.scenario.workers)]
        else:
            args = [verb, str(self.edition)]
        log = self.folder / f"step-{len(self.steps) + 1}-{verb}"
        with open(f"{log}.out", "w") as out, open(f"{log}.err", "w") as err:
            run = subprocess.Popen(
                [str(DIGEST), *args],
                env=self.site.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group: one SIGKILL takes them all
            )
        return run, log

    def send_and_kill(self, share: float, orphans: list[int]) -> None:
        """A `digest send` killed once the provider has accepted ``share`` of the readers
        waiting when it starts (the whole list for a first run); in a storm, of those less a
        batch, which the provider may refuse for good."""
        before = ledger.uncertain_count(self.site, self.edition)
        rows = ledger.read(self.site, self.edition)
        # Before the first run nobody is enqueued: the whole list waits.
        waiting = rows.states["pending"] if rows.rows else self.readers
        reach = max(1, waiting - (self.scenario.batch if self.scenario.storm else 0))
        target = self.tally.accepted + max(1, round(share * reach))
        began = time.monotonic()
        run, log = self.start("send")
        deadline = began + RUN_TIMEOUT
        while run.poll() is None and time.monotonic() < deadline:
            if self.tally.wait_for(target, timeout=0.05):
                break
        killed: list[int] = []
        point = self.tally.accepted
        code: int | None = None
        if run.poll() is None:
            killed = processes.kill(run, self.scenario.target)
            if self.scenario.target == "run":
                orphans.extend(killed[1:])
                run.wait(timeout=30)
            else:
                if not killed:
                    self.notes.append(f"run {len(self.steps) + 1} had no helper to kill")
                code = self._wait(run)  # the first process goes on and ends by itself
        else:
            code = run.returncode
            self.notes.append(f"run {len(self.steps) + 1} ended (exit {code}) before its kill")
        step = self._step("send", code, began, before, log, accepted=self.tally.accepted)
        step.killed, step.kill_point = killed, point if killed else None
        self.steps.append(step)

    def _wait(self, run: subprocess.Popen) -> int:
        try:
            return run.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            processes.kill(run, "run")
            run.wait()
            self.notes.append(f"run {len(self.steps) + 1} hung for {RUN_TIMEOUT:.0f} s: killed")
            return -9

    def step(self, verb: str) -> Step:
        before = ledger.uncertain_count(self.site, self.edition)
        began = time.monotonic()
        run, log = self.start(verb)
        code = self._wait(run)
        step = self._step(verb, code, began, before, log, accepted=self.tally.accepted)
        self.steps.append(step)
        return step

    def _step(self, verb, code, began, before, log, *, accepted) -> Step:
        out = Path(f"{log}.out").read_text(errors="replace")
        err = Path(f"{log}.err").read_text(errors="replace").strip().splitlines()
        printed = SUMMARY_UNCERTAIN.search(out)
        return Step(
            verb=verb,
            code=code,
            seconds=time.monotonic() - began,
            accepted_at_end=accepted,
            uncertain_before=before,
            uncertain_after=ledger.uncertain_count(self.site, self.edition),
            printed_uncertain=int(printed[1].replace(",", "")) if printed else None,
            last_error=err[-1] if err and code not in (0, None) else "",
        )

    def settle(self) -> None:
        """`digest send` until it exits 0, or only readers no run can move are left (the
        uncertain ones), or an error, or TRIES runs."""
        for _ in range(TRIES):
            step = self.step("send")
            if step.code in (0, 1) or step.code is None or step.code < 0:
                return
            state = ledger.read(self.site, self.edition)
            if not state.unsettled():
                return  # only uncertain readers left (or none): an operator's turn
            if not self._wait_until_due():
                return

    def _wait_until_due(self) -> bool:
        """Wait (polling the database) until a run would find something to do: deferred
        readers whose time came, or readers held by a process that has ended. False when
        that is not in sight within WAIT_BOUND (say readers deferred for five minutes)."""
        deadline = time.monotonic() + WAIT_BOUND
        while True:
            state = ledger.read(self.site, self.edition)
            if not state.unsettled() or state.due_now():
                return True
            until = state.deferred_until()
            holders_alive = any(processes.alive(h) for h in state.holders())
            in_sight = holders_alive or (
                until is not None and until.timestamp() < time.time() + WAIT_BOUND
            )
            if not in_sight or time.monotonic() > deadline:
                self.notes.append(f"gave up waiting: {state.describe_left()}")
                return False
            time.sleep(0.1)
