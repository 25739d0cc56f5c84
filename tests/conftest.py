import gc
import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.utils import translation

from tests.factories import make_user
from tests.servers import Bucket, free_port, public_read_policy, wait_for_port

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session", autouse=True)
def close_redis_connections_left_open():
    """At the end of the run, close any connection to Redis a test left open, and say so.

    A socket left to the garbage collector is closed whenever it runs; past the last test
    that is while pytest shuts down, where the warning fails the run (twice in CI at this
    stop, always after every test had passed). The names printed are the trail. The one
    source found (tests/test_watched_counter.py's faked fork, after which redis-py's pools
    forget their connections) now closes them itself; a full run prints nothing.
    """
    yield
    import redis

    left_open = [
        connection
        for connection in gc.get_objects()
        # type(), not isinstance(): that would ask lazy objects their class, evaluating them.
        if issubclass(type(connection), redis.connection.AbstractConnection)
        and getattr(connection, "_sock", None) is not None
    ]
    for connection in left_open:
        connection.disconnect()
    if left_open:
        names = sorted({str(getattr(connection, "client_name", None)) for connection in left_open})
        print(f"\nclosed {len(left_open)} Redis connection(s) the tests left open: {names}")


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language.

    A request in English switches the test thread to English and nothing switches it
    back, so without this a later test would see English messages.
    """
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with nothing in the cache.

    The test database is emptied between tests but the cache (this process's memory)
    is not: a page kept by one test would otherwise be served to the next.
    """
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fresh_content_types():
    """Forget content type ids cached by an earlier test.

    A transactional test (the browser tests) empties every table afterwards and the
    content types come back under new ids, while Django's cache of them lives on in the
    process: a revision or an admin log entry written with a cached id then breaks its
    foreign key at commit.
    """
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture
def staff_roles(db):
    """The Writers and Editors groups, as the data migration makes them.

    Transactional tests (the browser tests) empty every table between tests,
    groups included, so they ask for the roles to be made again.
    """
    from django.apps import apps

    migration = importlib.import_module("blog.migrations.0002_staff_roles")
    migration.create_roles(apps, schema_editor=None)


@pytest.fixture
def author(db):
    return make_user("author", group="Writers")


@pytest.fixture
def coauthor(db):
    return make_user("coauthor", group="Writers")


@pytest.fixture
def editor(db):
    return make_user("editor", group="Editors")


@pytest.fixture
def outsider(db):
    """Logged in, but neither writer nor editor."""
    return make_user("outsider")


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", password="secret-pass")


# Browser tests: Debian's Chromium, never a downloaded browser build.
# Accessibility and HTML checks: axe-core and the Nu HTML Checker from npm (`npm ci`),
# the checker run by the system's Java.

ROOT = Path(__file__).resolve().parent.parent
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Playwright's sync API keeps an event loop running in the test thread, which
# makes Django refuse ORM calls there; the tests themselves are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Redis for the tests of the shared cache and sessions: the machine's own (CI starts it),
# or another by TEST_REDIS_URL. Each test writes under keys of its own and never flushes.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


def _missing_tools() -> dict[str, str]:
    """For each marker whose tool is absent, why its tests cannot run here."""
    missing = {}
    if not _reachable(TEST_REDIS_URL):
        missing["redis"] = f"no Redis answers at {TEST_REDIS_URL} (set TEST_REDIS_URL)"
    if not shutil.which("docker-compose"):
        missing["compose"] = "docker-compose is not installed (apt-get install docker-compose)"
    if not shutil.which(CHROMIUM):
        missing["browser"] = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if not AXE_SCRIPT.exists():
        missing["axe"] = "axe-core is not installed (npm ci)"
    if not VNU_JAR.exists() or not shutil.which("java"):
        missing["vnu"] = "the Nu HTML Checker needs `npm ci` and Java 17 (default-jre-headless)"
    return missing


def pytest_collection_modifyitems(config, items):
    _leave_postgresql_tests_to_postgresql(config, items)
    for item in items:
        if "redis_cache" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.redis)
    missing = {
        marker: reason
        for marker, reason in _missing_tools().items()
        if any(item.get_closest_marker(marker) for item in items)
    }
    if not missing:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run every test: {'; '.join(missing.values())}.")
    for marker, reason in missing.items():
        print(f"\n{reason}; {marker} tests skipped")
        for item in items:
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


def _leave_postgresql_tests_to_postgresql(config, items) -> None:
    """Tests of row locks between connections run in the PostgreSQL pass of the suite
    (`.ci/run` runs both); on SQLite they are deselected, not skipped, with a line saying so."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    elsewhere = [item for item in items if item.get_closest_marker("postgresql")]
    if elsewhere:
        print(
            f"\n{len(elsewhere)} PostgreSQL-only tests deselected on {connection.vendor}: "
            "run with DATABASE_URL=postgres://... (CI does)"
        )
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The site answers in the browser's language; our readers' browsers ask for Japanese.
    return {**browser_context_args, "locale": "ja-JP"}


# --- Shared services: an S3 API server and Redis --------------------------------------------


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 API server (from PyPI), in a process of its own on a free loopback port:
    the storage talks real HTTP to it, as it would to MinIO or AWS."""
    port = free_port()
    log = (tmp_path_factory.mktemp("s3") / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def bucket(s3_server, settings):
    """A fresh bucket on the S3 server, made the default storage as the settings make it
    from MEDIA_STORAGE and MEDIA_BUCKET_* (cms.backends.media_storage)."""
    import boto3

    from cms import backends

    name = f"photos-{uuid.uuid4().hex[:12]}"
    credentials = {"access_key": "test-key", "secret_key": "test-secret", "region": "us-east-1"}
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=credentials["region"],
        aws_access_key_id=credentials["access_key"],
        aws_secret_access_key=credentials["secret_key"],
    )
    client.create_bucket(Bucket=name)
    # Readers fetch photos anonymously, as from the bucket a deployment makes public.
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": backends.media_storage(
            backends.BUCKET_STORAGE, bucket=name, endpoint_url=s3_server, **credentials
        ),
    }
    return Bucket(name=name, public_url=f"{s3_server}/{name}", client=client)


@pytest.fixture
def redis_cache(settings):
    """The cache and the sessions in Redis, as REDIS_URL makes them, under keys no other
    test (or other test run on the same Redis) uses."""
    import redis

    from cms import backends

    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {**backends.cache(TEST_REDIS_URL), "KEY_PREFIX": prefix}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    yield settings.CACHES["default"]
    for cache in caches.all(initialized_only=True):
        cache.close_connections()
    with redis.Redis.from_url(TEST_REDIS_URL) as client:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
