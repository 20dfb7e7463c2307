-- A public API mix: of every 10 requests, 6 track a dossier, 3 search the catalogue, 1 submits.
local dir = os.getenv("BENCH_CODES"):gsub("codes.txt$", "")
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
local f = assert(io.open(dir .. "submit_body.bin", "rb"))
local body = f:read("*a")
f:close()
local ct = assert(io.open(dir .. "submit_content_type.txt", "r")):read("*l")
local queries = {"dang+ky+khai+sinh", "KHAI+SINH", "ly+lich+tu+phap", "ho+kinh+doanh", "ket+hon"}
local i = 0
math.randomseed(os.time())
request = function()
  i = i + 1
  local slot = i % 10
  if slot < 6 then
    return wrk.format("GET", "/api/v1/dossiers/" .. codes[math.random(#codes)])
  elseif slot < 9 then
    return wrk.format("GET", "/api/v1/procedures?q=" .. queries[(i % #queries) + 1])
  end
  return wrk.format("POST", "/api/v1/dossiers", {["Content-Type"] = ct}, body)
end
