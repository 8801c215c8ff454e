"""Login with throttling: too many failed attempts from one address, or for one username,
lock that key out for a while (a 429 page), whatever the password.

Counts live in Django's cache; with several web processes, configure a shared cache
(``CACHES``) so they count together.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render

from subscribers.clientaddr import client_address


def _keys(request) -> list[str]:
    address = client_address(request) or "unknown"
    username = (request.POST.get("username") or "").strip().lower()
    keys = [f"login-fail:ip:{address}"]
    if username:
        keys.append(f"login-fail:user:{username}")
    return keys


def throttled(view):
    """Wrap a login view: refuse POSTs from a locked-out key; count failed ones (a failed
    login re-renders the form with 200; a successful one redirects)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        keys = _keys(request)
        limit = settings.DIGEST_LOGIN_MAX_FAILURES
        if any(cache.get(key, 0) >= limit for key in keys):
            minutes = max(1, settings.DIGEST_LOGIN_LOCKOUT_SECONDS // 60)
            return render(request, "registration/throttled.html", {"minutes": minutes}, status=429)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            for key in keys:
                cache.add(key, 0, settings.DIGEST_LOGIN_LOCKOUT_SECONDS)
                cache.incr(key)
        elif response.status_code in (301, 302):
            cache.delete_many(keys[1:])  # a good login clears its username's count
        return response

    return wrapped


login = throttled(auth_views.LoginView.as_view(redirect_authenticated_user=True))
logout = auth_views.LogoutView.as_view(next_page="/desk/login/")
