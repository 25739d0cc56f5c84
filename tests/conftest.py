import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.utils import translation

from tests.factories import make_user

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language.

    A request in English switches the test thread to English and nothing switches it
    back, so without this a later test would see English messages.
    """
    yield
    translation.deactivate()


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


def _missing_tools() -> dict[str, str]:
    """For each marker whose tool is absent, why its tests cannot run here."""
    missing = {}
    if not shutil.which(CHROMIUM):
        missing["browser"] = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if not AXE_SCRIPT.exists():
        missing["axe"] = "axe-core is not installed (npm ci)"
    if not VNU_JAR.exists() or not shutil.which("java"):
        missing["vnu"] = "the Nu HTML Checker needs `npm ci` and Java 17 (default-jre-headless)"
    return missing


def pytest_collection_modifyitems(config, items):
    _leave_postgresql_tests_to_postgresql(config, items)
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
