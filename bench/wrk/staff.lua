-- The staff API, as a receiving officer uses it: of every 10 requests, 6 open a dossier
-- (components, control slip, timeline, allowed actions) and 4 list an inbox page
-- (intake queue, everything of the unit, due soon, search by name).
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
local headers = {["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")}
local lists = {
  "/api/v1/staff/dossiers?box=intake",
  "/api/v1/staff/dossiers?box=all",
  "/api/v1/staff/dossiers?box=all&due=soon",
  "/api/v1/staff/dossiers?box=all&q=nguyen+thi+hoa&limit=20",
}
local i = 0
math.randomseed(os.time())
request = function()
  i = i + 1
  if i % 10 < 6 then
    return wrk.format("GET", "/api/v1/staff/dossiers/" .. codes[math.random(#codes)], headers)
  end
  return wrk.format("GET", lists[(i % #lists) + 1], headers)
end
