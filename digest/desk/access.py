"""Who may use the desk: members of the ``editors`` group, and admins (superusers)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

EDITORS_GROUP = "editors"  # created by migration 0006


def _is_editor(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=EDITORS_GROUP).exists()


def editor_required(view):
    """Anonymous visitors go to the login page; logged-in non-editors get a 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _is_editor(request.user):
            raise PermissionDenied("the desk is for editors")
        return view(request, *args, **kwargs)

    return login_required(wrapped)
