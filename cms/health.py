"""`/healthz`: whether this app machine can serve, for the load balancer and the container
runtime.

Each shared service the site needs is tried for real, cheaply: a query on the database, a
set and get on the cache, and a write, read and delete of a tiny object in the media
storage (a mere existence check would pass against a missing bucket). What failed is
named in the answer; why is logged, not shown, since the endpoint is public.
"""

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

PROBE_DIRECTORY = "health"


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not answer 1")


def cache_round_trip() -> None:
    # A value of our own each time: another machine checking at once cannot answer for us.
    key, token = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, token, timeout=30)
    try:
        if cache.get(key) != token:
            raise RuntimeError("the cache did not return what was just stored")
    finally:
        cache.delete(key)


def storage_round_trip() -> None:
    token = uuid.uuid4().hex.encode()
    name = default_storage.save(f"{PROBE_DIRECTORY}/{uuid.uuid4().hex}.txt", ContentFile(token))
    try:
        with default_storage.open(name) as stored:
            if stored.read() != token:
                raise RuntimeError("the storage did not return what was just written")
    finally:
        default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": database,
    "cache": cache_round_trip,
    "storage": storage_round_trip,
}


@require_safe  # GET and HEAD only: nothing to post, so no CSRF token and no cookie
@never_cache
def healthz(request):
    """200 when every check passes, else 503 naming the failing ones (JSON either way)."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("Health check %r failed", name)
            results[name] = "failing"
        else:
            results[name] = "ok"
    failing = [name for name, result in results.items() if result != "ok"]
    return JsonResponse(
        {"status": "failing" if failing else "ok", "failing": failing, "checks": results},
        status=503 if failing else 200,
    )
