-- wrk script for bench/bench_pages.sh: GET one member page with many members' sessions.
--   wrk -t2 -c20 -d20s --latency -s bench/pages.lua http://127.0.0.1:PORT -- /ho-so/
-- Sessions (one key a line) come from $SOTAY_SESSIONS (default bench/out/sessions.txt), made by
-- `python bench/pages.py sessions`. Each thread starts at a different key and cycles through
-- them, so consecutive requests come from different members. Requests are sent as HTTPS behind
-- a proxy (X-Forwarded-Proto: https), as nginx would. At the end it prints p50/p90/p95/p99
-- latency and counts answers that were not 200 (a redirect to the login page would be one).

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  path = args[1] or "/"
  keys = {}
  local file = os.getenv("SOTAY_SESSIONS") or "bench/out/sessions.txt"
  for line in io.lines(file) do
    if #line > 0 then table.insert(keys, line) end
  end
  n = (id * 37) % #keys
  not200 = 0
  ok = 0
end

function request()
  n = n % #keys + 1
  return wrk.format("GET", path, {
    ["Cookie"] = "sessionid=" .. keys[n],
    ["X-Forwarded-Proto"] = "https",
    ["Host"] = "127.0.0.1",
  })
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else not200 = not200 + 1 end
end

function done(summary, latency, requests)
  local bad, good = 0, 0
  local path = threads[1]:get("path")
  for _, t in ipairs(threads) do
    bad = bad + t:get("not200")
    good = good + t:get("ok")
  end
  io.write(string.format("RESULT path=%s connections=%s requests=%d ok200=%d not200=%d errors=%d rps=%.1f " ..
    "p50_ms=%.2f p90_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    path, os.getenv("WRK_C") or "?", summary.requests, good, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
