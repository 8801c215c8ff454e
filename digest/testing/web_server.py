"""A `digest` web server as a real process on 127.0.0.1 (gunicorn or runserver), for tests.

The server runs with DEBUG off and its own secret key, against the site's own database; the
test talks to it over HTTP only.
"""

from __future__ import annotations

import subprocess
import time

import httpx

from .sites import Site
from .smtp_server import free_port

SECRET_KEY = "test-serving-key-4q7Zr9LmP2vX8kW3nB6tY1cJ5hG0dF-sA7eQ"  # long, not the dev key


class WebServer:
    """``with WebServer(site, "serve") as web: web.get("/healthz")``."""

    def __init__(self, site: Site, *args: str, **env: str) -> None:
        self.site = site
        self.port = free_port()
        self.args = args
        # Plain http on 127.0.0.1: an https SITE_URL would redirect every request to https.
        self.env = {
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_DEBUG": "0",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            **env,
        }
        self.process: subprocess.Popen | None = None
        self.output = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> WebServer:
        args = [a.replace("{port}", str(self.port)) for a in self.args]
        self.process = self.site.start(*args, DIGEST_BIND=f"127.0.0.1:{self.port}", **self.env)
        self.wait_until_up()
        return self

    def wait_until_up(self, timeout: float = 60.0) -> None:
        """Poll until the server answers; fail with its output if it exits or never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out, err = self.process.communicate()
                raise AssertionError(f"server exited ({self.process.returncode}):\n{out}\n{err}")
            try:
                httpx.get(self.url + "/healthz", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"server not answering after {timeout} s:\n{self.output}")

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                out, err = self.process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                out, err = self.process.communicate()
            self.output = out + err

    def __exit__(self, *exc: object) -> None:
        self.stop()
