-- wrk script for bench/bench_library.py: GET each member's own requests with their session.
--   SOTAY_JOBS=bench/out/library_home.tsv WRK_NAME=home WRK_C=8 \
--     wrk -t2 -c8 -d15s --latency -s bench/library.lua http://127.0.0.1:PORT
-- Jobs (one a line: the Cookie header (session, CSRF cookie), path; tab-separated) come from
-- `bench_library.py http`. Each
-- thread starts at a different line and cycles through them. Requests are sent as HTTPS behind a
-- proxy (X-Forwarded-Proto: https), as nginx would. At the end: one RESULT line with requests/s,
-- p50/p90/p95/p99 and the answers that were not 200 (a redirect to the login page would be one).

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  jobs = {}
  for line in io.lines(os.getenv("SOTAY_JOBS")) do
    local key, path = line:match("^([^\t]+)\t(%S+)$")
    if key then table.insert(jobs, {key, path}) end
  end
  n = (id * 97) % #jobs
  ok, not200 = 0, 0
end

function request()
  n = n % #jobs + 1
  return wrk.format("GET", jobs[n][2], {
    ["Cookie"] = jobs[n][1],
    ["X-Forwarded-Proto"] = "https",
    ["Host"] = "127.0.0.1",
  })
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else not200 = not200 + 1 end
end

function done(summary, latency, requests)
  local good, bad = 0, 0
  for _, t in ipairs(threads) do
    good = good + t:get("ok")
    bad = bad + t:get("not200")
  end
  io.write(string.format("RESULT name=%s connections=%s requests=%d ok200=%d not200=%d errors=%d rps=%.1f " ..
    "p50_ms=%.2f p90_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    os.getenv("WRK_NAME") or "?", os.getenv("WRK_C") or "?", summary.requests, good, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
