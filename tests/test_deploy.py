"""The files in deploy/ say what the code does: each unit's `digest` command parses, each
setting of the example environment is documented, and the Caddyfile proxies a real
`digest serve` (when Debian's caddy is installed)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time

import httpx
import pytest
from django.core.management import get_commands, load_command_class

from digest.testing.sites import ROOT, Site
from digest.testing.smtp_server import free_port
from digest.testing.web_server import SECRET_KEY, WebServer

DEPLOY = ROOT / "deploy"
DIGEST = "/srv/digest/.venv/bin/digest"


def exec_lines() -> list[tuple[str, list[str]]]:
    found = []
    for unit in sorted(DEPLOY.glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart=") and DIGEST in line:
                argv = shlex.split(line.removeprefix("ExecStart="))
                found.append((unit.name, [a.replace("%i", "morning-en") for a in argv[1:]]))
    return found


def test_every_unit_runs_a_digest_command_that_exists_with_arguments_it_takes():
    lines = exec_lines()
    assert {argv[0] for _, argv in lines} == {"serve", "schedule", "send", "backup"}
    commands = get_commands()
    for unit, (name, *args) in lines:
        assert name in commands, unit
        parser = load_command_class(commands[name], name).create_parser("digest", name)
        parser.parse_args(args)  # exits (SystemExit) on an argument the command does not take


def test_every_setting_in_the_example_environment_is_documented():
    example = (DEPLOY / "digest.env.example").read_text()
    names = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE)
    assert "DJANGO_SECRET_KEY" in names and "DIGEST_EXPECT_SCHEDULER" in names
    readme = (ROOT / "README.md").read_text()
    assert [n for n in names if f"`{n}`" not in readme] == []
    # The proxy forwards to where `digest serve` listens by default.
    assert "reverse_proxy 127.0.0.1:8000" in (DEPLOY / "Caddyfile").read_text()
    assert "DIGEST_BIND=127.0.0.1:8000" in example


CADDY = shutil.which("caddy")


@pytest.mark.skipif(CADDY is None, reason="Debian's caddy is not installed (apt-get install caddy)")
def test_the_caddyfile_proxies_digest_serve(tmp_path):
    site = Site(tmp_path, DJANGO_SECRET_KEY=SECRET_KEY)
    assert site.run("migrate", "-v", "0").returncode == 0
    with WebServer(site, "serve") as web:
        port = free_port()
        # deploy/Caddyfile as shipped, but plain http on a free port (no certificate, no
        # admin endpoint, no log file) in front of this server.
        text = (DEPLOY / "Caddyfile").read_text()
        text = text.replace("news.example.com {", f"http://127.0.0.1:{port} {{", 1)
        text = text.replace("127.0.0.1:8000", f"127.0.0.1:{web.port}")
        text = re.sub(r"\n\tlog \{.*?\n\t\}\n", "\n", text, flags=re.DOTALL)
        config = tmp_path / "Caddyfile"
        config.write_text("{\n\tadmin off\n}\n\n" + text)
        proxy = subprocess.Popen(
            [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        )
        try:
            front = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    login = httpx.get(front + "/admin/login/", timeout=5)
                    break
                except httpx.TransportError:
                    assert proxy.poll() is None, proxy.communicate()[0]
                    assert time.monotonic() < deadline, "caddy did not answer"
                    time.sleep(0.1)
            assert login.status_code == 200
            sheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
            assert sheet, login.text[:500]
            css = httpx.get(front + sheet[1], headers={"Accept-Encoding": "gzip"}, timeout=5)
            assert css.status_code == 200 and css.headers["content-encoding"] == "gzip"
            assert httpx.get(front + "/healthz", timeout=5).json()["database"]["ok"] is True
        finally:
            proxy.terminate()
            proxy.communicate(timeout=30)
    # gunicorn saw the requests come from the proxy.
    assert 'GET /admin/login/ HTTP/1.1" 200' in web.output
