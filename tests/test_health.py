"""`/healthz`, as a load balancer and the container runtime ask it: each shared service up,
then each one down in turn."""

import time

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from cms import backends
from tests.servers import free_port

pytestmark = pytest.mark.django_db

HEALTHZ = reverse("healthz")
ALL_OK = {
    "status": "ok",
    "failing": [],
    "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
}


def failing(component: str) -> dict:
    checks = dict.fromkeys(["database", "cache", "storage"], "ok") | {component: "failing"}
    return {"status": "failing", "failing": [component], "checks": checks}


def unreachable_bucket_storage() -> dict:
    """An S3 storage whose endpoint is a loopback port nothing listens on."""
    return backends.media_storage(
        backends.BUCKET_STORAGE,
        bucket="photos",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region="us-east-1",
        access_key="k",
        secret_key="s",
    )


def test_health_is_ok_on_the_default_backends(client):
    response = client.get(HEALTHZ)

    assert (response.status_code, response.json()) == (200, ALL_OK)


def test_health_answers_head_and_refuses_post(client):
    assert (client.head(HEALTHZ).status_code, client.post(HEALTHZ).status_code) == (200, 405)


def test_health_is_never_cached_and_sets_no_cookie(client):
    response = client.get(HEALTHZ)

    assert response.cookies == {}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert response["Content-Type"] == "application/json"


def test_health_is_not_in_the_sitemap(client):
    assert "healthz" not in client.get("/sitemap.xml").content.decode()


def test_health_is_ok_with_redis_and_a_bucket_and_leaves_nothing_behind(
    client, redis_cache, bucket
):
    import redis

    response = client.get(HEALTHZ)

    with redis.Redis.from_url(redis_cache["LOCATION"]) as leftover:
        keys = list(leftover.scan_iter(f"{redis_cache['KEY_PREFIX']}:*"))
    assert (response.status_code, response.json(), bucket.keys(), keys) == (200, ALL_OK, set(), [])


def test_health_names_the_database_when_it_is_down(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get(HEALTHZ)

    assert (response.status_code, response.json()) == (503, failing("database"))


def test_health_names_the_cache_when_redis_is_down(client, settings):
    settings.CACHES = {"default": backends.cache(f"redis://127.0.0.1:{free_port()}/0")}
    started = time.monotonic()

    response = client.get(HEALTHZ)

    assert (response.status_code, response.json()) == (503, failing("cache"))
    assert time.monotonic() - started < 5


def test_health_names_the_storage_when_the_bucket_is_unreachable(client, settings):
    settings.STORAGES = {**settings.STORAGES, "default": unreachable_bucket_storage()}
    started = time.monotonic()

    response = client.get(HEALTHZ)

    assert (response.status_code, response.json()) == (503, failing("storage"))
    assert time.monotonic() - started < 5


def test_health_names_the_storage_when_the_bucket_does_not_exist(client, settings, bucket):
    bucket.client.delete_bucket(Bucket=bucket.name)

    response = client.get(HEALTHZ)

    assert (response.status_code, response.json()) == (503, failing("storage"))
