#!/usr/bin/env bash
# `make run`: migrate, load reference and demo data, then serve the app with a Celery
# worker and beat on the embedded broker. Ctrl-C stops everything started here.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-1}
export DIEUHANH_DEMO=1
export DIEUHANH_HEARTBEAT_SECONDS=${DIEUHANH_HEARTBEAT_SECONDS:-15}
# The demo signs in with a password only; DIEUHANH_TWO_FACTOR=roles shows the 2FA flow.
export DIEUHANH_TWO_FACTOR=${DIEUHANH_TWO_FACTOR:-off}
export PYTHONUNBUFFERED=1

$BIN/dieuhanh migrate --noinput
$BIN/dieuhanh setup_data --demo

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the web server and the worker..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  exit 0
}
trap stop INT TERM EXIT

mkdir -p var/log
$BIN/celery -A dieuhanh worker --beat --loglevel=INFO --concurrency=2 \
  --hostname "worker@%h" >var/log/worker.log 2>&1 &
pids+=($!)
$BIN/dieuhanh runserver "127.0.0.1:$PORT" --noreload &
pids+=($!)

for _ in $(seq 1 120); do
  if $BIN/python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=2)" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
cat <<BANNER

  Hệ thống thông tin chỉ đạo, điều hành is running at http://127.0.0.1:$PORT/
  Health: http://127.0.0.1:$PORT/healthz     API docs: http://127.0.0.1:$PORT/api/v1/docs
  Worker and beat log: var/log/worker.log

$($BIN/python -m dieuhanh.accounts.demo)

  Press Ctrl-C to stop.
BANNER
wait -n "${pids[@]}"
