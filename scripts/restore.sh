#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh: the database into DATABASE_URL's database
# (objects that exist are replaced) and the media files into MEDIA_ROOT.
#
#   scripts/restore.sh BACKUP_DIR
#
# Stop the site first (or point DATABASE_URL at a fresh database and switch over after).
# The checksums are verified before anything is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

backup="${1:?usage: scripts/restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to restore into}"
python="${PYTHON:-python3}"
[ -x .venv/bin/python ] && python="${PYTHON:-.venv/bin/python}"
media_root="${MEDIA_ROOT:-$("$python" -c 'import os, django; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings"); django.setup(); from django.conf import settings; print(settings.MEDIA_ROOT)')}"

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --no-privileges --clean --if-exists --exit-on-error \
  --dbname="$DATABASE_URL" "$backup/database.dump"
mkdir -p "$media_root"
tar -C "$media_root" -xzf "$backup/media.tar.gz"
echo "Restored $backup"
