"""A local OpenAI-compatible ``POST /v1/chat/completions`` endpoint, for tests.

It checks the shape of each request (JSON, a model, a list of role/content messages, the
Bearer key when one is set) and answers as a test scripts: a summary, an empty or cut-off
one, a 500, a body that is not JSON, a slow answer. Without a script it answers with the
first sentence of the article it was sent, which the faithfulness gate accepts.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLES = {"system", "user", "assistant"}


@dataclass
class Reply:
    """One scripted answer: ``content`` as the message, or ``raw`` bytes sent as they are."""

    content: str | None = ""
    status: int = 200
    raw: bytes | None = None
    delay: float = 0.0
    finish_reason: str = "stop"


@dataclass
class Received:
    body: dict
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def article(self) -> str:
        """The user message: the article as the writer sent it."""
        return next(m["content"] for m in self.body["messages"] if m["role"] == "user")


def request_errors(body: object, model: str | None = None) -> list[str]:
    """What is wrong with a chat-completions request body; empty when it is well formed."""
    if not isinstance(body, dict):
        return ["body: not a JSON object"]
    errors = []
    if not isinstance(body.get("model"), str) or not body["model"]:
        errors.append("model: required string")
    elif model is not None and body["model"] != model:
        errors.append(f"model: {body['model']!r} does not exist")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        errors.append("messages: required non-empty array")
    else:
        for n, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                errors.append(f"messages/{n}: role must be one of {sorted(ROLES)}")
            elif not isinstance(message.get("content"), str):
                errors.append(f"messages/{n}/content: required string")
    if "temperature" in body and not isinstance(body["temperature"], int | float):
        errors.append("temperature: number")
    if "max_tokens" in body and (not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1):
        errors.append("max_tokens: positive integer")
    if body.get("stream"):
        errors.append("stream: this endpoint is asked for whole answers only")
    return errors


def first_sentence(article: str) -> str:
    """The default answer: the first sentence of the article's body (after the headline)."""
    body = article.split("\n\n", 1)[-1].strip()
    match = re.match(r"(.+?[.!?다])(?:\s|$)", body, re.DOTALL)
    return " ".join((match.group(1) if match else body).split())


class LlmAPI:
    """Start with ``with LlmAPI() as api:``; ``api.url`` is the base URL (``.../v1``).

    ``script(request number, Received)`` returns a ``Reply``, a string (the summary) or None
    (the default answer). ``api_key`` and ``model``, when given, must match the request.
    """

    def __init__(
        self,
        script: Callable[[int, Received], Reply | str | None] | None = None,
        *,
        api_key: str | None = None,
        model: str | None = None,
    ) -> None:
        self.script = script
        self.api_key = api_key
        self.model = model
        self.requests: list[Received] = []
        self.rejected: list[tuple[object, list[str]]] = []
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                return None

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self.answer(Reply(status=404, raw=_error(f"no route {self.path}")))
                if api.api_key is not None and (
                    self.headers.get("Authorization") != f"Bearer {api.api_key}"
                ):
                    return self.answer(Reply(status=401, raw=_error("invalid API key")))
                if not self.headers.get("Content-Type", "").startswith("application/json"):
                    return self.answer(Reply(status=415, raw=_error("send JSON")))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                problems = request_errors(body, api.model)
                if problems:
                    with api.lock:
                        api.rejected.append((body, problems))
                    return self.answer(Reply(status=400, raw=_error(*problems)))
                received = Received(body, dict(self.headers.items()))
                with api.lock:
                    api.requests.append(received)
                    number = len(api.requests)
                reply = api.script(number, received) if api.script else None
                if reply is None:
                    reply = first_sentence(received.article)
                if isinstance(reply, str):
                    reply = Reply(content=reply)
                if reply.delay:
                    time.sleep(reply.delay)
                self.answer(reply, model=body["model"])

            def answer(self, reply: Reply, model: str = "") -> None:
                payload = reply.raw if reply.raw is not None else _completion(reply, model)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (TimeoutError, BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> LlmAPI:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _completion(reply: Reply, model: str) -> bytes:
    return json.dumps(
        {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        },
        ensure_ascii=False,
    ).encode()


def _error(*messages: str) -> bytes:
    return json.dumps(
        {"error": {"message": "; ".join(messages), "type": "invalid_request_error"}}
    ).encode()
