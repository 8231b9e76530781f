-- A public site's mix: requests drawn from a weighted list that bench/traffic_bench.py writes as a Lua file, with
-- conditional repeats as a browser makes them: at a slot marked conditional, the thread (one browser) asks again for
-- something it got an ETag for before, picked at random, with If-None-Match (the slot's own request while it has none).
-- Arguments (after wrk's `--`): 1 the request list's file   2 wrk's thread count (-t), which must equal the
-- connection count (-c): with one connection a thread, response() belongs to the request() just before it.
-- Each list entry: {kind=..., key=<the same for a request and its conditional repeat>, path=..., headers={...},
-- conditional=true|false}. Statuses are counted per kind; "304" is a success like any 2xx/3xx.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local report = require("report")  -- also defines setup(), which numbers the threads (tid) and keeps them

function init(args)
  entries = dofile(args[1])
  local nthreads = tonumber(args[2])
  position = math.floor(tid * #entries / nthreads)  -- each thread starts at its own place in the list
  math.randomseed(tid + 1)
  etags, seen, counts = {}, {}, {}
  conditionals = 0
  pending = nil
end

function request()
  position = position % #entries + 1
  pending = entries[position]
  if pending.conditional and #seen > 0 then
    pending = seen[math.random(#seen)]
  end
  local headers = {}
  for name, value in pairs(pending.headers) do
    headers[name] = value
  end
  local etag = pending.conditional and etags[pending.key]
  if etag then
    headers["If-None-Match"] = etag
    conditionals = conditionals + 1
  end
  return wrk.format("GET", pending.path, headers)
end

function response(status, headers, body)
  local entry = pending
  pending = nil
  local key = (entry and entry.kind or "unknown") .. " " .. status
  counts[key] = (counts[key] or 0) + 1
  if entry == nil then
    return
  end
  local etag = headers["ETag"] or headers["etag"] or headers["Etag"]
  if etag and status == 200 then
    if etags[entry.key] == nil then
      table.insert(seen, {kind = entry.kind, key = entry.key, path = entry.path, headers = entry.headers,
                          conditional = true})
    end
    etags[entry.key] = etag
  end
end

function done(summary, latency, requests)
  report.done(summary, latency, {"conditionals"})
end
