#!/usr/bin/env bash
# Runs the whole suite on SQLite (embedded broker) and on PostgreSQL (Redis broker), as
# production would run. Both runs always happen; the exit code is non-zero if either fails.
#   scripts/test-all.sh [sqlite|postgres ...] [-- extra pytest arguments]
set -uo pipefail
cd "$(dirname "$0")/.."

backends=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do backends+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#backends[@]} -eq 0 ] && backends=(sqlite postgres)

PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dieuhanh}
REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
mkdir -p var
declare -A outcome
status=0

for backend in "${backends[@]}"; do
  echo
  echo "=================== test suite on ${backend^^} ==================="
  case "$backend" in
    sqlite)
      env -u DATABASE_URL -u CELERY_BROKER_URL DIEUHANH_TEST_BACKEND=sqlite \
        .venv/bin/pytest "$@"
      ;;
    postgres)
      if ! scripts/ensure-postgres.sh || ! scripts/ensure-redis.sh; then
        outcome[$backend]="could not start PostgreSQL or Redis"; status=1; continue
      fi
      DATABASE_URL=$PG_URL CELERY_BROKER_URL=$REDIS_URL DIEUHANH_TEST_BACKEND=postgres \
        .venv/bin/pytest "$@"
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  code=$?
  # pytest exits 5 when it collected no test: that is a failure here, not a pass.
  if [ $code -eq 0 ]; then outcome[$backend]="passed"; else outcome[$backend]="FAILED (exit $code)"; status=1; fi
done

echo
echo "=================== summary ==================="
for backend in "${backends[@]}"; do echo "  ${backend}: ${outcome[$backend]}"; done
exit $status
