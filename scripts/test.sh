#!/usr/bin/env bash
# One command on a fresh machine: install, lint, type-check, and run the whole test suite on SQLite and on a
# throw-away PostgreSQL cluster (Debian's postgresql package is installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
# The designer's browser tests need the bpmn-js Modeler, which setup.sh copies from npm.
if ! command -v npm >/dev/null && [ "$(id -u)" = "0" ]; then
  echo "installing Debian's npm package..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq npm >/dev/null
fi

scripts/setup.sh

# Browser tests drive Debian's Chromium through Playwright; the browser is never downloaded by Playwright.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "installing Debian's chromium package..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "error: /usr/bin/chromium is missing; install Debian's chromium package (apt-get install chromium)" >&2
    exit 1
  fi
fi

pgdir=$(mktemp -d /tmp/cauce-pg.XXXXXX)
chmod 755 "$pgdir"
export CAUCE_PG_PORT=${CAUCE_PG_PORT:-$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
cleanup() { scripts/pg-test-cluster.sh stop "$pgdir" || true; rm -rf "$pgdir"; }
trap cleanup EXIT
eval "$(scripts/pg-test-cluster.sh start "$pgdir")"

echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== pytest (SQLite and PostgreSQL)"
.venv/bin/pytest -q -p no:cacheprovider "$@"
