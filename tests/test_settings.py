import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.env import env_bool, env_int, env_list


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False), (" TRUE ", True)]
)
def test_env_bool_understands_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)

    assert env_bool("FLAG") is expected


def test_env_bool_rejects_junk(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        env_bool("FLAG")


def test_env_int_rejects_junk(monkeypatch):
    monkeypatch.setenv("NUMBER", "ten")

    with pytest.raises(ImproperlyConfigured, match="NUMBER must be a whole number"):
        env_int("NUMBER", 1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")

    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def load_settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import cms.settings as s; print(s.DATABASES['default']['ENGINE'])"],
        env=clean | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings()

    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_database_url_selects_postgresql():
    result = load_settings(SECRET_KEY="k", DATABASE_URL="postgres://u@127.0.0.1:5432/db")

    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_sqlite_is_the_default_database():
    result = load_settings(SECRET_KEY="k", DATABASE_URL="")

    assert result.stdout.strip() == "django.db.backends.sqlite3"
