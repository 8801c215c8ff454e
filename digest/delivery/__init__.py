"""Getting an edition to its readers.

``ledger`` keeps one Delivery row per reader and edition (enqueue, claim, hand over, record,
recover); ``dispatch`` is the loop that renders, personalizes and hands batches to a sender;
``workers`` starts helper processes; ``control`` pauses, resumes and cancels; ``throttle``
keeps the rate, the daily quota and the circuit breaker; ``senders`` are the backends (the
contract in ``senders/base.py``); ``mime`` builds messages; ``transactional`` sends one-off
emails; ``errors`` names what stops a run.
"""

__all__ = [
    "control",
    "dispatch",
    "errors",
    "ledger",
    "mime",
    "senders",
    "throttle",
    "transactional",
    "workers",
]
