"""What can go wrong when sending, by what the caller can do about it.

SendError
└── FatalError       stop the edition: nothing will succeed (bad credentials, a full disk)

A reader's own outcome is not an exception: a backend answers each recipient with a
``SendResult`` ("retry": try again later, such as an SMTP 4xx or a dropped connection;
"failed": this recipient will not get it, such as an SMTP 5xx or a rejected address).
"""


class SendError(Exception):
    """Base of every sending error."""


class FatalError(SendError):
    """Nothing more can be sent until an operator acts; the edition stops.

    ``partial`` holds the results of the messages of the batch answered before the failure,
    so they are recorded and never sent again.
    """

    def __init__(self, message: str, partial: list | None = None) -> None:
        super().__init__(message)
        self.partial = list(partial or [])
