#!/usr/bin/env bash
# Follows docs/operations.md "Backups and restore" and checks that the data came back:
#  1. SQLite (embedded default): stop, archive the data folder, lose it, restore it.
#  2. SQLite online copy: the backup API while the app could be running, then restore.
#  3. PostgreSQL (when 127.0.0.1:5432 answers): pg_dump -Fc, createdb, pg_restore into a
#     scratch database, media folder archived and restored.
# Each time: the demo's data, uploaded files and the secret key (a value signed before the
# backup still verifies) are fingerprinted before and after, and must be identical.
# Scratch PostgreSQL databases: ${LANTOA_RESTORE_DB:-lantoa_restore_check}_{src,dst}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="$ROOT/.venv/bin/python"
LANTOA="$ROOT/.venv/bin/lantoa"
WORK="$(mktemp -d /tmp/lantoa-restore-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
unset DATABASE_URL REDIS_URL
export DJANGO_SETTINGS_MODULE=lantoa.config.settings.base
export LANTOA_EMAIL_URL=console://   # nothing is sent: the demo never e-mails

fingerprint() { "$PY" scripts/fingerprint.py "$PROBE"; }
same() {
  if ! diff -u "$1" "$2" >"$WORK/diff.txt"; then
    echo "KHÔI PHỤC SAI ($3): dữ liệu khác trước khi sao lưu"; head -40 "$WORK/diff.txt"; exit 1
  fi
  grep -q '"signed_probe_ok": true' "$2" || { echo "KHÔI PHỤC SAI ($3): mất khóa bí mật"; exit 1; }
  echo "  ok  $3: $(grep -c '"rows"' "$2") bảng, các tệp tải lên và khóa bí mật giống hệt trước khi sao lưu"
}

echo "==> SQLite: dữ liệu mẫu trong thư mục dữ liệu"
export LANTOA_DATA_DIR="$WORK/srv/data"
"$LANTOA" migrate --noinput -v0
"$LANTOA" demo --auto >/dev/null
PROBE="$("$PY" -c 'import django; django.setup(); from django.core import signing; print(signing.dumps("lantoa"))')"
# The demo's uploads: make sure at least one file lives in the media folder.
mkdir -p "$LANTOA_DATA_DIR/media/kiem-tra" && printf 'tệp minh chứng' >"$LANTOA_DATA_DIR/media/kiem-tra/a.txt"
fingerprint >"$WORK/before.json"

echo "==> SQLite, offline: dừng, nén thư mục dữ liệu, mất dữ liệu, giải nén"
tar -C "$WORK/srv" -czf "$WORK/backup-data.tar.gz" data
rm -rf "$WORK/srv/data"
tar -C "$WORK/srv" -xzf "$WORK/backup-data.tar.gz"
"$LANTOA" migrate --noinput -v0
fingerprint >"$WORK/after.json"
same "$WORK/before.json" "$WORK/after.json" "SQLite offline"

echo "==> SQLite, online: sao chép bằng backup API, khôi phục vào thư mục mới"
mkdir -p "$WORK/copy"
# The command of docs/operations.md, as written there.
"$PY" -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
  "$LANTOA_DATA_DIR/lantoa.sqlite3" "$WORK/copy/lantoa.sqlite3"
cp -a "$LANTOA_DATA_DIR/secret_key" "$WORK/copy/"
tar -C "$LANTOA_DATA_DIR" -czf "$WORK/copy/media.tar.gz" media
mkdir -p "$WORK/restored"
cp -a "$WORK/copy/lantoa.sqlite3" "$WORK/copy/secret_key" "$WORK/restored/"
tar -C "$WORK/restored" -xzf "$WORK/copy/media.tar.gz"
export LANTOA_DATA_DIR="$WORK/restored"
"$LANTOA" migrate --noinput -v0
fingerprint >"$WORK/after-online.json"
same "$WORK/before.json" "$WORK/after-online.json" "SQLite online"

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  DB="${LANTOA_RESTORE_DB:-lantoa_restore_check}"
  PGARGS=(-h 127.0.0.1 -p 5432 -U postgres)
  echo "==> PostgreSQL: createdb ${DB}_src, dữ liệu mẫu, pg_dump -Fc"
  dropdb "${PGARGS[@]}" --if-exists "${DB}_src"; dropdb "${PGARGS[@]}" --if-exists "${DB}_dst"
  createdb "${PGARGS[@]}" "${DB}_src"
  export LANTOA_DATA_DIR="$WORK/pg-app"
  export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/${DB}_src"
  "$LANTOA" migrate --noinput -v0
  "$LANTOA" demo --auto >/dev/null
  PROBE="$("$PY" -c 'import django; django.setup(); from django.core import signing; print(signing.dumps("lantoa"))')"
  mkdir -p "$LANTOA_DATA_DIR/media/kiem-tra" && printf 'tệp minh chứng' >"$LANTOA_DATA_DIR/media/kiem-tra/a.txt"
  fingerprint >"$WORK/pg-before.json"
  pg_dump "${PGARGS[@]}" -Fc -d "${DB}_src" -f "$WORK/lantoa.dump"
  tar -C "$LANTOA_DATA_DIR" -czf "$WORK/pg-media.tar.gz" media secret_key
  echo "==> PostgreSQL: createdb ${DB}_dst, pg_restore, giải nén media và khóa"
  createdb "${PGARGS[@]}" "${DB}_dst"
  pg_restore "${PGARGS[@]}" --no-owner --exit-on-error -d "${DB}_dst" "$WORK/lantoa.dump"
  export LANTOA_DATA_DIR="$WORK/pg-restored"
  mkdir -p "$LANTOA_DATA_DIR"
  tar -C "$LANTOA_DATA_DIR" -xzf "$WORK/pg-media.tar.gz"
  export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/${DB}_dst"
  "$LANTOA" migrate --noinput -v0
  fingerprint >"$WORK/pg-after.json"
  dropdb "${PGARGS[@]}" "${DB}_src"; dropdb "${PGARGS[@]}" "${DB}_dst"
  same "$WORK/pg-before.json" "$WORK/pg-after.json" "PostgreSQL pg_dump/pg_restore"
else
  echo "==> PostgreSQL không chạy ở 127.0.0.1:5432: bỏ qua phần PostgreSQL"
fi
echo "==> Sao lưu và khôi phục: OK"
