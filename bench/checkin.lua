-- wrk script for bench/bench_checkin.py: POST check-ins, many secretaries, many members.
--   SOTAY_JOBS=bench/out/checkin_jobs.tsv SOTAY_RESP=bench/out/checkin_resp \
--     wrk -t2 -c200 -d60s --latency -s bench/checkin.lua http://127.0.0.1:PORT
-- Jobs (one a line: meeting id, secretary API token, member QR token, member id; tab-separated)
-- come from `bench_checkin.py`. Thread i takes lines i, i+T, i+2T… in order, then starts over
-- (so late requests are repeats: 200, "already"). Every answer is written to
-- $SOTAY_RESP.<thread>.txt as "status meeting member" (ids read from the JSON body), so the
-- script that started wrk can compare what the server acknowledged with what the database holds.
--
-- SOTAY_BATCH=N (N > 1): each line holds up to N scans of one meeting (tokens and member ids
-- comma-separated) and goes to the offline endpoint (`…/checkin/offline/`, {"items": [...]},
-- each item dated now). Every item's outcome is written as above: "201" created, "200" already,
-- "400 - -" refused.
--
-- SOTAY_CLOSE=1: every request asks "Connection: close" (a new connection per request, as from
-- an nginx without upstream keep-alive); otherwise wrk keeps its connections open where the
-- server allows it (gthread workers do, sync workers close after every response).

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  thread:set("nthreads", 0)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
  batch = tonumber(os.getenv("SOTAY_BATCH") or "1")
  close = os.getenv("SOTAY_CLOSE") == "1"
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  jobs = {}
  local i = 0
  for line in io.lines(os.getenv("SOTAY_JOBS") or "bench/out/checkin_jobs.tsv") do
    if #line > 0 then
      if i % nthreads == id - 1 then
        local meeting, key, token, member = line:match("^(%d+)\t(%S+)\t(%S+)\t([%d,]+)$")
        local path, body, count = "/api/v1/meetings/" .. meeting .. "/checkin/", '{"token":"' .. token .. '"}', 1
        if batch > 1 then
          local items = {}
          for t in token:gmatch("[^,]+") do
            table.insert(items, '{"token":"' .. t .. '","at":"' .. now .. '","client_id":"' .. #items + 1 .. '"}')
          end
          path, body, count = path .. "offline/", '{"items":[' .. table.concat(items, ",") .. ']}', #items
        end
        table.insert(jobs, {path, key, body, count})
      end
      i = i + 1
    end
  end
  n = 0
  sent, scans, c200, c201, other = 0, 0, 0, 0, 0
  out = io.open((os.getenv("SOTAY_RESP") or "bench/out/checkin_resp") .. "." .. id .. ".txt", "w")
  out:setvbuf("line")  -- wrk never closes a thread's Lua state: unbuffered enough to lose nothing
end

function request()
  n = n % #jobs + 1
  sent = sent + 1
  local job = jobs[n]
  local headers = {
    ["Authorization"] = "Token " .. job[2],
    ["Content-Type"] = "application/json",
    ["X-Forwarded-Proto"] = "https",
    ["Host"] = "127.0.0.1",
  }
  if close then headers["Connection"] = "close" end
  return wrk.format("POST", job[1], headers, job[3])
end

function response(status, headers, body)
  if batch > 1 and status == 200 and body then
    for outcome, meeting, member in body:gmatch('"outcome":"(%a+)","attendance":{"id":%d+,"meeting":(%d+),"member":(%d+)') do
      scans = scans + 1
      if outcome == "created" then c201 = c201 + 1; out:write("201 ", meeting, " ", member, "\n")
      else c200 = c200 + 1; out:write("200 ", meeting, " ", member, "\n") end
    end
    for _ in body:gmatch('"outcome":"error"') do
      scans = scans + 1
      other = other + 1
      out:write("400 - -\n")
    end
    return
  end
  scans = scans + 1
  if status == 201 then c201 = c201 + 1 elseif status == 200 then c200 = c200 + 1 else other = other + 1 end
  local meeting = body and body:match('"meeting":%s*(%d+)') or "-"
  local member = body and body:match('"member":%s*(%d+)') or "-"
  out:write(status, " ", meeting, " ", member, "\n")
end

function done(summary, latency, requests)
  local s200, s201, sother, ssent, sscans = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    s200 = s200 + t:get("c200")
    s201 = s201 + t:get("c201")
    sother = sother + t:get("other")
    ssent = ssent + t:get("sent")
    sscans = sscans + t:get("scans")
  end
  io.write(string.format("RESULT requests=%d scans=%d created201=%d already200=%d other=%d errors=%d rps=%.1f " ..
    "scans_per_s=%.1f p50_ms=%.2f p90_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, sscans, s201, s200, sother,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), sscans / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
