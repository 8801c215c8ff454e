"""The production web server: static files collected when they changed, then gunicorn.

``digest serve`` is one command an operator (or systemd) runs. It collects the static files
into STATIC_ROOT only when the apps' files differ from the last collection (a fingerprint of
their names, sizes and times, kept beside STATIC_ROOT), because a collection with compression
takes seconds and a restart should not; then it replaces itself with gunicorn on
``digest.wsgi``, so that systemd's signals reach gunicorn's master directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FINGERPRINT_NAME = "static.fingerprint"  # beside STATIC_ROOT: WhiteNoise serves all inside it
MANIFEST_NAME = "staticfiles.json"


@dataclass(frozen=True)
class ServeOptions:
    """gunicorn's knobs, from the settings (DIGEST_BIND, DIGEST_WEB_*) unless given."""

    bind: str
    workers: int
    threads: int
    timeout: int

    @classmethod
    def from_settings(cls, **given: object) -> ServeOptions:
        values = {
            "bind": settings.DIGEST_BIND,
            "workers": settings.DIGEST_WEB_WORKERS,
            "threads": settings.DIGEST_WEB_THREADS,
            "timeout": settings.DIGEST_WEB_TIMEOUT,
        }
        values.update({k: v for k, v in given.items() if v is not None})
        options = cls(**values)  # type: ignore[arg-type]
        for name in ("workers", "threads", "timeout"):
            if getattr(options, name) < 1:
                raise ValueError(f"{name}={getattr(options, name)}: use 1 or more")
        return options


def _static_fingerprint() -> str:
    """What the collection is made from: every file the static finders see (name, size,
    modification time) and the storage that writes them."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(b"CompressedManifestStaticFilesStorage\n")
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\t{stat.st_size}\t{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def _fingerprint_file() -> Path:
    return Path(settings.STATIC_ROOT).parent / FINGERPRINT_NAME


def static_is_current() -> bool:
    """True when STATIC_ROOT holds a manifest collected from the apps' files as they are."""
    root = Path(settings.STATIC_ROOT)
    mark = _fingerprint_file()
    return (
        (root / MANIFEST_NAME).is_file()
        and mark.is_file()
        and mark.read_text().strip() == _static_fingerprint()
    )


def _production_env() -> dict[str, str]:
    """This process's environment with the production static storage turned on."""
    return {
        **os.environ,
        "DIGEST_STATIC_MANIFEST": "1",
        "DJANGO_SETTINGS_MODULE": "digest.settings",
    }


def collect_static() -> int:
    """Run ``collectstatic`` with the manifest storage (in a process of its own: this one's
    settings may have the development storage) and remember what it was made from; returns
    how many files the manifest names. Raises RuntimeError with collectstatic's own words.

    Files of an earlier collection stay (no ``--clear``): a page a browser loaded before a
    restart may still ask for them."""
    fingerprint = _static_fingerprint()
    done = subprocess.run(
        [sys.executable, "-m", "digest.cli", "collectstatic", "--no-input", "-v", "0"],
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"collectstatic into {settings.STATIC_ROOT} failed: "
            f"{(done.stderr or done.stdout).strip()[-2000:]}"
        )
    _fingerprint_file().write_text(fingerprint + "\n")
    manifest = json.loads((Path(settings.STATIC_ROOT) / MANIFEST_NAME).read_text())
    return len(manifest.get("paths", {}))


def gunicorn_argv(options: ServeOptions) -> list[str]:
    """gunicorn on digest.wsgi: threads per worker (gthread) keep a slow page from holding a
    whole process; logs go to standard output (the journal under systemd). No control socket:
    gunicorn would put it in the home folder, one per user, shared by every server started."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "digest.wsgi:application",
        "--bind",
        options.bind,
        "--workers",
        str(options.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(options.threads),
        "--timeout",
        str(options.timeout),
        "--graceful-timeout",
        "30",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--no-control-socket",
    ]


def exec_gunicorn(options: ServeOptions) -> None:
    """Become gunicorn (never returns)."""
    argv = gunicorn_argv(options)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, _production_env())
