"""What can go wrong when sending, by what the caller can do about it.

SendError
├── TransientError   try this message again later (SMTP 4xx, a dropped connection, 5xx)
├── PermanentError   this recipient failed; the others go on (SMTP 5xx, a rejected address)
└── FatalError       stop the edition: nothing will succeed (bad credentials, a full disk)
"""


class SendError(Exception):
    """Base of every sending error."""


class TransientError(SendError):
    """Worth retrying later; the delivery stays pending."""


class PermanentError(SendError):
    """This message will not go through; the delivery is marked failed with the reason."""

    def __init__(self, message: str, *, bad_address: bool = False) -> None:
        super().__init__(message)
        self.bad_address = bad_address


class FatalError(SendError):
    """Nothing more can be sent until an operator acts; the edition stops.

    ``partial`` holds the results of the messages of the batch answered before the failure,
    so they are recorded and never sent again.
    """

    def __init__(self, message: str, partial: list | None = None) -> None:
        super().__init__(message)
        self.partial = list(partial or [])
