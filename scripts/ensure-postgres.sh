#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the test run: use the one
# running, else start the machine's cluster, else create a throw-away cluster under var/.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=127.0.0.1
PORT=${PGPORT:-5432}

answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$HOST" -p "$PORT" -t 2
  else
    .venv/bin/python - "$HOST" "$PORT" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(2)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
PY
  fi
}

wait_ready() {
  for _ in $(seq 1 60); do answers && return 0; sleep 0.5; done
  echo "PostgreSQL did not answer on $HOST:$PORT" >&2
  return 1
}

answers && exit 0

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# 1. The machine's own cluster (Debian's postgresql-common).
if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "Starting PostgreSQL cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_ready && exit 0
fi

# 2. A throw-away cluster under var/pgdata, from whatever PostgreSQL binaries exist.
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing PostgreSQL from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_ready && exit 0
  fi
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bindir" ]; then
  echo "No PostgreSQL server on $HOST:$PORT and no PostgreSQL binaries to start one." >&2
  exit 1
fi
data=$PWD/var/pgdata
mkdir -p var
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$data"
  as_postgres "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
fi
echo "Starting a local PostgreSQL cluster in $data"
as_postgres "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-h $HOST -p $PORT -k /tmp" start >/dev/null
wait_ready
