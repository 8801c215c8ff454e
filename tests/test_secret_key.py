"""The secret key: never the development key in production, written once at install, rotated
with fallbacks so links already sent keep working."""

from __future__ import annotations

import secrets
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from digest import secretkey
from subscribers import tokens
from subscribers.models import MailingList, Subscriber, Subscription

from .settings_probe import clean_env, load_settings, run_digest


def _write_key(home) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "digest.secretkey"],
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


@pytest.mark.parametrize("key", ["", secretkey.DEVELOPMENT_KEY])
def test_with_debug_off_a_missing_or_development_key_refuses_to_start(tmp_path, key):
    env = clean_env(tmp_path, DJANGO_SECRET_KEY=key)
    result = run_digest(env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "python -m digest.secretkey" in result.stderr
    assert "Traceback" not in result.stderr  # one clear line, not a stack
    # The WSGI entry point (what gunicorn loads) refuses too.
    wsgi = subprocess.run(
        [sys.executable, "-c", "import digest.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wsgi.returncode != 0 and "DJANGO_SECRET_KEY" in wsgi.stderr


def test_the_development_key_is_only_for_debug(monkeypatch, tmp_path):
    assert load_settings(monkeypatch, tmp_path, DJANGO_DEBUG="1")["SECRET_KEY"] == (
        secretkey.DEVELOPMENT_KEY
    )
    with pytest.raises(ImproperlyConfigured, match="is not set"):
        load_settings(monkeypatch, tmp_path, DJANGO_DEBUG="0")
    with pytest.raises(ImproperlyConfigured, match="development key"):
        load_settings(monkeypatch, tmp_path, DJANGO_SECRET_KEY=secretkey.DEVELOPMENT_KEY)


def test_install_writes_a_random_key_once_and_never_replaces_it(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SITE_URL=https://news.example.com")  # no final newline
    first = _write_key(tmp_path)
    assert "wrote a new random DJANGO_SECRET_KEY" in first.stdout
    text = env_file.read_text()
    assert text.startswith("SITE_URL=https://news.example.com\n")
    (key,) = [line.split("=", 1)[1] for line in text.splitlines() if line.startswith("DJANGO_")]
    assert len(key) >= 50 and key != secretkey.DEVELOPMENT_KEY
    again = _write_key(tmp_path)
    assert again.stdout == "" and env_file.read_text() == text
    # The key in .env is what a server then runs on, with no key in the environment.
    result = run_digest(
        clean_env(tmp_path),
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == key


def test_a_new_env_file_is_private_and_a_key_in_the_environment_is_left_alone(tmp_path):
    _write_key(tmp_path)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    elsewhere = tmp_path / "set-by-systemd"
    elsewhere.mkdir()
    subprocess.run(
        [sys.executable, "-m", "digest.secretkey"],
        env=clean_env(elsewhere, DJANGO_SECRET_KEY=secrets.token_urlsafe(50)),
        check=True,
        timeout=60,
    )
    assert not (elsewhere / ".env").exists()


def test_fallback_keys_come_from_the_environment(monkeypatch, tmp_path):
    loaded = load_settings(
        monkeypatch,
        tmp_path,
        DJANGO_SECRET_KEY="new-" + "n" * 50,
        DJANGO_SECRET_KEY_FALLBACKS=" old-2" + "o" * 50 + " , old-1" + "o" * 50 + ",",
    )
    assert loaded["SECRET_KEY_FALLBACKS"] == ["old-2" + "o" * 50, "old-1" + "o" * 50]


@pytest.mark.django_db
def test_a_link_signed_with_the_old_key_still_opens_after_a_rotation(settings):
    mailing_list = MailingList.objects.create(
        name="Morning", slug="morning-en", from_email="m@news.example.com"
    )
    reader = Subscriber.objects.create(email="grace@example.com")
    Subscription.objects.create(subscriber=reader, mailing_list=mailing_list, status="confirmed")
    old, new = "old-" + "o" * 50, "new-" + "n" * 50
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old, []
    sent = tokens.make_token(tokens.PREFERENCES, reader.pk, mailing_list.pk)
    settings.SECRET_KEY = new  # rotated without a fallback: the emails already sent break
    assert Client().get(f"/preferences/{sent}/").status_code == 400
    settings.SECRET_KEY_FALLBACKS = [old]
    page = Client().get(f"/preferences/{sent}/")
    assert page.status_code == 200 and b"grace@example.com" in page.content
    # New links are signed with the new key only.
    fresh = tokens.make_token(tokens.PREFERENCES, reader.pk, mailing_list.pk)
    settings.SECRET_KEY_FALLBACKS = []
    assert Client().get(f"/preferences/{fresh}/").status_code == 200
