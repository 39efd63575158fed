-- bench.lua - the wrk script of `make bench`: one script, the scenario comes
-- from the environment.
--
--   BENCH_MODE    static | get | list | list_one | filter | create | update
--                 | changes | mix | login | dav | floor_one | floor_page
--   BENCH_TOKENS  file of "user_id token lo hi [list]" lines (a user's bearer
--                 token, the range of its seeded task ids, which are
--                 contiguous, and the id of a list of theirs besides the
--                 Inbox, for list_one; then a changes feed token, for
--                 changes)
--   BENCH_LOGINS  file of "email password" lines (login only)
--   BENCH_STATIC  path of the static file (static only)
--   BENCH_DAV_URL, BENCH_DAV_AUTH, BENCH_DAV_METHOD, BENCH_DAV_DEPTH,
--   BENCH_DAV_BODY  the one request of the dav mode (a CalDAV PROPFIND or
--                 REPORT, to the module or to Radicale): its URL (the
--                 path is sent), Authorization, method, Depth ("" none)
--                 and the file of its body
--
-- Every request carries a valid bearer token of the user owning the task.
-- response() counts non-2xx answers per thread; done() prints one
-- machine-readable line (BENCH_RESULT ...) with requests/s, latency
-- percentiles (microseconds) and the error counts.

local mode = os.getenv("BENCH_MODE") or "get"
local users = {}
local logins = {}
local static_path = os.getenv("BENCH_STATIC") or "/bench-static/task.json"
local threads = {}
local counter = 0

non2xx = 0
statuses = ""
local seen = {}

local function load_lines(path, pattern, sink)
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in f:lines() do
    local a, b, c, d = line:match(pattern)
    if a then sink(a, b, c, d) end
  end
  f:close()
end

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local dav_request

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + math.floor(os.clock() * 1e6))
  if mode == "dav" then
    local f = assert(io.open(os.getenv("BENCH_DAV_BODY"), "r"), "cannot open BENCH_DAV_BODY")
    local body = f:read("*a")
    f:close()
    local headers = { ["Authorization"] = os.getenv("BENCH_DAV_AUTH"),
                      ["Content-Type"] = "application/xml; charset=utf-8" }
    local depth = os.getenv("BENCH_DAV_DEPTH") or ""
    if depth ~= "" then headers["Depth"] = depth end
    local path = os.getenv("BENCH_DAV_URL"):gsub("^https?://[^/]+", "")
    dav_request = wrk.format(os.getenv("BENCH_DAV_METHOD"), path, headers, body)
  elseif mode == "login" then
    load_lines(os.getenv("BENCH_LOGINS"), "^(%S+)%s+(%S+)", function(e, p)
      table.insert(logins, { email = e, password = p })
    end)
  else
    load_lines(os.getenv("BENCH_TOKENS"), "^(%S+)%s+(%S+)%s+(%d+)%s+(%d+)", function(u, t, lo, hi)
      table.insert(users, { uid = u, auth = "Bearer " .. t, lo = tonumber(lo), hi = tonumber(hi) })
    end)
    -- the optional fifth field: a list of the user's
    local i = 0
    load_lines(os.getenv("BENCH_TOKENS"), "^%S+%s+%S+%s+%d+%s+%d+%s*(%d*)", function(l)
      i = i + 1
      if users[i] then users[i].list = l end
    end)
    -- the optional sixth field: a changes feed token
    i = 0
    load_lines(os.getenv("BENCH_TOKENS"), "^%S+%s+%S+%s+%d+%s+%d+%s+%d+%s+(%S+)", function(t)
      i = i + 1
      if users[i] then users[i].since = t end
    end)
    if mode == "list_one" then
      for _, u in ipairs(users) do assert(u.list and u.list ~= "", "no list in BENCH_TOKENS") end
    end
    assert(#users > 0, "no tokens in BENCH_TOKENS")
  end
end

local words = { "report", "invoice", "budget", "slides", "taxes", "garden", "roadmap", "backlog" }
local tags = { "work", "home", "errands", "urgent", "reading", "health", "finance", "travel" }
local prios = { "none", "low", "medium", "high" }
local seq = 0

local function pick(t) return t[math.random(#t)] end

local function user() return users[math.random(#users)] end

local function get_one()
  local u = user()
  return wrk.format("GET", "/api/tasks/" .. math.random(u.lo, u.hi), { ["Authorization"] = u.auth })
end

local function list_page()
  return wrk.format("GET", "/api/tasks?limit=50", { ["Authorization"] = user().auth })
end

-- one list's first page (its index, sql/009), next to the whole list's
local function list_one()
  local u = user()
  return wrk.format("GET", "/api/tasks?list_id=" .. u.list .. "&limit=50", { ["Authorization"] = u.auth })
end

-- the changes since a token (tests/bench/run.sh: 10 changes of a user
-- with the most tasks)
local function changes()
  local u = user()
  return wrk.format("GET", "/api/tasks/changes?since=" .. u.since, { ["Authorization"] = u.auth })
end

local function list_filtered()
  local path = "/api/tasks?status=pending&q=" .. pick(words) .. "&tag=" .. pick(tags) .. "&limit=50"
  return wrk.format("GET", path, { ["Authorization"] = user().auth })
end

local function create()
  seq = seq + 1
  local body = string.format(
    '{"title":"Bench %s %d","description":"created by make bench","priority":"%s","tags":["%s","bench"],"due_at":"2031-0%d-1%dT09:30:00Z"}',
    pick(words), seq, pick(prios), pick(tags), math.random(1, 9), math.random(0, 9))
  return wrk.format("POST", "/api/tasks", {
    ["Authorization"] = user().auth, ["Content-Type"] = "application/json" }, body)
end

local function update()
  local u = user()
  seq = seq + 1
  local body = string.format('{"title":"Updated %s %d","priority":"%s"}', pick(words), seq, pick(prios))
  return wrk.format("PATCH", "/api/tasks/" .. math.random(u.lo, u.hi), {
    ["Authorization"] = u.auth, ["Content-Type"] = "application/json" }, body)
end

local function login()
  local l = logins[math.random(#logins)]
  local body = string.format('{"email":"%s","password":"%s"}', l.email, l.password)
  return wrk.format("POST", "/api/auth/login", { ["Content-Type"] = "application/json" }, body)
end

local function static()
  -- the same Authorization header as the API requests: equal request size
  return wrk.format("GET", static_path, { ["Authorization"] = user().auth })
end

local function mix()
  local r = math.random(100)
  if r <= 70 then return get_one()
  elseif r <= 90 then return list_page()
  elseif r <= 95 then return create()
  else return update() end
end

-- The floors (tests/bench/floor.c): the same row or page without the
-- API, the same Authorization header (ignored) for equal request size.
local function floor_one()
  local u = user()
  return wrk.format("GET", "/bench-floor/one/" .. u.uid .. "/" .. math.random(u.lo, u.hi),
                    { ["Authorization"] = u.auth })
end

local function floor_page()
  local u = user()
  return wrk.format("GET", "/bench-floor/page/" .. u.uid, { ["Authorization"] = u.auth })
end

-- the same prepared CalDAV request every time
local function dav() return dav_request end

local modes = {
  static = static, get = get_one, list = list_page, list_one = list_one, filter = list_filtered,
  create = create, update = update, changes = changes, mix = mix, login = login, dav = dav,
  floor_one = floor_one, floor_page = floor_page,
}
request = assert(modes[mode], "unknown BENCH_MODE " .. mode)

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if not seen[status] then
      seen[status] = true
      statuses = statuses .. (statuses == "" and "" or ",") .. status
    end
  end
end

function done(summary, latency, requests)
  local bad, codes = 0, {}
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    local s = t:get("statuses") or ""
    if s ~= "" then table.insert(codes, s) end
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f non2xx=%d sock_errors=%d sock_detail=c%d/r%d/w%d/t%d statuses=%s\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    bad, e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout,
    (#codes > 0) and table.concat(codes, ",") or "-"))
end
