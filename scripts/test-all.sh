#!/usr/bin/env bash
# Runs the whole suite on SQLite (embedded broker) and on PostgreSQL (Redis broker), as
# production would run. Both runs always happen; the exit code is non-zero if either fails.
#   scripts/test-all.sh [sqlite|postgres ...] [-- extra pytest arguments]
#
# With both backends, the two runs go side by side (each pytest process is single-threaded
# and the machine has two cores): each has its own var directory (SQLite test database,
# embedded broker, imports, screenshots) and its own log, var/test-<backend>.log. The
# PostgreSQL run prints as it goes; the SQLite run's log is printed when it ends.
# DIEUHANH_TEST_SERIAL=1 runs them one after the other instead.
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

run_backend() {  # run_backend <backend> [pytest arguments]: the suite on one backend
  local backend=$1; shift
  local var_dir="$PWD/var/test-$backend"
  mkdir -p "$var_dir"
  case "$backend" in
    sqlite)
      env -u DATABASE_URL -u CELERY_BROKER_URL DIEUHANH_TEST_BACKEND=sqlite \
        DIEUHANH_VAR_DIR="$var_dir" .venv/bin/pytest -o cache_dir="$var_dir/.pytest_cache" "$@"
      ;;
    postgres)
      DATABASE_URL=$PG_URL CELERY_BROKER_URL=$REDIS_URL DIEUHANH_TEST_BACKEND=postgres \
        DIEUHANH_VAR_DIR="$var_dir" .venv/bin/pytest -o cache_dir="$var_dir/.pytest_cache" "$@"
      ;;
    *) echo "unknown backend $backend" >&2; return 2 ;;
  esac
}

verdict() {  # verdict <backend> <exit code>
  # pytest exits 5 when it collected no test: that is a failure here, not a pass.
  if [ "$2" -eq 0 ]; then outcome[$1]="passed"; else outcome[$1]="FAILED (exit $2)"; status=1; fi
}

runnable=()
for backend in "${backends[@]}"; do
  if [ "$backend" = postgres ] && ! { scripts/ensure-postgres.sh && scripts/ensure-redis.sh; }; then
    outcome[$backend]="could not start PostgreSQL or Redis"; status=1; continue
  fi
  runnable+=("$backend")
done

if [ ${#runnable[@]} -gt 1 ] && [ -z "${DIEUHANH_TEST_SERIAL:-}" ]; then
  declare -A pids
  started=$SECONDS
  # All but the last run in the background, each into its log; the last prints live.
  # The background runs yield the processor to the last one (nice): PostgreSQL's run is the
  # longer (its server works beside it), and the whole takes as long as the longest run.
  for backend in "${runnable[@]:0:${#runnable[@]}-1}"; do
    echo "=================== test suite on ${backend^^} (log: var/test-$backend.log) ==================="
    ( renice -n 10 -p "$BASHPID" > /dev/null 2>&1; run_backend "$backend" "$@" ) \
      > "var/test-$backend.log" 2>&1 &
    pids[$backend]=$!
  done
  last=${runnable[-1]}
  echo "=================== test suite on ${last^^} ==================="
  run_backend "$last" "$@"
  verdict "$last" $?
  echo "  (${last}: done after $((SECONDS - started)) s)"
  for backend in "${!pids[@]}"; do
    wait "${pids[$backend]}"
    code=$?
    echo
    echo "=================== test suite on ${backend^^}: its log ==================="
    cat "var/test-$backend.log"
    verdict "$backend" $code
  done
  echo "  (all done after $((SECONDS - started)) s)"
else
  for backend in "${runnable[@]}"; do
    echo
    echo "=================== test suite on ${backend^^} ==================="
    run_backend "$backend" "$@"
    verdict "$backend" $?
  done
fi

echo
echo "=================== summary ==================="
for backend in "${backends[@]}"; do echo "  ${backend}: ${outcome[$backend]}"; done
exit $status
