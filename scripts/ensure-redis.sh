#!/usr/bin/env bash
# Make sure Redis answers on 127.0.0.1:6379 (the production broker, used by the
# PostgreSQL test run); start the machine's redis-server if it is installed but stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${REDIS_PORT:-6379}

answers() {
  .venv/bin/python - "$PORT" <<'PY'
import sys
import redis
try:
    redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), socket_timeout=2).ping()
except Exception:
    sys.exit(1)
PY
}

answers && exit 0
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Redis from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  else
    echo "No Redis on 127.0.0.1:$PORT and no redis-server to start." >&2
    exit 1
  fi
fi
mkdir -p var
echo "Starting redis-server on 127.0.0.1:$PORT"
redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no \
  --dir "$PWD/var" --logfile "$PWD/var/redis.log"
for _ in $(seq 1 40); do answers && exit 0; sleep 0.25; done
echo "Redis did not answer on 127.0.0.1:$PORT" >&2
exit 1
