"""Servers that take mail and throw it away, for the delivery benchmark (own processes).

``python -m bench.sinks http PORT``: answers POST /v3/mail/send with 202 and an X-Message-Id.
``python -m bench.sinks smtp PORT``: an aiosmtpd server that accepts every message.
"""

from __future__ import annotations

import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class MailSend(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        return None

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(202)
        self.send_header("X-Message-Id", uuid.uuid4().hex[:22])
        self.send_header("Content-Length", "0")
        self.end_headers()


class Discard:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "http":
        ThreadingHTTPServer(("127.0.0.1", port), MailSend).serve_forever()
    else:
        from aiosmtpd.controller import Controller

        controller = Controller(Discard(), hostname="127.0.0.1", port=port)
        controller.start()
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main()
