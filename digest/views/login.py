"""Login with throttling that stops guessing without letting anyone lock editors out.

Failures are counted per (username, client address) and per client address, never per
username alone: the desk shows editors' usernames, and a count per username would let anyone,
from anywhere, lock an editor out (and, on a list that needs approval, stop the morning
edition). So:

- ``DIGEST_LOGIN_MAX_FAILURES`` failures for one username from one address lock that username
  at that address; the editor still logs in from anywhere else;
- ``DIGEST_LOGIN_MAX_FAILURES_PER_ADDRESS`` failures from one address, whatever the names,
  lock that address (guessing across many usernames).

A lockout lasts ``DIGEST_LOGIN_LOCKOUT_SECONDS`` from the failure that reached the limit and
answers a 429 page, whatever the password. A good login clears its own (username, address)
count, not the address's: a valid account must not reset a guesser's count. The client address
is ``subscribers.clientaddr.client_address`` (proxies counted from DIGEST_TRUSTED_PROXIES).

Counts live in Django's cache; with several web processes, configure a shared cache
(``CACHES``) so they count together.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render

from subscribers.clientaddr import client_address


def _keys(request) -> tuple[str, str]:
    """(the username-at-address key, the address key)."""
    address = client_address(request) or "unknown"
    username = (request.POST.get("username") or "").strip().lower()
    # Hashed: a username may hold characters or a length no cache backend takes in a key.
    user = hashlib.sha256(username.encode()).hexdigest()[:32]
    return f"login-fail:user-at:{address}:{user}", f"login-fail:ip:{address}"


def _limits() -> tuple[int, int]:
    return settings.DIGEST_LOGIN_MAX_FAILURES, settings.DIGEST_LOGIN_MAX_FAILURES_PER_ADDRESS


def _count_failure(key: str, limit: int) -> None:
    lockout = settings.DIGEST_LOGIN_LOCKOUT_SECONDS
    cache.add(key, 0, lockout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, lockout)
        count = 1
    if count >= limit:
        cache.touch(key, lockout)  # locked for the full time from this failure


def throttled(view):
    """Wrap a login view: refuse POSTs from a locked-out pair or address; count failed ones
    (a failed login re-renders the form with 200; a successful one redirects)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        keys = _keys(request)
        limits = _limits()
        counts = cache.get_many(keys)
        if any(counts.get(key, 0) >= limit for key, limit in zip(keys, limits, strict=True)):
            minutes = max(1, settings.DIGEST_LOGIN_LOCKOUT_SECONDS // 60)
            return render(request, "registration/throttled.html", {"minutes": minutes}, status=429)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            for key, limit in zip(keys, limits, strict=True):
                _count_failure(key, limit)
        elif response.status_code in (301, 302):
            cache.delete(keys[0])  # a good login clears its own username-at-address count
        return response

    return wrapped


login = throttled(auth_views.LoginView.as_view(redirect_authenticated_user=True))
logout = auth_views.LogoutView.as_view(next_page="/desk/login/")
