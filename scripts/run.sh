#!/usr/bin/env bash
# One command on a fresh machine: install, create the SQLite database with demo data, and serve the app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/cauce demo
exec .venv/bin/cauce serve --host "${CAUCE_HOST:-127.0.0.1}" --port "${CAUCE_PORT:-5000}"
