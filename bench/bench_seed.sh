#!/usr/bin/env bash
# seed_demo at province scale (13 district-level units, ~700 base organisations, ~5,000 cells,
# ~110,000 members) on PostgreSQL, timed with /usr/bin/time -v.
#
#   bench/bench_seed.sh          (run from anywhere; uses the repository's .venv if present)
#
# Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sotay_bench),
# SEED (default 1). The database named in DATABASE_URL is DROPPED and created anew: never point
# it at a database you care about. Writes bench/out/seed.txt (the command's output and the
# `time -v` report: wall clock, CPU, maximum resident set size).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .venv ] && . .venv/bin/activate
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sotay_bench}
export DJANGO_SETTINGS_MODULE=config.settings.dev DJANGO_DEBUG=0
unset REDIS_URL
db=${DATABASE_URL##*/}
base=${DATABASE_URL%/*}
case "$db" in sotay_bench*|bench_*) ;; *) echo "refusing to drop '$db': use a database named sotay_bench*"; exit 2 ;; esac
mkdir -p bench/out
if [ ! -x /usr/bin/time ]; then  # Debian's package "time"; installed here when we are root
  [ "$(id -u)" -eq 0 ] && { apt-get update -qq && apt-get install -y -qq time; } >/dev/null 2>&1 </dev/null
  [ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install -y time"; exit 2; }
fi
echo "== recreate $db"
psql "$base/postgres" -q -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\""
echo "== migrate"
python manage.py migrate --noinput -v0
echo "== /usr/bin/time -v python manage.py seed_demo --scale province --seed ${SEED:-1}"
/usr/bin/time -v python manage.py seed_demo --scale province --seed "${SEED:-1}" 2>&1 | tee bench/out/seed.txt
grep -E 'Elapsed|Maximum resident|Percent of CPU' bench/out/seed.txt
