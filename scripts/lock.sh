#!/usr/bin/env bash
# Regenerate the hash-locked dependency files from the pins in requirements*.txt:
#   requirements.lock      runtime (installed by ./start.sh)
#   requirements-dev.lock  runtime + tests (installed by ./test.sh)
# Every package of the full transitive set is pinned with the hashes of its files on PyPI;
# `pip install --require-hashes` refuses anything else. Uses pip-tools in a throw-away venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3.11}"
TOOLS="$(mktemp -d /tmp/lantoa-lock-XXXXXX)"
trap 'rm -rf "$TOOLS"' EXIT
"$PY" -m venv "$TOOLS"
"$TOOLS/bin/pip" install -q --disable-pip-version-check pip-tools==7.6.2 \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
for name in requirements requirements-dev; do
  echo "==> $name.lock"
  "$TOOLS/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --no-header \
    --output-file "$name.lock" "$name.txt"
done
"$PY" scripts/check_lock.py
