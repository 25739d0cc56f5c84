import importlib
import os
import shutil

import pytest

from tests.factories import make_user

CHROMIUM = "/usr/bin/chromium"


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

# Playwright's sync API keeps an event loop running in the test thread, which
# makes Django refuse ORM calls there; the tests themselves are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or not any("browser" in item.keywords for item in items):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs {CHROMIUM} for the browser tests; it is not installed.")
    reason = f"{CHROMIUM} is not installed (apt-get install chromium); browser tests skipped"
    print(f"\n{reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


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
