"""Settings for app servers that a test starts in processes of their own (gunicorn).

The test settings, with the page cache on (unless PAGE_CACHE=0: then only the report
page's fragments are kept) in the Redis and key prefix the test chose, and the test's
database (DATABASE_URL names it).
"""

import os

from cms import backends
from cms.settings_test import *  # noqa: F403

PAGE_CACHE_ENABLED = os.environ.get("PAGE_CACHE", "1") == "1"
FRAGMENT_CACHE_ENABLED = True
CACHES = {
    "default": {
        **backends.cache(os.environ["REDIS_URL"]),
        "KEY_PREFIX": os.environ["CACHE_KEY_PREFIX"],
    }
}
