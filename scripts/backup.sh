#!/usr/bin/env bash
# Back up the site for production: the PostgreSQL database (pg_dump's custom format) and
# the uploaded media, into a new directory named after the time, with checksums.
#
#   scripts/backup.sh [BACKUP_ROOT]        (default: ./backups)
#
# Reads DATABASE_URL (postgres://user:password@host:port/name) and MEDIA_ROOT from the
# environment; without MEDIA_ROOT it asks the site's settings. Prints the new directory.
# Restore with scripts/restore.sh. A dump taken while the site runs is consistent (one
# snapshot); media files are copied after it, so a photo uploaded in between is in the
# media archive without its row, which is harmless.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh backs up PostgreSQL; DATABASE_URL is not a postgres:// URL" >&2; exit 2 ;;
esac
python="${PYTHON:-python3}"
[ -x .venv/bin/python ] && python="${PYTHON:-.venv/bin/python}"
media_root="${MEDIA_ROOT:-$("$python" -c 'import os, django; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings"); django.setup(); from django.conf import settings; print(settings.MEDIA_ROOT)')}"

target="${1:-backups}/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$target"
pg_dump --format=custom --no-owner --no-privileges --file="$target/database.dump" "$DATABASE_URL"
mkdir -p "$media_root"
tar -C "$media_root" -czf "$target/media.tar.gz" .
(cd "$target" && sha256sum database.dump media.tar.gz > SHA256SUMS)
echo "$target"
