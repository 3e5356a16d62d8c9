"""Per-client, per-minute request counters in the cache (Redis in production, so that they
hold across workers and servers), for public lookups that must not be enumerable.

The client is the address the trusted proxies saw (`client_address`), so that behind a TLS
proxy each visitor has their own count rather than all sharing the proxy's.
"""

import ipaddress

from django.core.cache import cache
from django.utils import timezone

from courses import conf


def _clean(raw):
    raw = (raw or "").strip()
    if raw.startswith("[") and "]" in raw:  # [IPv6]:port
        raw = raw[1 : raw.index("]")]
    elif raw.count(":") == 1:  # IPv4:port
        raw = raw.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def client_address(request):
    """The client's address. With LANTERN_TRUSTED_PROXY_COUNT = n > 0, the n-th address from
    the right of X-Forwarded-For (the one the outermost trusted proxy received the request
    from); addresses further left were written by the client and are never trusted. Without
    trusted proxies, or when the header is missing or malformed, REMOTE_ADDR."""
    count = conf.trusted_proxy_count()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= count:
            address = _clean(hops[-count])
            if address:
                return address
    return _clean(request.META.get("REMOTE_ADDR")) or "unknown"


def _key(request, scope):
    minute = int(timezone.now().timestamp() // 60)
    return f"lantern:{scope}:{client_address(request)}:{minute}"


def count(request, scope):
    """Count this request for its client in this minute; the minute's count so far."""
    key = _key(request, scope)
    if cache.add(key, 1, timeout=90):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=90)
        return 1


def current(request, scope):
    """This minute's count for the client, without counting this request."""
    return cache.get(_key(request, scope), 0)


def over_limit(request, scope, per_minute):
    """Count this request; True once the minute's count passes `per_minute`."""
    return count(request, scope) > per_minute
