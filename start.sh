#!/usr/bin/env bash
# Start Lantoa on the embedded default: SQLite + local files in ./var, demo data,
# e-mail written to var/mail/, task worker next to the server. Nothing else to install or start.
# LANTOA_ADDR=0.0.0.0:8000 ./start.sh to listen elsewhere.
set -euo pipefail
# This machine's pip config lists local wheel folders that may be absent: hide that noise only.
pipq() { .venv/bin/pip install -q --disable-pip-version-check "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
cd "$(dirname "$0")"
ADDR="${LANTOA_ADDR:-127.0.0.1:8000}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ ! -x .venv/bin/python ]; then
  echo "==> Tạo môi trường ảo .venv"
  "$PY" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ requirements.lock -nt .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  echo "==> Cài đặt thư viện (phiên bản và mã băm cố định trong requirements.lock)"
  pipq --require-hashes -r requirements.lock
  pipq --no-deps -e .
  touch .venv/.installed
fi

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-lantoa.config.settings.base}"
echo "==> Cập nhật cơ sở dữ liệu"
.venv/bin/lantoa migrate --noinput -v0
echo "==> Tệp tĩnh (nén sẵn, tên có mã băm)"
.venv/bin/lantoa collectstatic --noinput -v0
echo "==> Dữ liệu mẫu"
.venv/bin/lantoa demo --auto

# Scheduled jobs (reminders, clean-up) run in a worker next to the web server.
DATA_DIR="${LANTOA_DATA_DIR:-var}"
mkdir -p "$DATA_DIR"
.venv/bin/lantoa run_huey --quiet >"$DATA_DIR/worker.log" 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT

echo
echo "============================================================"
echo " Lantoa đang chạy tại: http://${ADDR}/"
echo " API: http://${ADDR}/api/v1/docs"
echo "============================================================"
.venv/bin/lantoa demo --accounts
echo
.venv/bin/lantoa runserver "$ADDR" --noreload --insecure
