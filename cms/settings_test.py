"""Settings for the test suite: the production settings with test-only speed-ups."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("SECURE_COOKIES", "0")

from cms.settings import *  # noqa: F403

# A test runs inside one transaction that is never committed, and the page cache empties
# itself only when a change is committed: tests/test_page_cache.py turns it on and commits
# (`django_capture_on_commit_callbacks`). Every page here is rendered afresh.
PAGE_CACHE_ENABLED = False
FRAGMENT_CACHE_ENABLED = False

# Hashing passwords slowly is the point in production and pure waste in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEST_FILES = Path(tempfile.mkdtemp(prefix="confreport-test-"))  # noqa: F405
MEDIA_ROOT = TEST_FILES / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The manifest storage needs collectstatic first; tests use the source files.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test process keeps its own cache and database sessions, whatever REDIS_URL says:
# tests that need Redis point at it themselves (tests/test_shared_services.py).
CACHES = {"default": backends.cache("")}  # noqa: F405
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Browser tests look at uploaded photos, so the live server serves media as in development.
SERVE_MEDIA = True
# Serve static files from the source folders, as in development (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The live server answers each request on a new thread; persistent connections
# would be left open on those threads when they end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Django never closes connections to an in-memory SQLite database, so the
    # live server's request threads would leak theirs; a file closes cleanly.
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_FILES / "db.sqlite3")}  # noqa: F405
