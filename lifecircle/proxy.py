"""The client's address behind reverse proxies, for every later use (rate limits, login lockout).

Each proxy appends the address it was connected from to X-Forwarded-For, so the entries a client
can forge are at the left and the ones trusted proxies wrote are at the right. With
``TRUSTED_PROXIES = n`` (the proxies in front of the site), the client is the n-th entry from the
right; the first entry is whatever the client chose to send and is never believed. With 0
(the default) the site is reached directly and the header is ignored. A request that carries
fewer entries than there are proxies did not come through them all; its REMOTE_ADDR is kept.
"""
from django.conf import settings


def client_address(remote_addr, forwarded_for, trusted_proxies):
    """The address to believe, given REMOTE_ADDR, the X-Forwarded-For value and the proxy count."""
    if trusted_proxies <= 0 or not forwarded_for:
        return remote_addr
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if len(entries) < trusted_proxies:
        return remote_addr
    return entries[-trusted_proxies]


class ForwardedForMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = getattr(settings, "TRUSTED_PROXIES", 0)
        if trusted:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted)
        return self.get_response(request)
