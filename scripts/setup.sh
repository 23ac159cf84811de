#!/usr/bin/env bash
# Create the virtual environment and install cauce with its development tools (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[dev]"
# The diagram viewer (bpmn-js, pinned in webui/package-lock.json) is served from webui/static/vendor, never a CDN.
if command -v npm >/dev/null; then
  npm ci --prefix webui --ignore-scripts --no-audit --no-fund --loglevel=error
  mkdir -p webui/static/vendor/bpmn-js
  cp webui/node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js webui/node_modules/bpmn-js/dist/assets/*.css \
     webui/node_modules/bpmn-js/dist/bpmn-modeler.production.min.js webui/static/vendor/bpmn-js/
  cp -r webui/node_modules/bpmn-js/dist/assets/bpmn-font webui/static/vendor/bpmn-js/
else
  echo "setup.sh: npm not found; the instance page will show no BPMN diagram" >&2
fi
