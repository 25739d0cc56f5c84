import ast
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks.registry import registry
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends import console

from blog.checks import check_mail_is_delivered
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


@pytest.mark.parametrize("name", ["LOGIN_FAILURE_LIMIT", "LOGIN_ADDRESS_FAILURE_LIMIT"])
def test_a_login_limit_below_one_stops_the_start(name):
    result = load_settings(DEBUG="1", **{name: "0"})

    assert result.returncode == 1
    assert f"{name} must be 1 or more." in result.stderr


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


SHOW_BACKENDS = """
import json
import cms.settings as s
print(json.dumps({
    "storage": s.STORAGES["default"]["BACKEND"],
    "options": {
        k: v for k, v in s.STORAGES["default"].get("OPTIONS", {}).items() if k != "client_config"
    },
    "img_src": [str(source) for source in s.SECURE_CSP["img-src"]],
    "serve_media": s.SERVE_MEDIA,
    "cache": s.CACHES["default"],
    "sessions": s.SESSION_ENGINE,
}))
"""

BUCKET_ENV = {
    "SECRET_KEY": "k",
    "MEDIA_STORAGE": "storages.backends.s3.S3Storage",
    "MEDIA_BUCKET": "photos",
    "MEDIA_BUCKET_ENDPOINT_URL": "http://minio:9000",
    "MEDIA_BUCKET_ACCESS_KEY_ID": "key",
    "MEDIA_BUCKET_SECRET_ACCESS_KEY": "secret",
}


def backends_for(**env) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MEDIA_", "REDIS_", "CSP_", "SERVE_", "DEBUG", "SECRET_KEY"))
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOW_BACKENDS],
        env=clean | env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1]}
    return json.loads(result.stdout)


def test_photos_are_on_the_local_disk_and_the_cache_in_memory_by_default():
    assert backends_for(SECRET_KEY="k") == {
        "storage": "django.core.files.storage.FileSystemStorage",
        "options": {},
        "img_src": ["'self'", "data:"],
        "serve_media": False,
        "cache": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": "django.contrib.sessions.backends.db",
    }


def test_bucket_settings_make_a_public_s3_storage_and_allow_its_images():
    backends = backends_for(**BUCKET_ENV, MEDIA_BUCKET_PUBLIC_URL="https://media.example.com/p/")

    assert (backends["storage"], backends["options"], backends["img_src"]) == (
        "storages.backends.s3.S3Storage",
        {
            "bucket_name": "photos",
            "endpoint_url": "http://minio:9000",
            "region_name": None,
            "access_key": "key",
            "secret_key": "secret",
            "custom_domain": "media.example.com/p",
            "url_protocol": "https:",
            "querystring_auth": False,
            "default_acl": None,
            "file_overwrite": True,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
        ["'self'", "data:", "https://media.example.com"],
    )


@pytest.mark.parametrize(
    ("env", "custom_domain", "img_src"),
    [
        ({}, "minio:9000/photos", "http://minio:9000"),
        (
            {"MEDIA_BUCKET_ENDPOINT_URL": "", "MEDIA_BUCKET_REGION": "ap-northeast-1"},
            "photos.s3.ap-northeast-1.amazonaws.com",
            "https://photos.s3.ap-northeast-1.amazonaws.com",
        ),
    ],
    ids=["endpoint", "aws-region"],
)
def test_bucket_public_address_defaults_to_the_bucket_itself(env, custom_domain, img_src):
    backends = backends_for(**BUCKET_ENV | env)

    assert (backends["options"]["custom_domain"], backends["img_src"][-1]) == (
        custom_domain,
        img_src,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"MEDIA_BUCKET": ""},
            "MEDIA_BUCKET must name the bucket for photos.",
        ),
        (
            {"MEDIA_BUCKET_ENDPOINT_URL": ""},
            "Set MEDIA_BUCKET_PUBLIC_URL (or MEDIA_BUCKET_ENDPOINT_URL or MEDIA_BUCKET_REGION): "
            "readers need an address for the photos.",
        ),
        (
            {"MEDIA_BUCKET_PUBLIC_URL": "media.example.com"},
            "MEDIA_BUCKET_PUBLIC_URL must be an http(s) address, got 'media.example.com'",
        ),
        (
            {"SERVE_MEDIA": "1"},
            "SERVE_MEDIA serves files from MEDIA_ROOT; photos are elsewhere.",
        ),
    ],
    ids=["no-bucket", "no-address", "bad-address", "serve-media"],
)
def test_incomplete_bucket_settings_stop_the_start(env, message):
    assert backends_for(**BUCKET_ENV | env) == {
        "error": f"django.core.exceptions.ImproperlyConfigured: {message}"
    }


def test_redis_url_shares_the_cache_and_the_sessions():
    backends = backends_for(SECRET_KEY="k", REDIS_URL="redis://redis:6379/0")

    assert (backends["cache"], backends["sessions"]) == (
        {
            "BACKEND": "cms.cache.RedisCache",
            "LOCATION": "redis://redis:6379/0",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        },
        "django.contrib.sessions.backends.cache",
    )


def production_environment() -> dict[str, str]:
    """The environment `.env.example` describes, with a secret key filled in."""
    values = {}
    for line in (Path(__file__).resolve().parent.parent / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    assert values["SECRET_KEY"] == ""  # the one value a deployment must supply
    # Only the project's own variables: nothing from the test run's environment.
    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return kept | values | {"SECRET_KEY": secrets.token_urlsafe(50)}


def run_deploy_check(**overrides) -> subprocess.CompletedProcess:
    env = production_environment() | {"DJANGO_SETTINGS_MODULE": "cms.settings"} | overrides
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_env_example_passes_the_deploy_check():
    result = run_deploy_check()

    assert (result.returncode, result.stdout.strip().splitlines()[-1]) == (
        0,
        "System check identified no issues (0 silenced).",
    )
    assert "WARNING" not in result.stderr.upper()
    assert "ERROR" not in result.stderr.upper()


def test_deploy_check_fails_without_https_settings():
    result = run_deploy_check(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")

    assert result.returncode == 1
    assert "(security.W004)" in result.stderr
    assert "(security.W008)" in result.stderr


class RenamedConsoleBackend(console.EmailBackend):
    """What Django's own check (which compares dotted paths) does not recognise."""


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "tests.test_settings.RenamedConsoleBackend",
    ],
)
def test_mail_check_warns_about_a_backend_that_does_not_deliver(settings, backend):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    settings.MAILERS["notices"] = {"BACKEND": backend}

    found = check_mail_is_delivered(None)

    assert [(message.id, message.msg) for message in found] == [
        (
            "blog.W001",
            f"The 'notices' mailer ({backend}) does not deliver email: review notifications "
            "would never reach anyone.",
        )
    ]


def test_mail_check_accepts_smtp(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}

    assert check_mail_is_delivered(None) == []


def test_mail_check_runs_only_with_deploy():
    assert check_mail_is_delivered in registry.get_checks(include_deployment_checks=True)
    assert check_mail_is_delivered not in registry.get_checks(include_deployment_checks=False)


def test_smtp_settings_come_from_the_environment():
    env = production_environment() | {"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "2525"}
    result = subprocess.run(
        [sys.executable, "-c", "import cms.settings as s; print(s.MAILERS['default'])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert ast.literal_eval(result.stdout.strip()) == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "mail.example.org",
            "port": 2525,
            "username": "reports@example.com",
            "password": "",
            "use_tls": True,
            "timeout": 10,
        },
    }


def test_the_stylesheets_go_to_browsers_in_brotli(tmp_path, settings):
    from django.core.management import call_command
    from django.templatetags.static import static
    from django.test import Client

    from cms import settings as production

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": production.STORAGES["staticfiles"]}
    # The admin's own files are most of the time and none of the question.
    call_command("collectstatic", "--noinput", "--ignore", "admin", verbosity=0)
    stylesheet = static("css/site.css")

    response = Client().get(stylesheet, headers={"accept-encoding": "gzip, deflate, br, zstd"})
    gzipped = Client().get(stylesheet, headers={"accept-encoding": "gzip"})

    assert (response.status_code, response["Content-Encoding"]) == (200, "br")
    assert gzipped["Content-Encoding"] == "gzip"
    assert len(b"".join(response.streaming_content)) < len(b"".join(gzipped.streaming_content))
