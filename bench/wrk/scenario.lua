-- wrk script of every benchmark scenario, set up by environment variables
-- (bench/run.py sets them; wrk passes the environment to every thread):
--
--   BENCH_PATHS  paths to request, separated by spaces; each request takes the next one
--   BENCH_TOKEN  a users-service token sent as "Authorization: Token ..." (optional)
--   BENCH_WRITE  "article" (POST a new article) or "comment" (POST a comment); empty: GET
--   BENCH_RUN    a tag that makes every written title unique across runs
--
-- done() prints one line "BENCH_RESULT {json}" with the counts, the latency
-- percentiles and, for writes, how many were acknowledged (200 or 201), so
-- the harness can count the rows afterwards and prove none was lost.

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("thread_number", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

local function split(text)
   local items = {}
   for item in string.gmatch(text or "", "%S+") do
      table.insert(items, item)
   end
   if #items == 0 then
      table.insert(items, "/")
   end
   return items
end

function init(args)
   paths = split(os.getenv("BENCH_PATHS"))
   token = os.getenv("BENCH_TOKEN") or ""
   write = os.getenv("BENCH_WRITE") or ""
   run = os.getenv("BENCH_RUN") or "run"
   sent = thread_number or 0
   acked = 0
   refused = 0
end

local function headers_for(body)
   local headers = {}
   if token ~= "" then
      headers["Authorization"] = "Token " .. token
   end
   if body then
      headers["Content-Type"] = "application/json"
   end
   return headers
end

function request()
   sent = sent + 1
   local path = paths[(sent % #paths) + 1]
   if write == "article" then
      local title = string.format("Bench %s t%d n%d", run, thread_number or 0, sent)
      local body = string.format(
         '{"article":{"title":"%s","description":"Written by the benchmark",' ..
         '"body":"Some *Markdown* for %s.","tagList":["bench","load"]}}', title, title)
      return wrk.format("POST", path, headers_for(body), body)
   elseif write == "comment" then
      local body = string.format(
         '{"comment":{"body":"Comment %s t%d n%d"}}', run, thread_number or 0, sent)
      return wrk.format("POST", path, headers_for(body), body)
   end
   return wrk.format("GET", path, headers_for(nil))
end

-- Only writes pay for a response callback (wrk then parses every response).
if (os.getenv("BENCH_WRITE") or "") ~= "" then
   function response(status, headers, body)
      if status == 200 or status == 201 then
         acked = acked + 1
      else
         refused = refused + 1
      end
   end
end

function done(summary, latency, requests)
   local acked_total, refused_total = 0, 0
   for _, thread in ipairs(threads) do
      acked_total = acked_total + (thread:get("acked") or 0)
      refused_total = refused_total + (thread:get("refused") or 0)
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%.0f,"duration_us":%.0f,"p50_us":%.0f,"p99_us":%.0f,' ..
      '"max_us":%.0f,"errors_status":%.0f,"errors_connect":%.0f,"errors_read":%.0f,' ..
      '"errors_write":%.0f,"errors_timeout":%.0f,"acked":%.0f,"refused":%.0f}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.max, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
      acked_total, refused_total))
end
