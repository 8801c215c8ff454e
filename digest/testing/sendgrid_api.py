"""A local HTTP server speaking SendGrid's v3 ``POST /v3/mail/send`` contract, for tests.

It checks every request the way the API documents it (the request schema below is our
transcription of the Mail Send reference) and answers 202 with an ``X-Message-Id``, or what a
test scripts: 429 with rate-limit headers, 500, 400, 401, 403, a slow answer.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import fastjsonschema
import jsonschema

ADDRESS = {
    "type": "object",
    "required": ["email"],
    "properties": {"email": {"type": "string", "minLength": 3}, "name": {"type": "string"}},
    "additionalProperties": False,
}
STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
MAIL_SEND = {
    "type": "object",
    "required": ["personalizations", "from"],
    "properties": {
        "personalizations": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": {
                "type": "object",
                "required": ["to"],
                "properties": {
                    "to": {"type": "array", "minItems": 1, "items": ADDRESS},
                    "cc": {"type": "array", "items": ADDRESS},
                    "bcc": {"type": "array", "items": ADDRESS},
                    "from": ADDRESS,
                    "subject": {"type": "string", "minLength": 1},
                    "headers": STRINGS,
                    "substitutions": STRINGS,
                    "dynamic_template_data": {"type": "object"},
                    "custom_args": STRINGS,  # the live API rejects numbers
                    "send_at": {"type": "integer"},
                },
                "additionalProperties": False,
            },
        },
        "from": ADDRESS,
        "reply_to": ADDRESS,
        "reply_to_list": {"type": "array", "items": ADDRESS},
        "subject": {"type": "string", "minLength": 1},
        "content": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["type", "value"],
                "properties": {
                    "type": {"type": "string", "minLength": 1},
                    "value": {"type": "string", "minLength": 1},
                },
                "additionalProperties": False,
            },
        },
        "attachments": {"type": "array"},
        "template_id": {"type": "string"},
        "headers": STRINGS,
        "categories": {
            "type": "array",
            "maxItems": 10,
            "uniqueItems": True,
            "items": {"type": "string", "maxLength": 255},
        },
        "custom_args": STRINGS,
        "send_at": {"type": "integer"},
        "batch_id": {"type": "string"},
        "asm": {"type": "object"},
        "ip_pool_name": {"type": "string"},
        "mail_settings": {"type": "object"},
        "tracking_settings": {"type": "object"},
    },
    "additionalProperties": False,
}
RESERVED_HEADERS = {
    "x-sg-id",
    "x-sg-eid",
    "received",
    "dkim-signature",
    "content-type",
    "content-transfer-encoding",
    "to",
    "from",
    "subject",
    "reply-to",
    "cc",
    "bcc",
}


@functools.cache
def _compiled() -> Callable[[dict], object]:
    """The schema compiled to Python (fastjsonschema): the accept path is fast."""
    return fastjsonschema.compile(MAIL_SEND)


def _schema_errors(body: dict) -> list[str]:
    """Schema problems: the compiled validator says whether there are any, jsonschema
    (slow, but it lists every problem with its path) says which."""
    try:
        _compiled()(body)
        return []
    except fastjsonschema.JsonSchemaException:
        validator = jsonschema.Draft202012Validator(MAIL_SEND)
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or 'body'}: {e.message}"
            for e in validator.iter_errors(body)
        ] or ["body: does not match the Mail Send schema"]


def _json_size(values: dict) -> int:
    """Bytes of an object of strings as JSON; a cheap upper bound first (an escaped character
    takes at most 12 bytes), the exact figure only near the limit."""
    bound = 2 + sum(12 * (len(k) + len(v)) + 8 for k, v in values.items())
    return bound if bound <= 10000 else len(json.dumps(values).encode())


def contract_errors(body: dict) -> list[str]:
    """Everything wrong with a request body, in SendGrid's terms; empty when it is valid."""
    errors = _schema_errors(body)
    if errors:
        return errors
    personalizations = body["personalizations"]
    addresses = [
        a["email"].lower()
        for p in personalizations
        for kind in ("to", "cc", "bcc")
        for a in p.get(kind, ())
    ]
    if len(addresses) > 1000:
        errors.append(f"{len(addresses)} recipients in one request; at most 1000")
    if len(set(addresses)) != len(addresses):
        errors.append("each email address may appear only once in personalizations")
    if "template_id" not in body:
        if "content" not in body:
            errors.append("content is required without a template_id")
        elif "subject" not in body and any("subject" not in p for p in personalizations):
            errors.append("subject is required (per message or per personalization)")
    types = [c["type"] for c in body.get("content", [])]
    if "text/plain" in types and types.index("text/plain") != 0:
        errors.append("text/plain must be the first content")
    for n, p in enumerate(personalizations):
        if reserved := {h.lower() for h in p.get("headers", ())} & RESERVED_HEADERS:
            errors.append(f"personalizations/{n}/headers: reserved {sorted(reserved)}")
        for name in ("substitutions", "custom_args"):
            if name in p and _json_size(p[name]) > 10000:
                errors.append(f"personalizations/{n}/{name} over 10,000 bytes")
    if {h.lower() for h in body.get("headers", {})} & RESERVED_HEADERS:
        errors.append("headers: reserved header names")
    return errors


@dataclass
class Answer:
    status: int = 202
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None
    delay: float = 0.0


@dataclass
class Received:
    body: dict
    answer: Answer
    message_id: str


class SendGridAPI:
    """Start with ``with SendGridAPI() as api:``; ``api.url`` is the host for the client."""

    def __init__(
        self,
        api_key: str = "SG.test-key",
        script: Callable | None = None,
        keep: bool = True,
        port: int = 0,
    ):
        self.api_key = api_key
        self.keep = keep  # False: count requests but drop their bodies (benchmarks)
        self.script = script  # (request number, body) -> Answer | None (None: the default)
        self.requests: list[Received] = []
        self.rejected: list[tuple[dict | None, list[str]]] = []
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                return None

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v3/mail/send":
                    return self.reply(Answer(404, body=_error(f"no such endpoint {self.path}")))
                if self.headers.get("Authorization") != f"Bearer {api.api_key}":
                    return self.reply(
                        Answer(
                            401,
                            body=_error(
                                "The provided authorization grant is invalid, expired, or revoked"
                            ),
                        )
                    )
                media = self.headers.get("Content-Type", "").replace(" ", "").lower()
                if media not in ("application/json", "application/json;charset=utf-8"):
                    return self.reply(
                        Answer(415, body=_error(f"Content-Type {media!r} is not JSON"))
                    )
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self.reply(Answer(400, body=_error("Invalid JSON")))
                problems = contract_errors(body)
                if problems:
                    with api.lock:
                        api.rejected.append((body, problems))
                    return self.reply(Answer(400, body=_error(*problems)))
                with api.lock:
                    number = len(api.requests) + 1
                    answer = (api.script(number, body) if api.script else None) or Answer()
                    sandbox = body.get("mail_settings", {}).get("sandbox_mode", {}).get("enable")
                    if answer.status == 202 and sandbox:
                        answer = Answer(200, delay=answer.delay)
                    message_id = uuid.uuid4().hex[:22]
                    api.requests.append(Received(body if api.keep else {}, answer, message_id))
                if answer.delay:
                    time.sleep(answer.delay)
                headers = dict(answer.headers)
                if answer.status in (200, 202):
                    headers["X-Message-Id"] = message_id
                self.reply(answer, headers)

            def reply(self, answer: Answer, headers: dict | None = None):
                payload = json.dumps(answer.body).encode() if answer.body is not None else b""
                try:
                    self.send_response(answer.status)
                    for name, value in (headers or answer.headers).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (TimeoutError, BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> SendGridAPI:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[Received]:
        return [r for r in self.requests if r.answer.status in (200, 202)]

    def recipients(self) -> list[str]:
        return [p["to"][0]["email"] for r in self.accepted() for p in r.body["personalizations"]]


def _error(*messages: str) -> dict:
    return {"errors": [{"message": m, "field": None, "help": None} for m in messages]}
