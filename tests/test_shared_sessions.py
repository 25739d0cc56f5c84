"""Sessions in Redis: a login made through one app process is known to another."""

import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import TEST_REDIS_URL

pytestmark = pytest.mark.django_db

# Another Python process, configured by the production settings from REDIS_URL alone,
# reads the session by its key. Only the key prefix is the test's own.
READ_SESSION_ELSEWHERE = """
import json, sys
import django
from django.conf import settings
django.setup()
settings.CACHES["default"]["KEY_PREFIX"] = sys.argv[1]
from django.contrib.sessions.backends.cache import SessionStore
print(json.dumps({
    "engine": settings.SESSION_ENGINE,
    "user": SessionStore(sys.argv[2]).get("_auth_user_id"),
}))
"""


def log_in(client, username: str):
    response = client.post(
        reverse("admin:login"), {"username": username, "password": "secret-pass", "next": "/"}
    )
    assert response.status_code == 302
    return response.cookies["sessionid"].value


def test_session_made_by_one_process_is_read_by_another_through_redis(client, redis_cache, author):
    import redis

    session_key = log_in(client, "author")

    with redis.Redis.from_url(TEST_REDIS_URL) as redis_client:
        stored = redis_client.exists(
            f"{redis_cache['KEY_PREFIX']}:1:django.contrib.sessions.cache{session_key}"
        )
    other = subprocess.run(
        [sys.executable, "-c", READ_SESSION_ELSEWHERE, redis_cache["KEY_PREFIX"], session_key],
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "SECRET_KEY": "another-process",
            "REDIS_URL": TEST_REDIS_URL,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert (stored, json.loads(other.stdout)) == (
        1,
        {"engine": "django.contrib.sessions.backends.cache", "user": str(author.pk)},
    )


def test_session_in_redis_lets_a_second_client_in_and_nothing_goes_to_the_database(
    client, redis_cache, author
):
    from django.contrib.sessions.models import Session
    from django.test import Client

    second = Client()
    second.cookies["sessionid"] = log_in(client, "author")

    assert (second.get(reverse("admin:index")).status_code, Session.objects.count()) == (200, 0)
