#!/usr/bin/env bash
# Run the whole test suite: lint, migrations check, deploy check, then pytest on
# SQLite and on PostgreSQL (127.0.0.1:5432), browser tests in headless Chromium.
set -euo pipefail
# This machine's pip config lists local wheel folders that may be absent: hide that noise only.
pipq() { .venv/bin/pip install -q --disable-pip-version-check "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
cd "$(dirname "$0")"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ ! -x .venv/bin/python ]; then
  echo "==> Tạo môi trường ảo .venv"
  "$PY" -m venv .venv
fi
echo "==> Cài đặt thư viện (requirements-dev.lock: phiên bản và mã băm cố định)"
pipq --require-hashes -r requirements-dev.lock
pipq --no-deps -e .

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> Cài Chromium (Debian) cho kiểm thử trình duyệt"
  if [ "$(id -u)" = 0 ]; then APT="apt-get"; else APT="sudo apt-get"; fi
  $APT install -y -q chromium >/dev/null || { $APT update -q >/dev/null && $APT install -y -q chromium >/dev/null; }
fi

if ! command -v soffice >/dev/null 2>&1; then
  echo "==> Cài LibreOffice Writer (xuất PDF từ DOCX)"
  if [ "$(id -u)" = 0 ]; then APT="apt-get"; else APT="sudo apt-get"; fi
  $APT install -y -q --no-install-recommends libreoffice-writer >/dev/null || { $APT update -q >/dev/null && $APT install -y -q --no-install-recommends libreoffice-writer >/dev/null; }
fi

PG_URL="${LANTOA_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "==> Khởi động PostgreSQL"
  for v in /etc/postgresql/*; do pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true; done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

export LANTOA_DATA_DIR="${LANTOA_DATA_DIR:-$PWD/var/test}"
echo "==> Tệp khóa thư viện khớp requirements*.txt"
.venv/bin/python scripts/check_lock.py
echo "==> ruff"
.venv/bin/ruff check lantoa scripts
.venv/bin/ruff format --check lantoa scripts
echo "==> import-linter (layers, pyproject.toml)"
.venv/bin/lint-imports --no-cache
echo "==> makemigrations --check"
DJANGO_SETTINGS_MODULE=lantoa.config.settings.test .venv/bin/lantoa makemigrations --check --dry-run
echo "==> check --deploy (production settings)"
DJANGO_SETTINGS_MODULE=lantoa.config.settings.production LANTOA_SECRET_KEY="deploy-check-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  .venv/bin/lantoa check --deploy --fail-level WARNING

echo "==> Bản dựng production: collectstatic + gunicorn (trang, API, tải tệp)"
.venv/bin/python scripts/production_smoke.py

echo "==> Sao lưu và khôi phục theo docs/operations.md (SQLite; PostgreSQL: pg_dump/pg_restore)"
LANTOA_RESTORE_DB="restore_check_${PG_URL##*/}" scripts/restore_check.sh

echo "==> lantoa bench --scale 0.01 (SQLite: every benchmark runs to the end, floors agree)"
mkdir -p var
env -u DATABASE_URL LANTOA_DATA_DIR="$PWD/var/bench-smoke" .venv/bin/lantoa bench --scale 0.01 >var/bench-smoke.log 2>&1 \
  || { tail -40 var/bench-smoke.log; exit 1; }
grep -A40 "== Summary ==" var/bench-smoke.log

echo "==> Cao điểm hạn nộp, bản ngắn (gunicorn 4×4 + PostgreSQL + Redis; scripts/surge.py)"
SURGE_REDIS=""
REDIS_STARTED=""
if command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  SURGE_REDIS="redis://127.0.0.1:6379/11"
elif command -v redis-server >/dev/null 2>&1; then
  redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  REDIS_STARTED=6390
  for _ in $(seq 1 30); do redis-cli -p 6390 ping >/dev/null 2>&1 && break; sleep 0.2; done
  SURGE_REDIS="redis://127.0.0.1:6390/11"
fi
.venv/bin/python scripts/surge.py --database-url "${PG_URL%/*}/surge_${PG_URL##*/}" \
  ${SURGE_REDIS:+--redis-url "$SURGE_REDIS"} --units 300 --clients 8 --duration 8 \
  || { [ -n "$REDIS_STARTED" ] && redis-cli -p "$REDIS_STARTED" shutdown nosave; exit 1; }
[ -n "$REDIS_STARTED" ] && redis-cli -p "$REDIS_STARTED" shutdown nosave >/dev/null 2>&1 || true

echo "==> pytest (SQLite)"
.venv/bin/pytest -q "$@"
echo "==> pytest (PostgreSQL)"
DATABASE_URL="$PG_URL" .venv/bin/pytest -q "$@"
echo "==> Tất cả kiểm thử đều đạt."
