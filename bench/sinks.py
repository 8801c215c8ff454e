"""Servers that take mail and throw it away, for the delivery benchmark (own processes).

``python -m bench.sinks http PORT``: the local Mail Send API
(``digest/testing/sendgrid_api.py``): it parses and checks every request against the
documented contract, then answers 202 with an X-Message-Id, as the real service would.
``python -m bench.sinks smtp PORT``: an aiosmtpd server that accepts every message.
"""

from __future__ import annotations

import sys
import time


class Discard:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "http":
        from digest.testing.sendgrid_api import SendGridAPI

        SendGridAPI("SG.bench", keep=False, port=port).server.serve_forever()
    else:
        from aiosmtpd.controller import Controller

        controller = Controller(Discard(), hostname="127.0.0.1", port=port)
        controller.start()
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main()
