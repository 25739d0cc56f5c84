"""Backups: scripts/backup.sh and scripts/restore.sh, tried for real on PostgreSQL.

A published report is backed up, restored into a fresh database and a fresh media
directory, and the restored site serves the same report page, byte for byte, with the
same photo files. PostgreSQL only (pg_dump and pg_restore): deselected on SQLite with a
line saying so; CI runs the suite on PostgreSQL too.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from blog import workflow
from tests.factories import make_event, make_photo, make_report, make_section, make_user

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent

# Renders one page against whatever database the environment names: a separate process,
# so that it reads only what a restore wrote. (The test settings: production's need
# collectstatic first. The page's HTML names photo files; their bytes are compared apart.)
RENDER = """
import django, os, sys
django.setup()
from django.test import Client
response = Client().get(sys.argv[1])
sys.stdout.write(f"{response.status_code}\\n")
sys.stdout.write(response.content.decode())
"""


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )


def run(command: list[str], **environment: str) -> str:
    env = {**os.environ, **environment}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def page(path: str, database: str) -> str:
    html = run(
        [sys.executable, "-c", RENDER, path],
        DJANGO_SETTINGS_MODULE="cms.settings_test",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url(database),
    )
    # What differs between two requests anyway.
    return re.sub(r'(nonce|value)="[A-Za-z0-9_\-+/=]{20,}"', r'\1=""', html)


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restored_backup_serves_the_same_pages(staff_roles, fresh_database, tmp_path):
    editor = make_user("chief", group="Editors")
    report = make_report(event=make_event(name="KubeCon NA"), title="バックアップの確認")
    section = make_section(report, author=editor, heading="節", body="本文です。")
    photo = make_photo(report, in_gallery=True, alt_text="会場")
    workflow.submit(section, by=editor)
    workflow.approve(section, by=editor)
    workflow.publish(report, by=editor)
    media = Path(settings.MEDIA_ROOT)
    original = page(report.get_absolute_url(), connection.settings_dict["NAME"])
    assert original.startswith("200\n") and "会場" in original

    backup = run(
        ["bash", "scripts/backup.sh", str(tmp_path / "backups")],
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        MEDIA_ROOT=str(media),
    ).strip()
    restored_media = tmp_path / "restored-media"
    run(
        ["bash", "scripts/restore.sh", backup],
        DATABASE_URL=database_url(fresh_database),
        MEDIA_ROOT=str(restored_media),
    )

    assert page(report.get_absolute_url(), fresh_database) == original
    assert page("/", fresh_database) == page("/", connection.settings_dict["NAME"])
    for name in photo.stored_names:
        assert (restored_media / name).read_bytes() == (media / name).read_bytes()


def test_a_damaged_backup_is_refused_before_anything_is_touched(
    staff_roles, fresh_database, tmp_path
):
    make_report(title="壊れたバックアップ")
    backup = Path(
        run(
            ["bash", "scripts/backup.sh", str(tmp_path / "backups")],
            DATABASE_URL=database_url(connection.settings_dict["NAME"]),
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
        ).strip()
    )
    with (backup / "database.dump").open("ab") as dump:
        dump.write(b"tampered")

    result = subprocess.run(
        ["bash", "scripts/restore.sh", str(backup)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(fresh_database),
            "MEDIA_ROOT": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # the test database is untouched and answers
    tables = run(
        [
            "psql",
            database_url(fresh_database),
            "-Atc",
            "select count(*) from pg_tables where schemaname = 'public'",
        ]
    )
    assert tables.strip() == "0"
