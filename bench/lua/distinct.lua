-- Distinct SPARQL queries: every request a different text, none repeated during the run, so that no answer cache can
-- serve one. Arguments (after wrk's `--`):
--   1 endpoint path (/sparql or /query)   2 the query text, where NNNNNN stands for a practice number (6 digits)
--   and TAG for a variable-name suffix     3 how many practices there are   4 a salt, unique to this run
--   5 wrk's thread count (-t)
-- Thread t of T asks for practice numbers t, t+T, t+2T, ...; past the last practice the round number goes into TAG,
-- so the text still differs (the work does not: only a variable is renamed).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local report = require("report")  -- also defines setup(), which numbers the threads (tid) and keeps them

function init(args)
  path = args[1]
  template = args[2]
  practices = tonumber(args[3])
  salt = args[4]
  step = tonumber(args[5])
  n = tid
  headers = {["Accept"] = "application/sparql-results+json"}
end

function request()
  local number, round = n % practices, math.floor(n / practices)
  n = n + step
  local text = template:gsub("NNNNNN", string.format("%06d", number)):gsub("TAG", salt .. "_" .. round)
  return wrk.format("GET", path .. "?query=" .. report.encode_component(text), headers)
end

function done(summary, latency, requests)
  report.done(summary, latency)
end
