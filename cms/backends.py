"""The backends that several app machines share: where uploaded photos live (the local
disk, or an S3-compatible bucket) and the cache (this process's memory, or Redis).

Settings call these once; the tests call them too, with the addresses of the servers they
use, so what they check is built exactly as a deployment builds it.

Photos in a bucket are public and their addresses unsigned. A published page is kept by
the page cache and by CDNs for minutes; a signed address expires (and differs on every
render), so a cached page would soon show broken images and no two renders would agree.
Names are random (`blog.images.new_name`), so a draft's photo cannot be found by guessing
and becomes known only to whoever sees the draft. Objects are written with a year-long,
immutable `Cache-Control`: a name is never reused for other bytes.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCAL_CACHE = "django.core.cache.backends.locmem.LocMemCache"
# Django's Redis cache, keeping one client per connection pool (cms/cache.py).
REDIS_CACHE = "cms.cache.RedisCache"
FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"
BUCKET_STORAGE = "storages.backends.s3.S3Storage"

# A health check or a page must not hang on an unreachable bucket or Redis: fail in seconds.
_REDIS_TIMEOUT_SECONDS = 2
_CONNECT_TIMEOUT_SECONDS = 3
_READ_TIMEOUT_SECONDS = 10
_ATTEMPTS = 2


def media_storage(
    backend: str,
    *,
    bucket: str = "",
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    public_url: str = "",
) -> dict:
    """The `STORAGES["default"]` entry for `backend` (a dotted storage class).

    For the S3 backend the bucket settings are required and checked here, so that a
    deployment with a typo fails at start-up rather than at the first upload.
    """
    if backend != BUCKET_STORAGE:
        return {"BACKEND": backend}
    if not bucket:
        raise ImproperlyConfigured("MEDIA_BUCKET must name the bucket for photos.")
    return {
        "BACKEND": BUCKET_STORAGE,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            # Empty: boto3 looks in its usual places (AWS_* variables, an instance role).
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            **_public_address(public_url or bucket_public_url(bucket, endpoint_url, region)),
            "querystring_auth": False,
            # Who may read is the bucket's policy, not a per-object ACL (which AWS
            # disables on new buckets).
            "default_acl": None,
            # Names are random and never reused, so no existence check before a write.
            "file_overwrite": True,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            "client_config": _client_config(path_style=bool(endpoint_url)),
        },
    }


def bucket_public_url(bucket: str, endpoint_url: str, region: str) -> str:
    """Where readers fetch objects when MEDIA_BUCKET_PUBLIC_URL is not set: the bucket
    under its endpoint (path style, as MinIO and most S3-compatible stores serve it), or
    the bucket's own AWS host."""
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{bucket}"
    if region:
        return f"https://{bucket}.s3.{region}.amazonaws.com"
    raise ImproperlyConfigured(
        "Set MEDIA_BUCKET_PUBLIC_URL (or MEDIA_BUCKET_ENDPOINT_URL or MEDIA_BUCKET_REGION): "
        "readers need an address for the photos."
    )


def _public_address(public_url: str) -> dict:
    parts = urlsplit(public_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(
            f"MEDIA_BUCKET_PUBLIC_URL must be an http(s) address, got {public_url!r}"
        )
    # django-storages builds `{url_protocol}//{custom_domain}/{name}`: a path after the
    # host (a bucket served path-style, a CDN prefix) is part of the "domain".
    return {
        "custom_domain": f"{parts.netloc}{parts.path.rstrip('/')}",
        "url_protocol": f"{parts.scheme}:",
    }


def _client_config(*, path_style: bool):
    from botocore.config import Config

    return Config(
        connect_timeout=_CONNECT_TIMEOUT_SECONDS,
        read_timeout=_READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": _ATTEMPTS},
        # S3-compatible stores (MinIO, a test server) answer at one host, the bucket in
        # the path; AWS itself is left to choose.
        s3={"addressing_style": "path" if path_style else "auto"},
    )


def media_origin(storage: dict) -> str | None:
    """The origin photos are loaded from, for the Content Security Policy's img-src;
    None when they come from this site."""
    options = storage.get("OPTIONS", {})
    if "custom_domain" not in options:
        return None
    host = options["custom_domain"].split("/", 1)[0]
    return f"{options['url_protocol']}//{host}"


def cache(redis_url: str) -> dict:
    """The `CACHES["default"]` entry: Redis at `redis_url` (redis://host:6379/0), shared by
    every app machine, or with no URL this process's own memory."""
    if not redis_url:
        return {"BACKEND": LOCAL_CACHE}
    return {
        "BACKEND": REDIS_CACHE,
        "LOCATION": redis_url,
        "OPTIONS": {
            "socket_connect_timeout": _REDIS_TIMEOUT_SECONDS,
            "socket_timeout": _REDIS_TIMEOUT_SECONDS,
        },
    }
