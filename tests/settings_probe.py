"""Run ``digest/settings.py`` as a server would, from a given environment, without touching the
settings this test run uses, and run real ``digest`` processes with such an environment."""

from __future__ import annotations

import os
import runpy
import subprocess
from pathlib import Path

import pytest

import digest
from digest.testing import sites

SETTINGS_FILE = Path(digest.__file__).with_name("settings.py")


def load_settings(monkeypatch: pytest.MonkeyPatch, home: Path, **env: str) -> dict:
    """The module-level names settings.py defines from exactly ``env`` (DIGEST_HOME=home,
    so no .env of the checkout is read)."""
    for name in list(os.environ):
        if name.startswith(sites.OURS) and name != "DJANGO_SETTINGS_MODULE":
            monkeypatch.delenv(name)
    monkeypatch.setenv("DIGEST_HOME", str(home))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE), run_name="settings_probe")


def clean_env(home: Path, **env: str) -> dict[str, str]:
    """A process environment with none of ours but ``env``, its home (and .env) at ``home``."""
    return sites.clean_env(DIGEST_HOME=str(home), **env)


def run_digest(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(sites.DIGEST), *args], env=env, capture_output=True, text=True, timeout=120
    )
