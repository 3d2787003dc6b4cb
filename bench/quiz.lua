-- wrk script for bench/bench_quiz.py: save answers (PUT) or submit (POST), many members.
--   SOTAY_JOBS=bench/out/quiz_submit.tsv SOTAY_MODE=submit SOTAY_RESP=bench/out/quiz_resp \
--     wrk -t2 -c200 -d60s --latency -s bench/quiz.lua http://127.0.0.1:PORT
-- Jobs, one a line, tab-separated: API token, quiz id, attempt id[, question id, answer id].
-- Thread i takes lines i, i+T, i+2T… in order, then starts over (later requests are repeats: a
-- save again, a second submit, both answered 200 with nothing changed). Every answer's status is
-- written to $SOTAY_RESP.<thread>.txt as "status attempt" so the caller can compare what the
-- server acknowledged with what the database holds.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  mode = os.getenv("SOTAY_MODE") or "submit"
  if mode == "bare" then return end
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
  jobs = {}
  local i = 0
  for line in io.lines(os.getenv("SOTAY_JOBS")) do
    if #line > 0 then
      if i % nthreads == id - 1 then
        local key, quiz, attempt, question, answer = line:match("^(%S+)\t(%d+)\t(%d+)\t?(%d*)\t?(%d*)$")
        local base = "/api/v1/quizzes/" .. quiz .. "/attempts/" .. attempt .. "/"
        if mode == "save" then
          table.insert(jobs, {"PUT", base .. "answers/", key, '{"question":' .. question .. ',"selected":[' .. answer .. ']}', attempt})
        else
          table.insert(jobs, {"POST", base .. "submit/", key, "", attempt})
        end
      end
      i = i + 1
    end
  end
  n = 0
  math.randomseed(id * 7919 + os.time())
  out = io.open((os.getenv("SOTAY_RESP") or "bench/out/quiz_resp") .. "." .. id .. ".txt", "w")
  out:setvbuf("line")
  pending = {}
end

-- SOTAY_DELAY_MS: each connection waits this long before its next request (members think
-- between two answers), drawn uniformly between 0 and twice that: 200 connections at 600 ms
-- offer ~330 requests/s, not as many as the server can take. Unset or 0: back to back.
local pause = tonumber(os.getenv("SOTAY_DELAY_MS") or "0")

function delay()
  if mode == "bare" or pause == 0 then return 0 end
  -- uniform around the mean, so that 200 members do not all answer in the same millisecond
  return math.random(0, 2 * pause)
end

function request()
  if mode == "bare" then
    return wrk.format("GET", "/bench/bare/", {["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1"})
  end
  n = n % #jobs + 1
  local job = jobs[n]
  table.insert(pending, job[5])
  local headers = {
    ["Authorization"] = "Token " .. job[3],
    ["Content-Type"] = "application/json",
    ["X-Forwarded-Proto"] = "https",
    ["Host"] = "127.0.0.1",
  }
  return wrk.format(job[1], job[2], headers, job[4])
end

function response(status, headers, body)
  if mode == "bare" then return end
  local attempt = "-"
  if body then
    attempt = body:match('^{"id":(%d+)') or "-"
  end
  out:write(status .. " " .. attempt .. "\n")
end

-- wrk's --latency table has no 95th percentile: print it (milliseconds) for the caller.
function done(summary, latency, requests)
  io.write(string.format("P95_MS %.2f\n", latency:percentile(95) / 1000))
end
