"""The secret key: which one the settings may use, and a random one written once into ``.env``.

The key signs every reader's confirm, unsubscribe and preferences link: whoever knows it can
open any reader's preferences, join anyone to any list or unsubscribe them. So a server with
DEBUG off never runs on the development key committed here, and never without a key: the
settings refuse to load, naming what to do. ``make install`` (and ``make demo``,
``make serve``) run ``python -m digest.secretkey``, which writes a random key into the ``.env``
at DIGEST_HOME the first time and leaves an existing key alone ever after. The test suite
signs with a key of its own (pyproject's pytest ``env``).

This module needs no Django settings: it runs before there is a key to load them with.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import dotenv_values

NAME = "DJANGO_SECRET_KEY"
# Only ever used with DJANGO_DEBUG on (a developer's machine); refused everywhere else.
DEVELOPMENT_KEY = "digest-insecure-development-key-change-me"


def choose(configured: str, *, debug: bool) -> str:
    """The key the settings use: the configured one; the development key only under DEBUG.

    Raises ImproperlyConfigured, with the remedy in its message, when DEBUG is off and the
    key is missing or is the development key.
    """
    if configured and configured != DEVELOPMENT_KEY:
        return configured
    if debug:
        return DEVELOPMENT_KEY
    problem = "is not set" if not configured else "is the development key from the repository"
    raise ImproperlyConfigured(
        f"{NAME} {problem}, and DJANGO_DEBUG is off: every reader's links would be signed "
        f"with a key others can know. Run `python -m digest.secretkey` (`make install` does) "
        f"to write a random key into {home() / '.env'}, or set {NAME} in the environment."
    )


def _new_key() -> str:
    """67 URL-safe characters: no quoting, '#' or '$' for a .env file or a shell to mangle."""
    return secrets.token_urlsafe(50)


def home() -> Path:
    """DIGEST_HOME as the settings read it: where ``.env`` lives."""
    default = Path(__file__).resolve().parent.parent
    return Path(os.environ.get("DIGEST_HOME") or default).resolve()


def _ensure(env_file: Path) -> bool:
    """Append a random key to ``env_file`` unless a key is already set there or in the
    environment; True if one was written. Never replaces a key: links already sent must keep
    working (rotate with DJANGO_SECRET_KEY_FALLBACKS instead)."""
    if os.environ.get(NAME, "").strip():
        return False
    existing = ""
    if env_file.exists():
        if (dotenv_values(env_file).get(NAME) or "").strip():
            return False
        existing = env_file.read_text(encoding="utf-8")
    env_file.parent.mkdir(parents=True, exist_ok=True)
    # Created readable by its owner only: the key is a password.
    fd = os.open(env_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        if existing and not existing.endswith("\n"):
            f.write("\n")
        f.write("# Signs readers' links; written by `python -m digest.secretkey`. Keep it.\n")
        f.write(f"{NAME}={_new_key()}\n")
    return True


def main() -> None:
    env_file = home() / ".env"
    if _ensure(env_file):
        print(f"wrote a new random {NAME} to {env_file}")


if __name__ == "__main__":
    main()
