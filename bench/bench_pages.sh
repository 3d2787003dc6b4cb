#!/usr/bin/env bash
# Member home (/) and "my profile" (/ho-so/) at province scale: SQL queries per page, and latency
# under load from wrk against gunicorn (2 workers) with the production settings.
#
#   bench/bench_pages.sh            (after bench/bench_seed.sh; run from the repository root)
#
# Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sotay_bench),
# WRK_DURATION (20s), WRK_CONNECTIONS ("2 20": one run per value), WRK_THREADS (2), SESSIONS (200),
# PORT (18765).
# Needs wrk (Debian: apt-get install -y wrk; done here if missing and run as root).
#
# What it does:
#  1. collectstatic (the production settings use the manifest storage; templates need it);
#  2. python bench/pages.py queries: queries per page for 50 random members (Django test client);
#  3. python bench/pages.py sessions: 200 logged-in sessions of distinct random members;
#  4. gunicorn config.wsgi, 2 sync workers, on 127.0.0.1:$PORT, config.settings.production with
#     SECRET_KEY=bench-only, DJANGO_ALLOWED_HOSTS=127.0.0.1; requests carry
#     X-Forwarded-Proto: https (as behind nginx), so the HTTPS redirect stays on and is not hit;
#  5. a 5 s warm-up, then for each page and each connection count (2: one request in flight per
#     worker, the service latency; 20: the brief's load, where requests queue for the 2 workers):
#     wrk -t2 -cN -d20s --latency -s bench/pages.lua (cycles through the 200 sessions; prints
#     p50/p90/p95/p99 and any non-200 answer).
# wrk, gunicorn and PostgreSQL share the machine's cores: the figures include that contention.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .venv ] && . .venv/bin/activate
if ! command -v wrk >/dev/null; then  # Debian's wrk; installed here when we are root
  [ "$(id -u)" -eq 0 ] && { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null 2>&1 </dev/null
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 2; }
fi

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sotay_bench}
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY=${SECRET_KEY:-bench-only-not-a-secret-$(hostname)}
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_LOG_LEVEL=WARNING
unset REDIS_URL DJANGO_DEBUG
# Measured without Redis on purpose: production settings refuse a per-process cache unless told.
export SOTAY_ALLOW_PER_PROCESS_CACHE=1
PORT=${PORT:-18765}
DURATION=${WRK_DURATION:-20s}
CONNS=${WRK_CONNECTIONS:-"2 20"}  # one run per value
THREADS=${WRK_THREADS:-2}
OUT=bench/out
mkdir -p "$OUT"

echo "== machine: $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%FT%TZ); load average $(cut -d" " -f1-3 /proc/loadavg)"
python manage.py collectstatic --noinput -v0
echo "== SQL queries per page (Django test client, 50 random members)"
python bench/pages.py queries --members 50 | tee "$OUT/page_queries.txt"
python bench/pages.py sessions --count "${SESSIONS:-200}" --out "$OUT/sessions.txt"

gunicorn config.wsgi:application --workers 2 --bind "127.0.0.1:$PORT" --log-level warning \
  >"$OUT/gunicorn.log" 2>&1 &
gpid=$!
trap 'kill $gpid 2>/dev/null || true; wait $gpid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/dang-nhap/" 2>/dev/null && break
  sleep 0.5
done
export SOTAY_SESSIONS="$OUT/sessions.txt"
echo "== warm-up (5 s)"
wrk -t"$THREADS" -c10 -d5s -s bench/pages.lua "http://127.0.0.1:$PORT" -- / >/dev/null
: >"$OUT/pages.txt"
for path in / /ho-so/; do
  for conns in $CONNS; do
    echo "== wrk -t$THREADS -c$conns -d$DURATION --latency $path (gunicorn, 2 workers)"
    WRK_C=$conns wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s bench/pages.lua "http://127.0.0.1:$PORT" -- "$path" \
      | tee -a "$OUT/pages.txt"
  done
done
echo "== load average after: $(cut -d" " -f1-3 /proc/loadavg)"
echo "== summary"
grep '^RESULT' "$OUT/pages.txt"
