"""The crash matrix's scenarios: which sender, how many processes, what batch size, what
weather at the provider, how many kills and what they hit.

Each scenario runs on its own copy of one prepared site, so they can be run in any subset
and order; its kill points come from ``random.Random(f"{seed}/{name}")``, so a subset picks
the same points as the whole matrix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    sender: str  # "sendgrid" or "smtp"
    workers: int  # `digest send --workers N`
    batch: int  # DIGEST_BATCH_SIZE
    kills: int = 1  # SIGKILLs in a row on the one edition, each at a random point
    storm: bool = False  # the provider answers 429/500 (SendGrid) or 451 (SMTP) at times
    target: str = "run"  # "run": every process of the run at once; "helper": a helper only

    @property
    def name(self) -> str:
        parts = [self.sender, f"w{self.workers}", f"b{self.batch}"]
        if self.kills > 1:
            parts.append(f"{self.kills}kills")
        if self.storm:
            parts.append("storm")
        if self.target != "run":
            parts.append(f"kill-{self.target}")
        return "-".join(parts)


def _grid(kills: int) -> list[Scenario]:
    return [
        Scenario(sender, workers, batch, kills=kills)
        for sender in ("sendgrid", "smtp")
        for workers in (1, 2)
        for batch in (100, 500, 1000)
    ]


# Both senders x one process and two x batch sizes 100, 500 and 1000; then storms, kills in
# a row, and helpers killed while their first process goes on: 31 kills. SMTP scenarios
# cost a minute or more each (10,000 messages of 60 KB to aiosmtpd), SendGrid ones seconds.
FULL: list[Scenario] = [
    *_grid(kills=1),
    Scenario("sendgrid", 1, 500, kills=2, storm=True),
    Scenario("sendgrid", 2, 1000, kills=2, storm=True),
    Scenario("smtp", 1, 500, kills=2, storm=True),
    Scenario("smtp", 2, 100, kills=2, storm=True),
    Scenario("sendgrid", 1, 100, kills=3),
    Scenario("sendgrid", 1, 1000, kills=2),
    Scenario("sendgrid", 2, 500, kills=2),
    Scenario("sendgrid", 2, 100, kills=2),
    Scenario("sendgrid", 2, 500, target="helper"),
    Scenario("sendgrid", 2, 100, target="helper"),
]

# `make test`: 8 kills on a 2,000-reader list, both senders, one process and two, batch
# sizes up to 1000 (half the list), a storm each and two kills in a row.
REDUCED: list[Scenario] = [
    Scenario("sendgrid", 1, 100),
    Scenario("sendgrid", 2, 1000, kills=2),
    Scenario("sendgrid", 1, 500, storm=True),
    Scenario("smtp", 1, 500),
    Scenario("smtp", 2, 1000),
    Scenario("smtp", 1, 100, kills=2, storm=True),
]


def total_kills(scenarios: list[Scenario]) -> int:
    return sum(s.kills for s in scenarios)
