"""A per-client counter in Django's cache: how many subscribe requests an address may make.

The default cache is per process; a deployment with several web processes configures a shared
cache (``CACHES``, e.g. the database cache) so the limit holds across them.
"""

from __future__ import annotations

from django.core.cache import cache


def allow(key: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one attempt; False once ``limit`` attempts were made within the window."""
    cache_key = f"ratelimit:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
