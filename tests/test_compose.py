"""docker-compose.yml, as Debian's `docker-compose config` reads it: two app containers
behind one port, sharing PostgreSQL, Redis and an S3-compatible bucket, nothing on their
own disks. (No Docker engine is needed to check this; running it is README's business.)"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.compose


@pytest.fixture(scope="module")
def compose(tmp_path_factory) -> dict:
    # An empty env file: a developer's own .env must not change what is checked.
    no_env_file = tmp_path_factory.mktemp("compose") / "empty.env"
    no_env_file.touch()
    result = subprocess.run(
        ["docker-compose", "--env-file", str(no_env_file), "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "SECRET_KEY": "compose-check"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def app_services(compose: dict) -> dict[str, dict]:
    return {
        name: service
        for name, service in compose["services"].items()
        if "gunicorn" in str(service.get("command", ""))
    }


def test_two_app_containers_run_gunicorn_and_check_their_health(compose):
    apps = app_services(compose)

    assert sorted(apps) == ["app1", "app2"]
    for service in apps.values():
        assert "/healthz" in " ".join(service["healthcheck"]["test"])
        assert service.get("volumes", []) == []  # nothing kept on the app's own disk


def test_apps_share_postgresql_redis_and_the_bucket(compose):
    services = compose["services"]
    environments = [service["environment"] for service in app_services(compose).values()]

    assert environments[0] == environments[1]
    env = environments[0]
    assert (
        env["DATABASE_URL"].split("@")[1],
        env["REDIS_URL"],
        env["MEDIA_STORAGE"],
        env["MEDIA_BUCKET_ENDPOINT_URL"],
        env["MEDIA_BUCKET_PUBLIC_URL"],
        env["SECRET_KEY"],
    ) == (
        "db:5432/confreport",
        "redis://redis:6379/0",
        "storages.backends.s3.S3Storage",
        "http://minio:9000",
        "http://127.0.0.1:8000/media",
        "compose-check",
    )
    assert (
        services["db"]["image"].split(":")[0],
        services["redis"]["image"].split(":")[0],
        services["minio"]["image"],
        services["bucket"]["depends_on"]["minio"]["condition"],
    ) == ("postgres", "redis", "minio/minio", "service_healthy")
    # The bucket the apps write to is the one made at start, and readers may fetch from it.
    assert (
        f"mc mb --ignore-existing store/{env['MEDIA_BUCKET']}",
        f"mc anonymous set download store/{env['MEDIA_BUCKET']}",
    ) == tuple(
        re.findall(r"mc (?:mb|anonymous)[^&]*?store/\w+", " ".join(services["bucket"]["command"]))
    )


def test_apps_wait_for_migrations_redis_and_the_bucket(compose):
    for service in app_services(compose).values():
        assert service["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "redis": {"condition": "service_healthy"},
            "bucket": {"condition": "service_completed_successfully"},
        }


def test_one_port_balances_both_apps_and_serves_the_bucket(compose):
    proxy = compose["services"]["proxy"]
    config = (ROOT / "deploy" / "nginx.conf").read_text()

    assert proxy["ports"] == ["127.0.0.1:8000:80/tcp"]
    assert proxy["volumes"][0].endswith("deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro")
    assert re.findall(r"server (\S+) ", config) == ["app1:8000", "app2:8000"]
    assert "proxy_pass http://minio:9000/media/;" in config


def test_the_apps_environment_is_accepted_by_the_settings(compose):
    env = next(iter(app_services(compose).values()))["environment"]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import cms.settings as s; print(s.STORAGES['default']['BACKEND'], s.SESSION_ENGINE)",
        ],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **{key: str(value) for key, value in env.items()}},
        capture_output=True,
        text=True,
        check=False,
    )

    assert (result.returncode, result.stdout.split()) == (
        0,
        ["storages.backends.s3.S3Storage", "django.contrib.sessions.backends.cache"],
    ), result.stderr
