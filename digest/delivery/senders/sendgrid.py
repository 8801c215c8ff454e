"""SendGrid's v3 Mail Send through the official ``sendgrid`` client.

One request carries up to 1,000 readers of one variant: the shared subject and body once, and
per reader (a personalization) the address, their own ``List-Unsubscribe`` headers, the
values substituted into the body, and ``custom_args`` naming the edition and delivery so
every webhook event maps back to one Delivery row.

Answers: 202 (200 in sandbox mode) sent, with ``X-Message-Id`` recorded on each delivery;
429 waits until ``X-RateLimit-Reset`` (or ``Retry-After``) and tries again; 5xx, timeouts and
connection errors back off exponentially with jitter up to a limit, then leave the readers
pending for the next run; 400 (and other 4xx) fails that request's readers with SendGrid's
error text; 401/403 stop the edition: the key is wrong or lacks the Mail Send permission.
"""

from __future__ import annotations

import json
import time
import urllib.error
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from json.encoder import encode_basestring_ascii as _quote

import python_http_client.exceptions as http_errors
import tenacity
from django.conf import settings
from sendgrid import SendGridAPIClient

from ..errors import FatalError
from .base import Batch, Recipient, Sender, SendResult

MAX_RECIPIENTS = 1000  # per request: personalizations, and recipients in all of them
# The headers SendGrid is given (the contract in base.py): these, and the product's own
# ``X-Digest-*``. SendGrid sets Date and Message-ID itself, and refuses reserved names
# (Reply-To goes as ``reply_to``).
PER_READER_HEADERS = ("List-Unsubscribe",)
SHARED_HEADERS = ("List-Id", "List-Unsubscribe-Post")
OWN_PREFIX = "x-digest-"
DELIVERY_HEADER = "X-Digest-Delivery"  # always the delivery's id, written by the sender


def passes(name: str, allowed: Sequence[str]) -> bool:
    """Whether a header goes to SendGrid: one of ``allowed`` or one of the product's own."""
    return name in allowed or name[:9].lower() == OWN_PREFIX


JSON_UTF8 = "application/json; charset=utf-8"


class _Payload(str):
    """A request body, JSON text, that the client may log cheaply.

    python_http_client formats every payload into a debug line before it calls the logger,
    whatever the logging level: the repr of half a megabyte of bytes, about 2 ms a request,
    thrown away. The bytes it sends are the same; only that line shows a size instead."""

    __slots__ = ()

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return _LoggedBySize(str.encode(self, encoding, errors))


class _LoggedBySize(bytes):
    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return f"<{len(self):,} bytes>"


@dataclass(frozen=True)
class Request:
    """One Mail Send request: its readers and its body, already JSON."""

    recipients: Sequence[Recipient]
    data: str


class _Transient(Exception):
    """A 5xx, a timeout or a dropped connection: worth another try after a pause."""


class _Throttled(Exception):
    def __init__(self, wait: float, detail: str) -> None:
        super().__init__(detail)
        self.wait = wait


class SendGridSender(Sender):
    name = "sendgrid"
    overlap = True  # send() touches only the API: the next batch is prepared meanwhile

    def __init__(
        self,
        api_key: str,
        *,
        host: str = "",
        timeout: float = 30.0,
        sandbox: bool = False,
        max_retries: int = 5,
        max_throttle_wait: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not api_key:
            raise FatalError("SENDGRID_API_KEY is not set: create a key with Mail Send access")
        self.client = SendGridAPIClient(api_key=api_key, host=host or "https://api.sendgrid.com")
        # The client has no timeout by default: a silent server would hang the run forever.
        self.client.client.timeout = timeout
        # Bodies are serialized by prepare(); with a charset-qualified JSON type the client
        # sends our string as it is instead of encoding it again (the same header SendGrid's
        # own C# library sends).
        self.client.client.request_headers["Content-Type"] = JSON_UTF8
        self.sandbox = sandbox
        self.max_retries = max_retries
        self.max_throttle_wait = max_throttle_wait
        self.sleep = sleep
        self.now = now
        self.requests = 0
        self._shells: dict[tuple, str] = {}  # a variant's shared JSON, per run

    @classmethod
    def from_settings(cls) -> SendGridSender:
        return cls(
            settings.SENDGRID_API_KEY,
            host=settings.SENDGRID_API_HOST,
            timeout=settings.SENDGRID_TIMEOUT,
            sandbox=settings.DIGEST_SENDGRID_SANDBOX,
        )

    def prepare(self, batch: Batch) -> list[Request]:
        """A batch's requests, built and serialized: the dispatch loop calls this in its own
        thread, so that the sending thread only waits on the network (JSON encoding holds
        the interpreter lock for milliseconds per request). The part every request of a
        variant shares (subject, 60 KB of HTML, text, headers) is encoded once."""
        key = (batch.from_addr, batch.subject, batch.html, batch.text, batch.category)
        key += tuple(batch.headers.items())
        if (shell := self._shells.get(key)) is None:
            if len(self._shells) > 32:
                self._shells.clear()
            shell = self._shells[key] = json.dumps(self._shared(batch))[:-1]
        return [
            Request(
                chunk,
                _Payload(f'{shell}, "personalizations": {_personalizations_json(batch, chunk)}}}'),
            )
            for chunk in requests_for(batch.recipients)
        ]

    def send(self, batch: Batch) -> list[SendResult]:
        return self.send_prepared(self.prepare(batch))

    def send_prepared(self, requests: Sequence[Request]) -> list[SendResult]:
        results: list[SendResult] = []
        for request in requests:
            try:
                results += self._send_request(request)
            except FatalError as exc:
                exc.partial = results
                raise
        return results

    def body(self, batch: Batch, recipients: Sequence[Recipient]) -> dict:
        """The request body for some readers of a batch, as a dict."""
        return {
            **self._shared(batch),
            "personalizations": self._personalizations(batch, recipients),
        }

    def _personalizations(self, batch: Batch, recipients: Sequence[Recipient]) -> list[dict]:
        """Each reader's part of a request, as the documented dicts: what
        ``_personalizations_json`` writes as text on the sending path."""
        return [
            {
                "to": [{"email": r.to}],
                "headers": {
                    **{
                        k: v
                        for k, v in r.headers.items()
                        if k != DELIVERY_HEADER and passes(k, PER_READER_HEADERS)
                    },
                    DELIVERY_HEADER: str(r.delivery_id),
                },
                "substitutions": dict(r.values),
                "custom_args": {
                    "edition_id": str(batch.edition_id),
                    "delivery_id": str(r.delivery_id),
                },
            }
            for r in recipients
        ]

    def _shared(self, batch: Batch) -> dict:
        """Everything but the personalizations: the same for every request of a variant."""
        name, address = parseaddr(batch.from_addr)
        body: dict = {
            "from": {"email": address, **({"name": name} if name else {})},
            "subject": batch.subject,
            "content": [
                {"type": "text/plain", "value": batch.text},
                {"type": "text/html", "value": batch.html},
            ],
            # The same for every reader: once per request, merged into each message.
            "headers": {k: v for k, v in batch.headers.items() if passes(k, SHARED_HEADERS)},
            "tracking_settings": {"subscription_tracking": {"enable": False}},
        }
        if batch.category:
            body["categories"] = [batch.category]
        if "Reply-To" in batch.headers:
            body["reply_to"] = {"email": parseaddr(batch.headers["Reply-To"])[1]}
        if self.sandbox:
            body["mail_settings"] = {"sandbox_mode": {"enable": True}}
        return body

    def _send_request(self, request: Request) -> list[SendResult]:
        recipients = request.recipients
        stop, wait = self._retry_policy()
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type((_Transient, _Throttled)),
            stop=stop,
            wait=wait,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            message_id = retrying(self._post, request.data)
        except _Throttled:
            return _all(recipients, "retry", "SendGrid kept answering 429 (too many requests)")
        except _Transient as exc:
            return _all(recipients, "retry", f"{exc} (after {self.max_retries + 1} tries)")
        except _Rejected as exc:
            return _all(recipients, "failed", str(exc), code=exc.code)
        return [SendResult(r.delivery_id, "sent", provider_id=message_id) for r in recipients]

    def _retry_policy(self):
        """Two budgets per request: a number of failures (5xx, timeouts) with exponential
        backoff and full jitter, and a total time spent waiting out 429s."""
        spent = {"failures": 0, "throttled": 0.0}

        def stop(state: tenacity.RetryCallState) -> bool:
            exc = state.outcome.exception()
            if isinstance(exc, _Throttled):
                return spent["throttled"] >= 3 * self.max_throttle_wait
            spent["failures"] += 1
            return spent["failures"] > self.max_retries

        backoff = tenacity.wait_random_exponential(multiplier=1, max=60)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception()
            if isinstance(exc, _Throttled):
                pause = min(exc.wait, self.max_throttle_wait)
                spent["throttled"] += pause
                return pause
            return backoff(state)

        return stop, wait

    def _post(self, data: str) -> str:
        self.requests += 1
        try:
            response = self.client.client.mail.send.post(request_body=data)
        except http_errors.UnauthorizedError as exc:
            raise FatalError(
                f"SendGrid refused the API key (401): {_errors(exc)}; check SENDGRID_API_KEY"
            ) from None
        except http_errors.ForbiddenError as exc:
            raise FatalError(
                f"SendGrid forbids this key to send (403): {_errors(exc)}; give the key the "
                "Mail Send permission (or check the account is active)"
            ) from None
        except http_errors.TooManyRequestsError as exc:
            raise _Throttled(self._throttle_wait(exc.headers), "429 too many requests") from None
        except http_errors.HTTPError as exc:
            if exc.status_code >= 500:
                raise _Transient(f"SendGrid {exc.status_code}: {_errors(exc)}") from None
            raise _Rejected(exc.status_code, _errors(exc)) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise _Transient(f"SendGrid unreachable: {getattr(exc, 'reason', exc)}") from None
        if response.status_code not in (200, 202):
            raise _Transient(f"SendGrid answered {response.status_code}")
        return _header(response.headers, "X-Message-Id")

    def _throttle_wait(self, headers) -> float:
        reset = _header(headers, "X-RateLimit-Reset")
        if reset.isdigit():
            return max(1.0, float(reset) - self.now())
        retry_after = _header(headers, "Retry-After")
        return float(retry_after) if retry_after.isdigit() else 1.0


def _personalizations_json(batch: Batch, recipients: Sequence[Recipient]) -> str:
    """``json.dumps(sender._personalizations(batch, recipients))``, written directly (a test
    holds the two equal): this is the per-reader part of every request, and building the
    dicts only to encode them cost twice as much."""
    custom_args = f'"custom_args": {{"edition_id": {_quote(str(batch.edition_id))}, '
    parts = []
    for r in recipients:
        delivery = f'"{int(r.delivery_id)}"'
        own = r.headers
        headers = "".join(
            [
                f"{_quote(k)}: {_quote(v)}, "
                for k, v in own.items()
                if k != DELIVERY_HEADER and passes(k, PER_READER_HEADERS)
            ]
        )
        values = ", ".join([f"{_quote(k)}: {_quote(v)}" for k, v in r.values.items()])
        parts.append(
            f'{{"to": [{{"email": {_quote(r.to)}}}], '
            f'"headers": {{{headers}"{DELIVERY_HEADER}": {delivery}}}, '
            f'"substitutions": {{{values}}}, '
            f'{custom_args}"delivery_id": {delivery}}}}}'
        )
    return f"[{', '.join(parts)}]"


class _Rejected(Exception):
    """A 4xx other than 401/403/429: this request's readers fail, with SendGrid's words."""

    def __init__(self, status: int, words: str) -> None:
        super().__init__(f"SendGrid {status}: {words}")
        self.code = f"SendGrid {status}"


def requests_for(recipients: Sequence[Recipient]) -> Iterator[list[Recipient]]:
    """Chunks of at most 1,000 readers in which no address appears twice (SendGrid's rules)."""
    pending = list(recipients)
    while pending:
        chunk, seen, later = [], set(), []
        for recipient in pending:
            key = recipient.to.lower()
            if key in seen or len(chunk) >= MAX_RECIPIENTS:
                later.append(recipient)
            else:
                seen.add(key)
                chunk.append(recipient)
        yield chunk
        pending = later


def _all(
    recipients: Sequence[Recipient], status: str, error: str, code: str = ""
) -> list[SendResult]:
    return [SendResult(r.delivery_id, status, error=error, code=code) for r in recipients]


def _header(headers, name: str) -> str:
    if headers is None:
        return ""
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None and isinstance(headers, dict):
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return str(value or "").strip()


def _errors(exc: http_errors.HTTPError) -> str:
    """SendGrid's own error messages, joined; the raw body when it is not the usual JSON."""
    raw = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else str(exc.body)
    try:
        return "; ".join(e.get("message", "") for e in json.loads(raw)["errors"]) or raw[:300]
    except (ValueError, KeyError, TypeError, AttributeError):
        return raw[:300] or str(exc.reason)
