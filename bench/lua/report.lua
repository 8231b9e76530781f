-- Shared by the other scripts: done() prints one line "JSON {...}" that bench/traffic_bench.py parses, with wrk's
-- summary, its latency percentiles (microseconds), the status counts each thread kept in `counts` (keys "kind status":
-- flat, because wrk's thread:get copies nested tables wrongly) and the sum over the threads of each numeric global
-- named in `totals`.
local report = {}

-- wrk's threads, in the main state: each gets its number (0, 1, ...) as the global `tid`.
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function encode(value)
  if type(value) == "table" then
    local parts = {}
    for k, v in pairs(value) do
      table.insert(parts, string.format("%q:%s", tostring(k), encode(v)))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif type(value) == "number" then
    if value ~= value or value == math.huge or value == -math.huge then
      return "null"
    end
    return string.format("%.17g", value)
  elseif value == nil then
    return "null"
  end
  return string.format("%q", tostring(value))
end

function report.done(summary, latency, totals)
  local statuses, kinds, sums = {}, {}, {}
  for _, thread in ipairs(threads) do
    for _, name in ipairs(totals or {}) do
      sums[name] = (sums[name] or 0) + (thread:get(name) or 0)
    end
    for key, count in pairs(thread:get("counts") or {}) do
      local kind, status = key:match("^(.*) (%d+)$")
      statuses[status] = (statuses[status] or 0) + count
      kinds[kind] = kinds[kind] or {}
      kinds[kind][status] = (kinds[kind][status] or 0) + count
    end
  end
  local percentiles = {}
  for _, p in ipairs({50, 90, 99, 99.9}) do
    percentiles[tostring(p)] = latency:percentile(p)
  end
  io.write("JSON ", encode({
    duration_us = summary.duration, requests = summary.requests, bytes = summary.bytes,
    errors = summary.errors, latency_us = {min = latency.min, max = latency.max, mean = latency.mean,
    stdev = latency.stdev, percentiles = percentiles}, statuses = statuses, kinds = kinds, totals = sums}), "\n")
end

-- RFC 3986 percent-encoding of a query parameter's value.
function report.encode_component(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

return report
