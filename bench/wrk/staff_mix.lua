-- The staff case-API mix: the best-known peer's twelve scenarios at their weights, for two
-- people at once (the provincial centre's receiving officer and the leader of a big
-- department), each request for one of them at random. Reads take random codes of what the
-- person sees; each write takes the next dossier of its list (every dossier once), with
-- If-Match: * (act on whatever the revision is now). Written by bench/staff.py.
local dir = os.getenv("BENCH_STAFF_DIR") .. "/"

local function lines(name)
  local out = {}
  local f = io.open(dir .. name, "r")
  if f == nil then return out end
  for line in f:lines() do if line ~= "" then out[#out + 1] = line end end
  f:close()
  return out
end

local function file(name)
  local f = assert(io.open(dir .. name, "rb"))
  local body = f:read("*a")
  f:close()
  return body
end

local people = {}
for _, who in ipairs({"officer", "leader"}) do
  people[who] = {
    headers = {["Authorization"] = "Token " .. lines(who .. ".token")[1]},
    dossiers = lines(who .. ".dossiers"),
    finished = lines(who .. ".finished"),
    procedures = lines(who .. ".procedures"),
    prefixes = lines(who .. ".prefixes"),
    names = lines(who .. ".names"),
  }
end
local writes = {
  accept = lines("officer.accept"),
  ["return"] = lines("officer.return"),
  assign = lines("leader.assign"),
  result = lines("leader.result"),
  approve = lines("leader.approve"),
}
local assignee = lines("leader.assignee")[1]
local intake_body, intake_type = file("intake.body"), lines("intake.type")[1]
local result_body, result_type = file("result.body"), lines("result.type")[1]
local statuses = {"4", "10", "2"}

-- Each wrk thread takes every other dossier of a write list, so two threads never share one.
-- setup() runs in the main Lua state and numbers the threads; each thread reads its number
-- from the global the main state set in it.
local counter, threads = 0, 2
function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end
local next_write = {}

local function pick(list) return list[math.random(#list)] end

local function take(name)
  local list = writes[name]
  local i = (next_write[name] or (thread_id or 0)) + 1
  next_write[name] = i - 1 + threads
  return list[((i - 1) % #list) + 1]
end

-- The scenarios and their weights (of 100).
local scenarios = {
  {15, function(p) return "GET", "/api/v1/staff/dossiers?box=all&limit=20" end},
  {10, function(p) return "GET", "/api/v1/staff/dossiers?box=all&limit=20&procedure=" .. pick(p.procedures) end},
  {10, function(p) return "GET", "/api/v1/staff/dossiers?box=all&limit=20&procedure=" .. pick(p.procedures) .. "&status=" .. pick(statuses) end},
  {10, function(p) return "GET", "/api/v1/staff/dossiers?box=all&limit=20&q=" .. pick(p.prefixes) end},
  {10, function(p) return "GET", "/api/v1/staff/dossiers?box=all&limit=20&q=" .. pick(p.names) end},
  {20, function(p) return "GET", "/api/v1/staff/dossiers/" .. pick(p.dossiers) end},
  {5, function(p) return "GET", "/api/v1/staff/dossiers/" .. pick(p.finished) end},
  {4, "intake"}, {4, "accept"}, {4, "assign"}, {3, "result"}, {3, "approve"}, {2, "return"},
}
local total = 0
for _, s in ipairs(scenarios) do total = total + s[1] end

local function write(kind)
  if kind == "intake" then
    local h = {["Authorization"] = people.officer.headers["Authorization"], ["Content-Type"] = intake_type}
    return wrk.format("POST", "/api/v1/staff/counter-intake", h, intake_body)
  end
  local who = (kind == "accept" or kind == "return") and people.officer or people.leader
  local h = {["Authorization"] = who.headers["Authorization"], ["If-Match"] = "*"}
  local code = take(kind)
  if kind == "result" then
    h["Content-Type"] = result_type
    return wrk.format("POST", "/api/v1/staff/dossiers/" .. code .. "/record-result", h, result_body)
  end
  h["Content-Type"] = "application/json"
  local path = {accept = "accept", ["return"] = "return-result", assign = "assign", approve = "mark-processed"}
  local body = "{}"
  if kind == "assign" then body = '{"assignee": "' .. assignee .. '"}' end
  if kind == "return" then body = '{"to_whom": "Nguyễn Văn An, 048090001234"}' end
  return wrk.format("POST", "/api/v1/staff/dossiers/" .. code .. "/" .. path[kind], h, body)
end

function init(args)
  math.randomseed(os.time() * 7 + (thread_id or 0))
end

request = function()
  local r = math.random() * total
  for _, s in ipairs(scenarios) do
    r = r - s[1]
    if r <= 0 then
      if type(s[2]) == "string" then return write(s[2]) end
      local p = math.random() < 0.5 and people.officer or people.leader
      local method, path = s[2](p)
      return wrk.format(method, path, p.headers)
    end
  end
  return wrk.format("GET", "/api/v1/staff/dossiers?box=all&limit=20", people.officer.headers)
end

done = function(summary, latency, requests)
  io.write(string.format("p95 %.1f ms\n", latency:percentile(95) / 1000))
  io.write(string.format("p99 %.1f ms\n", latency:percentile(99) / 1000))
end
