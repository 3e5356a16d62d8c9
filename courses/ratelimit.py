"""A per-address, per-minute request counter in the cache (Redis in production, so it holds
across workers), for public lookups that must not be enumerable."""

from django.core.cache import cache
from django.utils import timezone


def over_limit(request, scope, per_minute):
    """Count this request for its client address; True once the minute's count passes
    `per_minute`."""
    address = request.META.get("REMOTE_ADDR", "unknown")
    key = f"lantern:{scope}:{address}:{int(timezone.now().timestamp() // 60)}"
    added = cache.add(key, 1, timeout=90)
    count = 1 if added else cache.incr(key)
    return count > per_minute
