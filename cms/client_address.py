"""The address a request came from, for login throttling.

Behind reverse proxies REMOTE_ADDR is the nearest proxy's address, shared by every
client, so throttling by it would let anyone lock everybody out. Each proxy appends the
address it received the request from to X-Forwarded-For; only the entries appended by
our own proxies can be trusted (a client may send the header already filled with
anything), so the client is the entry `TRUSTED_PROXY_COUNT` places from the right. With
no proxy configured the header is ignored, as anybody could have written it.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        # Fewer entries than proxies: the request did not come the way we were told
        # (or a proxy is misconfigured); the nearest address is all we know.
        return remote
    return forwarded[-proxies]
