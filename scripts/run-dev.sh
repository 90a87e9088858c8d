#!/usr/bin/env bash
# Serve the portal at http://127.0.0.1:$PORT (default 8000) with a Celery worker and beat beside
# it, all on the local settings (lms_portal.settings.local).
# With the default settings the broker is Kombu's filesystem transport (var/celery-broker), so
# nothing else has to run; with CELERY_BROKER_URL=redis://... the same processes use Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
CELERY="$(dirname "$PY")/celery"
PORT=${PORT:-8000}
# The web server, the worker and beat all run on the development settings.
export DJANGO_SETTINGS_MODULE=lms_portal.settings.local
mkdir -p var

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$CELERY" -A lms_portal worker --loglevel=INFO --concurrency=2 >var/worker.log 2>&1 &
pids+=($!)
"$CELERY" -A lms_portal beat --loglevel=INFO >var/beat.log 2>&1 &
pids+=($!)
echo "Celery worker and beat started (logs: var/worker.log, var/beat.log)."
if "$PY" manage.py help sweep_achievements >/dev/null 2>&1; then
  "$PY" manage.py sweep_achievements --enqueue || true
fi
echo "Portal at http://127.0.0.1:$PORT/ (Ctrl+C stops everything)."
"$PY" manage.py runserver "127.0.0.1:$PORT"
