"""``/healthz``: one JSON answer for monitors (uptime checks, load balancers), no login."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import health


@require_GET
@never_cache
def healthz(request):
    """200 when healthy, 503 when the database is unreachable or an expected scheduler has
    not been heard from in time (see ``digest.health``)."""
    healthy, body = health.report()
    return JsonResponse(body, status=200 if healthy else 503)
