"""``POST /webhooks/sendgrid/``: SendGrid's signed Event Webhook.

Only signed posts are accepted: ECDSA P-256 over ``timestamp + raw body`` with the public key
from SendGrid's Mail Settings (``SENDGRID_WEBHOOK_PUBLIC_KEY``). The timestamp must be recent
(``SENDGRID_WEBHOOK_MAX_AGE`` seconds), so a captured post cannot be replayed later; within
that window a replay changes nothing, since every event is stored once by ``sg_event_id``.

Answers: 200 when the batch is applied (SendGrid retries anything else), 400 for a body
that is not a JSON array of objects, 403 for a missing, bad or stale signature, 500 when the
database fails (SendGrid retries; what was committed is then skipped as duplicates), 503
when no key is configured.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from sendgrid.helpers.eventwebhook import EventWebhook

from subscribers.clientaddr import client_address

from .sendgrid_events import apply_sendgrid_events

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_FUTURE = 300  # seconds a timestamp may be ahead of our clock


class _BadKey(ValueError):
    """SENDGRID_WEBHOOK_PUBLIC_KEY is set but is not an ECDSA P-256 public key."""


@functools.lru_cache(maxsize=4)
def public_key(value: str) -> ec.EllipticCurvePublicKey:
    """The configured key: base64 DER as SendGrid shows it (a full PEM block works too)."""
    body = "".join(
        line.strip() for line in value.strip().splitlines() if not line.startswith("-----")
    )
    try:
        key = EventWebhook().convert_public_key_to_ecdsa(body)
    except Exception as exc:
        raise _BadKey(str(exc)) from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise _BadKey("not an ECDSA P-256 public key")
    return key


def _signature_ok(
    body: str, signature: str, timestamp: str, key: ec.EllipticCurvePublicKey
) -> bool:
    """SendGrid's own check; a signature that is not even base64 is simply a bad one."""
    try:
        return bool(EventWebhook().verify_signature(body, signature, timestamp, key))
    except Exception:
        return False


def _timestamp_problem(timestamp: str, now: float, max_age: int) -> str:
    """Why a signed timestamp is unacceptable, or '' when it is fine."""
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):
        return "timestamp is not a unix time"
    age = now - int(timestamp)
    if age > max_age:
        return f"timestamp is {int(age)} s old (more than {max_age} s)"
    if age < -MAX_FUTURE:
        return "timestamp is in the future"
    return ""


def _refuse(status: int, message: str, request: HttpRequest) -> HttpResponse:
    logger.warning("SendGrid webhook refused (%s) from %s: %s", status, _ip(request), message)
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _ip(request: HttpRequest) -> str:
    return client_address(request) or "?"


@csrf_exempt
@require_POST
def sendgrid_events(request: HttpRequest) -> HttpResponse:
    configured = settings.SENDGRID_WEBHOOK_PUBLIC_KEY
    if not configured:
        return _refuse(
            503,
            "SendGrid events are not accepted: set SENDGRID_WEBHOOK_PUBLIC_KEY to the "
            "verification key of the signed Event Webhook",
            request,
        )
    try:
        key = public_key(configured)
    except _BadKey as exc:
        return _refuse(503, f"SENDGRID_WEBHOOK_PUBLIC_KEY is not a usable key: {exc}", request)

    signature = request.headers.get(SIGNATURE_HEADER, "").strip()
    timestamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
    if not signature or not timestamp:
        return _refuse(403, "missing signature", request)
    problem = _timestamp_problem(timestamp, time.time(), settings.SENDGRID_WEBHOOK_MAX_AGE)
    if problem:
        return _refuse(403, problem, request)
    try:
        # The signature covers the bytes as sent: never re-serialise before checking.
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(403, "bad signature", request)
    if not _signature_ok(body, signature, timestamp, key):
        return _refuse(403, "bad signature", request)

    try:
        events = json.loads(body)
    except ValueError:
        return _refuse(400, "body is not JSON", request)
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return _refuse(400, "body is not a JSON array of event objects", request)
    try:
        report = apply_sendgrid_events(events)
    except DatabaseError:
        logger.exception("SendGrid webhook: database error, SendGrid will retry the batch")
        return HttpResponse(
            "database unavailable, retry\n", status=500, content_type="text/plain; charset=utf-8"
        )
    return JsonResponse(report.as_dict())
