-- wrk script for bench/bench_feedback.py send: POST feedback with a 5 MB photo, prebuilt.
--   SOTAY_JOBS=bench/out/feedback_jobs.txt SOTAY_RESP=bench/out/feedback_resp WRK_THREADS=2 \
--     wrk -t2 -c20 -d20s --timeout 30s -s bench/feedback.lua http://127.0.0.1:PORT
-- Jobs: one file a line, each a whole HTTP request (request line, headers with the sender's
-- API token, multipart body with the photo) written by bench_feedback.py. Thread i loads lines
-- i, i+T, i+2T… once, at start, and sends them in turn (so no request is built during the run).
-- Every answer is written to $SOTAY_RESP.<thread>.txt as "status feedback-id" (the id read from
-- the JSON body, "-" if none), so the caller can check that every acknowledged feedback is
-- stored. SOTAY_MODE=bare: GET /bench/bare/ instead (same headers as nginx would send).

local threads = {}
local mode = os.getenv("SOTAY_MODE") or "send"

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  if mode == "bare" then
    bare = wrk.format("GET", "/bench/bare/", {["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1"})
    return
  end
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
  reqs = {}
  local i = 0
  for line in io.lines(os.getenv("SOTAY_JOBS")) do
    if #line > 0 then
      if i % nthreads == id - 1 then
        local f = assert(io.open(line, "rb"))
        table.insert(reqs, f:read("*a"))
        f:close()
      end
      i = i + 1
    end
  end
  n = 0
  out = io.open(os.getenv("SOTAY_RESP") .. "." .. id .. ".txt", "w")
  out:setvbuf("line") -- wrk never closes a thread's Lua state
end

function request()
  if mode == "bare" then return bare end
  n = n % #reqs + 1
  return reqs[n]
end

if mode ~= "bare" then -- defined only when wanted: wrk then reads the bare view's bodies not at all
  function response(status, headers, body)
    local feedback = body and body:match('"id":"([0-9a-fA-F-]+)"') or "-"
    out:write(status, " ", feedback, "\n")
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f errors=%d non2xx=%d p50_ms=%.2f p90_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
