-- wrk script for bench/bench.py: rotate through the gold questions, report JSON.
-- Usage: wrk ... -s bench/wrk.lua http://127.0.0.1:PORT -- PATHS_FILE
local paths = {}
local counter = 0
local next_thread = 0

function setup(thread)
  thread:set("offset", next_thread * 7919)  -- threads start at different questions
  next_thread = next_thread + 1
end

function init(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  f:close()
  counter = offset or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_s": %.6f, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}, "p50_ms": %.3f, "p95_ms": %.3f, ' ..
    '"p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.mean / 1e3, latency.max / 1e3))
end
